"""GRIT (Osgood 1962): graduated unilateral steps, continued while reciprocated, abandoned after
more than ``patience`` unreciprocated reviews, never beyond ``max_reduction``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualtrack.doctrines import Grit
from dualtrack.mechanisms.posture import deterrent_target


def _kept_share(decision, obs, reactivity):
    """Share of the full deterrent build-up that the decision keeps."""
    full = deterrent_target(
        obs.threat, obs.tolerated_threat, reactivity, obs.baseline, obs.share_per_weight
    )
    return float(((decision.target - obs.baseline) / (full - obs.baseline))[0, 0])


def _review(doctrine, state, observation, day, strength):
    obs = observation(day=float(day), threat=8.0, adversary_strength=strength)
    return _kept_share(doctrine.decide(obs, state), obs, doctrine.params.reactivity.value)


def test_grit_takes_its_first_step_at_once_and_always_talks(observation):
    doctrine = Grit(step=0.2)
    state = doctrine.initial_state(1)
    obs = observation(day=0.0, threat=8.0)
    decision = doctrine.decide(obs, state)
    assert _kept_share(decision, obs, doctrine.params.reactivity.value) == pytest.approx(0.8)
    assert np.all(decision.talk == 1.0)


def test_grit_adds_a_step_at_each_reciprocated_review(observation):
    doctrine = Grit(step=0.2, max_reduction=0.8, interval_days=14.0)
    state = doctrine.initial_state(1)
    kept = [_review(doctrine, state, observation, 14 * k, 3.0) for k in range(5)]
    np.testing.assert_allclose(kept, [0.8, 0.6, 0.4, 0.2, 0.2], atol=1e-12)


def test_grit_reverts_after_more_than_patience_unreciprocated_reviews(observation):
    doctrine = Grit(step=0.2, interval_days=14.0, patience=2.0, tolerance=0.15)
    state = doctrine.initial_state(1)
    _review(doctrine, state, observation, 0, 3.0)
    assert _review(doctrine, state, observation, 14, 3.0) == pytest.approx(0.6)
    strength = 3.0
    kept = []
    for k in range(2, 5):  # the other side builds up at every review
        strength *= 1.5
        kept.append(_review(doctrine, state, observation, 14 * k, strength))
    # patience 2: two unreciprocated reviews are borne, the third ends the initiative
    np.testing.assert_allclose(kept, [0.6, 0.6, 1.0], atol=1e-12)


def test_grit_starts_again_after_reverting_when_reciprocated(observation):
    doctrine = Grit(step=0.2, interval_days=14.0, patience=0.0)
    state = doctrine.initial_state(1)
    _review(doctrine, state, observation, 0, 3.0)
    assert _review(doctrine, state, observation, 14, 9.0) == pytest.approx(1.0)
    assert _review(doctrine, state, observation, 28, 9.0) == pytest.approx(0.8)


@given(
    step=st.floats(0.0, 1.0),
    max_reduction=st.floats(0.0, 1.0),
    patience=st.floats(0.0, 5.0),
    strengths=st.lists(st.floats(0.0, 20.0), min_size=1, max_size=30),
)
def test_grit_never_gives_up_more_than_max_reduction(
    observation, step, max_reduction, patience, strengths
):
    doctrine = Grit(step=step, max_reduction=max_reduction, patience=patience, interval_days=7.0)
    state = doctrine.initial_state(1)
    for k, strength in enumerate(strengths):
        obs = observation(day=7.0 * k, threat=8.0, adversary_strength=strength)
        kept = _kept_share(doctrine.decide(obs, state), obs, doctrine.params.reactivity.value)
        assert 1.0 - max_reduction - 1e-12 <= kept <= 1.0 + 1e-12
        assert np.all(state["reduction"] <= max_reduction + 1e-12)
