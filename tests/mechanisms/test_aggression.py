"""Deliberate aggression: only opportunists initiate; the hazard follows its closed form, falls
with the defender's strength, resolve and allies' commitment (the deterrence result) and rises
with the target's distraction; half the maximum hazard sits exactly at the deterrent strength."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit

from dualtrack.mechanisms import aggression, intent
from dualtrack.mechanisms.aggression import ATTACK, NONE, PROBE, AggressionParams
from dualtrack.scenario.ladder import Rung

PARAMS = AggressionParams()
strength = st.floats(0.01, 1e4)
unit = st.floats(0.0, 1.0)


def _hazards(attacker, defender, resolve=0.5, commitments=(0.0,), distraction=0.0, opp=True):
    probe, attack = aggression.hazards(
        opp,
        PARAMS,
        np.array([attacker]),
        np.array([defender]),
        np.array([resolve]),
        np.array([commitments]),
        np.array([distraction]),
    )
    return float(probe[0]), float(attack[0])


@given(strength, strength, unit, unit, unit, unit)
def test_hazard_equals_its_closed_form(attacker, defender, resolve, c1, c2, distraction):
    s = PARAMS.choice_spread.value
    m = PARAMS.decisiveness.value
    p_win = attacker**m / (attacker**m + defender**m)
    p_pun = 1 - (1 - resolve) * (1 - c1) * (1 - c2)
    got = _hazards(attacker, defender, resolve, (c1, c2), distraction)
    for option, rate in zip((PARAMS.probe, PARAMS.attack), got, strict=True):
        gain = option.gain.value * (1 + PARAMS.distraction_gain.value * distraction)
        utility = (
            p_win * gain
            - (1 - p_win) * option.failure_cost.value
            - p_pun * option.punishment_cost.value
        )
        assert rate == pytest.approx(option.max_rate.value * expit(utility / s), rel=1e-9)


@given(strength, strength, unit, unit, unit)
def test_a_security_seeker_never_initiates(attacker, defender, resolve, c, w):
    assert _hazards(attacker, defender, resolve, (c,), w, opp=False) == (0.0, 0.0)


@given(strength, strength, st.floats(0.01, 1e3), unit, unit, unit)
def test_deterrence_a_stronger_defender_faces_a_lower_hazard(attacker, defender, more, r, c, w):
    weak = _hazards(attacker, defender, r, (c,), w)
    strong = _hazards(attacker, defender + more, r, (c,), w)
    for low, high in zip(strong, weak, strict=True):
        assert low <= high


@given(strength, strength, unit, unit, unit, unit)
def test_resolve_and_allied_commitment_deter(attacker, defender, r1, r2, c1, c2):
    r_low, r_high = sorted((r1, r2))
    c_low, c_high = sorted((c1, c2))
    base = np.array(_hazards(attacker, defender, r_low, (c_low,)))
    assert np.all(np.array(_hazards(attacker, defender, r_high, (c_low,))) <= base)
    assert np.all(np.array(_hazards(attacker, defender, r_low, (c_high,))) <= base)
    assert np.all(np.array(_hazards(attacker, defender, r_low, (c_low, c2))) <= base)


@given(strength, strength, unit, unit, unit, unit)
def test_distraction_and_weakness_invite_aggression(attacker, defender, r, c, w1, w2):
    low, high = sorted((w1, w2))
    calm = _hazards(attacker, defender, r, (c,), low)
    distracted = _hazards(attacker, defender, r, (c,), high)
    assert all(d >= h for d, h in zip(distracted, calm, strict=True))


def test_the_hazard_falls_strictly_with_the_defender_strength():
    defenders = np.geomspace(0.1, 100.0, 50)
    probe, attack = aggression.hazards(True, PARAMS, 10.0, defenders, 0.3, [[0.2]], 0.0)
    assert np.all(np.diff(probe) < 0) and np.all(np.diff(attack) < 0)


@given(st.floats(0.1, 1e3), unit, st.sampled_from([0.0, 0.3, 0.6]), unit)
def test_half_the_maximum_hazard_sits_at_the_deterrent_strength(attacker, resolve, c, w):
    p_pun = aggression.punishment_probability(resolve, [c])
    for option in (PARAMS.probe, PARAMS.attack):
        needed = float(aggression.deterrent_strength(option, attacker, p_pun, w, PARAMS))
        p_win = aggression.win_probability(attacker, needed, PARAMS.decisiveness.value)
        utility = aggression.expected_utility(
            option, p_win, p_pun, w, PARAMS.distraction_gain.value
        )
        rate = aggression.hazard(True, option, utility, PARAMS.choice_spread.value)
        if needed > 0.0:
            assert rate == pytest.approx(option.max_rate.value / 2, rel=1e-9)
        else:  # punishment alone holds the hazard at or below half, whatever the balance
            assert rate <= option.max_rate.value / 2 + 1e-15


def test_extended_deterrence_lowers_the_strength_needed_to_deter():
    option = PARAMS.probe
    commitments = np.array([0.0, 0.2, 0.4, 0.6])
    p_pun = aggression.punishment_probability(0.1, commitments[:, None])
    needed = aggression.deterrent_strength(option, 10.0, p_pun, 0.0, PARAMS)
    assert np.all(np.diff(needed) < 0)
    # with enough punishment (P * p_pun >= G) no local forces are needed at all
    assert aggression.deterrent_strength(option, 10.0, 1.0, 0.0, PARAMS) == 0.0


def test_limits_of_the_balance():
    s, m = PARAMS.choice_spread.value, PARAMS.decisiveness.value
    option = PARAMS.probe
    assert aggression.win_probability(10.0, 0.0, m) == 1.0
    assert aggression.win_probability(0.0, 10.0, m) == 0.0
    assert aggression.win_probability(0.0, 0.0, m) == 0.0
    p_pun = float(aggression.punishment_probability(0.5, [0.0]))
    unbeatable = _hazards(1.0, 1e12)[0]
    cost = option.failure_cost.value + p_pun * option.punishment_cost.value
    assert unbeatable == pytest.approx(option.max_rate.value * expit(-cost / s), rel=1e-9)


def test_option_value_grows_at_the_rate_of_the_choice_probability():
    s = PARAMS.choice_spread.value
    utility = np.linspace(-3.0, 3.0, 13)
    step = 1e-6
    slope = (
        aggression.option_value(utility + step, s) - aggression.option_value(utility - step, s)
    ) / (2 * step)
    assert slope == pytest.approx(expit(utility / s), abs=1e-7)
    assert np.all(aggression.option_value(utility, s) >= np.maximum(utility, 0.0))


def test_choice_of_probe_or_attack_follows_competing_risks():
    cells = 100_000
    u = (np.arange(cells) + 0.5) / cells
    probe, attack, dt = 0.04, 0.01, 2.0
    code = aggression.choose(np.full(cells, probe), np.full(cells, attack), dt, u)
    p_any = -np.expm1(-(probe + attack) * dt)
    assert (code == ATTACK).mean() == pytest.approx(p_any * attack / (probe + attack), abs=2e-5)
    assert (code == PROBE).mean() == pytest.approx(p_any * probe / (probe + attack), abs=2e-5)
    assert (code == NONE).mean() == pytest.approx(1 - p_any, abs=2e-5)


@given(st.floats(0.0, 0.5), st.floats(0.0, 0.5), st.floats(0.0, 0.5), unit)
def test_a_higher_hazard_fires_whenever_a_lower_one_does(probe, attack, more, u):
    args = (np.array([attack]), 1.0, np.array([u]))
    low = aggression.choose(np.array([probe]), *args)
    high = aggression.choose(np.array([probe + more]), *args)
    assert high[0] != NONE or low[0] == NONE


def test_aggression_raises_the_ladder_and_never_lowers_it():
    rung = np.array([Rung.STABLE, Rung.CRISIS, Rung.WAR, Rung.TENSION], dtype=np.int8)
    code = np.array([PROBE, ATTACK, PROBE, NONE], dtype=np.int8)
    expected = [Rung.ARMED_INCIDENT, Rung.LIMITED_CONFLICT, Rung.WAR, Rung.TENSION]
    assert aggression.escalate(rung, code).tolist() == expected


def test_spiral_limit_no_aggression_when_every_actor_is_a_security_seeker():
    uniforms = np.random.default_rng(1).random((1000, 4))
    types = intent.draw_types(uniforms, 0.0)
    probe, attack = aggression.hazards(types, PARAMS, 50.0, 1.0, 0.0, np.zeros((1000, 4, 1)), 1.0)
    assert not probe.any() and not attack.any()
