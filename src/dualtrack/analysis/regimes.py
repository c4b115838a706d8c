"""Which doctrine wins where: the winner of each cell of a regime grid, with paired intervals.

At each cell and for each outcome, the *best* doctrine is the one with the lowest mean (the
first in study order if several tie). Its paired difference from every other doctrine
(best minus other, replicate by replicate on common random numbers) gets the paired
Student-t interval of :func:`dualtrack.analysis.comparison.paired_interval`. The best
doctrine *wins* the cell when each of those intervals lies below zero; otherwise the cell
has **no clear winner**, and the doctrines whose interval includes zero are reported with
the best as the set that the replicates cannot tell apart. Nothing is forced: a cell where
no doctrine ever reaches war has no clear winner on P(war).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from dualtrack.analysis.comparison import paired_interval
from dualtrack.analysis.outcomes import OUTCOME_NAMES, OUTCOMES, Outcome, estimate

DEFAULT_OUTCOMES: tuple[str, ...] = ("p_war", "p_crisis")
NO_CLEAR_WINNER = "no clear winner"


@dataclass(frozen=True)
class PairedInterval:
    """The best doctrine's outcome minus another's: mean paired difference and interval."""

    other: str
    difference: float
    low: float
    high: float

    @property
    def distinguishable(self) -> bool:
        """True when the interval excludes zero."""
        return self.low > 0.0 or self.high < 0.0

    def describe(self) -> dict[str, float]:
        """Plain mapping (for JSON)."""
        return {"difference": self.difference, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Verdict:
    """One outcome at one cell: the best doctrine, whether it wins, and its intervals."""

    outcome: str
    best: str
    winner: str | None
    """The best doctrine when every paired interval against it excludes zero, else None."""
    means: Mapping[str, float]
    against: tuple[PairedInterval, ...]
    indistinguishable: tuple[str, ...]
    """The best doctrine and those it cannot be told apart from (empty when it wins)."""

    @property
    def label(self) -> str:
        """The winner's name, or ``no clear winner``."""
        return self.winner if self.winner is not None else NO_CLEAR_WINNER


def decide(
    outcome: str,
    values: Mapping[str, NDArray[np.float64]],
    confidence: float = 0.95,
) -> Verdict:
    """The verdict from each doctrine's per-replicate values (paired: replicate r of each
    doctrine drew the same random numbers)."""
    names = list(values)
    if len(names) < 2:
        raise ValueError(f"a winner needs at least two doctrines, found {names}")
    sizes = {len(v) for v in values.values()}
    if len(sizes) != 1:
        raise ValueError("paired comparison needs the same replicates for every doctrine")
    means = {name: float(np.mean(values[name])) for name in names}
    best = min(names, key=lambda name: means[name])  # the first of equal means
    against = []
    for other in names:
        if other == best:
            continue
        mean, low, high = paired_interval(values[best] - values[other], confidence)
        against.append(PairedInterval(other, mean, low, high))
    wins = all(interval.high < 0.0 for interval in against)
    tied = () if wins else (best, *(i.other for i in against if not i.distinguishable))
    return Verdict(outcome, best, best if wins else None, means, tuple(against), tied)


@dataclass(frozen=True)
class RegimeCell:
    """The verdicts at one cell of the grid."""

    i: int
    j: int
    x: float
    y: float
    verdicts: Mapping[str, Verdict]


