"""dualtrack: simulate and analyse deterrence-and-dialogue (dual-track) border security.

Quick use::

    import dualtrack
    scenario = dualtrack.load_scenario("belarus-ukraine-2024")
    results = dualtrack.simulate(scenario, doctrine="dual-track", replicates=500, seed=1)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dualtrack")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from dualtrack.doctrines import BUILTIN_DOCTRINES, REGISTRY, Doctrine, register  # noqa: E402
from dualtrack.engine.run import simulate  # noqa: E402
from dualtrack.scenario.errors import ScenarioError  # noqa: E402
from dualtrack.scenario.ladder import Rung  # noqa: E402
from dualtrack.scenario.loading import (  # noqa: E402
    builtin_scenarios,
    load_scenario,
    scenario_hash,
)
from dualtrack.scenario.schema import Scenario  # noqa: E402

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
