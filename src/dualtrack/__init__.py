"""dualtrack: simulate and analyse deterrence-and-dialogue (dual-track) border security.

Quick use::

    import dualtrack
    scenario = dualtrack.load_scenario("belarus-ukraine-2024")
    results = dualtrack.simulate(scenario, doctrine="dual-track", replicates=500, seed=1)
"""

from dualtrack._version import __version__
from dualtrack.doctrines import BUILTIN_DOCTRINES, REGISTRY, Doctrine, register
from dualtrack.engine.run import simulate
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.loading import (
    builtin_scenarios,
    load_scenario,
    scenario_hash,
)
from dualtrack.scenario.schema import Scenario

__all__ = [
    "BUILTIN_DOCTRINES",
    "REGISTRY",
    "Doctrine",
    "Rung",
    "Scenario",
    "ScenarioError",
    "__version__",
    "builtin_scenarios",
    "load_scenario",
    "register",
    "scenario_hash",
    "simulate",
]
