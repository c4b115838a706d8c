"""The benchmark baselines implement the same model in its spiral limit (every actor a security
seeker for certain): fed dualtrack's random numbers, the plain loop and the Mesa model
reproduce dualtrack replicate by replicate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dualtrack
from dualtrack.engine.run import plan_run
from dualtrack.engine.streams import ChunkStreams
from dualtrack.scenario.synthetic import ring_scenario_data

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from baselines.common import InjectedDraws, Tables, spiral_limit  # noqa: E402
from baselines.plain_loop import run_replicate  # noqa: E402

REPLICATES = 32


def hot_ring() -> dict[str, Any]:
    """A small ring where wars, pull-ins, nuclear use, agreements and violations all happen."""
    data = ring_scenario_data(6, replicates=REPLICATES, horizon_days=90, seed=5)
    data["mechanisms"] = {
        "escalation": {"up_rate": 0.6, "pull_in_rate": 0.5, "nuclear_rate": 0.1},
        "dialogue": {"talk_rate": 0.6, "national_means_rate": 0.5},
        "perception": {"noise_band": 1.0},
    }
    data["actors"][0]["nuclear"] = True
    for actor in data["actors"]:
        if actor["doctrine"]["name"] == "dual-track":
            # in the spiral limit dual-track holds its baseline: GRIT talks and deploys
            actor["doctrine"] = {"name": "grit", "params": {"max_reduction": 0.5}}
        if "params" in actor["doctrine"]:
            actor["doctrine"]["params"]["reactivity"] = 1.0
    return data


def engine_draws(scenario: Any) -> tuple[Tables, np.ndarray, np.ndarray]:
    """The compiled tables and dualtrack's own draws, (step, replicate, ...)."""
    plan = plan_run(scenario, replicates=REPLICATES, record="summary")
    c = plan.compiled
    streams = ChunkStreams(plan.seed, 0, REPLICATES, REPLICATES)
    normals = np.empty((c.n_steps, REPLICATES, len(c.entry_pair)), dtype=np.float32)
    uniforms = np.empty((c.n_steps, REPLICATES, c.layout.width))
    for t in range(c.n_steps):
        streams.fill(normals[t], uniforms[t])
    return Tables(c), normals, uniforms


def assert_same(outcomes: list[Any], ds: Any) -> None:
    n = len(outcomes)
    for name, variable in (
        ("max_rung", "max_rung"),
        ("agreements", "agreements"),
        ("kept", "agreements_kept"),
        ("detected", "violations_detected"),
        ("pulled_in", "pulled_in"),
    ):
        mine = np.array([getattr(o, name) for o in outcomes])
        np.testing.assert_array_equal(mine, ds[variable].values[:n], err_msg=name)
    for name in ("cost", "days_elevated", "first_war_day"):
        mine = np.array([getattr(o, name) for o in outcomes])
        np.testing.assert_allclose(mine, ds[name].values[:n], rtol=1e-9, err_msg=name)


@pytest.mark.parametrize("which", ["flagship", "hot ring"])
def test_plain_loop_reproduces_dualtrack_with_its_draws(which):
    scenario = (
        dualtrack.load_scenario("belarus-ukraine-2024").model_copy(deep=True)
        if which == "flagship"
        else dualtrack.load_scenario(hot_ring())
    )
    if which == "flagship":
        data = spiral_limit(scenario).model_dump(mode="json")  # what the baselines hold
        data["settings"].update(horizon_days=120, replicates=REPLICATES)
        scenario = dualtrack.load_scenario(data)
    ds = dualtrack.simulate(scenario, record="summary")
    if which == "hot ring":
        assert (ds.max_rung.values >= 6).any() and ds.pulled_in.values.any()
        assert (ds.max_rung.values == 8).any() and ds.violations_detected.values.any()
    tables, normals, uniforms = engine_draws(scenario)
    outcomes = [
        run_replicate(tables, InjectedDraws(normals[:, r], uniforms[:, r]))
        for r in range(REPLICATES)
    ]
    assert_same(outcomes, ds)


def test_mesa_model_reproduces_dualtrack_with_its_draws():
    pytest.importorskip("mesa")
    from baselines.mesa_model import BorderModel

    scenario = dualtrack.load_scenario(hot_ring())
    ds = dualtrack.simulate(scenario, record="summary")
    tables, normals, uniforms = engine_draws(scenario)
    outcomes = [
        BorderModel(tables, seed=r, draws=InjectedDraws(normals[:, r], uniforms[:, r])).run()
        for r in range(8)
    ]
    assert_same(outcomes, ds)
