"""Dialogue (the dialogue track): talks, reciprocal withdrawal agreements and verification.

Talks over open channels produce a reciprocal withdrawal agreement with hazard

    h = h0 * chi_neg * will_i * will_j * ripe * (zeta + (1 - zeta) * trust)
    ripe = 1 - exp(-(e_i + e_j) / e_ref)

where ``chi_neg`` is the negotiation capacity of the open channels, ``will`` each side's
doctrine-given willingness, ``e`` each side's posture above baseline (there must be something
to withdraw: Zartman's 2000 ripeness) and ``trust`` the dyad's trust. Terms: each side caps
each category at ``b + (1 - depth) * (x - b)`` for ``duration`` days. A side whose perceived
threat exceeds ``breakout_ratio`` times the lowest threat it felt since signing (never less
than its tolerated threat) breaks out (Fearon 1995 on commitment problems) and its forces may
exceed the ceiling; a violation (forces above the ceiling by more than the tolerance) is
detected by the other side with daily hazard ``detection_rate + nu * tau_eff`` (inspections
plus national technical means scaled by the dyad's effective transparency). A detected
violation ends the agreement and costs trust; an agreement that runs its term counts as kept,
even if a violation went unnoticed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from dualtrack.mechanisms.arrays import namespace
from dualtrack.scenario.parameters import NonNegative, Positive, Probability, nominal

Array = NDArray[np.float64]


class DialogueParams(BaseModel):
    """Parameters of the dialogue mechanism."""

    model_config = ConfigDict(extra="forbid")

    talk_rate: NonNegative = Field(
        default=nominal(
            0.35,
            "Calibrated: 13 Jul 2024 agreement about six weeks after the "
            "June build-up (Preiherman), with trust derived from beliefs and ripeness "
            "counted beyond perception noise",
            0.1,
            0.6,
            calibrated=True,
        ),
        description="Daily hazard of an agreement with full channels, will, ripeness, trust.",
    )
    ripeness_scale: Positive = Field(
        default=nominal(0.3, "Zartman 2000 (ripeness); judgement", 0.1, 1.0),
        description="Joint excess posture (fraction of baseline) at which talks are 63% ripe.",
    )
    trust_independence: Probability = Field(
        default=nominal(
            0.3,
            "Judgement: adversaries agree with little trust when verification exists (Kydd 2005)",
            0.1,
            0.6,
        ),
        description="Share of the agreement hazard that does not depend on trust.",
    )
    withdrawal_depth: Probability = Field(
        default=nominal(
            0.8, "Preiherman: mutual withdrawal of additional troops (13 Jul 2024)", 0.5, 1.0
        ),
        description="Share of forces above baseline that each side withdraws.",
    )
    duration_days: Positive = Field(
        default=nominal(120.0, "Judgement: an informal understanding, no fixed term", 30.0, 365.0),
        description="Term of an agreement in days.",
    )
    violation_tolerance: NonNegative = Field(
        default=nominal(0.1, "Judgement", 0.0, 0.3),
        description="Excess over a ceiling (fraction of the ceiling) not counted as a violation.",
    )
    national_means_rate: NonNegative = Field(
        default=nominal(
            0.2,
            "Judgement: satellites and open sources notice redeployments within weeks",
            0.05,
            0.5,
        ),
        description="Daily hazard that a violation is noticed without inspections, times the "
        "dyad's effective transparency.",
    )


def ripeness(excess_i: Array, excess_j: Array, scale: float) -> Array:
    """How ripe the dyad is for a withdrawal deal (0..1); nothing to withdraw gives 0."""
    xp = namespace(excess_i, excess_j)
    return 1.0 - xp.exp(-(xp.maximum(excess_i, 0.0) + xp.maximum(excess_j, 0.0)) / scale)


def agreement_hazard(
    talk_rate: float,
    negotiation_capacity: Array,
    will_i: Array,
    will_j: Array,
    ripe: Array,
    trust: Array,
    trust_independence: float,
) -> Array:
    """Daily hazard that talks produce an agreement."""
    trust_factor = trust_independence + (1.0 - trust_independence) * trust
    return talk_rate * negotiation_capacity * will_i * will_j * ripe * trust_factor


def probability(hazard: Array, dt: float) -> Array:
    """Probability of at least one event in a step of ``dt`` days at the given hazard."""
    xp = namespace(hazard)
    return -xp.expm1(-xp.asarray(hazard) * dt)


def ceilings(forces: Array, baseline: Array, depth: float) -> Array:
    """Agreed force ceilings: baseline plus the part of the excess that is not withdrawn."""
    xp = namespace(forces, baseline)
    return baseline + (1.0 - depth) * xp.maximum(forces - baseline, 0.0)


def breaks_out(threat: Array, threat_reference: Array, breakout_ratio: Array) -> NDArray[np.bool_]:
    """True where a side's perceived threat has grown past its breakout ratio since signing."""
    return threat > breakout_ratio * threat_reference


def in_violation(forces: Array, ceiling: Array, tolerance: float) -> NDArray[np.bool_]:
    """True where any category exceeds its ceiling by more than the tolerance."""
    xp = namespace(forces, ceiling)
    return xp.any(forces > ceiling * (1.0 + tolerance) + 1e-9, axis=-1)
