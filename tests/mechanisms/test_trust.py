"""Trust: stays in [0, 1]; rises with calm and kept agreements; falls with incidents and
detected violations (Kydd 2005; Larson 1997)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dualtrack.mechanisms.trust import TrustParams, update

unit = st.floats(0.0, 1.0)

params_st = st.builds(
    lambda gain, bonus, kept, incident, violation: TrustParams(
        calm_gain=gain,
        agreement_bonus=bonus,
        kept_gain=kept,
        incident_loss=incident,
        violation_loss=violation,
    ),
    st.floats(0.0, 1.0),
    st.floats(0.0, 10.0),
    unit,
    unit,
    unit,
)


def _update(trust, incidents=0, active=False, detected=False, kept=False, params=None, dt=1.0):
    return update(
        np.array([trust]),
        np.array([float(incidents)]),
        np.array([active]),
        np.array([detected]),
        np.array([kept]),
        params or TrustParams(),
        dt,
    )[0]


@given(
    unit,
    st.integers(0, 50),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    params_st,
    st.floats(0.01, 30.0),
)
def test_trust_stays_within_zero_and_one(trust, incidents, active, detected, kept, params, dt):
    assert 0.0 <= _update(trust, incidents, active, detected, kept, params, dt) <= 1.0


@given(st.floats(0.0, 0.999))
def test_calm_days_raise_trust(trust):
    assert _update(trust) > trust


@given(st.floats(0.0, 0.999))
def test_an_agreement_in_force_speeds_up_trust_building(trust):
    assert _update(trust, active=True) > _update(trust)


@given(st.floats(0.01, 1.0), st.integers(1, 20))
def test_incidents_lower_trust(trust, incidents):
    assert _update(trust, incidents=incidents) < trust
    assert _update(trust, incidents=incidents + 1) < _update(trust, incidents=incidents)


@given(st.floats(0.01, 1.0))
def test_a_detected_violation_lowers_trust(trust):
    assert _update(trust, incidents=1, detected=True) < _update(trust, incidents=1)
    assert _update(trust, incidents=1, detected=True) < trust


@given(st.floats(0.0, 0.999))
def test_an_agreement_kept_to_term_raises_trust(trust):
    assert _update(trust, kept=True) > _update(trust)


def test_trust_approaches_one_over_a_long_calm():
    trust = np.array([0.1])
    for _ in range(2000):
        trust = update(
            trust,
            np.zeros(1),
            np.zeros(1, bool),
            np.zeros(1, bool),
            np.zeros(1, bool),
            TrustParams(),
            1.0,
        )
    assert 0.99 < trust[0] <= 1.0
