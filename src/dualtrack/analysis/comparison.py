"""Paired comparison of doctrines run on common random numbers.

Replicate ``r`` of every doctrine in a study draws the same random numbers, so the
per-replicate difference ``d_r = y_r(doctrine) - y_r(reference)`` removes the noise the
doctrines share. Its mean gets a Student-t interval from the spread of the differences
(paired design); the unpaired (Welch) interval, which ignores the pairing, is reported beside
it to show what the common random numbers bought (Law 2015, ch. 11).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray
from scipy import stats

from dualtrack.analysis.outcomes import OUTCOMES, Outcome


def paired_interval(
    differences: NDArray[np.float64], confidence: float
) -> tuple[float, float, float]:
    """Mean difference and its paired Student-t interval."""
    mean = float(np.mean(differences))
    n = len(differences)
    sem = float(np.std(differences, ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    if sem == 0.0:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * sem
    return mean, mean - half, mean + half


def unpaired_interval(
    values: NDArray[np.float64], reference: NDArray[np.float64], confidence: float
) -> tuple[float, float]:
    """Welch interval for the difference of two means, ignoring the pairing."""
    n1, n2 = len(values), len(reference)
    v1 = float(np.var(values, ddof=1)) / n1 if n1 > 1 else 0.0
    v2 = float(np.var(reference, ddof=1)) / n2 if n2 > 1 else 0.0
    mean = float(np.mean(values) - np.mean(reference))
    se = np.sqrt(v1 + v2)
    if se == 0.0:
        return mean, mean
    df = (v1 + v2) ** 2 / (
        (v1**2 / (n1 - 1) if n1 > 1 else 0.0) + (v2**2 / (n2 - 1) if n2 > 1 else 0.0)
    )
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df)) * se
    return mean - half, mean + half


def _difference_row(
    outcome: Outcome, ds: xr.Dataset, reference: xr.Dataset, confidence: float
) -> dict[str, float | bool]:
    values, base = outcome.extract(ds), outcome.extract(reference)
    if len(values) != len(base):
        raise ValueError("paired comparison needs the same replicates for every doctrine")
    mean, low, high = paired_interval(values - base, confidence)
    unpaired_low, unpaired_high = unpaired_interval(values, base, confidence)
    return {
        "difference": mean,
        "low": low,
        "high": high,
        "unpaired_low": unpaired_low,
        "unpaired_high": unpaired_high,
        "distinguishable": bool(low > 0.0 or high < 0.0),
    }


def paired_differences(
    results: Mapping[str, xr.Dataset],
    reference: str,
    confidence: float = 0.95,
    outcomes: Sequence[Outcome] = OUTCOMES,
) -> pd.DataFrame:
    """Each doctrine's outcomes minus the reference doctrine's, with paired intervals."""
    if reference not in results:
        raise KeyError(
            f"reference doctrine {reference!r} was not run; doctrines run are {', '.join(results)}"
        )
    for name, ds in results.items():
        if ds.attrs.get("seed") != results[reference].attrs.get("seed"):
            raise ValueError(f"doctrine {name!r} used another seed: its runs are not paired")
    rows = []
    for name, ds in results.items():
        if name == reference:
            continue
        for outcome in outcomes:
            rows.append(
                {
                    "doctrine": name,
                    "reference": reference,
                    "outcome": outcome.name,
                    "label": outcome.label_for(ds),
                    "unit": outcome.unit,
                    **_difference_row(outcome, ds, results[reference], confidence),
                    "confidence": confidence,
                    "replicates": ds.sizes["replicate"],
                }
            )
    return pd.DataFrame(rows)
