"""Outcome estimates with confidence intervals from the replicates of a run.

Probabilities are shares of replicates and get Wilson score intervals (Wilson 1927; Brown, Cai
& DasGupta 2001); expectations are means with Student-t intervals. Both treat replicates as
independent draws, which they are: each has its own random stream.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray
from scipy import stats

from dualtrack.scenario.ladder import Rung


@dataclass(frozen=True)
class Outcome:
    """One reported outcome: how to read it from a dataset, and whether it is a probability."""

    name: str
    label: str
    kind: str  # "probability" or "mean"
    unit: str
    extract: Callable[[xr.Dataset], NDArray[np.float64]]


def _focus(ds: xr.Dataset) -> xr.Dataset:
    return ds.sel(dyad=ds.attrs["focus_dyad"])


def _subject(ds: xr.Dataset) -> xr.Dataset:
    return ds.sel(actor=ds.attrs["subject"])


def _reached(rung: Rung) -> Callable[[xr.Dataset], NDArray[np.float64]]:
    return lambda ds: (_focus(ds).max_rung >= int(rung)).values.astype(np.float64)


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("p_crisis", "P(crisis)", "probability", "1", _reached(Rung.CRISIS)),
    Outcome(
        "p_armed_incident", "P(armed incident)", "probability", "1", _reached(Rung.ARMED_INCIDENT)
    ),
    Outcome("p_war", "P(war)", "probability", "1", _reached(Rung.WAR)),
    Outcome(
        "p_horizontal",
        "P(horizontal escalation)",
        "probability",
        "1",
        _reached(Rung.HORIZONTAL_ESCALATION),
    ),
    Outcome("p_nuclear", "P(nuclear use)", "probability", "1", _reached(Rung.NUCLEAR_USE)),
    Outcome(
        "agreements",
        "E[agreements]",
        "mean",
        "count",
        lambda ds: _focus(ds).agreements.values.astype(np.float64),
    ),
    Outcome(
        "days_elevated",
        "Days elevated",
        "mean",
        "days",
        lambda ds: _subject(ds).days_elevated.values.astype(np.float64),
    ),
    Outcome(
        "cost", "Cost", "mean", "cost units", lambda ds: _subject(ds).cost.values.astype(np.float64)
    ),
)
OUTCOME_NAMES: tuple[str, ...] = tuple(o.name for o in OUTCOMES)


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


def estimate(outcome: Outcome, ds: xr.Dataset, confidence: float = 0.95) -> dict[str, float]:
    """Point estimate and interval of one outcome."""
    values = outcome.extract(ds)
    if outcome.kind == "probability":
        low, high = proportion_interval(int(values.sum()), len(values), confidence)
    else:
        low, high = mean_interval(values, confidence)
    return {"estimate": float(np.mean(values)), "low": low, "high": high}


def summary_table(
    results: Mapping[str, xr.Dataset],
    confidence: float = 0.95,
    outcomes: Sequence[Outcome] = OUTCOMES,
) -> pd.DataFrame:
    """One row per doctrine and outcome: estimate, interval, method, replicates."""
    rows = []
    for doctrine, ds in results.items():
        for outcome in outcomes:
            row = estimate(outcome, ds, confidence)
            rows.append(
                {
                    "doctrine": doctrine,
                    "outcome": outcome.name,
                    "label": outcome.label,
                    "unit": outcome.unit,
                    **row,
                    "interval": "wilson" if outcome.kind == "probability" else "student-t",
                    "confidence": confidence,
                    "replicates": ds.sizes["replicate"],
                }
            )
    return pd.DataFrame(rows)
