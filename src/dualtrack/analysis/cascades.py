"""Cascade origins: which dyad's war most often starts a wider war.

A replicate *cascades* when war spreads: at least ``min_wars`` dyads reach war during the run,
or an ally is pulled into a conflict (``pulled_in``). Its *origin* is the dyad that reached war
first (``first_war_day``). Dyads already at war when the run starts are the status quo: they
neither count as wars that spread nor as origins, unless nothing else reached war.

A cascade through an alliance puts the origin and the dyads it drags in at war on the same
step (the joining ally's own dyad goes to war when it joins), so the first war day often ties.
Ties are broken, where the dataset holds per-step ``escalation`` trajectories, by which dyad
climbed first to limited conflict, then to armed incident, and so on down the ladder (a dyad
dragged in jumps straight to war; the origin climbed rung by rung). Ties that remain, and all
ties in summary-only datasets, split the credit equally between the tied dyads.

Shares of origins get Wilson intervals (:func:`dualtrack.analysis.outcomes.
proportion_interval`), computed on the origin count rounded to whole cascades where ties split
it. The functions work on stored results (one run, or a study with a ``doctrine`` dimension).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from dualtrack.analysis.outcomes import proportion_interval
from dualtrack.engine import outputs
from dualtrack.scenario.ladder import Rung

REQUIRED = ("first_war_day", "max_rung", "pulled_in")
"""Variables a dataset needs for the cascade analysis."""
TIE_BREAK_RUNGS: tuple[int, ...] = tuple(range(int(Rung.LIMITED_CONFLICT), 0, -1))
"""Rungs whose first-reach step breaks ties, highest first."""


def _check(ds: xr.Dataset) -> None:
    missing = [name for name in REQUIRED if name not in ds]
    if missing:
        raise ValueError(
            f"expected a results dataset with {', '.join(REQUIRED)}; missing "
            f"{', '.join(missing)} (available: {', '.join(map(str, ds.data_vars))})"
        )


def _by_doctrine(ds: xr.Dataset) -> Iterator[tuple[str, xr.Dataset]]:
    """Each doctrine's dataset (a study has a ``doctrine`` dimension; a run has one doctrine)."""
    if "doctrine" in ds.dims:
        for name in ds["doctrine"].values:
            yield str(name), ds.sel(doctrine=name)
    else:
        yield str(ds.attrs.get("doctrine", "")), ds


def _first_reach(escalation: NDArray[np.int8], rung: int) -> NDArray[np.float64]:
    """Step at which each dyad first reached ``rung`` or above (inf: never), (dyad,)."""
    reached = escalation >= rung
    first = np.argmax(reached, axis=0).astype(np.float64)
    return np.where(reached.any(axis=0), first, np.inf)


def origin_credit(ds: xr.Dataset, min_wars: int = 2) -> xr.DataArray:
    """Credit of each dyad as the origin of each replicate's cascade, (replicate, dyad).

    A cascading replicate's row sums to 1 (shared between tied dyads); other rows are 0. The
    dataset must hold one doctrine (select one from a study first).
    """
    _check(ds)
    if "doctrine" in ds.dims:
        raise ValueError("expected one doctrine; select one with ds.sel(doctrine=...)")
    war_day = ds["first_war_day"].transpose("replicate", "dyad").values
    new_war = np.isfinite(war_day) & (war_day > 0)
    pulled = ds["pulled_in"].transpose("replicate", "actor").values.any(axis=1)
    cascading = (new_war.sum(axis=1) >= min_wars) | pulled
    trajectories = outputs.full_trajectories(ds, "escalation")
    escalation = (
        None if trajectories is None else trajectories.transpose("replicate", "time", "dyad").values
    )
    credit = np.zeros(war_day.shape)
    for replicate in np.flatnonzero(cascading):
        candidates = (
            new_war[replicate] if new_war[replicate].any() else np.isfinite(war_day[replicate])
        )
        if not candidates.any():
            continue
        days = np.where(candidates, war_day[replicate], np.inf)
        tied = np.flatnonzero(days == days.min())
        if escalation is not None and len(tied) > 1:
            for rung in TIE_BREAK_RUNGS:
                steps = _first_reach(escalation[replicate][:, tied], rung)
                tied = tied[steps == steps.min()]
                if len(tied) == 1:
                    break
        credit[replicate, tied] = 1.0 / len(tied)
    return xr.DataArray(
        credit,
        dims=("replicate", "dyad"),
        coords={"replicate": ds["replicate"].values, "dyad": ds["dyad"].values},
        attrs={
            "units": "1",
            "description": "Share of the replicate's cascade credited to the "
            f"dyad as its origin (cascade: >= {min_wars} dyads at war, or an ally pulled in)",
        },
    )


