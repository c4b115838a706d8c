"""Posterior predictive checks: does the fitted model produce statistics like the observed ones?

For every statistic, the prior and posterior predictive distributions of one simulated run
(each predictive draw's parameters, every replicate) are summarised by their 5, 25, 50, 75 and
95% points and set beside the observed value, with the predictive tail probability

    p = P(s_sim < s_obs) + P(s_sim = s_obs) / 2

(the mid-p value of discrete statistics; Gelman, Meng & Stern 1996, *Statistica Sinica* 6:
733-807, for posterior predictive p-values). A value of ``p`` below 5% or above 95% says the
observed statistic lies in a tail of what the fitted model produces: a misfit the report
shows, not a failure of the code. The check of the statistic ABC fitted (the mean over a
particle's replicates) is the ``mean_*`` columns: its distribution over predictive draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
TAIL = 0.05
"""A predictive tail probability below this (or above 1 - this) marks the statistic."""


def _tail(values: np.ndarray, observed: float) -> float:
    values = values[np.isfinite(values)]
    if not len(values):
        return float("nan")
    return float(np.mean(values < observed) + 0.5 * np.mean(values == observed))


def predictive_check(observed: pd.Series, prior: xr.Dataset, posterior: xr.Dataset) -> pd.DataFrame:
    """One row per statistic: observed, prior and posterior predictive quantiles, tail p."""
    rows = []
    names = [str(s) for s in posterior["statistic"].values]
    for k, name in enumerate(names):
        row: dict[str, float | str | bool] = {"statistic": name, "observed": float(observed[name])}
        for label, predictive in (("prior", prior), ("posterior", posterior)):
            runs = predictive["statistics"].isel(statistic=k).to_numpy().ravel()
            finite = runs[np.isfinite(runs)]
            points = np.quantile(finite, QUANTILES) if len(finite) else [np.nan] * len(QUANTILES)
            for q, value in zip(QUANTILES, points, strict=True):
                row[f"{label}_q{int(q * 100):02d}"] = float(value)
            row[f"{label}_p"] = _tail(runs, float(observed[name]))
        means = posterior["statistics"].isel(statistic=k).mean("replicate").to_numpy()
        low, high = np.nanquantile(means, [QUANTILES[0], QUANTILES[-1]])
        row["mean_q05"], row["mean_q95"] = float(low), float(high)
        p = float(row["posterior_p"])
        row["in_tail"] = bool(p < TAIL or p > 1 - TAIL)
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs = {"quantiles": QUANTILES, "tail": TAIL}
    return table
