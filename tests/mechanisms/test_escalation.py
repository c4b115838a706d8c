"""Escalation: a birth-death ladder that moves at most one rung a step; at constant pressure
its long-run occupancy is the chain's stationary distribution; allies join only from limited
conflict on, the more likely the stronger their commitment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualtrack.mechanisms.escalation import (
    N_RUNGS,
    EscalationParams,
    move,
    pull_in_probability,
    rate_tables,
    transition_probabilities,
)
from dualtrack.scenario.ladder import Rung

rungs = st.integers(0, N_RUNGS - 1)


@given(rungs, st.floats(-6.0, 6.0), st.floats(0.01, 5.0), st.floats(0.0, 1.0))
def test_move_goes_at_most_one_rung_and_stays_on_the_ladder(rung, pressure, dt, uniform):
    up, down = rate_tables(EscalationParams())
    current = np.array([rung], dtype=np.int8)
    p_up, p_down = transition_probabilities(current, np.array([pressure]), up, down, dt)
    assert p_up[0] >= 0.0 and p_down[0] >= 0.0 and p_up[0] + p_down[0] <= 1.0 + 1e-12
    new = move(current, p_up, p_down, np.array([uniform]))
    assert abs(int(new[0]) - rung) <= 1
    assert 0 <= new[0] < N_RUNGS


def test_ladder_ends_do_not_move_past_the_ladder():
    up, down = rate_tables(EscalationParams())
    assert down[Rung.STABLE] == 0.0
    assert up[Rung.WAR] == 0.0 and up[Rung.NUCLEAR_USE] == 0.0
    assert down[Rung.NUCLEAR_USE] == 0.0  # nuclear use is absorbing


@given(rungs, st.floats(-5.0, 5.0), st.floats(0.0, 1.0))
def test_more_pressure_never_lowers_the_chance_to_climb(rung, pressure, more):
    up, down = rate_tables(EscalationParams())
    current = np.array([rung], dtype=np.int8)
    low = transition_probabilities(current, np.array([pressure]), up, down, 1.0)
    high = transition_probabilities(current, np.array([pressure + more]), up, down, 1.0)
    assert high[0][0] >= low[0][0] - 1e-15
    assert high[1][0] <= low[1][0] + 1e-15


def test_long_run_occupancy_matches_the_birth_death_stationary_distribution():
    # fast rates so that the chain mixes within a few hundred steps
    params = EscalationParams(up_rate=0.5, up_ratio=0.8, down_rate=0.6, down_ratio=0.9)
    up, down = rate_tables(params)
    top = int(Rung.WAR)  # without pull-in the chain lives on stable..war
    # closed form: detailed balance pi[r + 1] / pi[r] = p_up(r) / p_down(r + 1)
    ladder = np.arange(top + 1, dtype=np.int8)
    p_up, p_down = transition_probabilities(ladder, np.zeros(top + 1), up, down, 1.0)
    ratios = p_up[:-1] / p_down[1:]
    stationary = np.concatenate([[1.0], np.cumprod(ratios)])
    stationary /= stationary.sum()

    rng = np.random.default_rng(31)
    replicates, burn_in, kept_steps = 4000, 200, 100
    rung = np.zeros(replicates, dtype=np.int8)
    occupancy = np.zeros(N_RUNGS)
    for t in range(burn_in + kept_steps):
        p_up_r, p_down_r = transition_probabilities(rung, np.zeros(replicates), up, down, 1.0)
        rung = move(rung, p_up_r, p_down_r, rng.random(replicates))
        if t >= burn_in:
            occupancy += np.bincount(rung, minlength=N_RUNGS)
    occupancy /= occupancy.sum()
    assert occupancy[top + 1 :].sum() == 0.0
    np.testing.assert_allclose(occupancy[: top + 1], stationary, atol=0.01)


@given(st.integers(0, int(Rung.LIMITED_CONFLICT)), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_allies_join_only_a_war(rung, commitment, rate):
    p = pull_in_probability(np.array([rung], dtype=np.int8), np.array([commitment]), rate, 1.0)
    assert p[0] == 0.0


@pytest.mark.parametrize("rung", [Rung.WAR, Rung.HORIZONTAL_ESCALATION])
def test_pull_in_grows_with_commitment(rung):
    commitments = np.array([0.0, 0.2, 0.5, 1.0])
    p = pull_in_probability(np.full(4, rung, dtype=np.int8), commitments, 0.05, 1.0)
    assert p[0] == 0.0
    assert np.all(np.diff(p) > 0.0)
    np.testing.assert_allclose(p, -np.expm1(-0.05 * commitments))
