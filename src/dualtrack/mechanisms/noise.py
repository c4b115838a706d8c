"""What perception noise explains: the spread of a smoothed estimate, and the excess beyond it.

An estimate smoothed with weight ``alpha`` (``perception.update_estimate``) from daily
observations ``x * F``, ``F`` log-normal with mean one and log-sd ``sigma``, fluctuates in
its stationary state with relative standard deviation (an exponentially weighted mean of
independent factors)

    sd_rel = sqrt(expm1(sigma**2) * alpha / (2 - alpha))

A relative excess ``e`` (perceived over expected, minus one) counts only beyond ``z`` such
standard deviations (a soft threshold; Jervis 1976 on reading noise as intent):

    e_beyond = sign(e) * max(|e| - z * sd_rel, 0)

so noise alone moves responses and ripeness by little (for Gaussian noise the mean positive
part at ``z = 2`` is under 1% of ``sd_rel``; for the model's log-normal noise at the defaults
the mean positive excess falls from about 5.5% to 0.3% of strength), while a real build-up
counts, less the band.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dualtrack.mechanisms.arrays import namespace

Array = NDArray[np.float64]


def smoothed_relative_sd(sigma: ArrayLike, alpha: float) -> Array:
    """Stationary relative standard deviation of a smoothed noisy estimate."""
    xp = namespace(sigma)
    s = xp.asarray(sigma, dtype=np.float64)
    return xp.sqrt(xp.expm1(s**2) * alpha / (2.0 - alpha))


def beyond_noise(excess: ArrayLike, sd: ArrayLike, band: float) -> Array:
    """The part of a relative excess beyond ``band`` standard deviations of noise."""
    xp = namespace(excess, sd)
    e = xp.asarray(excess, dtype=np.float64)
    return xp.sign(e) * xp.maximum(xp.abs(e) - band * xp.asarray(sd), 0.0)