def _interval(successes: float, trials: int, confidence: float) -> tuple[float, float]:
    if trials == 0:
        return float("nan"), float("nan")
    return proportion_interval(int(round(successes)), trials, confidence)


def cascade_summary(ds: xr.Dataset, min_wars: int = 2, confidence: float = 0.95) -> pd.DataFrame:
    """One row per doctrine: how often war spread, with a Wilson interval.

    Columns: doctrine, replicates, cascades, p_cascade, low, high, tied (cascades whose origin
    stayed tied after tie-breaking), min_wars, confidence.
    """
    rows = []
    for doctrine, one in _by_doctrine(ds):
        credit = origin_credit(one, min_wars).values
        cascading = credit.sum(axis=1) > 0
        cascades = int(cascading.sum())
        replicates = int(credit.shape[0])
        low, high = _interval(cascades, replicates, confidence)
        rows.append(
            {
                "doctrine": doctrine,
                "replicates": replicates,
                "cascades": cascades,
                "p_cascade": cascades / replicates if replicates else float("nan"),
                "low": low,
                "high": high,
                "tied": int(np.sum(np.max(credit, axis=1)[cascading] < 1.0)),
                "min_wars": min_wars,
                "confidence": confidence,
            }
        )
    return pd.DataFrame(rows)


def cascade_origins(
    ds: xr.Dataset,
    min_wars: int = 2,
    confidence: float = 0.95,
    *,
    include_zero: bool = False,
) -> pd.DataFrame:
    """Which dyads start cascades: one row per doctrine and origin dyad, most frequent first.

    Columns: doctrine, dyad, origins (credit summed over cascades; fractional where ties were
    split), cascades (cascading replicates of the doctrine), share (origins / cascades), low
    and high (Wilson interval of the share), replicates. Dyads that never started a cascade
    are left out unless ``include_zero``; a doctrine without cascades has no rows then.
    """
    rows = []
    for doctrine, one in _by_doctrine(ds):
        credit = origin_credit(one, min_wars)
        cascades = int((credit.values.sum(axis=1) > 0).sum())
        totals = credit.sum("replicate")
        for dyad, origins in zip(totals["dyad"].values, totals.values, strict=True):
            if origins <= 0 and not include_zero:
                continue
            low, high = _interval(float(origins), cascades, confidence)
            rows.append(
                {
                    "doctrine": doctrine,
                    "dyad": str(dyad),
                    "origins": float(origins),
                    "cascades": cascades,
                    "share": float(origins) / cascades if cascades else float("nan"),
                    "low": low,
                    "high": high,
                    "replicates": int(credit.sizes["replicate"]),
                }
            )
    columns = ["doctrine", "dyad", "origins", "cascades", "share", "low", "high", "replicates"]
    table = pd.DataFrame(rows, columns=columns)
    if table.empty:
        return table
    order = {name: k for k, name in enumerate(dict.fromkeys(table["doctrine"]))}
    table["_order"] = table["doctrine"].map(order)
    table = table.sort_values(["_order", "origins", "dyad"], ascending=[True, False, True])
    return table.drop(columns="_order").reset_index(drop=True)
