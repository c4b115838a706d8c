"""The winner of a cell: a doctrine wins only when every paired interval against it excludes 0."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from dualtrack.analysis.comparison import paired_interval
from dualtrack.analysis.regimes import NO_CLEAR_WINNER, analyse_regimes, decide, outcomes_named

RNG = np.random.default_rng(3)
NOISE = RNG.normal(0.0, 1.0, 200)
"""What the doctrines share on common random numbers."""


def test_a_clearly_lower_doctrine_wins() -> None:
    values = {"a": NOISE + 1.0, "b": NOISE - 0.5 + RNG.normal(0, 0.1, 200), "c": NOISE + 2.0}
    verdict = decide("cost", values)
    assert verdict.best == "b" and verdict.winner == "b" and verdict.label == "b"
    assert verdict.indistinguishable == ()
    assert [i.other for i in verdict.against] == ["a", "c"]
    for interval in verdict.against:
        assert interval.high < 0.0
        expected = paired_interval(values["b"] - values[interval.other], 0.95)
        assert (interval.difference, interval.low, interval.high) == pytest.approx(expected)


def test_doctrines_that_never_differ_have_no_clear_winner() -> None:
    never = np.zeros(100)
    verdict = decide("p_war", {"a": never, "b": never.copy(), "c": never.copy()})
    assert verdict.winner is None and verdict.label == NO_CLEAR_WINNER
    assert verdict.best == "a"  # the first of equal means
    assert verdict.indistinguishable == ("a", "b", "c")
    assert all((i.difference, i.low, i.high) == (0.0, 0.0, 0.0) for i in verdict.against)


def test_a_best_doctrine_that_one_other_matches_is_no_clear_winner() -> None:
    tie = RNG.normal(0.0, 1.0, 200)
    values = {"a": NOISE + 3.0, "b": NOISE, "c": NOISE + 0.01 * tie}
    verdict = decide("p_crisis", values)
    low_mean = min(values, key=lambda name: float(np.mean(values[name])))
    assert verdict.best == low_mean
    assert verdict.winner is None
    assert set(verdict.indistinguishable) == {"b", "c"}
    assert verdict.indistinguishable[0] == verdict.best
    distinguishable = {i.other: i.distinguishable for i in verdict.against}
    assert distinguishable["a"] is True


def test_decide_needs_paired_values_of_two_doctrines() -> None:
    with pytest.raises(ValueError, match="at least two doctrines"):
        decide("p_war", {"a": NOISE})
    with pytest.raises(ValueError, match="same replicates"):
        decide("p_war", {"a": NOISE, "b": NOISE[:10]})


def test_unknown_outcomes_are_named() -> None:
    with pytest.raises(KeyError, match="found 'p_peace'"):
        outcomes_named(["p_war", "p_peace"])
    assert [o.name for o in outcomes_named(["p_war", "p_war", "cost"])] == ["p_war", "cost"]


def test_analysis_of_a_constructed_grid(constructed_grid: xr.Dataset) -> None:
    regime_map = analyse_regimes(constructed_grid, ["p_crisis"])
    assert (regime_map.x_path, regime_map.y_path) == ("px", "py")
    first, second = (regime_map.cell(i, 0).verdicts["p_crisis"] for i in (0, 1))
    assert first.winner == "b"
    assert first.against[0].difference == pytest.approx(-0.5)
    assert second.winner is None and second.indistinguishable == ("a", "b")
    assert regime_map.region_counts("p_crisis") == {"a": 0, "b": 1, NO_CLEAR_WINNER: 1}
    assert list(regime_map.winners_table()["winner"]) == ["b", NO_CLEAR_WINNER]
    intervals = regime_map.intervals_table()
    assert list(intervals["distinguishable"]) == [True, False]
    estimates = regime_map.estimates.set_index(["x", "doctrine"])["estimate"]
    assert estimates[(0.0, "a")] == pytest.approx(0.5) and estimates[(1.0, "b")] == 1.0
