"""Incidents: Poisson counts by inversion (exact, monotone in the rate) from contact and
exogenous sources; nothing in contact and no exogenous source means no incidents."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import dualtrack
from dualtrack.mechanisms.incidents import contact_rate, poisson_inverse

DRAWS = 20_000


@pytest.mark.parametrize("rate", [0.0, 0.01, 0.5, 5.0])
def test_poisson_inverse_counts_have_poisson_mean_and_variance(rate):
    uniforms = np.random.default_rng(21).random(DRAWS)
    counts = poisson_inverse(np.full(DRAWS, rate), uniforms)
    np.testing.assert_array_equal(counts, np.round(counts))  # whole numbers of incidents
    assert counts.min() >= 0
    if rate == 0.0:
        assert not counts.any()
        return
    # mean within 4 standard errors; variance equal to the mean (Poisson dispersion)
    assert abs(counts.mean() - rate) <= 4.0 * np.sqrt(rate / DRAWS)
    assert counts.var() == pytest.approx(rate, rel=0.1)


@pytest.mark.parametrize("rate", [0.01, 0.5, 5.0])
def test_poisson_inverse_passes_chi_square_goodness_of_fit(rate):
    uniforms = np.random.default_rng(22).random(DRAWS)
    counts = poisson_inverse(np.full(DRAWS, rate), uniforms)
    # bins 0..m-1 and a last bin "m or more", with m chosen so every bin expects >= 5 counts
    m = 1
    while DRAWS * stats.poisson.pmf(m, rate) >= 5.0 and DRAWS * stats.poisson.sf(m, rate) >= 5.0:
        m += 1
    expected = DRAWS * np.append(
        stats.poisson.pmf(np.arange(m), rate), stats.poisson.sf(m - 1, rate)
    )
    observed = np.append(np.bincount(counts.astype(np.int64), minlength=m)[:m], np.sum(counts >= m))
    assert stats.chisquare(observed, expected).pvalue > 1e-3


@pytest.mark.parametrize("rate", [0.01, 0.5, 5.0, 40.0])
def test_poisson_inverse_is_the_poisson_quantile_function(rate):
    uniforms = np.random.default_rng(23).random(2_000)
    counts = poisson_inverse(np.full(uniforms.shape, rate), uniforms)
    np.testing.assert_array_equal(counts, stats.poisson.ppf(uniforms, rate))


@given(
    st.floats(0.0, 50.0),
    st.floats(0.0, 50.0),
    st.floats(0.0, 1.0, exclude_max=True),
)
def test_more_rate_never_gives_fewer_incidents_for_the_same_uniform(rate_a, rate_b, uniform):
    low, high = sorted((rate_a, rate_b))
    counts = poisson_inverse(np.array([low, high]), np.array([uniform, uniform]))
    assert counts[0] <= counts[1]


@given(st.floats(0.0, 100.0), st.floats(0.0, 100.0), st.floats(0.0, 1.0))
def test_contact_rate_is_zero_when_either_side_is_absent(strength, other, kappa):
    sides = np.array([[strength, 0.0], [0.0, other]])
    np.testing.assert_array_equal(contact_rate(sides, kappa), [0.0, 0.0])
    both = contact_rate(np.array([[strength, other]]), kappa)[0]
    assert both == pytest.approx(kappa * np.sqrt(strength * other))


def test_no_forces_and_no_exogenous_sources_give_no_incidents(make_two_actor):
    data = make_two_actor()
    for actor in data["actors"]:
        actor["forces"] = {}
    data["mechanisms"] = {"incidents": {"contact_rate": 0.5}}
    data["settings"].update(replicates=300, horizon_days=60)
    results = dualtrack.simulate(dualtrack.load_scenario(data), record="full")
    assert int(results.incidents.sum()) == 0
    assert int(results.incidents_total.sum()) == 0


def test_forces_in_contact_do_cause_incidents(make_two_actor):
    data = make_two_actor()
    data["mechanisms"] = {"incidents": {"contact_rate": 0.05}}
    data["settings"].update(replicates=300, horizon_days=60)
    results = dualtrack.simulate(dualtrack.load_scenario(data), record="summary")
    assert int(results.incidents_total.sum()) > 0


def test_poisson_inverse_is_exact_for_very_large_rates():
    uniforms = np.random.default_rng(24).random(200)
    counts = poisson_inverse(np.full(uniforms.shape, 800.0), uniforms)
    np.testing.assert_array_equal(counts, stats.poisson.ppf(uniforms, 800.0))
