"""Outcome estimates with confidence intervals from the replicates of a run.

Outcomes are read on the focus dyad (escalation, agreements, deliberate aggression) or the
subject (days elevated, cost). Deliberate aggression (the probes and attacks an opportunist
chooses) is kept apart from the accidental and exogenous incidents: any act by either side,
and the acts of each side of the focus dyad (``side 1`` and ``side 2`` in the order of the
dyad's id, named by :meth:`Outcome.label_for`), so a table says whose opportunists act.

Probabilities are shares of replicates and get Wilson score intervals (Wilson 1927; Brown, Cai
& DasGupta 2001); expectations are means with Student-t intervals (both from
:mod:`dualtrack.experiments.intervals`, re-exported here). Both treat replicates as
independent draws, which they are: each has its own random stream.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from dualtrack.experiments.intervals import mean_interval, proportion_interval
from dualtrack.scenario.ladder import Rung


@dataclass(frozen=True)
class Outcome:
    """One reported outcome: how to read it from a dataset, and whether it is a probability."""

    name: str
    label: str
    """Label; one side's outcome says ``side 1`` or ``side 2`` of the focus dyad."""
    kind: str  # "probability" or "mean"
    unit: str
    extract: Callable[[xr.Dataset], NDArray[np.float64]]

    def label_for(self, ds: xr.Dataset) -> str:
        """The label with the focus dyad's sides named by their ids (``side 1`` -> ``BLR``)."""
        names = ("side 1", "side 2")
        if not any(name in self.label for name in names):
            return self.label
        label = self.label
        for name, side in zip(names, focus_sides(ds), strict=True):
            label = label.replace(name, side)
        return label


def focus_sides(ds: xr.Dataset) -> tuple[str, str]:
    """The two actors of the focus dyad in the order of its id (``BLR-UKR``: BLR, UKR)."""
    focus = str(ds.attrs["focus_dyad"])
    first = next(str(a) for a in ds["actor"].values if focus.startswith(f"{a}-"))
    return first, focus[len(first) + 1 :]


def focus_pairs(ds: xr.Dataset) -> tuple[str, str]:
    """The focus dyad's two directed pairs: side 1 towards side 2, and side 2 towards side 1."""
    first, second = focus_sides(ds)
    observers = ds["pair_observer"].values.astype(str)
    targets = ds["pair_target"].values.astype(str)
    pairs = ds["pair"].values.astype(str)

    def pair(observer: str, target: str) -> str:
        return str(pairs[(observer == observers) & (target == targets)][0])

    return pair(first, second), pair(second, first)


def _focus(ds: xr.Dataset) -> xr.Dataset:
    return ds.sel(dyad=ds.attrs["focus_dyad"])


def deliberate_acts(ds: xr.Dataset, kinds: Sequence[str] = ("probes", "attacks")) -> xr.DataArray:
    """Deliberate acts of each kind summed, per replicate and focus pair (dims ..., pair).

    The pair's observer is the initiator, its target the side acted against.
    """
    return ds[list(kinds)].sel(pair=list(focus_pairs(ds))).to_dataarray("kind").sum("kind")


def _any_act(side: int | None) -> Callable[[xr.Dataset], NDArray[np.float64]]:
    def extract(ds: xr.Dataset) -> NDArray[np.float64]:
        acts = deliberate_acts(ds)
        acts = acts.sum("pair") if side is None else acts.isel(pair=side)
        return (acts > 0).values.astype(np.float64)

    return extract


def _acts(kind: str) -> Callable[[xr.Dataset], NDArray[np.float64]]:
    return lambda ds: deliberate_acts(ds, (kind,)).sum("pair").values.astype(np.float64)


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
    Outcome("p_aggression", "P(deliberate aggression)", "probability", "1", _any_act(None)),
    Outcome("p_aggression_side1", "P(aggression by side 1)", "probability", "1", _any_act(0)),
    Outcome("p_aggression_side2", "P(aggression by side 2)", "probability", "1", _any_act(1)),
    Outcome("probes", "E[probes]", "mean", "count", _acts("probes")),
    Outcome("attacks", "E[attacks]", "mean", "count", _acts("attacks")),
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
                    "label": outcome.label_for(ds),
                    "unit": outcome.unit,
                    **row,
                    "interval": "wilson" if outcome.kind == "probability" else "student-t",
                    "confidence": confidence,
                    "replicates": ds.sizes["replicate"],
                }
            )
    return pd.DataFrame(rows)
