"""Perception: transparency narrows noise and bias; without inflation observation is unbiased."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualtrack.mechanisms.perception import (
    effective_transparency,
    noise_sd,
    observe,
    smoothing_weight,
    update_estimate,
)

unit = st.floats(0.0, 1.0)
noise = st.floats(0.0, 3.0)


@given(unit, unit, unit)
def test_effective_transparency_stays_a_share(transparency, information, verification):
    effective = effective_transparency(transparency, information, verification)
    assert 0.0 <= effective <= 1.0
    assert effective >= max(transparency, information, verification) - 1e-12


@given(unit, unit, unit, unit, st.integers(0, 2))
def test_effective_transparency_is_monotone_in_each_input(a, b, c, more, which):
    inputs = [a, b, c]
    raised = list(inputs)
    raised[which] = max(inputs[which], more)
    assert effective_transparency(*raised) >= effective_transparency(*inputs) - 1e-12


@given(noise, unit, unit)
def test_more_transparency_never_widens_noise(base_sd, low, high):
    low, high = min(low, high), max(low, high)
    assert noise_sd(base_sd, high) <= noise_sd(base_sd, low)
    assert noise_sd(base_sd, high) >= 0.0


def test_full_transparency_removes_noise_and_none_keeps_base_noise():
    assert noise_sd(0.5, 1.0) == 0.0
    assert noise_sd(0.5, 0.0) == 0.5


@pytest.mark.parametrize("sigma", [0.0, 0.2, 0.5, 1.0])
def test_observation_without_inflation_is_unbiased(sigma):
    rng = np.random.default_rng(11)
    true_forces = 4.0
    draws = rng.standard_normal(200_000)
    observed = observe(np.full(draws.shape, true_forces), 0.0, sigma, draws)
    # the log-normal factor has mean one and variance exp(sigma^2) - 1
    standard_error = true_forces * np.sqrt(np.expm1(sigma**2) / draws.size)
    assert abs(observed.mean() - true_forces) <= 4.0 * standard_error + 1e-12


@pytest.mark.parametrize("inflation", [0.1, 0.3, 0.8])
def test_inflation_biases_observation_upward(inflation):
    rng = np.random.default_rng(12)
    draws = rng.standard_normal(200_000)
    sigma = 0.5
    observed = observe(np.full(draws.shape, 4.0), inflation, sigma, draws)
    standard_error = 4.0 * (1 + inflation) * np.sqrt(np.expm1(sigma**2) / draws.size)
    assert abs(observed.mean() - 4.0 * (1.0 + inflation)) <= 4.0 * standard_error
    assert observed.mean() > 4.0 + 10 * standard_error


def test_noiseless_observation_is_exact_plus_buildup():
    forces = np.array([[3.0, 0.0, 7.5]])
    observed = observe(forces, 0.0, 0.0, np.ones_like(forces), buildup=2.0)
    np.testing.assert_array_equal(observed, forces + 2.0)


@given(st.floats(0.01, 30.0), st.floats(0.0, 100.0))
def test_smoothing_weight_is_a_share_and_zero_memory_takes_latest(dt, memory_days):
    alpha = smoothing_weight(dt, memory_days)
    assert 0.0 <= alpha <= 1.0
    assert smoothing_weight(dt, 0.0) == 1.0
    assert update_estimate(np.array([5.0]), np.array([9.0]), 1.0)[0] == 9.0


def test_smoothed_estimate_lies_between_old_estimate_and_observation():
    estimate = update_estimate(np.array([2.0]), np.array([6.0]), smoothing_weight(1.0, 7.0))
    assert 2.0 < estimate[0] < 6.0
