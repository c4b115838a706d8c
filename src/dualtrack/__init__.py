"""dualtrack: simulate and analyse deterrence-and-dialogue (dual-track) border security.

Quick use::

    import dualtrack
    scenario = dualtrack.load_scenario("belarus-ukraine-2024")
    results = dualtrack.simulate(scenario, doctrine="dual-track", replicates=500, seed=1)

The names below load on first use, so that importing a light submodule (the command line's
``--help``) does not import the engine and its scientific libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dualtrack._version import __version__

if TYPE_CHECKING:
    from dualtrack.doctrines import BUILTIN_DOCTRINES, REGISTRY, Doctrine, register
    from dualtrack.engine.run import simulate
    from dualtrack.scenario.errors import ScenarioError
    from dualtrack.scenario.ladder import Rung
    from dualtrack.scenario.loading import builtin_scenarios, load_scenario, scenario_hash
    from dualtrack.scenario.schema import Scenario

_HOMES = {
    "BUILTIN_DOCTRINES": "dualtrack.doctrines",
    "REGISTRY": "dualtrack.doctrines",
    "Doctrine": "dualtrack.doctrines",
    "register": "dualtrack.doctrines",
    "simulate": "dualtrack.engine.run",
    "ScenarioError": "dualtrack.scenario.errors",
    "Rung": "dualtrack.scenario.ladder",
    "builtin_scenarios": "dualtrack.scenario.loading",
    "load_scenario": "dualtrack.scenario.loading",
    "scenario_hash": "dualtrack.scenario.loading",
    "Scenario": "dualtrack.scenario.schema",
}

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


def __getattr__(name: str) -> Any:
    """The public names, imported from their modules on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'dualtrack' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