@dataclass(frozen=True)
class RegimeMap:
    """Verdicts over the whole grid, with what the grid swept."""

    x_path: str
    y_path: str
    x_values: tuple[float, ...]
    y_values: tuple[float, ...]
    doctrines: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    confidence: float
    replicates: int
    cells: tuple[RegimeCell, ...]
    estimates: pd.DataFrame
    """Each cell's, doctrine's and outcome's estimate with its interval."""

    def cell(self, i: int, j: int) -> RegimeCell:
        """The cell at x index ``i`` and y index ``j``."""
        return self.cells[i * len(self.y_values) + j]

    def winners_table(self) -> pd.DataFrame:
        """One row per cell and outcome: best doctrine, winner (or none), the tied set."""
        rows = [
            {
                "x_path": self.x_path,
                "x": cell.x,
                "y_path": self.y_path,
                "y": cell.y,
                "outcome": verdict.outcome,
                "best": verdict.best,
                "winner": verdict.label,
                "indistinguishable": ", ".join(verdict.indistinguishable),
                **{f"mean_{name}": verdict.means[name] for name in self.doctrines},
            }
            for cell in self.cells
            for verdict in cell.verdicts.values()
        ]
        return pd.DataFrame(rows)

    def intervals_table(self) -> pd.DataFrame:
        """One row per cell, outcome and other doctrine: best minus other, paired interval."""
        rows = [
            {
                "x": cell.x,
                "y": cell.y,
                "outcome": verdict.outcome,
                "best": verdict.best,
                "other": interval.other,
                "difference": interval.difference,
                "low": interval.low,
                "high": interval.high,
                "distinguishable": interval.distinguishable,
                "confidence": self.confidence,
                "replicates": self.replicates,
            }
            for cell in self.cells
            for verdict in cell.verdicts.values()
            for interval in verdict.against
        ]
        return pd.DataFrame(rows)

    def to_json(self) -> list[dict[str, Any]]:
        """Per cell: the axis values and, per outcome, the winner and its paired intervals."""
        return [
            {
                "x": {"path": self.x_path, "value": cell.x},
                "y": {"path": self.y_path, "value": cell.y},
                "outcomes": {
                    name: {
                        "winner": verdict.winner,
                        "best": verdict.best,
                        "indistinguishable": list(verdict.indistinguishable),
                        "against": {i.other: i.describe() for i in verdict.against},
                    }
                    for name, verdict in cell.verdicts.items()
                },
            }
            for cell in self.cells
        ]

    def region_counts(self, outcome: str) -> dict[str, int]:
        """Cells won by each doctrine, and cells with no clear winner."""
        counts = {name: 0 for name in (*self.doctrines, NO_CLEAR_WINNER)}
        for cell in self.cells:
            counts[cell.verdicts[outcome].label] += 1
        return counts


def outcomes_named(names: Sequence[str]) -> tuple[Outcome, ...]:
    """The outcomes of ``names``; an unknown name is a ``KeyError`` listing the known ones."""
    unknown = [name for name in names if name not in OUTCOME_NAMES]
    if unknown or not names:
        found = f"found {unknown[0]!r}" if unknown else "found none"
        raise KeyError(f"expected outcomes from {', '.join(OUTCOME_NAMES)}; {found}")
    by_name = {o.name: o for o in OUTCOMES}
    return tuple(by_name[name] for name in dict.fromkeys(names))


def analyse_regimes(
    results: xr.Dataset,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    confidence: float = 0.95,
) -> RegimeMap:
    """The regime map of a grid's results (dims ``x``, ``y``, ``doctrine``, ``replicate``)."""
    chosen = outcomes_named(outcomes)
    doctrines = tuple(str(d) for d in results["doctrine"].values)
    x_values = tuple(float(v) for v in results["x"].values)
    y_values = tuple(float(v) for v in results["y"].values)
    cells = []
    rows = []
    for i, x in enumerate(x_values):
        for j, y in enumerate(y_values):
            at = results.isel(x=i, y=j)
            per_doctrine = {name: at.sel(doctrine=name) for name in doctrines}
            verdicts = {}
            for outcome in chosen:
                values = {name: outcome.extract(ds) for name, ds in per_doctrine.items()}
                verdicts[outcome.name] = decide(outcome.name, values, confidence)
                for name, ds in per_doctrine.items():
                    rows.append(
                        {
                            "x": x,
                            "y": y,
                            "doctrine": name,
                            "outcome": outcome.name,
                            "label": outcome.label,
                            "unit": outcome.unit,
                            **estimate(outcome, ds, confidence),
                        }
                    )
            cells.append(RegimeCell(i, j, x, y, verdicts))
    return RegimeMap(
        x_path=str(results.attrs.get("x_path", results["x"].attrs.get("path", "x"))),
        y_path=str(results.attrs.get("y_path", results["y"].attrs.get("path", "y"))),
        x_values=x_values,
        y_values=y_values,
        doctrines=doctrines,
        outcomes=chosen,
        confidence=confidence,
        replicates=int(results.sizes["replicate"]),
        cells=tuple(cells),
        estimates=pd.DataFrame(rows),
    )
