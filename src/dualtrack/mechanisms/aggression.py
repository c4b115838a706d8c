"""Deliberate aggression: an opportunist's probes and limited attacks, which strength deters.

An opportunist ``j`` facing target ``i`` weighs each option ``o`` (a probe: raid, incursion,
drone strike; or a limited attack) by its expected utility as ``j`` perceives the situation
(Snyder 1961 on denial and punishment; Mearsheimer 1983 on conventional deterrence by denial;
Huth 1988 on extended deterrence):

    p_win = A**m / (A**m + D**m)                          denial: local balance of forces
    p_pun = 1 - (1 - R_i) * prod_k (1 - c_k)               punishment: resolve and allies
    U_o   = p_win * G_o * (1 + kappa * w_i) - (1 - p_win) * C_o - p_pun * P_o
    h_o   = h_max,o * expit(U_o / s)                       logistic (quantal) choice
    h_o   = 0                                              for a security seeker

``A`` is the aggressor's strength facing the target and ``D`` the defender's (stationed allies
included), ``m`` the decisiveness of the contest (Hirshleifer 1989), ``R_i`` the target's
resolve, ``c_k`` the commitments of its allies, ``w_i`` in [0, 1] how far the target is
distracted by a war elsewhere (opportunity), ``G, C, P`` the gain, the cost of a failed
attempt and the cost of punishment, in one utility unit, and ``s`` the spread of the choice
(McKelvey & Palfrey 1995).

**Deterrence result.** ``dU/dD = -(G' + C) * dp_win/dD`` with ``dp_win/dD < 0``, so the hazard
falls strictly with the defender's strength, and with its resolve and its allies' commitment
(``dU/dp_pun = -P < 0``); it rises with distraction. The hazard is half its maximum where
``U = 0``: at ``p* = (C + p_pun * P) / (G' + C)``, i.e. a defender strength

    D* = A * ((1 - p*) / p*)**(1 / m)       (0 when p* >= 1: punishment alone deters)

which falls as punishment grows: extended deterrence substitutes for local denial.

The option value of the choice, ``s * ln(1 + exp(U / s))``, is what an opportunist loses
per opportunity when a step of its own (a withdrawal) lowers ``U`` (``reassurance``); its
derivative in ``U`` is the choice probability.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field

from dualtrack.mechanisms.arrays import divide_where, expit, namespace
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.parameters import DailyRate, Factor, Positive, RelativeWeight, nominal

Array = NDArray[np.float64]
Bools = NDArray[np.bool_]

NONE, PROBE, ATTACK = 0, 1, 2
"""Codes of a step's deliberate aggression (the options, in order of severity)."""

RUNG_OF = np.array([Rung.STABLE, Rung.ARMED_INCIDENT, Rung.LIMITED_CONFLICT], dtype=np.int8)
"""Lowest rung on which each code leaves the dyad."""


class AggressionOption(BaseModel):
    """Stakes of one kind of deliberate aggression, relative to the gain of a probe."""

    model_config = ConfigDict(extra="forbid")

    gain: RelativeWeight = Field(description="Value of a success to the aggressor.")
    failure_cost: RelativeWeight = Field(description="Cost of a repelled attempt (denial).")
    punishment_cost: RelativeWeight = Field(description="Cost of retaliation when it comes.")
    max_rate: DailyRate = Field(description="Daily hazard when the option is sure to pay.")


def _probe() -> AggressionOption:
    return AggressionOption(
        gain=nominal(1.0, "Utility unit: the value of a successful probe"),
        failure_cost=nominal(1.0, "Judgement: a repelled raid costs about what it gains", 0.3, 3.0),
        punishment_cost=nominal(
            2.0, "Judgement: retaliation costs more than a probe gains (Snyder 1961)", 0.5, 5.0
        ),
        max_rate=nominal(
            0.05, "Judgement: an undeterred opportunist probes every few weeks", 0.01, 0.2
        ),
    )


def _attack() -> AggressionOption:
    return AggressionOption(
        gain=nominal(3.0, "Judgement: a limited attack takes more than a probe", 1.5, 6.0),
        failure_cost=nominal(
            4.0, "Judgement: a failed attack is costlier (Mearsheimer 1983)", 2.0, 8.0
        ),
        punishment_cost=nominal(
            6.0, "Judgement: retaliation for an attack is heavier (Huth 1988)", 2.0, 15.0
        ),
        max_rate=nominal(0.01, "Judgement: attacks are rarer than probes", 0.001, 0.05),
    )


class AggressionParams(BaseModel):
    """Parameters of deliberate aggression."""

    model_config = ConfigDict(extra="forbid")

    probe: AggressionOption = Field(
        default_factory=_probe, description="Raids, incursions and strikes (armed incident)."
    )
    attack: AggressionOption = Field(
        default_factory=_attack, description="Limited attacks (limited conflict)."
    )
    decisiveness: Positive = Field(
        default=nominal(
            1.0, "Hirshleifer 1989: ratio-form contest; 1 = odds equal the force ratio", 0.5, 3.0
        ),
        description="Exponent of the force ratio in the chance that an attempt succeeds.",
    )
    distraction_gain: Factor = Field(
        default=nominal(
            1.0,
            "Judgement: a target fighting elsewhere offers twice the gain (Preiherman: "
            "Ukraine's forces are committed against Russia)",
            0.0,
            3.0,
        ),
        description="Relative increase of the gain when the target is at war elsewhere.",
    )
    choice_spread: Positive = Field(
        default=nominal(0.25, "McKelvey & Palfrey 1995 (quantal response); judgement", 0.05, 1.0),
        description="Utility spread of the logistic choice (0 would be a sharp threshold).",
    )


