"""Tension index: a decayed conflict-cooperation series per dyad and track from coded events.

Each coded event ``e`` carries the Goldstein (1992) score ``g_e`` of its CAMEO code (-10 most
conflictual, +10 most cooperative). For an unordered dyad ``d`` (e.g. BLR-UKR: who acted on
whom is not distinguished) and a track ``k`` (deterrence, dialogue or context), the index on
day ``t`` is

    T_dk(t) = sum over events e of d and k with t_e <= t of  g_e * 2 ** (-(t - t_e) / h)

with ``t`` and ``t_e`` in days and ``h`` the half-life in days (default 30): an event counts
in full on its day and half as much ``h`` days later. Computed on a daily grid by the exact
recursion ``T(t) = 2 ** (-1 / h) * T(t - 1) + G(t)``, where ``G(t)`` is the sum of the
scores coded on day ``t``. Negative values mean that conflictual events dominate the recent
past, positive values that cooperative ones do.

Sources and what is ours: the scale is Goldstein's (Goldstein, J. S. 1992, "A
Conflict-Cooperation Scale for WEIS Events Data", Journal of Conflict Resolution 36(2):
369-385), in the CAMEO version shipped in ``data/cameo/goldstein.csv``. Summing the
Goldstein scores of a dyad's events over fixed periods (weeks, months) is the common way to
turn event data into a net conflict-cooperation series (e.g. Schrodt & Gerner 1994, American
Journal of Political Science 38(3): 825-854; Goldstein & Pevehouse 1997, American Political
Science Review 91(3): 515-529). Replacing the fixed period by an exponential kernel with a
half-life is our choice, made because a sparse hand-coded chronology (59 events over 24
years) leaves most weeks empty; it is an exponentially weighted moving sum, not a published
standard. Events coded with month or year precision sit on the first day of their period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from dualtrack.analysis.files import save_figure
from dualtrack.analysis.history.events import TRACKS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DEFAULT_HALF_LIFE_DAYS = 30.0
FOCUS_DYAD = "BLR-UKR"


def decay_per_day(half_life_days: float) -> float:
    """Factor by which the index shrinks per day: ``2 ** (-1 / h)``."""
    if not half_life_days > 0:
        raise ValueError(f"expected a half-life > 0 days, found {half_life_days}")
    return float(2.0 ** (-1.0 / half_life_days))


@dataclass(frozen=True)
class TensionIndex:
    """Decayed Goldstein series per dyad and track (see the module docstring for the formula).

    ``values`` has one row per day (or per week, see :meth:`weekly`) indexed by ``date`` and
    one column per (dyad, track) pair, in Goldstein points.
    """

    values: pd.DataFrame
    half_life_days: float

    @classmethod
    def from_events(
        cls,
        events: pd.DataFrame,
        *,
        half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
        start: str | dt.date | None = None,
        end: str | dt.date | None = None,
    ) -> TensionIndex:
        """Index of the given events, daily from ``start`` to ``end`` (inclusive).

        The defaults span the first to the last event. Events before ``start`` still count,
        decayed; events after ``end`` do not.
        """
        rate = decay_per_day(half_life_days)
        if events.empty and (start is None or end is None):
            raise ValueError("no events: give both start and end for an empty index")
        first = pd.Timestamp(start) if start is not None else events["date"].min()
        last = pd.Timestamp(end) if end is not None else events["date"].max()
        if last < first:
            raise ValueError(f"expected end on or after {first.date()}, found {last.date()}")
        used = events.loc[events["date"] <= last]
        origin = min(first, used["date"].min()) if not used.empty else first
        grid = pd.date_range(origin, last, freq="D", name="date")
        columns = []
        series = []
        for (dyad, track), group in used.groupby(["dyad", "track"], sort=True):
            impulses = np.zeros(len(grid))
            offsets = (group["date"] - origin).dt.days.to_numpy()
            np.add.at(impulses, offsets, group["goldstein"].to_numpy(dtype=float))
            series.append(lfilter([1.0], [1.0, -rate], impulses))
            columns.append((dyad, track))
        index = pd.MultiIndex.from_tuples(columns, names=["dyad", "track"])
        data = np.column_stack(series) if series else np.zeros((len(grid), 0))
        values = pd.DataFrame(data, index=grid, columns=index).loc[first:last]
        values.attrs = {
            "units": "Goldstein points",
            "half_life_days": half_life_days,
            "description": "Decayed sum of Goldstein scores per dyad and track",
        }
        return cls(values=values, half_life_days=half_life_days)

    @property
    def dyads(self) -> list[str]:
        """Dyads with at least one event."""
        return list(dict.fromkeys(self.values.columns.get_level_values("dyad")))

    def series(self, dyad: str, track: str) -> pd.Series:
        """Index of one dyad and track (zeros where the pair has no events)."""
        if track not in TRACKS:
            raise KeyError(f"unknown track {track!r}; tracks are {', '.join(TRACKS)}")
        if (dyad, track) in self.values.columns:
            found = self.values[(dyad, track)]
            return pd.Series(found.to_numpy(), index=self.values.index, name=f"{dyad} {track}")
        if dyad not in self.dyads:
            known = ", ".join(self.dyads)
            raise KeyError(f"unknown dyad {dyad!r}; dyads with events are {known}")
        return pd.Series(0.0, index=self.values.index, name=f"{dyad} {track}")

    def total(self, track: str) -> pd.Series:
        """Index of one track summed over every dyad."""
        if track not in TRACKS:
            raise KeyError(f"unknown track {track!r}; tracks are {', '.join(TRACKS)}")
        chosen = [c for c in self.values.columns if c[1] == track]
        total = self.values.loc[:, chosen].sum(axis=1).to_numpy(dtype=float)
        return pd.Series(total, index=self.values.index, name=track)

    def weekly(self) -> TensionIndex:
        """Weekly series: the index at the end of each week (weeks end on Sunday)."""
        values = self.values.resample("W-SUN").last()
        values.attrs = dict(self.values.attrs)
        return TensionIndex(values=values, half_life_days=self.half_life_days)

    def long(self) -> pd.DataFrame:
        """Long table: one row per date, dyad and track with the index ``value``."""
        stacked = self.values.stack(["dyad", "track"], future_stack=True)
        return stacked.rename("value").reset_index()

    def plot(
        self,
        path: str | Path | None = None,
        *,
        dyads: Sequence[str] = (FOCUS_DYAD,),
        tracks: Sequence[str] = ("deterrence", "dialogue"),
        events: pd.DataFrame | None = None,
    ) -> Figure:
        """One panel per track: chosen dyads and the all-dyad total; ticks mark events.

        Writes a PNG when ``path`` is given (matplotlib, Agg backend).
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(
            len(tracks), 1, figsize=(11, 2.8 * len(tracks)), sharex=True, squeeze=False
        )
        for ax, track in zip(axes[:, 0], tracks, strict=True):
            self._panel(ax, track, dyads, events)
        axes[-1, 0].set_xlabel("date")
        figure.suptitle(
            f"Tension index (decayed Goldstein sum, half-life {self.half_life_days:g} days)"
        )
        figure.tight_layout()
        if path is not None:
            save_figure(figure, Path(path))
            plt.close(figure)
        return figure

    def _panel(
        self, ax: Axes, track: str, dyads: Sequence[str], events: pd.DataFrame | None
    ) -> None:
        total = self.total(track)
        ax.plot(total.index, total.to_numpy(), color="0.6", lw=1.0, label="all dyads")
        for dyad in dyads:
            if dyad in self.dyads:
                line = self.series(dyad, track)
                ax.plot(line.index, line.to_numpy(), lw=1.4, label=dyad)
        ax.axhline(0.0, color="0.3", lw=0.6)
        if events is not None:
            shown = events.loc[
                (events["track"] == track)
                & (events["date"] >= self.values.index.min())
                & (events["date"] <= self.values.index.max())
            ]
            style: dict[str, Any] = {"marker": "|", "s": 60, "linewidths": 1.0}
            ax.scatter(
                shown["date"],
                np.full(len(shown), ax.get_ylim()[0]),
                c=np.where(shown["goldstein"] < 0, "tab:red", "tab:green"),
                **style,
            )
        ax.set_ylabel(f"{track}\n(Goldstein points)")
        ax.legend(loc="upper left", fontsize="small", frameon=False)
