"""Noise (issue 11, item 5): the smoothed estimate's spread is what the closed form says, and
an excess within the band that noise explains counts for nothing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualtrack.mechanisms import noise, perception


def _stationary_relative_errors(sigma: float, alpha: float, steps: int) -> np.ndarray:
    rng = np.random.default_rng(17)
    true = np.full(20_000, 10.0)  # independent replicates
    estimate = true.copy()
    for _ in range(steps):
        observed = perception.observe(true, 0.0, sigma, rng.standard_normal(true.shape))
        estimate = perception.update_estimate(estimate, observed, alpha)
    return estimate / true - 1.0


@pytest.mark.parametrize(("sigma", "memory_days"), [(0.5, 7.0), (0.2, 3.0), (0.8, 0.0)])
def test_smoothed_spread_matches_the_closed_form(sigma, memory_days):
    alpha = perception.smoothing_weight(1.0, memory_days)
    errors = _stationary_relative_errors(sigma, alpha, steps=120)
    expected = float(noise.smoothed_relative_sd(sigma, alpha))
    assert abs(errors.mean()) < 4 * expected / np.sqrt(errors.size)
    assert errors.std() == pytest.approx(expected, rel=0.03)


def test_noise_alone_leaves_almost_no_excess_beyond_the_band():
    sigma, alpha = 0.5, perception.smoothing_weight(1.0, 7.0)
    errors = _stationary_relative_errors(sigma, alpha, steps=120)
    sd = noise.smoothed_relative_sd(sigma, alpha)
    raw = np.maximum(errors, 0.0).mean()
    kept = np.maximum(noise.beyond_noise(errors, sd, 2.0), 0.0).mean()
    # right-skewed log-normal noise: about 5.5% of strength on average, 0.3% beyond 2 sd
    assert kept < 0.1 * raw and kept < 0.005


@given(st.floats(-5.0, 5.0), st.floats(0.0, 2.0), st.floats(0.0, 3.0))
def test_beyond_noise_is_a_soft_threshold(excess, sd, band):
    out = float(noise.beyond_noise(excess, sd, band))
    assert abs(out) <= abs(excess) and out * excess >= 0.0
    if abs(excess) <= band * sd:
        assert out == 0.0
    else:
        assert abs(excess) - abs(out) == pytest.approx(band * sd, abs=1e-12)
