"""Incidents: Poisson events from forces in contact and from exogenous sources.

In each border sector, incidents arise from forces in contact and from exogenous sources
(drone incursions, volunteer formations, spill-over of a war elsewhere):

    lambda_contact = kappa * sqrt(X_1 * X_2)          (X_k: side k's weighted forces there)
    N_contact ~ Poisson(lambda_contact * dt)
    N_exo,v   ~ Poisson(epsilon_v * dt)               (v: the side that suffers it)

Contact incidents are attributed to the other side by both. An exogenous incident suffered by
``v`` is attributed to the adversary state with probability ``p_attr`` (attribution error,
Rid & Buchanan 2015); by Poisson thinning the attributed and unattributed parts are
independent Poisson counts. Counts are drawn by inversion of uniform draws, so that the same
uniforms give monotonically more incidents at higher rates (common random numbers).

Two instruments of a dyad act here (docs/model.md §7.16). An incidents-prevention agreement
(INCSEA 1972: rules of conduct, keeping distance, signals) prevents a share ``q`` of the contact
incidents in the dyad's sectors, and a joint investigation mechanism establishes the origin of
a share ``a`` of the exogenous ones, which are then not blamed on the adversary:

    kappa_d  = kappa * (1 - q_d)
    p_attr,d = p_attr * (1 - a_d)

``q = a = 0`` (no such instrument) leaves both rates unchanged; ``q = 1`` removes contact
incidents, ``a = 1`` every misattribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from dualtrack.mechanisms.arrays import namespace, poisson_ppf, when_any, while_any
from dualtrack.scenario.parameters import NonNegative, Probability, nominal

Array = NDArray[np.float64]


class IncidentParams(BaseModel):
    """Parameters of the incident mechanism."""

    model_config = ConfigDict(extra="forbid")

    contact_rate: NonNegative = Field(
        default=nominal(
            0.0015,
            "Judgement, calibrated to a few contact incidents per year at 2024 force levels",
            0.0005,
            0.005,
            calibrated=True,
        ),
        description="Incidents per day per threat point of geometric-mean contact.",
    )
    misattribution: Probability = Field(
        default=nominal(0.5, "Rid & Buchanan 2015 (attribution is uncertain); judgement", 0.2, 0.8),
        description="Probability that an exogenous incident is blamed on the adversary state.",
    )


def prevented_contact_rate(kappa: float, prevention: Array) -> Array:
    """Contact-incident coefficient per sector under an incidents-prevention agreement."""
    return kappa * (1.0 - np.asarray(prevention, dtype=np.float64))


def blame_probability(misattribution: float, attribution: Array) -> Array:
    """Chance that an exogenous incident is blamed on the adversary, per sector, when a joint
    investigation establishes the origin of a share ``attribution`` of them."""
    return misattribution * (1.0 - np.asarray(attribution, dtype=np.float64))


def contact_rate(side_strength: Array, kappa: float | Array) -> Array:
    """Daily rate of contact incidents per sector from both sides' strengths (last axis 2);
    ``kappa`` is one coefficient or one per sector."""
    xp = namespace(side_strength)
    return kappa * xp.sqrt(xp.maximum(side_strength[..., 0] * side_strength[..., 1], 0.0))


LARGE_RATE = 500.0
"""Above this mean, exp(-rate) nears underflow: counts come from scipy's inverse CDF."""


def _climb(n: Any, term: Any, cdf: Any, rate: Any, uniform: Any) -> tuple[Any, Any, Any]:
    """One rung of the CDF's recurrence ``P(n) = P(n - 1) * rate / n``: the new term and CDF,
    and which draws they pass (the second test guards against round-off near u = 1)."""
    term = term * rate / n
    cdf = cdf + term
    return term, cdf, (uniform <= cdf) | (term == 0.0)


def poisson_inverse(rate: Array, uniform: Array) -> Array:
    """Poisson counts (as floats) with mean ``rate`` from uniform draws, by inverting the CDF.

    Exact for any rate and monotone in ``rate`` for fixed uniforms. Draws at or below
    P(N = 0) give zero at once; the others climb the CDF by its recurrence (:func:`_climb`)
    until it passes the draw (or, for very large rates, go through scipy's inverse CDF). On
    numpy only the draws still climbing are carried, which keeps rare incidents cheap; a
    traced step carries every element (shapes are fixed under ``jax.jit``).
    """
    xp = namespace(rate, uniform)
    if xp is np:
        return _poisson_inverse_numpy(rate, uniform)
    rate = xp.broadcast_to(xp.asarray(rate, dtype=np.float64), uniform.shape)
    large = rate > LARGE_RATE
    counts = xp.zeros(uniform.shape)
    counts = when_any(
        large,
        lambda: xp.where(large, poisson_ppf(uniform, xp.where(large, rate, 0.0)), 0.0),
        counts,
    )
    term = xp.exp(-rate)
    live = (uniform > term) & ~large

    def climb(carry: tuple[Any, Array, Array, Array, Array]) -> tuple[Any, ...]:
        n, term, cdf, counts, live = carry
        n = n + 1.0
        term, cdf, passed = _climb(n, term, cdf, rate, uniform)
        done = live & passed
        return n, term, cdf, xp.where(done, n, counts), live & ~done

    carry = (xp.asarray(0.0), term, term, counts, live)
    return while_any(lambda c: c[4], climb, carry, traced=True)[3]


def _poisson_inverse_numpy(rate: Array, uniform: Array) -> Array:
    """:func:`poisson_inverse` on numpy arrays, carrying only the draws still climbing."""
    rate = np.broadcast_to(np.asarray(rate, dtype=np.float64), uniform.shape)
    counts = np.zeros(uniform.shape)
    flat_counts, flat_rate, flat_u = counts.reshape(-1), rate.reshape(-1), uniform.reshape(-1)
    large = np.flatnonzero(flat_rate > LARGE_RATE)
    if large.size:
        flat_counts[large] = poisson_ppf(flat_u[large], flat_rate[large])
    term = np.exp(-flat_rate)
    live = np.flatnonzero((flat_u > term) & (flat_rate <= LARGE_RATE))
    lam, u, term = flat_rate[live], flat_u[live], term[live]
    cdf, n = term.copy(), 0.0
    while live.size:
        n += 1.0
        term, cdf, done = _climb(n, term, cdf, lam, u)
        flat_counts[live[done]] = n
        live, lam, u, term, cdf = live[~done], lam[~done], u[~done], term[~done], cdf[~done]
    return counts
