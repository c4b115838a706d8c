"""Intent: each actor's private type and every observer's Bayesian belief about it.

Two types (Jervis 1976, ch. 3; Glaser 2010; Kydd 2005): a *security seeker* wants the status
quo and never initiates force; an *opportunist* (greedy, revisionist) uses force when it
expects to gain. Each replicate draws each actor's type once, from one uniform ``U`` and the
scenario's probability ``pi`` of an opportunist (``opportunist = U < pi``), so the draw does not
depend on the doctrines (common random numbers). A rare regime change redraws the type from the
same prior with daily hazard ``eta`` (default 0: types fixed for the run); ``pi`` is then the
stationary distribution of the type chain.

An observer's belief ``b`` that an adversary is an opportunist is held as log-odds
``L = ln(b / (1 - b))`` and updated each step by the forward filter of that two-state hidden
Markov chain: a prediction for the regime change, then Bayes' rule with the log-likelihood
ratio (opportunist over security seeker) of what it perceived this step:

    b  <- (1 - p_eta) * b + p_eta * pi,          p_eta = 1 - exp(-eta * dt)
    L  <- clip(L + sum_k llr_k, -L_max, L_max)   (a dogmatic L = +-inf never moves)

Each ``llr_k`` is computed from the type-conditional behaviour the model itself uses (the
functions below, which the engine's behaviour calls too):

* build-up: an opportunist's strength is ``1 + g`` times what a security seeker's answer to
  the observer's own posture explains, ``S_sec = b_j + k_hat * max(S_i - b_i, 0)``.
  With ``y = ln(observed strength) + sigma**2 / 2 - ln(S_sec)`` (the observation's log-normal
  noise has mean one, see ``perception``), ``delta = ln(1 + g)`` and
  ``s**2 = sigma**2 + sigma_m**2`` (the observer's own noise plus its model error),

      llr = delta * (y - delta / 2) / s**2

  so a perceived excess within the observer's noise carries evidence of order ``delta / s``,
  and under the observer's own model the expected belief after the update equals the belief
  before (noise alone makes no drift);
* attributed incidents: ``n = Poisson(a0 * dt) + [opportunist] * Bernoulli(p)`` with ``a0``
  the background attribution rate and ``p = 1 - exp(-h dt)`` the chance of a deliberate act
  at the opportunist's aggression hazard ``h`` (``aggression``):
  ``llr = ln(1 - p + p * n / (a0 * dt))``;
* an agreement's end: a side violates with hazard ``v_sec`` or ``v_sec + v_cheat`` and a
  violation is detected with hazard ``D``; over a term ``T`` the chance that none is detected is
  ``exp(-v T) * (1 + v T * phi((D - v) T))``, ``phi(x) = (1 - exp(-x)) / x``; the update uses
  the ratio for "kept to term" or for "violation detected";
* a discrete costly step (unilateral withdrawal, accepted inspection): the ratio of the
  chances that each type would take it (``reassurance``).

An instrument that shows each side the other's force plans, doctrine and holdings (a data
exchange, evaluation visits, liaison officers: docs/model.md §7.16) narrows the observer's
model error of what a security seeker would field by the dyad's insight ``xi`` in [0, 1]:
``sigma_m,d = sigma_m * (1 - xi_d)`` (``model_error``), so each observation carries more
evidence; ``xi = 0`` leaves the likelihood unchanged.

Types are booleans (``True``: opportunist). Trust is derived: ``trust = 1 - b``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field

from dualtrack.mechanisms.arrays import expit, logit, namespace
from dualtrack.scenario.parameters import DailyRate, Factor, Positive, RelativeWeight, nominal

Array = NDArray[np.float64]
Bools = NDArray[np.bool_]


class IntentParams(BaseModel):
    """Parameters of types and beliefs (the per-actor prior lives with the actor)."""

    model_config = ConfigDict(extra="forbid")

    regime_change_rate: DailyRate = Field(
        default=nominal(
            0.0,
            "Judgement: over a one-year horizon types are fixed; a regime change every few "
            "decades at most (Jervis 1976, ch. 3: intentions can change)",
            0.0,
            1.0 / 3650.0,
        ),
        description="Daily hazard that an actor's type is redrawn from its prior.",
    )
    opportunist_buildup: RelativeWeight = Field(
        default=nominal(
            0.1,
            "Judgement: an opportunist keeps forces beyond what its security needs, to hold "
            "the option of force (Glaser 2010: greedy states build beyond defence)",
            0.0,
            0.5,
        ),
        description="Share by which an opportunist's strength exceeds a security seeker's answer.",
    )
    assumed_reactivity: Factor = Field(
        default=nominal(
            0.35,
            "Jervis 1976, ch. 3: states seldom see that their own build-up is what the other "
            "answers; half the deterrence-only reactivity; judgement",
            0.0,
            1.2,
        ),
        description="Reactivity the observer attributes to a security seeker answering its "
        "own posture (0 = it reads every answer as greed).",
    )
    model_sd: Positive = Field(
        default=nominal(
            0.1,
            "Judgement: uncertainty about what a security seeker's response would be",
            0.02,
            0.3,
        ),
        description="Log-scale error of the observer's model of a security seeker's strength.",
    )
    security_violation_rate: DailyRate = Field(
        default=nominal(
            0.001,
            "Judgement: breakouts by a security seeker that misreads a threat (Fearon 1995)",
            0.0,
            0.005,
        ),
        description="Daily hazard that a security seeker violates an agreement.",
    )
    cheat_rate: DailyRate = Field(
        default=nominal(
            0.01,
            "Judgement: an opportunist cheats on an agreement within a few months (Kydd 2005)",
            0.002,
            0.05,
        ),
        description="Extra daily hazard that an opportunist violates an agreement.",
    )
    belief_bound: Positive = Field(
        default=nominal(1.0e-6, "Numerical guard", 1.0e-9, 1.0e-3),
        description="Beliefs not held dogmatically stay within [bound, 1 - bound].",
    )


# --- types -------------------------------------------------------------------------------


def draw_types(uniforms: Array, prior: ArrayLike) -> Bools:
    """Each replicate's types, ``(replicate, actor)``: opportunist when ``U < prior``."""
    xp = namespace(uniforms, prior)
    return xp.asarray(uniforms) < xp.asarray(prior)


