"""Paired comparison of doctrines on common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from dualtrack.analysis.comparison import paired_differences, paired_interval, unpaired_interval
from dualtrack.experiments.study import plan_study, run_study


@pytest.fixture(scope="module")
def study_results():
    study = plan_study(
        "belarus-ukraine-2024",
        ["deterrence-only", "dual-track", "grit"],
        replicates=1024,
        days=150,
        record="summary",
    )
    return run_study(study)


def test_paired_interval_matches_scipy_paired_t_test():
    rng = np.random.default_rng(5)
    base = rng.normal(size=300)
    other = base + rng.normal(0.2, 0.5, size=300)
    mean, low, high = paired_interval(other - base, 0.95)
    reference = stats.ttest_rel(other, base).confidence_interval(0.95)
    assert mean == pytest.approx(np.mean(other - base))
    assert (low, high) == pytest.approx((reference.low, reference.high))


def test_unpaired_interval_matches_scipy_welch_test():
    rng = np.random.default_rng(6)
    a, b = rng.normal(1.0, 2.0, 200), rng.normal(0.5, 1.0, 250)
    reference = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert unpaired_interval(a, b, 0.95) == pytest.approx((reference.low, reference.high))


def test_common_random_numbers_narrow_the_difference_interval(study_results):
    table = paired_differences(study_results, "deterrence-only").set_index(["doctrine", "outcome"])
    # outcomes that vary in both doctrines: pairing must remove shared noise
    for doctrine, outcome in [
        ("grit", "days_elevated"),
        ("dual-track", "days_elevated"),
        ("grit", "cost"),
        ("dual-track", "p_crisis"),
    ]:
        row = table.loc[(doctrine, outcome)]
        paired, unpaired = row["high"] - row["low"], row["unpaired_high"] - row["unpaired_low"]
        assert paired < unpaired, (doctrine, outcome, paired, unpaired)


def test_doctrines_compared_to_themselves_differ_by_exactly_zero(study_results):
    same = {"deterrence-only": study_results["grit"], "grit": study_results["grit"]}
    table = paired_differences(same, "deterrence-only")
    assert (table["difference"] == 0.0).all()
    assert not table["distinguishable"].any()


def test_unknown_reference_is_refused(study_results):
    with pytest.raises(KeyError, match="appeasement"):
        paired_differences(study_results, "appeasement")


def test_runs_with_different_seeds_are_not_paired(study_results):
    other = study_results["grit"].copy()
    other.attrs["seed"] = 1
    with pytest.raises(ValueError, match="seed"):
        paired_differences(
            {"deterrence-only": study_results["deterrence-only"], "grit": other}, "deterrence-only"
        )
