"""Reassurance: when a costly unilateral step reveals a security seeker (Kydd 2000; 2005).

A reduced two-actor game (Kydd 2000, "Trust, reassurance, and cooperation", *International
Organization* 54(2); Kydd 2005, ch. 7). Actor A is a security seeker or an opportunist; the
observer B believes it an opportunist with prior ``pi``. A may take a unilateral step of cost
``c`` (a withdrawal, an accepted inspection). B then trusts (reciprocates, stands down) when
its posterior is below its trust threshold ``pi_bar`` and deters above it; at the threshold it
is indifferent. Being trusted is worth ``G_S`` to a security seeker and ``G_O`` to an
opportunist (net of what the step itself costs an opportunist beyond ``c``: the aggression
option it gives up, ``aggression.option_value``). A's payoff is ``q * G - c * [step]`` with
``q`` the chance that B trusts. The perfect Bayesian equilibria, for ``c >= 0``:

* ``pi < pi_bar``: B trusts anyway; no type pays for a step (no reassurance needed).
* ``G_O <= c <= G_S`` (and ``pi >= pi_bar``): **separating**. The security seeker steps, the
  opportunist does not; after the step the posterior is 0 and B trusts, after silence it is 1.
  Both incentive constraints, ``G_S - c >= 0 >= G_O - c``, hold exactly in this interval.
* ``c > max(G_S, G_O)``, or ``G_S < G_O``: the step is too dear, or whatever a security seeker
  would pay an opportunist would pay too; no type steps (pooling); the posterior is the prior.
* ``c < G_O <= G_S``: **semi-separating**. The security seeker steps; the opportunist mimics
  with probability ``m = pi_bar (1 - pi) / (pi (1 - pi_bar))`` so that the posterior after the
  step is ``pi_bar``, and B trusts after it with probability ``q = c / G_O``, which leaves the
  opportunist indifferent. A cheap step reassures only partly.

A step moves the belief by the log of ``P(step | opportunist) / P(step | security seeker)``
(``intent.signal_llr``): in proportion to how much less likely an opportunist was to take it.

**GRIT** (Osgood 1962) follows. A sequence of small steps of cost ``c`` each, which B answers
once their total reaches ``G_O``, separates after ``n* = ceil(G_O / c)`` steps and costs the
security seeker ``n* c < G_O + c``; so steps no larger than the interval's width
``G_S - G_O`` always land a total inside it, with no need to know where the interval lies,
whereas a single large step separates only if it is pitched inside the interval.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
Bools = NDArray[np.bool_]

NO_NEED, SEPARATING, SEMI_SEPARATING, POOLING = 0, 1, 2, 3
"""Codes of the equilibrium that a reduced game has."""


class Equilibrium(NamedTuple):
    """Strategies and beliefs of the reduced game's equilibrium (arrays broadcast together)."""

    kind: NDArray[np.int8]
    step_security: Array
    """Probability that a security seeker takes the step."""
    step_opportunist: Array
    """Probability that an opportunist takes the step."""
    trust_after_step: Array
    """Probability that B trusts after the step (where a step happens in equilibrium)."""
    trust_after_silence: Array
    """Probability that B trusts when no step is taken."""


def separates(cost: ArrayLike, gain_security: ArrayLike, gain_opportunist: ArrayLike) -> Bools:
    """Kydd's condition: the step's cost lies in ``[G_O, G_S]`` (empty when ``G_O > G_S``)."""
    c = np.asarray(cost, dtype=np.float64)
    return (np.asarray(gain_opportunist) <= c) & (c <= np.asarray(gain_security))


def equilibrium(
    prior: ArrayLike,
    cost: ArrayLike,
    gain_security: ArrayLike,
    gain_opportunist: ArrayLike,
    threshold: ArrayLike,
) -> Equilibrium:
    """The equilibrium of the reduced reassurance game (module docstring), elementwise.

    ``threshold`` lies in (0, 1) and ``cost`` is non-negative.
    """
    values = (prior, cost, gain_security, gain_opportunist, threshold)
    pi, c, g_s, g_o, bar = np.broadcast_arrays(*(np.asarray(x, np.float64) for x in values))
    no_need = pi < bar
    separating = ~no_need & separates(c, g_s, g_o)
    semi = ~no_need & ~separating & (c < g_o) & (g_o <= g_s)
    kind = np.full(pi.shape, POOLING, dtype=np.int8)
    kind[no_need] = NO_NEED
    kind[separating] = SEPARATING
    kind[semi] = SEMI_SEPARATING
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mimic = np.where(semi, bar * (1.0 - pi) / (pi * (1.0 - bar)), 0.0)
        q_semi = np.where(semi, c / g_o, 0.0)  # g_o > c >= 0 where semi
    steps = separating | semi
    return Equilibrium(
        kind=kind,
        step_security=np.where(steps, 1.0, 0.0),
        step_opportunist=mimic,
        trust_after_step=np.where(separating, 1.0, q_semi),
        trust_after_silence=np.where(no_need, 1.0, 0.0),
    )


def posterior(
    prior: ArrayLike, p_step_opportunist: ArrayLike, p_step_security: ArrayLike, stepped: bool
) -> Array:
    """Bayes' rule for the observer after it sees the step (or its absence).

    Where the observation has probability 0 under both types (off the equilibrium path) the
    prior is returned unchanged.
    """
    pi = np.asarray(prior, dtype=np.float64)
    like_o = np.asarray(p_step_opportunist, dtype=np.float64)
    like_s = np.asarray(p_step_security, dtype=np.float64)
    if not stepped:
        like_o, like_s = 1.0 - like_o, 1.0 - like_s
    evidence = pi * like_o + (1.0 - pi) * like_s
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(evidence > 0.0, pi * like_o / evidence, pi)


def grit_steps(
    step_cost: ArrayLike, gain_security: ArrayLike, gain_opportunist: ArrayLike
) -> Array:
    """Steps a graduated sequence needs to separate, ``max(ceil(G_O / c), 1)``; 0 if none does.

    None does when that total ``n* c`` exceeds what trust is worth to a security seeker, or
    when the steps cost nothing (cheap talk).
    """
    c = np.asarray(step_cost, dtype=np.float64)
    costly = c > 0.0
    n = np.maximum(np.ceil(np.asarray(gain_opportunist) / np.where(costly, c, 1.0)), 1.0)
    return np.where(costly & (n * c <= np.asarray(gain_security)), n, 0.0)
