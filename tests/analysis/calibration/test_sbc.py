"""Simulation-based calibration, small: the posterior covers known truths at its nominal rate."""

from __future__ import annotations

from pathlib import Path

import yaml

from dualtrack.analysis.calibration.sbc import coverage_check

JUNE = {
    "name": "june",
    "title": "June 2024 (a 30-day test episode)",
    "scenario": "belarus-ukraine-2024",
    "window": {"start": "2024-06-01", "end": "2024-06-30"},
    "timings": [{"name": "deployment", "measure": "deployment", "event": "E050"}],
}


def test_posterior_intervals_cover_the_truth_at_the_nominal_rate(tmp_path: Path) -> None:
    """Six truths from the prior of Belarus's ground deployment rate, each fitted by ABC.

    Fails when fewer truths are covered than an 80% interval plausibly covers (binomial
    probability below 2%: 2 or fewer of 6), or when the posterior is on average no narrower
    than the prior (the data would not inform the fit)."""
    episode = tmp_path / "june.yaml"
    episode.write_text(yaml.safe_dump(JUNE), encoding="utf-8")
    check = coverage_check(
        "belarus-ukraine-2024",
        ["actors[0].forces.ground.deployment_rate"],
        [episode],
        truths=6,
        population=10,
        generations=1,
        replicates=8,
        seed=4,
        level=0.8,
    )
    assert len(check.table) == 6
    assert check.table["truth"].between(0.03, 0.12).all()  # drawn from the prior's range
    row = check.coverage().iloc[0]
    assert row["p_too_few"] > 0.02, check.table
    assert row["mean_width_ratio"] < 1.0, check.table
