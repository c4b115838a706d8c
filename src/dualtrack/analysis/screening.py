"""Screening a sweep's inputs: which parameters an analysis looks at, and a quick score of each.

Feature scores rank the parameters by |Spearman rank correlation| with an outcome, a quick
screen to hand PRIM few inputs when there are many (it is blind to effects that are not
monotonic; the Morris and Sobol' measures of :mod:`dualtrack.analysis.sensitivity` are not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from dualtrack.scenario.uncertainty import UncertainParameter, path_pattern


@dataclass(frozen=True)
class FeatureScore:
    """How monotonically one input moves an outcome."""

    parameter: str
    spearman: float
    """Spearman rank correlation of the input with the outcome."""

    @property
    def score(self) -> float:
        """|spearman|: the ranking key."""
        return abs(self.spearman)


def feature_scores(x: pd.DataFrame, values: NDArray[np.float64]) -> tuple[FeatureScore, ...]:
    """The feature score of each input (a column of ``x``) for the outcome, largest first."""
    ranks = x.rank().to_numpy(dtype=np.float64, copy=True)
    target = stats.rankdata(values)
    ranks -= ranks.mean(axis=0)
    target -= target.mean()
    spread = np.sqrt((ranks**2).sum(axis=0) * (target**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(spread > 0, (ranks * target[:, None]).sum(axis=0) / spread, 0.0)
    order = np.argsort(-np.abs(rho), kind="stable")
    return tuple(FeatureScore(str(x.columns[j]), float(rho[j])) for j in order)


def uncertain_subset(
    parameters: Sequence[UncertainParameter], patterns: Sequence[str]
) -> list[UncertainParameter]:
    """The parameters whose paths match one of the patterns (``*``, ``?``; a miss is an error)."""
    matched = [
        p
        for p in parameters
        if any(path_pattern(pattern).fullmatch(p.path) for pattern in patterns)
    ]
    missing = [
        pattern
        for pattern in patterns
        if not any(path_pattern(pattern).fullmatch(p.path) for p in parameters)
    ]
    if missing:
        raise KeyError(f"no parameter of the sweep matches {', '.join(map(repr, missing))}")
    return matched
