"""Shared fixtures: a minimal two-actor scenario, the built-in scenario, doctrine observations."""

from __future__ import annotations

import copy
import json
import os
import shlex
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import settings

import dualtrack
from dualtrack.doctrines import Observation

# The suite's bit-level checks are of the reference engine: pin it (tests of the compiled
# backend ask for it by name), also for the commands tests run in subprocesses.
os.environ["DUALTRACK_BACKEND"] = "numpy"

settings.register_profile(
    "dualtrack", max_examples=50, deadline=None, derandomize=True, database=None
)
settings.load_profile("dualtrack")

BUILTIN_ID = "belarus-ukraine-2024"


def two_actor_scenario() -> dict[str, Any]:
    """A minimal valid scenario: adversaries A and B facing each other across one sector.

    One force category (threat weight 1), both sides deterrence-only, a backchannel that is
    declared but closed, default mechanisms. Tests change what they need in the returned dict.
    """
    return {
        "id": "two-actors",
        "name": "Two actors",
        "description": "Minimal two-actor scenario for tests.",
        "settings": {
            "start": "2024-01-01",
            "horizon_days": 30,
            "step_days": 1.0,
            "replicates": 64,
            "seed": 7,
        },
        "categories": [{"id": "ground", "name": "Ground forces", "threat_weight": 1.0}],
        "actors": [
            {
                "id": "A",
                "name": "Actor A",
                "doctrine": {"name": "deterrence-only"},
                "forces": {"ground": {"baseline": 2.0, "capacity": 10.0, "deployment_rate": 0.1}},
            },
            {
                "id": "B",
                "name": "Actor B",
                "doctrine": {"name": "deterrence-only"},
                "forces": {"ground": {"baseline": 3.0, "capacity": 12.0, "deployment_rate": 0.2}},
            },
        ],
        "relations": [{"between": ["A", "B"], "kind": "adversary"}],
        "sectors": [{"id": "border", "name": "Border", "between": ["A", "B"], "length_km": 100.0}],
        "dyads": [{"between": ["A", "B"], "channels": {"backchannel": {"open": False}}}],
    }


def richardson_scenario(
    *,
    reactivity: tuple[float, float],
    deployment_rate: tuple[float, float],
    baseline: tuple[float, float],
    initial: tuple[float, float],
    step_days: float,
    horizon_days: int,
    replicates: int = 2,
) -> dict[str, Any]:
    """A two-actor scenario that reduces exactly to Richardson's arms-race model.

    Exact perception (no noise, no inflation, no smoothing), threat from forces only, no
    incidents, no channels, a frozen escalation ladder, unbounded capacity and deterrence-only
    doctrines with tolerance 0, so each side's target is ``baseline + reactivity * threat``.
    """
    data = two_actor_scenario()
    data["settings"].update(
        step_days=step_days, horizon_days=horizon_days, replicates=replicates, seed=3
    )
    for actor, k, r, b, x0 in zip(
        data["actors"], reactivity, deployment_rate, baseline, initial, strict=True
    ):
        actor["threat_inflation"] = 0.0
        actor["doctrine"] = {
            "name": "deterrence-only",
            "params": {"reactivity": k, "tolerance": 0.0},
        }
        actor["forces"] = {"ground": {"baseline": b, "deployment_rate": r, "initial": x0}}
    data["dyads"][0]["channels"] = {}
    data["mechanisms"] = {
        "perception": {"base_noise_sd": 0.0, "memory_days": 0.0},
        "threat": {"incident_weight": 0.0, "rung_weight": 0.0},
        "incidents": {"contact_rate": 0.0},
        "escalation": {"up_rate": 0.0, "down_rate": 0.0},
    }
    return data


@pytest.fixture(scope="session")
def make_two_actor() -> Callable[[], dict[str, Any]]:
    """Builder of a fresh minimal two-actor scenario dict (see :func:`two_actor_scenario`)."""
    return two_actor_scenario


@pytest.fixture(scope="session")
def make_richardson() -> Callable[..., dict[str, Any]]:
    """Builder of a scenario that is Richardson's model (see :func:`richardson_scenario`)."""
    return richardson_scenario


