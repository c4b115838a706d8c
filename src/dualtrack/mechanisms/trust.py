"""Trust between the two sides of a dyad (0..1).

Trust grows slowly during calm and faster while an agreement is kept, jumps when an agreement
runs its term, and falls with attributed incidents and detected violations (Kydd 2005;
Larson 1997):

    trust += dt * g * (1 + beta * A) * (1 - trust)      on a step with no attributed incident
    trust *= (1 - l_inc) ** n_incidents
    trust *= (1 - l_viol)                              on a detected violation
    trust += k * (1 - trust)                           when an agreement is kept to term

Every update keeps trust within [0, 1].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from dualtrack.scenario.parameters import NonNegative, Probability, nominal

Array = NDArray[np.float64]


class TrustParams(BaseModel):
    """Parameters of the trust mechanism."""

    model_config = ConfigDict(extra="forbid")

    calm_gain: NonNegative = Field(
        default=nominal(
            0.004, "Judgement: trust builds over months of calm (Larson 1997)", 0.001, 0.02
        ),
        description="Daily growth rate of trust toward 1 on calm days.",
    )
    agreement_bonus: NonNegative = Field(
        default=nominal(2.0, "Judgement", 0.0, 5.0),
        description="Extra relative growth of trust while an agreement is in force.",
    )
    kept_gain: Probability = Field(
        default=nominal(0.15, "Kydd 2005 (reassurance by costly signals); judgement", 0.05, 0.3),
        description="Share of the distrust removed when an agreement is kept to term.",
    )
    incident_loss: Probability = Field(
        default=nominal(0.05, "Judgement", 0.01, 0.2),
        description="Share of trust lost per attributed incident.",
    )
    violation_loss: Probability = Field(
        default=nominal(
            0.4, "Judgement: detected cheating is the strongest blow to trust", 0.2, 0.8
        ),
        description="Share of trust lost when a violation is detected.",
    )


def update(
    trust: Array,
    incidents: Array,
    agreement_active: NDArray[np.bool_],
    violation_detected: NDArray[np.bool_],
    agreement_kept: NDArray[np.bool_],
    params: TrustParams,
    dt: float,
) -> Array:
    """Trust after one step."""
    calm = incidents == 0
    gain = dt * params.calm_gain.value * (1.0 + params.agreement_bonus.value * agreement_active)
    trust = trust + np.where(calm, np.minimum(gain, 1.0) * (1.0 - trust), 0.0)
    trust = trust * (1.0 - params.incident_loss.value) ** incidents
    trust = np.where(violation_detected, trust * (1.0 - params.violation_loss.value), trust)
    trust = np.where(agreement_kept, trust + params.kept_gain.value * (1.0 - trust), trust)
    return np.clip(trust, 0.0, 1.0)
