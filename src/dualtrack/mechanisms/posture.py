"""Posture (the deterrence track): forces near the border move toward a target.

Each category's forces relax toward the doctrine's target at the deployment rate ``r`` within
``[0, capacity]`` (explicit Euler step):

    x <- clip(x + dt * r * (target - x), 0, capacity)

With a deterrence target ``target = b + k * (T - T0) / w`` and ``T = w * y`` (one category
of threat weight ``w``, exact perception, no dialogue, no bound, tolerance ``T0 = 0``) this is
exactly Richardson's (1960) arms-race model

    dx/dt = K * y - a * x + g,   with a = r, K = r * k, g = r * b

whose equilibrium ``x* = (a2 g1 + K1 g2) / (a1 a2 - K1 K2)`` is stable iff ``K1 K2 < a1 a2``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dualtrack.mechanisms.arrays import namespace

Array = NDArray[np.float64]


def relax(forces: Array, target: Array, rate_dt: Array, capacity: Array) -> Array:
    """Forces after one step of movement toward the target, kept within capacity."""
    xp = namespace(forces, target)
    return xp.clip(forces + rate_dt * (target - forces), 0.0, capacity)


def deterrent_target(
    threat: Array,
    tolerated_threat: float,
    reactivity: float,
    baseline: Array,
    share_per_weight: Array,
    noise: Array | float = 0.0,
) -> Array:
    """Forces per category that answer the threat above what is tolerated and noise explains.

    ``share_per_weight`` is the category's share of the response divided by its threat weight,
    so that the added deterrent strength equals ``reactivity * (threat - tolerated - noise)``
    (never negative); ``noise`` is the part of the felt threat that the observer's own
    perception noise explains (``noise.beyond_noise`` in threat points).
    """
    xp = namespace(threat, noise)
    excess = xp.maximum(threat - tolerated_threat - noise, 0.0)
    return baseline + reactivity * excess[..., None] * share_per_weight


def richardson_equilibrium(
    k1: float, k2: float, a1: float, a2: float, g1: float, g2: float
) -> tuple[float, float]:
    """Equilibrium of Richardson's two-actor model (valid when a1 a2 != k1 k2)."""
    det = a1 * a2 - k1 * k2
    return (a2 * g1 + k1 * g2) / det, (a1 * g2 + k2 * g1) / det


def richardson_is_stable(k1: float, k2: float, a1: float, a2: float) -> bool:
    """Richardson's stability condition: mutual reactivity below mutual fatigue."""
    return k1 * k2 < a1 * a2
