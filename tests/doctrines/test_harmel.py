"""Dual track (Harmel 1967): adequate strength, never beyond the sufficiency share of the
headroom, and always willing to talk."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dualtrack.doctrines import DualTrack

capacity_st = st.one_of(st.floats(0.0, 50.0), st.just(np.inf))


@given(
    threat=st.floats(0.0, 1e3),
    tolerated=st.floats(0.0, 50.0),
    reactivity=st.floats(0.0, 1.0),
    sufficiency=st.floats(0.0, 1.0),
    baseline=st.floats(0.0, 20.0),
    headroom=capacity_st,
)
def test_dual_track_never_exceeds_sufficiency_share_of_headroom(
    observation, threat, tolerated, reactivity, sufficiency, baseline, headroom
):
    doctrine = DualTrack(reactivity=reactivity, sufficiency=sufficiency)
    capacity = (baseline + headroom, baseline + 2 * headroom)
    obs = observation(
        threat=threat, tolerated_threat=tolerated, baseline=(baseline, baseline), capacity=capacity
    )
    decision = doctrine.decide(obs, {})
    headroom_filled = [sufficiency * (c - baseline) if sufficiency > 0 else 0.0 for c in capacity]
    cap = baseline + np.array(headroom_filled)
    assert not np.isnan(decision.target).any()
    assert np.all(decision.target <= cap + 1e-9)
    assert np.all(decision.target >= obs.baseline - 1e-12)
    assert np.all(decision.talk == 1.0)


def test_dual_track_with_zero_sufficiency_keeps_baseline_even_when_unbounded(observation):
    doctrine = DualTrack(reactivity=1.0, sufficiency=0.0)
    obs = observation(threat=50.0, tolerated_threat=1.0, capacity=(np.inf, np.inf))
    np.testing.assert_array_equal(doctrine.decide(obs, {}).target[0], obs.baseline)


def test_dual_track_answers_threat_above_tolerance(observation):
    doctrine = DualTrack(reactivity=0.5, tolerance=1.0, sufficiency=1.0)
    calm = doctrine.decide(observation(threat=2.0, tolerated_threat=2.0), {})
    threatened = doctrine.decide(observation(threat=6.0, tolerated_threat=2.0), {})
    np.testing.assert_array_equal(calm.target[0], [2.0, 1.0])
    assert np.all(threatened.target > calm.target)
