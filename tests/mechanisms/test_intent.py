"""Intent: types drawn with common random numbers; beliefs follow Bayes' rule exactly, a
dogmatic prior never moves (the spiral limit), and perception noise alone makes no drift."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from dualtrack.mechanisms import intent, perception
from dualtrack.mechanisms.intent import IntentParams

unit = st.floats(0.0, 1.0)
interior = st.floats(0.01, 0.99)
evidence = st.floats(-1e6, 1e6) | st.sampled_from([np.inf, -np.inf])
BOUND = IntentParams().belief_bound.value


def _posterior(prior: float, llr: float) -> float:
    return float(intent.belief(intent.update(intent.initial_log_odds(prior), llr, BOUND)))


# --- types -------------------------------------------------------------------------------


def test_types_are_drawn_with_the_prior_share():
    uniforms = np.random.default_rng(3).random((100_000, 3))
    prior = np.array([0.0, 0.25, 1.0])
    share = intent.draw_types(uniforms, prior).mean(axis=0)
    assert share[0] == 0.0 and share[2] == 1.0
    assert abs(share[1] - 0.25) < 4 * np.sqrt(0.25 * 0.75 / 100_000)


@given(unit, unit, unit)
def test_a_higher_prior_keeps_every_opportunist_of_a_lower_one(u, low, high):
    low, high = min(low, high), max(low, high)
    assert intent.draw_types(np.array([u]), high)[0] >= intent.draw_types(np.array([u]), low)[0]


@pytest.mark.parametrize("was", [False, True])
@pytest.mark.parametrize("prior", [0.0, 0.3, 1.0])
def test_regime_change_redraws_from_the_prior(was, prior):
    p_switch = intent.switch_probability(0.01, 5.0)
    cells = 200_000
    u = (np.arange(cells) + 0.5) / cells  # each uniform cell once: exact up to 1 / cells
    after = intent.switch_types(np.full(cells, was), u, prior, p_switch).mean()
    expected = (1.0 - p_switch) * was + p_switch * prior
    assert after == pytest.approx(expected, abs=2.0 / cells)


def test_without_regime_change_types_are_fixed():
    types = np.array([True, False, True])
    u = np.array([0.0, 0.5, 0.999])
    p = intent.switch_probability(0.0, 1.0)
    assert p == 0.0
    assert np.array_equal(intent.switch_types(types, u, 0.5, p), types)


# --- Bayes' rule -------------------------------------------------------------------------


@given(interior, st.floats(-2.0, 2.0), st.floats(0.05, 1.0), st.floats(0.01, 0.5))
def test_buildup_update_is_bayes_rule_for_two_types(prior, excess, sigma, buildup):
    model_sd = 0.1
    sd = np.hypot(sigma, model_sd)
    like_security = stats.norm.pdf(excess, 0.0, sd)
    like_opportunist = stats.norm.pdf(excess, np.log1p(buildup), sd)
    by_hand = prior * like_opportunist / (prior * like_opportunist + (1 - prior) * like_security)
    llr = intent.buildup_llr(np.array(excess), np.array(sigma), buildup, model_sd)
    assert _posterior(prior, llr) == pytest.approx(by_hand, rel=1e-9, abs=BOUND)


@given(interior, st.integers(0, 6), st.floats(0.01, 2.0), st.floats(0.0, 0.5), st.floats(0.1, 3))
def test_incident_update_is_bayes_rule_for_two_types(prior, count, background, rate, dt):
    p_act = 1 - np.exp(-rate * dt)
    accidents = stats.poisson(background * dt)
    like_security = accidents.pmf(count)
    like_opportunist = (1 - p_act) * accidents.pmf(count) + p_act * accidents.pmf(count - 1)
    by_hand = prior * like_opportunist / (prior * like_opportunist + (1 - prior) * like_security)
    llr = intent.incident_llr(np.array(count), np.array(background), np.array(rate), dt)
    assert _posterior(prior, llr) == pytest.approx(by_hand, rel=1e-9, abs=BOUND)


@given(interior, st.booleans(), st.floats(0.0, 0.2), st.floats(10.0, 365.0))
def test_agreement_end_update_is_bayes_rule_for_two_types(prior, kept, detection, term):
    params = IntentParams()
    survive = [
        intent.kept_probability(intent.violation_rate(t, params), detection, term)
        for t in (False, True)
    ]
    like_security, like_opportunist = (s if kept else 1 - s for s in survive)
    if not kept and like_security == 0.0:
        return  # a detection is impossible without verification; nothing to check
    by_hand = prior * like_opportunist / (prior * like_opportunist + (1 - prior) * like_security)
    llr = intent.outcome_llr(
        np.array(kept), np.array(not kept), np.array(detection), np.array(term), params
    )
    assert _posterior(prior, llr) == pytest.approx(by_hand, rel=1e-9, abs=BOUND)


@pytest.mark.parametrize(("violation", "detection"), [(0.01, 0.05), (0.02, 0.02), (0.03, 0.0)])
def test_kept_probability_is_the_survival_of_violation_then_detection(violation, detection):
    term = 120.0
    later = integrate.quad(
        lambda s: violation * np.exp(-violation * s) * np.exp(-detection * (term - s)), 0, term
    )[0]
    expected = np.exp(-violation * term) + later
    assert intent.kept_probability(violation, detection, term) == pytest.approx(expected, 1e-10)
    if violation == detection:  # the Erlang-2 survival function
        erlang = stats.gamma(2, scale=1 / violation).sf(term)
        assert intent.kept_probability(violation, detection, term) == pytest.approx(erlang, 1e-10)


def test_verification_makes_a_kept_agreement_evidence():
    params = IntentParams()
    kept, none = np.array(True), np.array(False)

    def llr(detection: float) -> float:
        return float(intent.outcome_llr(kept, none, np.array(detection), np.array(120.0), params))

    assert llr(0.0) == 0.0  # nothing can be detected: keeping proves nothing
    assert llr(1e6) == pytest.approx(-params.cheat_rate.value * 120.0, rel=1e-6)
    assert llr(1e6) < llr(0.05) < llr(0.0)


def test_a_discrete_step_moves_the_belief_by_its_likelihood_ratio():
    odds = 0.6 / 0.4
    after = _posterior(0.6, intent.signal_llr(0.25, 1.0))
    assert after / (1 - after) == pytest.approx(odds * 0.25)


# --- the spiral limit and the bounds -------------------------------------------------------


@given(st.lists(evidence, min_size=1, max_size=20), st.floats(0.0, 0.01))
def test_a_prior_of_zero_stays_zero_whatever_is_seen(llrs, p_switch):
    log_odds = intent.initial_log_odds(np.zeros(1))
    for llr in llrs:
        log_odds = intent.update(intent.predict(log_odds, 0.0, p_switch), np.array([llr]), BOUND)
    assert intent.belief(log_odds)[0] == 0.0
    assert intent.trust(log_odds)[0] == 1.0


@given(interior, st.lists(evidence, min_size=1, max_size=20))
def test_a_belief_that_is_not_dogmatic_stays_off_zero_and_one(prior, llrs):
    log_odds = intent.initial_log_odds(np.array([prior]))
    for llr in llrs:
        log_odds = intent.update(log_odds, np.array([llr]), BOUND)
    b = intent.belief(log_odds)[0]
    assert BOUND * (1 - 1e-9) <= b <= 1 - BOUND * (1 - 1e-9)
    assert intent.trust(log_odds)[0] == pytest.approx(1 - b)


def test_a_certain_opportunist_stays_certain():
    log_odds = intent.initial_log_odds(np.ones(1))
    assert intent.belief(intent.update(log_odds, np.array([-np.inf]), BOUND))[0] == 1.0


def test_regime_change_pulls_the_belief_toward_the_prior():
    certain = intent.initial_log_odds(np.array([1e-6, 1 - 1e-6]))
    predicted = intent.belief(intent.predict(certain, 0.3, 0.1))
    assert predicted == pytest.approx(0.9 * np.array([1e-6, 1 - 1e-6]) + 0.03)


# --- noise (issue 11, item 5) --------------------------------------------------------------


@pytest.mark.parametrize("prior", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("sigma", [0.05, 0.5, 1.0])
def test_noise_alone_makes_no_drift_in_expected_belief(prior, sigma):
    """Under the observer's own model the posterior is a martingale: E[b'] = b."""
    buildup, model_sd = 0.1, 0.1
    sd, delta = np.hypot(sigma, model_sd), np.log1p(buildup)

    def density(y: float) -> float:
        return prior * stats.norm.pdf(y, delta, sd) + (1 - prior) * stats.norm.pdf(y, 0.0, sd)

    def posterior_times_density(y: float) -> float:
        llr = intent.buildup_llr(np.array(y), np.array(sigma), buildup, model_sd)
        return _posterior(prior, llr) * density(y)

    expected = integrate.quad(posterior_times_density, -12 * sd, 12 * sd, limit=200)[0]
    assert expected == pytest.approx(prior, abs=1e-7)


@pytest.mark.parametrize("opportunist", [False, True])
def test_evidence_from_noisy_observations_has_the_theoretical_mean(opportunist):
    """Observed by ``perception.observe``, a type's strength gives mean llr -+delta^2 / 2s^2."""
    params = IntentParams()
    sigma, model_sd = 0.5, params.model_sd.value
    buildup = params.opportunist_buildup.value
    reference = intent.security_strength(10.0, 14.0, 12.0, params.assumed_reactivity.value)
    true_strength = reference * np.exp(intent.log_buildup(opportunist, buildup))
    draws = np.random.default_rng(5).standard_normal(400_000)
    observed = perception.observe(np.full(draws.shape, true_strength), 0.0, sigma, draws)
    excess = intent.perceived_excess(observed, np.array(sigma), reference)
    llr = intent.buildup_llr(excess, np.array(sigma), buildup, model_sd)
    delta, variance = np.log1p(buildup), sigma**2 + model_sd**2
    mean = (1 if opportunist else -1) * delta**2 / (2 * variance)
    assert llr.std() == pytest.approx(delta * sigma / variance, rel=0.01)
    assert abs(llr.mean() - mean) < 4 * llr.std() / np.sqrt(draws.size)


