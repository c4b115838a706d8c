"""Threat: what an actor feels threatened by, built from perceived forces and incidents.

Following balance-of-threat theory (Walt 1987), threat grows with the adversary's perceived
offensive capability near the border (weighted by category: long-range strike weighs more than
air defence) and with hostile acts. For observer ``i`` and adversary ``j``:

    M_ij  <- M_ij * exp(-dt / tau_m) + attributed_incidents_ij
    theta_ij = f_ij * sum_c w_c * perceived_ijc + gamma_I * M_ij + gamma_R * rung_ij
    T_i   = sum_j theta_ij + s * sum_{k ally of i} commitment_ik * sum_{j not adv. of i} theta_kj
            + W_i(t)                                  (threat from wars elsewhere, a forcing)

where ``f_ij`` is the share of j's forces deployed in sectors facing i (1 when j holds no
sector): forces on another border do not threaten i. The ally term shares an ally's threats
in proportion to the alliance commitment (Snyder 1984, alliance security dilemma); threats
from a common adversary are counted once, directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from dualtrack.scenario.parameters import NonNegative, Probability, nominal

Array = NDArray[np.float64]


class ThreatParams(BaseModel):
    """Parameters of the threat mechanism."""

    model_config = ConfigDict(extra="forbid")

    incident_weight: NonNegative = Field(
        default=nominal(
            1.5,
            "Judgement: one remembered incident weighs like a deployed battalion-equivalent",
            0.5,
            4.0,
        ),
        description="Threat points per attributed incident held in memory.",
    )
    memory_days: NonNegative = Field(
        default=nominal(
            30.0, "Judgement: incidents shape threat perception for about a month", 10.0, 90.0
        ),
        description="E-folding time (days) of the memory of incidents.",
    )
    rung_weight: NonNegative = Field(
        default=nominal(1.0, "Judgement", 0.0, 3.0),
        description="Threat points added per rung of the dyad's escalation ladder.",
    )
    ally_share: Probability = Field(
        default=nominal(0.5, "Snyder 1984 (alliance security dilemma); judgement", 0.0, 1.0),
        description="Share of an ally's threats felt, times the commitment strength.",
    )


def decay_factor(dt: float, memory_days: float) -> float:
    """Per-step retention of remembered incidents."""
    if memory_days <= 0.0:
        return 0.0
    return float(np.exp(-dt / memory_days))


def update_memory(memory: Array, attributed: Array, retention: float) -> Array:
    """Remembered incidents after decay and the step's newly attributed ones."""
    return memory * retention + attributed


def pair_threat(
    weighted_perceived: Array,
    memory: Array,
    rung: Array,
    incident_weight: float,
    rung_weight: float,
) -> Array:
    """Threat an observer feels from one adversary (per directed pair)."""
    return weighted_perceived + incident_weight * memory + rung_weight * rung


def actor_threat(pair_threats: Array, aggregation: Any) -> Array:
    """Total threat per actor: own pairs plus the commitment-weighted threats of allies.

    ``aggregation`` is the (pairs x actors) matrix, dense or an engine ``LinearMap``.
    """
    return pair_threats @ aggregation
