"""Reassurance (Kydd 2000; 2005): a costly step separates the types exactly when its cost lies
in [G_O, G_S]; outside it the step leaves the prior (too dear) or reassures only partly (too
cheap); every case is an equilibrium; graduated steps (GRIT) always find the interval."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dualtrack.mechanisms import intent, reassurance
from dualtrack.mechanisms.reassurance import NO_NEED, POOLING, SEMI_SEPARATING, SEPARATING

gain = st.floats(0.0, 10.0)
cost = st.floats(0.0, 20.0)
prior = st.floats(0.01, 0.99)
threshold = st.floats(0.05, 0.95)


def _solve(pi, c, g_s, g_o, bar):
    eq = reassurance.equilibrium(pi, c, g_s, g_o, bar)
    return eq, (
        reassurance.posterior(pi, eq.step_opportunist, eq.step_security, stepped=True),
        reassurance.posterior(pi, eq.step_opportunist, eq.step_security, stepped=False),
    )


@given(prior, threshold, gain, gain, st.floats(0.0, 1.0))
def test_a_step_inside_the_interval_separates_the_types(pi, bar, g1, g2, where):
    assume(pi >= bar)
    g_o, g_s = sorted((g1, g2))
    c = g_o + where * (g_s - g_o)
    assert reassurance.separates(c, g_s, g_o)
    eq, (after_step, after_silence) = _solve(pi, c, g_s, g_o, bar)
    assert eq.kind == SEPARATING
    assert after_step == 0.0 and after_silence == 1.0
    assert eq.trust_after_step == 1.0 and eq.trust_after_silence == 0.0
    # the engine's belief update reaches the same end, up to its bound
    bound = intent.IntentParams().belief_bound.value
    llr = intent.signal_llr(eq.step_opportunist, eq.step_security)
    after = intent.belief(intent.update(intent.initial_log_odds(pi), llr, bound))
    assert after == pytest.approx(bound, rel=1e-6)


@given(prior, threshold, gain, gain, st.floats(1e-6, 10.0))
def test_a_step_dearer_than_trust_is_worth_leaves_the_prior(pi, bar, g1, g2, extra):
    assume(pi >= bar)
    g_o, g_s = sorted((g1, g2))
    c = g_s + extra
    assert not reassurance.separates(c, g_s, g_o)
    eq, (_, after_silence) = _solve(pi, c, g_s, g_o, bar)
    assert eq.kind == POOLING
    assert eq.step_security == 0.0 and eq.step_opportunist == 0.0
    assert after_silence == pytest.approx(pi, rel=1e-12)


@given(prior, threshold, gain, st.floats(0.0, 1.0))
def test_no_step_can_reassure_when_opportunists_value_trust_more(pi, bar, g_s, share):
    assume(pi >= bar and g_s > 0)
    g_o = g_s * 1.5 + 1e-3
    eq, (_, after_silence) = _solve(pi, share * g_o, g_s, g_o, bar)
    assert eq.kind == POOLING and after_silence == pytest.approx(pi, rel=1e-12)


@given(prior, threshold, st.floats(0.1, 10.0), st.floats(0.0, 10.0), st.floats(0.0, 0.999))
def test_a_cheap_step_reassures_only_to_the_threshold(pi, bar, g_o, extra, share):
    assume(pi > bar)
    g_s, c = g_o + extra, share * g_o
    eq, (after_step, after_silence) = _solve(pi, c, g_s, g_o, bar)
    assert eq.kind == SEMI_SEPARATING
    assert after_step == pytest.approx(bar, rel=1e-9)
    assert after_silence == 1.0
    assert eq.trust_after_step == pytest.approx(c / g_o)


@given(prior, threshold, cost, gain, gain)
def test_without_distrust_no_step_is_needed(pi, bar, c, g_s, g_o):
    assume(pi < bar)
    eq, (_, after_silence) = _solve(pi, c, g_s, g_o, bar)
    assert eq.kind == NO_NEED and after_silence == pi and eq.trust_after_silence == 1.0


@given(prior, threshold, cost, gain, gain)
def test_every_case_is_a_perfect_bayesian_equilibrium(pi, bar, c, g_s, g_o):
    eq, (after_step, after_silence) = _solve(pi, c, g_s, g_o, bar)
    tol = 1e-9
    # each type's choice is a best response to the observer's answers
    for p_step, g in ((eq.step_security, g_s), (eq.step_opportunist, g_o)):
        step, silence = eq.trust_after_step * g - c, eq.trust_after_silence * g
        if p_step > 0:
            assert step >= silence - tol * (1 + g)
        if p_step < 1:
            assert silence >= step - tol * (1 + g)
    # the observer's answers are best responses to Bayes-consistent beliefs on the path
    p_step = pi * eq.step_opportunist + (1 - pi) * eq.step_security
    for seen, belief, trust in (
        (p_step > 0, after_step, eq.trust_after_step),
        (p_step < 1, after_silence, eq.trust_after_silence),
    ):
        if seen and not np.isclose(belief, bar, rtol=1e-9):
            assert trust == (1.0 if belief < bar else 0.0)


@given(st.floats(0.0, 10.0), st.floats(0.01, 10.0), st.floats(0.01, 1.0))
def test_graduated_steps_no_larger_than_the_interval_always_separate(g_o, width, share):
    g_s, step = g_o + width, share * width
    n = reassurance.grit_steps(step, g_s, g_o)
    assert n >= 1
    assert reassurance.separates(n * step, g_s, g_o)
    assert n * step < g_o + step + 1e-9  # the security seeker overpays by less than one step


def test_graduated_steps_cannot_separate_where_no_interval_exists():
    assert reassurance.grit_steps(0.5, 1.0, 2.0) == 0.0  # opportunists value trust more
    assert reassurance.grit_steps(0.0, 2.0, 1.0) == 0.0  # cheap talk
    assert reassurance.grit_steps(5.0, 2.0, 1.0) == 0.0  # one step already costs too much


def test_a_single_step_must_be_pitched_inside_the_interval():
    g_o, g_s = 2.0, 3.0
    costs = np.array([1.0, 2.0, 2.5, 3.0, 4.0])
    assert reassurance.separates(costs, g_s, g_o).tolist() == [False, True, True, True, False]
    assert (reassurance.grit_steps(costs / 4, g_s, g_o) > 0).all()