def switch_probability(rate: float, dt: float) -> float:
    """Chance that a type is redrawn during one step (a regime change)."""
    return float(-np.expm1(-rate * dt))


def switch_types(types: Bools, uniforms: Array, prior: ArrayLike, p_switch: float) -> Bools:
    """Types after one step of regime change, from one uniform per actor.

    With probability ``p_switch`` the type is redrawn from the prior: ``U < p * pi`` makes an
    opportunist, ``p * pi <= U < p`` a security seeker, anything else keeps the type.
    """
    xp = namespace(types, uniforms)
    u = xp.asarray(uniforms)
    becomes_opportunist = u < p_switch * xp.asarray(prior)
    redrawn = u < p_switch
    return xp.where(redrawn, becomes_opportunist, types)


# --- type-conditional behaviour (called by behaviour and likelihood alike) -----------------


def security_strength(
    adversary_baseline: Array, own_strength: Array, own_baseline: Array, reactivity: float
) -> Array:
    """Strength a security seeker fields in answer to the other side's posture (threat points).

    Richardson's reaction (docs/model.md §7.6): its excess over baseline is ``k`` times the
    other side's excess; only build-ups are answered.
    """
    xp = namespace(adversary_baseline, own_strength)
    return adversary_baseline + reactivity * xp.maximum(own_strength - own_baseline, 0.0)


def buildup_factor(opportunist: Bools | bool, buildup: float) -> Array:
    """Factor by which a type's strength exceeds a security seeker's: ``1 + g`` or 1."""
    return namespace(opportunist).where(opportunist, 1.0 + buildup, 1.0)


def log_buildup(opportunist: Bools | bool, buildup: float) -> Array:
    """Log of :func:`buildup_factor`."""
    return np.log(buildup_factor(opportunist, buildup))


def violation_rate(opportunist: Bools | bool, params: IntentParams) -> Array:
    """Daily hazard that a side in an agreement violates it, by type."""
    return params.security_violation_rate.value + np.where(
        opportunist, params.cheat_rate.value, 0.0
    )


def kept_probability(violation: ArrayLike, detection: ArrayLike, term_days: ArrayLike) -> Array:
    """Chance that no violation is detected over a term (violation then detection, in order).

    The sum of two exponential waiting times (hazards ``v`` and ``D``) exceeds the term ``T``
    with probability ``exp(-v T) * (1 + v T * phi((D - v) T))``, ``phi(x) = -expm1(-x) / x``.
    """
    xp = namespace(violation, detection, term_days)
    v = xp.asarray(violation, dtype=np.float64)
    d = xp.asarray(detection, dtype=np.float64)
    term = xp.asarray(term_days, dtype=np.float64)
    x = (d - v) * term
    small = xp.abs(x) < 1e-8
    phi = xp.where(small, 1.0 - 0.5 * x, -xp.expm1(-x) / xp.where(small, 1.0, x))
    survival = xp.clip(xp.exp(-v * term) * (1.0 + v * term * phi), 0.0, 1.0)
    return xp.where(d > 0.0, survival, 1.0)  # nothing is ever detected without detection


# --- log-likelihood ratios (opportunist over security seeker) ------------------------------


