"""PRIM recovers a known box from synthetic data, and discovery writes its tables and plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dualtrack.analysis.discovery import discover
from dualtrack.analysis.prim import Prim, PrimBox, Restriction
from dualtrack.analysis.screening import feature_scores
from dualtrack.experiments.design import make_design
from dualtrack.experiments.sweep_store import store_evaluations
from dualtrack.scenario.uncertainty import UncertainParameter

# the known box: 0.2 < a < 0.6 and b > 0.5; c, d, e play no part
TRUE_LOW = {"a": 0.2, "b": 0.5}
TRUE_HIGH = {"a": 0.6, "b": 1.0}


def _limits(box: PrimBox) -> dict[str, Restriction]:
    return {limit.parameter: limit for limit in box.limits}


def _synthetic(points: int, noise: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(points, 5)), columns=list("abcde"))
    inside = (x["a"] > 0.2) & (x["a"] < 0.6) & (x["b"] > 0.5)
    flipped = rng.uniform(size=points) < noise
    return x, np.asarray(inside.to_numpy() ^ flipped)


def test_prim_recovers_a_known_box_with_noisy_labels() -> None:
    x, y = _synthetic(3000, noise=0.05, seed=2)
    prim = Prim(x, y, bounds=([0.0] * 5, [1.0] * 5), threshold=0.8)
    box = prim.find_box()
    assert box is not None
    limits = _limits(box)
    assert set(limits) == {"a", "b"}
    assert limits["a"].low == pytest.approx(TRUE_LOW["a"], abs=0.05)
    assert limits["a"].high == pytest.approx(TRUE_HIGH["a"], abs=0.05)
    assert limits["b"].low == pytest.approx(TRUE_LOW["b"], abs=0.05)
    assert limits["b"].high == 1.0  # unrestricted above
    stats = box.chosen_step
    assert stats.density >= 0.8 and stats.coverage >= 0.8
    qp_low = [limit.qp_low for limit in box.limits if limit.qp_low is not None]
    assert qp_low and all(qp < 1e-6 for qp in qp_low)  # every restriction significant


def test_the_peeling_trajectory_trades_coverage_for_density() -> None:
    x, y = _synthetic(2000, noise=0.0, seed=4)
    box = Prim(x, y, bounds=([0.0] * 5, [1.0] * 5)).find_box()
    assert box is not None
    peels = pd.DataFrame([step for step in box.trajectory if step.kind == "peel"])
    assert peels["coverage"].is_monotonic_decreasing
    assert peels["mass"].is_monotonic_decreasing
    assert peels["density"].iloc[0] == pytest.approx(y.mean())
    assert peels["mass"].iloc[-1] >= 0.05
    assert box.chosen_step.density > 0.95


def test_covering_finds_a_second_box_among_the_remaining_points() -> None:
    rng = np.random.default_rng(8)
    x = pd.DataFrame(rng.uniform(size=(3000, 3)), columns=list("abc"))
    y = (x["a"] < 0.4) | ((x["a"] > 0.7) & (x["b"] > 0.7))
    prim = Prim(x, y.to_numpy(), bounds=([0.0] * 3, [1.0] * 3), threshold=0.95)
    first, second, *_ = prim.find_boxes(3)
    one = _limits(first)
    assert list(one) == ["a"] and one["a"].high == pytest.approx(0.4, abs=0.03)
    two = _limits(second)
    assert set(two) == {"a", "b"}
    assert two["a"].low == pytest.approx(0.7, abs=0.05)
    assert two["b"].low == pytest.approx(0.7, abs=0.05)
    assert second.meets_threshold and second.chosen_step.density > 0.9


def test_discovery_on_a_stored_sweep_writes_tables_and_plots(tmp_path: Path) -> None:
    parameters = [UncertainParameter(n, 0.5, 0.0, 1.0) for n in "abcde"]
    design = make_design("lhs", parameters, 1500, seed=5)
    inside = (design.values[:, 0] > 0.2) & (design.values[:, 0] < 0.6) & (design.values[:, 1] > 0.5)
    rng = np.random.default_rng(0)
    p_crisis = np.where(inside, 0.05, 0.3) + rng.normal(0.0, 0.01, design.n_points)
    store_evaluations(tmp_path, design, {"p_crisis": p_crisis}, doctrine="dual-track")
    result = discover(tmp_path, "p_crisis", 0.1, "dual-track")
    assert result.settings.cases_of_interest == int(inside.sum())
    assert result.folder == tmp_path / "discovery" / "dual-track__p_crisis_below_0.1"
    names = {p.name for p in result.folder.iterdir()}
    assert names == {
        "inputs.csv",
        "settings.json",
        "trajectory.csv",
        "boxes.csv",
        "limits.csv",
        "tradeoff.png",
        "boxes.png",
    }
    limits = pd.read_csv(result.folder / "limits.csv")
    first = limits[limits["box"] == 1].set_index("parameter")
    assert set(first.index) == {"a", "b"}
    assert first.loc["a", "low"] == pytest.approx(0.2, abs=0.05)
    assert first.loc["b", "low"] == pytest.approx(0.5, abs=0.05)
    boxes = pd.read_csv(result.folder / "boxes.csv")
    assert boxes.loc[0, "density"] > 0.95 and boxes.loc[0, "coverage"] > 0.9
    scores = pd.read_csv(result.folder / "inputs.csv")
    assert scores["used"].all() and scores.loc[0, "parameter"] == "b"
    narrowed = discover(tmp_path, "p_crisis", 0.1, "dual-track", parameters=["a", "b"], inputs=1)
    assert narrowed.settings.inputs == ("b",)
    assert {limit.parameter for box in narrowed.boxes for limit in box.limits} == {"b"}


def test_pruning_keeps_only_restrictions_the_data_support() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(size=(400, 12)), columns=[f"x{i}" for i in range(12)])
    inside = ((x["x0"] > 0.2) & (x["x0"] < 0.6) & (x["x1"] > 0.5)).to_numpy()
    y = inside ^ (rng.uniform(size=400) < 0.05)
    bounds = ([0.0] * 12, [1.0] * 12)
    loose = Prim(x, y, bounds=bounds).find_box()
    pruned = Prim(x, y, bounds=bounds, significance=0.05).find_box()
    assert loose is not None and pruned is not None
    assert set(_limits(loose)) > {"x0", "x1"}  # spurious restrictions
    assert set(_limits(pruned)) == {"x0", "x1"}
    assert pruned.trajectory[pruned.chosen].kind == "prune"


def test_feature_scores_rank_monotonic_influences_first() -> None:
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(size=(500, 4)), columns=["strong", "weak", "none", "minus"])
    y = 3 * x["strong"] + 0.5 * x["weak"] - 1.5 * x["minus"] + rng.normal(0, 0.1, 500)
    scores = feature_scores(x, y.to_numpy())
    assert [s.parameter for s in scores] == ["strong", "minus", "weak", "none"]
    assert {s.parameter: s for s in scores}["minus"].spearman < 0
