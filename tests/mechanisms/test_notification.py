"""Instrument levers of the mechanisms and their canonical limits (docs/model.md §7.16)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dualtrack.mechanisms import aggression, incidents, intent, notification

FORCES = np.array([[2.0, 1.0, 4.0]])
CAPACITY = np.array([[10.0, np.inf, 4.0]])
RATE_DT = np.array([[0.1, 0.2, 0.05]])


def test_no_notification_leaves_the_defender_as_it_stands() -> None:
    assert notification.warned_forces(FORCES, CAPACITY, RATE_DT, 0.0) is FORCES


def test_a_long_warning_brings_the_defender_to_its_capacity() -> None:
    warned = notification.warned_forces(FORCES, CAPACITY, RATE_DT, 10_000.0)
    np.testing.assert_allclose(warned, [[10.0, 1.0, 4.0]])  # unbounded: as it stands


def test_the_warned_forces_follow_the_posture_law() -> None:
    """Reinforcing for n steps toward capacity is n steps of posture.relax."""
    from dualtrack.mechanisms import posture

    forces = FORCES.copy()
    for _ in range(42):
        forces = posture.relax(
            forces, np.where(np.isfinite(CAPACITY), CAPACITY, forces), RATE_DT, CAPACITY
        )
    np.testing.assert_allclose(notification.warned_forces(FORCES, CAPACITY, RATE_DT, 42.0), forces)


@given(
    short=st.floats(0.0, 200.0),
    longer=st.floats(0.0, 200.0),
    attacker=st.floats(0.1, 50.0),
    defender=st.floats(0.0, 50.0),
)
def test_a_longer_warning_never_raises_the_attack_hazard(
    short: float, longer: float, attacker: float, defender: float
) -> None:
    short, longer = sorted((short, longer))
    params = aggression.AggressionParams()
    capacity, rate = np.array([60.0]), np.array([0.05])

    def attack_hazard(lead: float) -> float:
        warned = notification.warned_forces(np.array([defender]), capacity, rate, lead)
        _, attack = aggression.hazards_given_punishment(
            True, params, attacker, defender, 0.3, 0.0, warned_defender=warned
        )
        return float(attack[0])

    assert attack_hazard(longer) <= attack_hazard(short) + 1e-15


def test_notification_leaves_probes_alone() -> None:
    params = aggression.AggressionParams()
    probe, attack = aggression.hazards_given_punishment(True, params, 5.0, 2.0, 0.3, 0.0)
    warned_probe, warned_attack = aggression.hazards_given_punishment(
        True, params, 5.0, 2.0, 0.3, 0.0, warned_defender=20.0
    )
    assert warned_probe == probe and warned_attack < attack


def test_incident_prevention_and_attribution_limits() -> None:
    assert incidents.prevented_contact_rate(0.0015, np.zeros(3)).tolist() == [0.0015] * 3
    assert incidents.prevented_contact_rate(0.0015, np.ones(2)).tolist() == [0.0, 0.0]
    assert incidents.blame_probability(0.5, np.zeros(2)).tolist() == [0.5, 0.5]
    assert incidents.blame_probability(0.5, np.ones(1)).tolist() == [0.0]


def test_intent_insight_sharpens_the_evidence_of_an_observation() -> None:
    assert intent.model_error(0.1, 0.0) == 0.1
    assert intent.model_error(0.1, 1.0) == 0.0
    excess, sigma = np.array([0.3, -0.2]), np.array([0.2, 0.2])
    plain = intent.buildup_llr(excess, sigma, 0.1, 0.1)
    sharper = intent.buildup_llr(excess, sigma, 0.1, intent.model_error(0.1, 0.5))
    assert np.all(np.abs(sharper) > np.abs(plain)) and np.all(np.sign(sharper) == np.sign(plain))