@pytest.fixture(scope="session")
def builtin_data() -> dict[str, Any]:
    """The built-in scenario as a plain dict, to be copied and changed by tests."""
    text = resources.files("dualtrack.data.scenarios").joinpath(f"{BUILTIN_ID}.yaml").read_text()
    return yaml.safe_load(text)


@pytest.fixture
def builtin_copy(builtin_data: dict[str, Any]) -> dict[str, Any]:
    """A fresh deep copy of the built-in scenario dict."""
    return copy.deepcopy(builtin_data)


@pytest.fixture(scope="session")
def builtin_scenario() -> dualtrack.Scenario:
    """The validated built-in Belarus-Ukraine scenario."""
    return dualtrack.load_scenario(BUILTIN_ID)


def make_observation(
    replicates: int = 1,
    *,
    day: float = 0.0,
    dt: float = 1.0,
    threat: float | np.ndarray = 5.0,
    tolerated_threat: float = 2.0,
    adversary_strength: float | np.ndarray = 3.0,
    attributed_incidents: float | np.ndarray = 0.0,
    in_agreement: bool | np.ndarray = False,
    forces: float | np.ndarray = 2.0,
    baseline: tuple[float, ...] = (2.0, 1.0),
    capacity: tuple[float, ...] = (10.0, 5.0),
    share_per_weight: tuple[float, ...] = (0.5, 1.0),
    threat_noise: float | np.ndarray = 0.0,
    belief: float | np.ndarray = 0.5,
) -> Observation:
    """An observation for one actor with two force categories, broadcast over replicates."""
    n_c = len(baseline)
    return Observation(
        day=day,
        dt=dt,
        threat=np.broadcast_to(np.asarray(threat, dtype=float), (replicates,)).copy(),
        tolerated_threat=tolerated_threat,
        adversary_strength=np.broadcast_to(
            np.asarray(adversary_strength, dtype=float), (replicates,)
        ).copy(),
        attributed_incidents=np.broadcast_to(
            np.asarray(attributed_incidents, dtype=float), (replicates,)
        ).copy(),
        in_agreement=np.broadcast_to(np.asarray(in_agreement, dtype=bool), (replicates,)).copy(),
        forces=np.broadcast_to(np.asarray(forces, dtype=float), (replicates, n_c)).copy(),
        baseline=np.asarray(baseline, dtype=float),
        capacity=np.asarray(capacity, dtype=float),
        share_per_weight=np.asarray(share_per_weight, dtype=float),
        threat_noise=np.broadcast_to(np.asarray(threat_noise, dtype=float), (replicates,)).copy(),
        belief=np.broadcast_to(np.asarray(belief, dtype=float), (replicates,)).copy(),
    )


@pytest.fixture(scope="session")
def observation() -> Callable[..., Observation]:
    """Builder of doctrine observations (see :func:`make_observation`)."""
    return make_observation


def _rerun_reproduces(verb: str, first: Path, again: Path, tables: tuple[str, ...]) -> None:
    """Re-run the command a folder's manifest records into ``again``: identical results."""
    import xarray as xr
    from typer.testing import CliRunner

    from dualtrack.cli import app

    command = shlex.split(json.loads((first / "manifest.json").read_text())["command"])
    assert command[:2] == ["dualtrack", verb] and command[-2:] == ["--out", str(first)]
    result = CliRunner().invoke(app, [*command[1:-1], str(again)])
    assert result.exit_code == 0, result.output
    with xr.open_dataset(first / "results.nc") as a, xr.open_dataset(again / "results.nc") as b:
        assert list(a.data_vars) == list(b.data_vars)
        for name in a.data_vars:
            assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name
    for table in tables:
        assert (first / table).read_bytes() == (again / table).read_bytes()


@pytest.fixture(scope="session")
def rerun_reproduces() -> Callable[[str, Path, Path, tuple[str, ...]], None]:
    """Checks that the command recorded in an output folder's manifest reproduces it."""
    return _rerun_reproduces
