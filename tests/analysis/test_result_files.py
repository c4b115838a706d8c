"""Exploration results written to a sweep folder read back as the same typed objects, and the
report's exploration section shows the outcome each result carries."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from dualtrack.analysis.discovery import (
    PrimResult,
    PrimSettings,
    discover,
    read_discovery,
    save_discovery,
)
from dualtrack.analysis.exploration import exploration_summary
from dualtrack.analysis.prim import Prim
from dualtrack.analysis.screening import feature_scores
from dualtrack.analysis.sensitivity import analyse_sensitivity, read_sensitivity
from dualtrack.experiments.design import make_design
from dualtrack.experiments.sweep_store import store_evaluations
from dualtrack.report.exploration_section import exploration_section
from dualtrack.scenario.uncertainty import UncertainParameter

QUESTION = PrimSettings(
    doctrine="d",
    outcome="y",
    outcome_label="Y",
    threshold=0.5,
    relation="below",
    conservative=False,
    column="y",
    points=100,
    cases_of_interest=50,
    base_rate=0.5,
    peel_alpha=0.05,
    paste_alpha=0.05,
    mass_min=0.05,
    density_threshold=0.8,
    max_boxes=3,
    significance=None,
    inputs=("a", "b", "c"),
    design="lhs",
    replicates=None,
)


def _store_sweep(folder: Path) -> Path:
    """A Saltelli design whose p_crisis is low inside 0.2 < a < 0.6, b > 0.5 and whose cost
    grows with a."""
    parameters = [UncertainParameter(n, 0.5, 0.0, 1.0) for n in "abc"]
    design = make_design("sobol", parameters, 128, seed=2)
    a, b = design.values[:, 0], design.values[:, 1]
    inside = (a > 0.2) & (a < 0.6) & (b > 0.5)
    noise = np.random.default_rng(1).normal(0.0, 0.01, design.n_points)
    outcomes = {"p_crisis": np.where(inside, 0.05, 0.3) + noise, "cost": 10 * a + noise}
    labels = {"p_crisis": "P(crisis)", "cost": "Cost"}
    store_evaluations(folder, design, outcomes, doctrine="dual-track", labels=labels)
    return folder


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sweep of :func:`_store_sweep`, shared by the tests that only add results to it."""
    return _store_sweep(tmp_path_factory.mktemp("sweep"))


def test_a_discovery_reads_back_as_the_result_that_wrote_it(sobol_sweep: Path) -> None:
    written = discover(sobol_sweep, "cost", 4.0, "dual-track")
    assert written.boxes and written.boxes[0].limits and written.figures
    assert read_discovery(written.folder) == written
    pruned = discover(sobol_sweep, "p_crisis", 0.1, "dual-track", significance=0.05)
    assert {limit.parameter for limit in pruned.boxes[0].limits} == {"a", "b"}
    assert read_discovery(pruned.folder) == pruned


def test_sensitivity_indices_read_back_labelled_by_parameter(sobol_sweep: Path) -> None:
    written = analyse_sensitivity(sobol_sweep, resamples=50)
    read = read_sensitivity(sobol_sweep / "sensitivity")
    assert read is not None and read.method == written.method == "sobol"
    assert [(r.doctrine, r.outcome, r.figure) for r in read.results] == [
        (r.doctrine, r.outcome, r.figure) for r in written.results
    ]
    for again, first in zip(read.results, written.results, strict=True):
        xr.testing.assert_identical(again.indices, first.indices)
    (cost,) = read.for_outcome("cost")
    assert cost.ranking(1)["parameter"].item() == "a"  # cost depends on a alone


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    points=st.integers(40, 120),
    significance=st.sampled_from([None, 0.05]),
)
def test_any_prim_result_survives_its_files(
    seed: int, points: int, significance: float | None
) -> None:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(points, 3)), columns=["a", "b", "c"])
    y = ((x["a"] < rng.uniform(0.2, 0.8)) ^ (rng.uniform(size=points) < 0.1)).to_numpy()
    boxes = Prim(x, y, bounds=([0.0] * 3, [1.0] * 3), significance=significance).find_boxes(3)
    scores = feature_scores(x, y.astype(np.float64))
    with tempfile.TemporaryDirectory() as folder:
        result = PrimResult(Path(folder), QUESTION, scores, tuple(boxes))
        save_discovery(result)
        assert read_discovery(Path(folder)) == result


def _titles(summary_folder: Path, outcome: str | None = None) -> list[str]:
    summary = exploration_summary(summary_folder)
    assert summary is not None
    return [block.title for block in exploration_section(summary, outcome).blocks]


def test_the_section_shows_the_outcome_the_results_carry(tmp_path: Path) -> None:
    sweep = _store_sweep(tmp_path / "exploration")  # a results folder's exploration sub-folder
    analyse_sensitivity(sweep, outcomes=["cost"], resamples=50)
    discover(sweep, "cost", 4.0, "dual-track")
    titles = _titles(tmp_path)
    assert "Most influential parameters on cost (sobol)" in titles
    assert "Sensitivity of Cost under dual-track (sobol)" in titles
    assert "Where dual-track keeps Cost below 4 (PRIM)" in titles
    assert not any("p_crisis" in title or "P(crisis)" in title for title in titles)
    analyse_sensitivity(sweep, resamples=50)  # both outcomes: the first is shown by default
    assert "Most influential parameters on p_crisis (sobol)" in _titles(tmp_path)
    assert "Most influential parameters on cost (sobol)" in _titles(tmp_path, "cost")


def test_a_stale_discovery_is_left_out_with_a_notice(tmp_path: Path) -> None:
    sweep = _store_sweep(tmp_path)
    discover(sweep, "cost", 4.0, "dual-track", plots=False)
    stale = sweep / "discovery" / "old-question"
    stale.mkdir(parents=True)
    (stale / "settings.json").write_text(json.dumps({"doctrine": "dual-track"}))
    summary = exploration_summary(sweep)
    assert summary is not None
    (reason,) = summary.unreadable
    assert str(stale) in reason and "dualtrack discover" in reason
    assert "Left out" in exploration_section(summary).notice
    assert [d.name for d in summary.discoveries] == ["dual-track__cost_below_4"]
