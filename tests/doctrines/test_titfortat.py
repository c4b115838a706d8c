"""Tit for tat (Axelrod 1984): starts with restraint, answers a perceived build-up at its next
review, and returns to restraint once the other side reciprocates."""

from __future__ import annotations

import numpy as np

from dualtrack.doctrines import TitForTat


def _day(observation, day, adversary_strength, threat=8.0):
    return observation(day=float(day), adversary_strength=adversary_strength, threat=threat)


def _cooperating(decision, obs):
    return bool(np.all(decision.talk == 1.0) and np.array_equal(decision.target[0], obs.baseline))


def test_tit_for_tat_starts_cooperating(observation):
    doctrine = TitForTat()
    state = doctrine.initial_state(1)
    obs = _day(observation, 0, adversary_strength=3.0)
    assert _cooperating(doctrine.decide(obs, state), obs)


def test_tit_for_tat_retaliates_at_the_next_review_after_a_build_up(observation):
    doctrine = TitForTat(review_days=7.0, tolerance=0.15)
    state = doctrine.initial_state(1)
    doctrine.decide(_day(observation, 0, 3.0), state)
    # the other side builds up between reviews: no reaction before the review is due
    for day in range(1, 7):
        obs = _day(observation, day, 6.0)
        assert _cooperating(doctrine.decide(obs, state), obs)
    obs = _day(observation, 7, 6.0)
    decision = doctrine.decide(obs, state)
    assert np.all(decision.talk == 0.0)
    assert np.all(decision.target > obs.baseline)


def test_tit_for_tat_returns_to_cooperation_when_the_other_side_reciprocates(observation):
    doctrine = TitForTat(review_days=7.0, tolerance=0.15)
    state = doctrine.initial_state(1)
    doctrine.decide(_day(observation, 0, 3.0), state)
    doctrine.decide(_day(observation, 7, 6.0), state)  # defection seen at this review
    for day in range(8, 14):  # still retaliating until the next review
        decision = doctrine.decide(_day(observation, day, 3.0), state)
        assert np.all(decision.talk == 0.0)
    obs = _day(observation, 14, 3.0)  # the other side drew back: reciprocation
    assert _cooperating(doctrine.decide(obs, state), obs)


def test_tit_for_tat_tolerates_growth_within_its_noise_margin(observation):
    doctrine = TitForTat(review_days=7.0, tolerance=0.15)
    state = doctrine.initial_state(1)
    doctrine.decide(_day(observation, 0, 3.0), state)
    obs = _day(observation, 7, 3.0 * 1.1)
    assert _cooperating(doctrine.decide(obs, state), obs)


def test_tit_for_tat_judges_each_replicate_separately(observation):
    doctrine = TitForTat(review_days=7.0)
    state = doctrine.initial_state(2)
    doctrine.decide(observation(2, day=0.0, adversary_strength=3.0), state)
    decision = doctrine.decide(
        observation(2, day=7.0, adversary_strength=np.array([3.0, 9.0])), state
    )
    np.testing.assert_array_equal(decision.talk, [1.0, 0.0])
