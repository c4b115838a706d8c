"""Per-replicate outcome distributions, available whatever a run recorded.

Highest rung reached, first-agreement day, agreements kept or ended by a detected violation,
deliberate acts by initiator beside the accidental incidents, the share of replicates in which
each actor is an opportunist, and box statistics of the per-replicate tallies (days elevated,
cost, agreements).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from dualtrack.analysis.outcomes import focus_pairs, focus_sides
from dualtrack.scenario.schema import Scenario


@dataclass(frozen=True)
class BoxStats:
    """Tukey box statistics of one sample (whiskers at the most extreme values within 1.5 IQR)."""

    q1: float
    median: float
    q3: float
    low: float
    high: float
    mean: float


def box_stats(values: NDArray[np.float64]) -> BoxStats:
    """Box statistics of a sample, ignoring NaN (all NaN gives NaN everywhere)."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        nan = float("nan")
        return BoxStats(nan, nan, nan, nan, nan, nan)
    q1, median, q3 = (float(v) for v in np.quantile(values, (0.25, 0.5, 0.75)))
    reach = 1.5 * (q3 - q1)
    inside = values[(values >= q1 - reach) & (values <= q3 + reach)]
    return BoxStats(
        q1, median, q3, float(inside.min()), float(inside.max()), float(np.mean(values))
    )


@dataclass(frozen=True)
class Tally:
    """A per-replicate tally to show as box plots per doctrine."""

    title: str
    unit: str
    stats: list[BoxStats]


def outcome_tallies(results: xr.Dataset) -> list[Tally]:
    """Days elevated and cost of the subject, agreements of the focus dyad, per doctrine."""
    subject = results.attrs["subject"]
    dyad = results.attrs["focus_dyad"]
    picks = (
        ("days elevated", f"days ({subject})", results["days_elevated"].sel(actor=subject)),
        ("cost", f"cost units ({subject})", results["cost"].sel(actor=subject)),
        ("agreements formed", f"count ({dyad})", results["agreements"].sel(dyad=dyad)),
    )
    return [
        Tally(
            title,
            unit,
            [box_stats(v.astype(np.float64)) for v in values.transpose("doctrine", ...).values],
        )
        for title, unit, values in picks
    ]


def max_rung_shares(results: xr.Dataset) -> NDArray[np.float64]:
    """Share of replicates by highest rung reached in the focus dyad, (doctrine, rung)."""
    top = results["max_rung"].sel(dyad=results.attrs["focus_dyad"]).transpose("doctrine", ...)
    rungs = results["rung"].values
    values = top.values
    return np.stack([(values == r).mean(axis=1) for r in rungs.tolist()], axis=1)


def first_agreement_curves(results: xr.Dataset, days: NDArray[np.float64]) -> NDArray[np.float64]:
    """Share of replicates whose first agreement had formed by each day, (doctrine, day)."""
    first = results["first_agreement_day"].sel(dyad=results.attrs["focus_dyad"])
    curves = []
    for values in first.transpose("doctrine", ...).values:
        formed = np.sort(values[np.isfinite(values)])
        curves.append(np.searchsorted(formed, days, side="right") / max(1, values.size))
    return np.asarray(curves)


@dataclass(frozen=True)
class AgreementFates:
    """What became of the agreements of the focus dyad, per doctrine (means per replicate)."""

    formed: NDArray[np.float64]
    kept: NDArray[np.float64]
    """Ran their full term."""
    detected: NDArray[np.float64]
    """Ended because verification (or national means) detected a violation."""
    running: NDArray[np.float64]
    """Still in force at the horizon."""
    runs_with_detection: NDArray[np.float64]
    """Share of replicates with at least one detected violation."""
    runs_with_agreement: NDArray[np.float64]
    """Share of replicates with at least one agreement."""

    def detected_share(self) -> NDArray[np.float64]:
        """Share of agreements ended by a detected violation (NaN where none formed)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.formed > 0, self.detected / self.formed, np.nan)


def agreement_fates(results: xr.Dataset) -> AgreementFates:
    """Agreements formed, kept to term, ended by detection and still running, per doctrine."""
    dyad = results.attrs["focus_dyad"]

    def per_run(name: str) -> xr.DataArray:
        return results[name].sel(dyad=dyad).astype(np.float64).transpose("doctrine", ...)

    formed, kept, detected = (
        per_run("agreements"),
        per_run("agreements_kept"),
        per_run("violations_detected"),
    )
    return AgreementFates(
        formed=formed.mean("replicate", skipna=False).values,
        kept=kept.mean("replicate", skipna=False).values,
        detected=detected.mean("replicate", skipna=False).values,
        running=np.clip(
            (formed - kept - detected).mean("replicate", skipna=False).values, 0.0, None
        ),
        runs_with_detection=(detected > 0).mean("replicate", skipna=False).values,
        runs_with_agreement=(formed > 0).mean("replicate", skipna=False).values,
    )


@dataclass(frozen=True)
class Aggression:
    """Deliberate acts on the focus dyad by initiator, and its accidental incidents.

    Means per replicate, per doctrine (arrays of shape (doctrine,)); ``by_side``: side 1 and
    side 2 of the focus dyad, each with its probes and attacks against the other side.
    """

    sides: tuple[str, str]
    probes: tuple[NDArray[np.float64], NDArray[np.float64]]
    attacks: tuple[NDArray[np.float64], NDArray[np.float64]]
    acting: tuple[NDArray[np.float64], NDArray[np.float64]]
    """Share of replicates in which the side made at least one probe or attack."""
    incidents: NDArray[np.float64] | None
    """Accidental and exogenous incidents on the sectors between the two sides (None: the
    scenario names no such sector)."""
    sectors: tuple[str, ...]


def focus_sectors(results: xr.Dataset, scenario: Scenario) -> list[str]:
    """Sectors of the results that lie between the two sides of the focus dyad."""
    sides = set(focus_sides(results))
    kept = {str(s) for s in results["sector"].values}
    return [s.id for s in scenario.sectors if set(s.between) == sides and s.id in kept]


def aggression(results: xr.Dataset, scenario: Scenario) -> Aggression:
    """Probes and attacks by each side of the focus dyad, and its accidental incidents."""

    def per_run(values: xr.DataArray) -> NDArray[np.float64]:
        mean = values.astype(np.float64).mean("replicate", skipna=False)
        return np.asarray(mean.transpose("doctrine", ...).values, dtype=np.float64)

    pairs = focus_pairs(results)
    probes = tuple(per_run(results["probes"].sel(pair=p)) for p in pairs)
    attacks = tuple(per_run(results["attacks"].sel(pair=p)) for p in pairs)
    acting = tuple(
        per_run((results["probes"].sel(pair=p) + results["attacks"].sel(pair=p)) > 0) for p in pairs
    )
    sectors = focus_sectors(results, scenario)
    incidents = (
        per_run(results["incidents_total"].sel(sector=sectors).sum("sector")) if sectors else None
    )
    return Aggression(
        focus_sides(results),
        (probes[0], probes[1]),
        (attacks[0], attacks[1]),
        (acting[0], acting[1]),
        incidents,
        tuple(sectors),
    )


def opportunist_shares(results: xr.Dataset) -> dict[str, float]:
    """Per actor, the share of all replicates in which it is an opportunist (its prior realised).

    Types come from their own random stream, so every doctrine draws the same ones.
    """
    shares = (
        results["opportunist"]
        .astype(np.float64)
        .mean([d for d in ("doctrine", "replicate") if d in results["opportunist"].dims])
    )
    return {str(a): float(shares.sel(actor=a)) for a in results["actor"].values}