def win_probability(attacker: ArrayLike, defender: ArrayLike, decisiveness: float) -> Array:
    """Chance that an attempt succeeds: ``A**m / (A**m + D**m)``.

    It is 1 against no defence and 0 without attacking forces.
    """
    xp = namespace(attacker, defender)
    a = xp.asarray(attacker, dtype=np.float64)
    d = xp.asarray(defender, dtype=np.float64)
    if decisiveness != 1.0:
        a, d = a**decisiveness, d**decisiveness
    total = a + d
    return divide_where(a, total, total > 0.0)


def punishment_probability(resolve: ArrayLike, commitments: ArrayLike) -> Array:
    """Chance that the target or at least one ally retaliates (last axis: allies)."""
    spared = np.prod(1.0 - np.asarray(commitments, dtype=np.float64), axis=-1)
    return 1.0 - (1.0 - np.asarray(resolve, dtype=np.float64)) * spared


def expected_utility(
    option: AggressionOption,
    p_win: ArrayLike,
    p_punish: ArrayLike,
    distraction: ArrayLike,
    distraction_gain: float,
) -> Array:
    """Expected utility of one attempt for the aggressor."""
    xp = namespace(p_win, p_punish, distraction)
    p = xp.asarray(p_win, dtype=np.float64)
    gain = option.gain.value * (1.0 + distraction_gain * xp.asarray(distraction))
    return (
        p * gain
        - (1.0 - p) * option.failure_cost.value
        - xp.asarray(p_punish) * option.punishment_cost.value
    )


def hazard(
    opportunist: Bools | bool, option: AggressionOption, utility: ArrayLike, spread: float
) -> Array:
    """Daily hazard of the option: logistic in its utility for an opportunist, else 0."""
    xp = namespace(opportunist, utility)
    rate = option.max_rate.value * expit(xp.asarray(utility, dtype=np.float64) / spread)
    if opportunist is True:
        return xp.asarray(rate, dtype=np.float64)
    return xp.where(opportunist, rate, 0.0)


def hazards(
    opportunist: Bools | bool,
    params: AggressionParams,
    attacker: ArrayLike,
    defender: ArrayLike,
    resolve: ArrayLike,
    commitments: ArrayLike,
    distraction: ArrayLike,
) -> tuple[Array, Array]:
    """Daily hazards of a probe and of a limited attack, as the aggressor perceives things."""
    p_punish = punishment_probability(resolve, commitments)
    return hazards_given_punishment(opportunist, params, attacker, defender, p_punish, distraction)


def hazards_given_punishment(
    opportunist: Bools | bool,
    params: AggressionParams,
    attacker: ArrayLike,
    defender: ArrayLike,
    p_punish: ArrayLike,
    distraction: ArrayLike,
    warned_defender: ArrayLike | None = None,
) -> tuple[Array, Array]:
    """:func:`hazards` with the chance of punishment already computed (it is fixed in a run).

    ``warned_defender`` is the defender's strength against a limited attack when prior
    notification gives it warning (``notification``); None: the same as against a probe.
    """
    p_win = win_probability(attacker, defender, params.decisiveness.value)
    p_win_attack = (
        p_win
        if warned_defender is None
        else win_probability(attacker, warned_defender, params.decisiveness.value)
    )
    spread = params.choice_spread.value
    rates = []
    for option, p_option in ((params.probe, p_win), (params.attack, p_win_attack)):
        utility = expected_utility(
            option, p_option, p_punish, distraction, params.distraction_gain.value
        )
        rates.append(hazard(opportunist, option, utility, spread))
    return rates[0], rates[1]


def deterrent_strength(
    option: AggressionOption,
    attacker: ArrayLike,
    p_punish: ArrayLike,
    distraction: ArrayLike,
    params: AggressionParams,
) -> Array:
    """Defender strength at which the option's hazard is half its maximum (``D*``)."""
    gain = option.gain.value * (1.0 + params.distraction_gain.value * np.asarray(distraction))
    failure = option.failure_cost.value
    threshold = (failure + np.asarray(p_punish) * option.punishment_cost.value) / (gain + failure)
    with np.errstate(divide="ignore"):
        odds = np.where(threshold < 1.0, (1.0 - threshold) / threshold, 0.0)
    return np.asarray(attacker) * odds ** (1.0 / params.decisiveness.value)


def option_value(utility: ArrayLike, spread: float) -> Array:
    """Expected utility of choosing whether to attempt, ``s * ln(1 + exp(U / s))``."""
    return spread * np.logaddexp(0.0, np.asarray(utility, dtype=np.float64) / spread)


def choose(probe_rate: Array, attack_rate: Array, dt: float, uniform: Array) -> NDArray[np.int8]:
    """This step's deliberate aggression from one uniform: competing risks, attack first.

    An event happens with probability ``1 - exp(-(h_p + h_a) dt)`` and is an attack with
    share ``h_a / (h_p + h_a)``; a higher total hazard fires at least whenever a lower does.
    """
    xp = namespace(probe_rate, attack_rate, uniform)
    total = probe_rate + attack_rate
    p_any = -xp.expm1(-total * dt)
    p_attack = p_any * divide_where(attack_rate, total, total > 0)
    code = xp.where(uniform < p_any, PROBE, NONE)
    return xp.where(uniform < p_attack, ATTACK, code).astype(np.int8)


def escalate(rung: NDArray[np.int8], code: NDArray[np.int8]) -> NDArray[np.int8]:
    """The dyad's rung after this step's deliberate aggression (never lowered)."""
    xp = namespace(rung, code)
    return xp.maximum(rung, xp.asarray(RUNG_OF)[code]).astype(np.int8)