def perceived_excess(observed_strength: Array, sigma: Array, reference: Array) -> Array:
    """Log excess of an observed strength over a security seeker's, noise mean removed."""
    xp = namespace(observed_strength, sigma, reference)
    return xp.log(observed_strength) + 0.5 * sigma**2 - xp.log(reference)


def model_error(model_sd: float, insight: ArrayLike) -> Array:
    """The observer's model error of a security seeker's strength, narrowed by the insight an
    instrument gives into the other side's plans (0: none)."""
    return model_sd * (1.0 - np.asarray(insight, dtype=np.float64))


def buildup_llr(excess: Array, sigma: Array, buildup: float, model_sd: float | Array) -> Array:
    """Evidence of one step's observed strength (Gaussian in the log, both types' means)."""
    delta = float(np.log1p(buildup))
    variance = sigma**2 + model_sd**2
    return delta * (excess - 0.5 * delta) / variance


def incident_llr(count: Array, background_rate: Array, aggression_rate: Array, dt: float) -> Array:
    """Evidence of a step's attributed incidents: accidents, plus at most one deliberate act.

    Accidents are Poisson with mean ``a dt``; an opportunist adds one act with probability
    ``p = 1 - exp(-h dt)`` (``aggression.choose``), so the likelihood ratio of ``n`` is
    ``(1 - p) + p * n / (a dt)``.
    """
    xp = namespace(count, background_rate, aggression_rate)
    n = xp.asarray(count, dtype=np.float64)
    p = -xp.expm1(-xp.asarray(aggression_rate, dtype=np.float64) * dt)
    expected = xp.asarray(background_rate, dtype=np.float64) * dt
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = xp.where((n > 0) & (p > 0), p * n / expected, 0.0)  # inf without accidents
        return xp.log1p(excess - p)


def outcome_llr(
    kept: Bools, detected: Bools, detection: Array, term_days: Array, params: IntentParams
) -> Array:
    """Evidence of an agreement's end: kept to term, violation detected, or neither (0)."""
    kept_security = kept_probability(violation_rate(False, params), detection, term_days)
    kept_opportunist = kept_probability(violation_rate(True, params), detection, term_days)
    xp = namespace(kept, detected, detection)
    with np.errstate(divide="ignore", invalid="ignore"):
        if_kept = xp.log(kept_opportunist) - xp.log(kept_security)
        detectable = kept_security < 1.0  # else a detection cannot happen: no update
        if_detected = xp.where(
            detectable, xp.log1p(-kept_opportunist) - xp.log1p(-kept_security), 0.0
        )
    return xp.where(kept, if_kept, 0.0) + xp.where(detected, if_detected, 0.0)


def signal_llr(p_opportunist: ArrayLike, p_security: ArrayLike) -> Array:
    """Evidence of a discrete step that each type would take with the given chance."""
    with np.errstate(divide="ignore"):
        return np.log(np.asarray(p_opportunist, dtype=np.float64)) - np.log(
            np.asarray(p_security, dtype=np.float64)
        )


# --- belief ------------------------------------------------------------------------------


def initial_log_odds(prior: ArrayLike) -> Array:
    """Log-odds of a prior belief; a prior of 0 or 1 is held dogmatically (-inf or +inf)."""
    xp = namespace(prior)
    with np.errstate(divide="ignore"):
        return xp.asarray(logit(xp.asarray(prior, dtype=np.float64)), dtype=np.float64)


def belief(log_odds: Array) -> Array:
    """Probability of an opportunist from log-odds."""
    return namespace(log_odds).asarray(expit(log_odds), dtype=np.float64)


def trust(log_odds: Array) -> Array:
    """Trust is the belief that the other side is a security seeker: ``1 - b``."""
    xp = namespace(log_odds)
    return xp.asarray(expit(-xp.asarray(log_odds)), dtype=np.float64)


def predict(log_odds: Array, prior: ArrayLike, p_switch: float) -> Array:
    """Belief before this step's evidence, allowing for a regime change since the last.

    A belief of 0 stays 0 only if the prior it is redrawn from is 0 too.
    """
    if p_switch == 0.0:
        return log_odds
    mixed = (1.0 - p_switch) * belief(log_odds) + p_switch * namespace(log_odds).asarray(prior)
    return initial_log_odds(mixed)


def update(log_odds: Array, llr: Array, bound: float) -> Array:
    """Bayes' rule in log-odds; finite beliefs stay within ``[bound, 1 - bound]``.

    An infinite log-odds (a dogmatic prior of 0 or 1) never moves, whatever the evidence.
    """
    xp = namespace(log_odds, llr)
    log_odds = xp.asarray(log_odds, dtype=np.float64)
    limit = float(logit(1.0 - bound))
    evidence = xp.clip(llr, -2.0 * limit, 2.0 * limit)  # infinite evidence reaches the bound
    moved = xp.clip(log_odds + evidence, -limit, limit)
    return xp.where(xp.isfinite(log_odds), moved, log_odds)
