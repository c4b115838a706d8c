"""Confidence intervals for shares and means of independent replicates.

Shares get Wilson score intervals (Wilson 1927; Brown, Cai & DasGupta 2001), means Student-t
intervals. Experiments (game forecasts) and analysis (outcome tables) use the same ones.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats


def proportion_interval(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    result = stats.binomtest(int(successes), int(trials)).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return float(result.low), float(result.high)


def mean_interval(values: NDArray[np.float64], confidence: float) -> tuple[float, float]:
    """Student-t interval for a mean (degenerate when every value is equal)."""
    mean = float(np.mean(values))
    sem = float(stats.sem(values)) if len(values) > 1 else 0.0
    if not np.isfinite(sem) or sem == 0.0:
        return mean, mean
    low, high = stats.t.interval(confidence, len(values) - 1, loc=mean, scale=sem)
    return float(low), float(high)