@given(st.floats(0.0, 3.0), st.floats(-1.0, 1.0), st.floats(0.0, 0.5))
def test_an_excess_within_the_noise_carries_little_evidence(sigma, share, buildup):
    """Within one sd of the observer's noise, |llr| <= (delta / s) (1 + delta / 2s)."""
    model_sd = 0.1
    sd, delta = np.hypot(sigma, model_sd), np.log1p(buildup)
    llr = intent.buildup_llr(np.array(share * sd), np.array(sigma), buildup, model_sd)
    assert abs(float(llr)) <= delta / sd * (1 + delta / (2 * sd)) + 1e-12


def test_the_noisier_the_view_the_less_a_perceived_excess_says():
    sigmas = np.array([0.1, 0.3, 0.5, 1.0])
    llr = intent.buildup_llr(np.full(4, 0.2), sigmas, 0.1, 0.1)
    assert np.all(np.diff(llr) < 0) and llr[-1] < 0.02


def test_incidents_without_any_background_reveal_a_prober():
    llr = intent.incident_llr(np.array([0, 1]), np.array([0.0, 0.0]), np.array([0.1, 0.1]), 1.0)
    assert llr[0] == pytest.approx(-0.1)  # a calm step: ln(1 - p) = -h dt
    assert llr[1] == np.inf
    no_probes = intent.incident_llr(np.array([3]), np.array([0.0]), np.array([0.0]), 1.0)
    assert no_probes[0] == 0.0
