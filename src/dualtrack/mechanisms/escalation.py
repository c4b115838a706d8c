"""Escalation: a stochastic ladder per dyad, with alliance pull-in and nuclear use.

Each dyad sits on a rung of the ladder (see :class:`dualtrack.scenario.ladder.Rung`). Each
step it moves at most one rung, as a birth-death Markov chain whose rates depend on a pressure
index (Kahn 1965 on the ladder; Schelling 1966 on the "threat that leaves something to chance"):

    z = b_T * mean(relative threat above tolerance) + b_I * mean(remembered incidents)
        + b_P * mean(posture above baseline) + b_R * (mean(resolve) - 1/2)
        + b_B * (|ln(S_1 / S_2)| - |ln(S_1 / S_2)|_status quo)
        - b_tau * (trust - 1/2) - b_A * agreement_in_force - b_C * crisis_channels
    up_r   = u0 * u_ratio**r       (rung r -> r+1, for r < war)
    down_r = d0 * d_ratio**(r-1)   (rung r -> r-1, for 0 < r < nuclear use)
    P(up)   = 1 - exp(-dt * up_r * exp(z)),   P(down) = 1 - exp(-dt * down_r * exp(-z))

Remembered incidents count above their background level at the status quo, and each side's
strength gets one threat point before the log ratio. Once the dyad is at war, each ally of
either side that is not already at war with the opponent joins with hazard
``pull_in_rate * commitment``; once one has joined, the dyad stays at horizontal escalation or
above, and the joining ally's own dyad with the opponent (if modelled) goes to war: the
cascade through alliances (Snyder 1984; Vasquez 2009). A limited conflict does not draw
allies in: it must first become a war, so P(war) exceeds P(horizontal escalation) by the wars
that end or last without an ally joining. Absorbing rungs: horizontal escalation (an ally
that has joined stays in for the run) and nuclear use. From horizontal escalation, nuclear use
follows with hazard ``nuclear_rate`` when a nuclear-armed actor is involved.
The balance term (``S``: each side's weighted forces along the dyad's sectors, stationed allies
included) makes deterrence matter: a side that falls behind a build-up invites probing.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from dualtrack.mechanisms.arrays import namespace
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.parameters import NonNegative, Positive, Probability, nominal

Array = NDArray[np.float64]
N_RUNGS = len(Rung)


class EscalationParams(BaseModel):
    """Parameters of the escalation ladder."""

    model_config = ConfigDict(extra="forbid")

    up_rate: NonNegative = Field(
        default=nominal(
            0.01,
            "Calibrated: border tension episodes every few months in 2022-2024 (Preiherman)",
            0.003,
            0.03,
            calibrated=True,
        ),
        description="Daily hazard of stable -> tension at zero pressure.",
    )
    up_ratio: Probability = Field(
        default=nominal(0.5, "Kahn 1965: each rung is harder to climb; judgement", 0.3, 0.8),
        description="Factor by which the upward hazard shrinks per rung.",
    )
    down_rate: NonNegative = Field(
        default=nominal(0.08, "Judgement: tension episodes last weeks", 0.03, 0.2),
        description="Daily hazard of tension -> stable at zero pressure.",
    )
    down_ratio: Probability = Field(
        default=nominal(0.6, "Judgement: higher rungs are stickier", 0.3, 0.9),
        description="Factor by which the downward hazard shrinks per rung.",
    )
    threat_coef: NonNegative = Field(
        default=nominal(1.0, "Judgement", 0.3, 2.0),
        description="Pressure per unit of relative threat above the tolerated level.",
    )
    incident_coef: NonNegative = Field(
        default=nominal(0.3, "Judgement", 0.1, 1.0),
        description="Pressure per remembered attributed incident (mean of both sides).",
    )
    posture_coef: NonNegative = Field(
        default=nominal(1.0, "Judgement: deployments signal resolve (Schelling 1966)", 0.3, 2.0),
        description="Pressure per unit of posture above baseline (fraction of baseline).",
    )
    resolve_coef: NonNegative = Field(
        default=nominal(0.5, "Judgement", 0.0, 1.5),
        description="Pressure per unit of mean resolve of the two sides.",
    )
    trust_coef: NonNegative = Field(
        default=nominal(1.5, "Judgement", 0.5, 3.0),
        description="Pressure removed per unit of trust above one half.",
    )
    agreement_coef: NonNegative = Field(
        default=nominal(1.0, "Judgement", 0.3, 2.0),
        description="Pressure removed while a withdrawal agreement is in force.",
    )
    balance_coef: NonNegative = Field(
        default=nominal(
            0.5,
            "Fearon 1995 and Powell 2006: shifts in relative power raise the "
            "risk of war; judgement",
            0.0,
            1.5,
        ),
        description="Pressure per unit change of |log force ratio| from the status quo.",
    )
    crisis_channel_coef: NonNegative = Field(
        default=nominal(1.0, "Lebow 1987; judgement", 0.3, 2.0),
        description="Pressure removed per unit of open crisis-communication capacity.",
    )
    pull_in_rate: NonNegative = Field(
        default=nominal(
            0.05,
            "Preiherman: serious escalation would almost inevitably involve NATO; judgement",
            0.01,
            0.2,
        ),
        description="Daily hazard that a fully committed ally joins a war.",
    )
    nuclear_rate: NonNegative = Field(
        default=nominal(0.0005, "Judgement; deliberately wide", 0.0, 0.003),
        description="Daily hazard of nuclear use during horizontal escalation with a nuclear "
        "power involved.",
    )
    max_pressure: Positive = Field(
        default=nominal(6.0, "Numerical guard", 3.0, 10.0),
        description="Bound on |z| so that hazards stay finite.",
    )


def rate_tables(params: EscalationParams) -> tuple[Array, Array]:
    """Base upward and downward hazards per rung at zero pressure."""
    rungs = np.arange(N_RUNGS, dtype=np.float64)
    up = params.up_rate.value * params.up_ratio.value**rungs
    up[Rung.WAR :] = 0.0  # beyond war: only pull-in and nuclear use
    down = params.down_rate.value * params.down_ratio.value ** np.maximum(rungs - 1.0, 0.0)
    down[Rung.STABLE] = 0.0
    down[Rung.NUCLEAR_USE] = 0.0
    return up, down


def transition_probabilities(
    rung: NDArray[np.int8], pressure: Array, up_table: Array, down_table: Array, dt: float
) -> tuple[Array, Array]:
    """Probabilities of moving up and down one rung this step (their sum is at most one)."""
    xp = namespace(rung, pressure)
    growth = xp.exp(pressure)
    p_up = -xp.expm1(-dt * xp.asarray(up_table)[rung] * growth)
    p_down = -xp.expm1(-dt * xp.asarray(down_table)[rung] / growth)
    total = p_up + p_down
    scale = xp.where(total > 1.0, 1.0 / xp.maximum(total, 1e-300), 1.0)
    return p_up * scale, p_down * scale


def move(rung: NDArray[np.int8], p_up: Array, p_down: Array, uniform: Array) -> NDArray[np.int8]:
    """New rung from one uniform draw: up if u < p_up, down if p_up <= u < p_up + p_down."""
    up = uniform < p_up
    down = (~up) & (uniform < p_up + p_down)
    return (rung + up.astype(np.int8) - down.astype(np.int8)).astype(np.int8)


def pull_in_probability(rung: NDArray[np.int8], commitment: Array, rate: float, dt: float) -> Array:
    """Probability that an ally joins this step: only a war (rung war or above) draws allies in."""
    xp = namespace(rung, commitment)
    at_war = rung >= Rung.WAR
    return xp.where(at_war, -xp.expm1(-dt * rate * commitment), 0.0)


def pressure(
    params: EscalationParams,
    *,
    relative_threat: Array,
    new_incidents: Array,
    posture: Array,
    resolve: Array,
    imbalance: Array,
    trust: Array,
    agreement: NDArray[np.bool_],
    crisis_channels: Array,
) -> Array:
    """The pressure index z per dyad (the equation in the module docstring), bounded.

    Per-side inputs have a last axis of length 2 (the two sides) and are averaged.
    """
    z = (
        params.threat_coef.value * relative_threat.mean(axis=-1)
        + params.incident_coef.value * new_incidents.mean(axis=-1)
        + params.posture_coef.value * posture.mean(axis=-1)
        + params.resolve_coef.value * (resolve.mean(axis=-1) - 0.5)
        + params.balance_coef.value * imbalance
        - params.trust_coef.value * (trust - 0.5)
        - params.agreement_coef.value * agreement
        - params.crisis_channel_coef.value * crisis_channels
    )
    xp = namespace(z)
    return xp.clip(z, -params.max_pressure.value, params.max_pressure.value)
