"""Static PNG versions of the report's figures (matplotlib, Agg, no pyplot state)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, cast

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from numpy.typing import NDArray

from dualtrack.report.distributions import AgreementFates, Tally
from dualtrack.report.palette import doctrine_colour, rung_colour
from dualtrack.report.series import Fan
from dualtrack.report.shocks import AxisBand
from dualtrack.report.tables import difference_on_scale, difference_panel_title, table_outcomes

DPI = 100
STYLE: dict[str, Any] = {
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}
"""matplotlib settings for the report's figures (applied with ``matplotlib.rc_context``)."""


def report_style() -> AbstractContextManager[None]:
    """Context in which the report's matplotlib figures are drawn (their rc settings)."""
    return matplotlib.rc_context(cast(Any, STYLE))


def save(figure: Figure, path: Path) -> Path:
    """Write a figure as PNG through the Agg canvas and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=DPI, format="png", pil_kwargs={"compress_level": 3})
    return path


def _figure(
    width: float,
    height: float,
    *,
    left: float = 0.8,
    right: float = 0.15,
    top: float = 0.4,
    bottom: float = 0.5,
    wspace: float = 0.08,
    hspace: float = 0.2,
) -> Figure:
    """A figure with fixed margins in inches (much faster than constrained layout)."""
    figure = Figure(figsize=(width, height), dpi=DPI)
    figure.subplots_adjust(
        left=left / width,
        right=1.0 - right / width,
        top=1.0 - top / height,
        bottom=bottom / height,
        wspace=wspace,
        hspace=hspace,
    )
    return figure


def _shocks(axes: Axes, bands: Sequence[AxisBand], tags: bool) -> None:
    for band in bands:
        if band.x1 > band.x0:
            axes.axvspan(band.x0, band.x1, color="#777777", alpha=0.15, linewidth=0, zorder=0)
        else:
            axes.axvline(band.x0, color="#555555", linewidth=0.8, linestyle=":", zorder=0)
        if tags:
            axes.annotate(
                band.text,
                (band.x0, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -2),
                textcoords="offset points",
                va="top",
                fontsize=6.5,
                color="#555555",
            )


def fan_png(fans: Sequence[Fan], bands: Sequence[AxisBand], title: str) -> Figure:
    """Grid of fan charts: rows quantities, columns doctrines."""
    doctrines = fans[0].doctrines
    rows, cols = len(fans), len(doctrines)
    figure = _figure(
        2.4 * cols + 1.15, 1.7 * rows + 1.0, left=1.0, top=0.62, bottom=0.45, hspace=0.15
    )
    grid = figure.subplots(rows, cols, sharex=True, sharey="row", squeeze=False)
    for r, fan in enumerate(fans):
        for d, doctrine in enumerate(doctrines):
            axes = grid[r, d]
            colour = doctrine_colour(d)
            q = fan.quantiles[d]
            axes.fill_between(fan.days, q[0], q[4], color=colour, alpha=0.18, linewidth=0)
            axes.fill_between(fan.days, q[1], q[3], color=colour, alpha=0.38, linewidth=0)
            axes.plot(fan.days, q[2], color=colour, linewidth=1.3)
            if fan.mean is not None:
                axes.plot(fan.days, fan.mean[d], color="#222222", linewidth=0.8, linestyle=":")
            _shocks(axes, bands, tags=r == 0)
            if r == 0:
                axes.set_title(doctrine)
            if r == rows - 1:
                axes.set_xlabel("day")
        grid[r, 0].set_ylabel(f"{fan.title}\n({fan.unit})")
    figure.suptitle(title, fontsize=10, y=1.0 - 0.08 / figure.get_figheight(), va="top")
    return figure


def rung_share_png(
    shares: NDArray[np.float64],
    days: NDArray[np.float64],
    doctrines: Sequence[str],
    labels: Sequence[str],
    bands: Sequence[AxisBand],
) -> Figure:
    """Stacked areas of the share of runs on each rung, one panel per doctrine."""
    cols = len(doctrines)
    figure = _figure(2.4 * cols + 0.95, 3.4, left=0.75, top=0.62, bottom=1.0)
    grid = figure.subplots(1, cols, sharey=True, squeeze=False)[0]
    used = np.flatnonzero(shares.max(axis=(0, 1)) > 0).tolist()
    for d, doctrine in enumerate(doctrines):
        axes = grid[d]
        axes.stackplot(
            days,
            *(shares[d, :, r] for r in used),
            colors=[rung_colour(r) for r in used],
            linewidth=0,
        )
        _shocks(axes, bands, tags=True)
        axes.set_title(doctrine)
        axes.set_xlabel("day")
        axes.set_ylim(0, 1)
        axes.set_xlim(days[0], days[-1])
    grid[0].set_ylabel("share of runs")
    figure.legend(
        handles=[Patch(color=rung_colour(r), label=labels[r]) for r in used],
        loc="lower center",
        ncols=min(len(used), 9),
    )
    figure.suptitle("Escalation rung of the focus dyad over time", fontsize=10, y=0.98, va="top")
    return figure


def agreement_time_png(
    first_curves: NDArray[np.float64],
    curve_days: NDArray[np.float64],
    in_force: NDArray[np.float64] | None,
    days: NDArray[np.float64],
    doctrines: Sequence[str],
    bands: Sequence[AxisBand],
) -> Figure:
    """First agreement by day t, and agreement in force on day t (shares of runs)."""
    cols = 1 if in_force is None else 2
    figure = _figure(4.6 * cols + 2.4, 3.4, left=0.7, right=1.8, top=0.35, wspace=0.22)
    grid = figure.subplots(1, cols, squeeze=False)[0]
    for d, doctrine in enumerate(doctrines):
        grid[0].step(
            curve_days,
            first_curves[d],
            where="post",
            color=doctrine_colour(d),
            label=doctrine,
            linewidth=1.4,
        )
        if in_force is not None:
            grid[1].plot(days, in_force[d], color=doctrine_colour(d), linewidth=1.4)
    grid[0].set_title("first agreement formed by day t")
    if in_force is not None:
        grid[1].set_title("agreement in force on day t")
    for axes in grid:
        _shocks(axes, bands, tags=True)
        axes.set_xlabel("day")
        axes.set_ylabel("share of runs")
        axes.set_ylim(bottom=0)
    figure.legend(loc="center right")
    return figure


def agreement_fate_png(
    fates: AgreementFates,
    spells: dict[str, tuple[NDArray[np.float64], NDArray[np.bool_]]] | None,
    doctrines: Sequence[str],
) -> Figure:
    """How agreements ended, and how long they lasted."""
    cols = 1 if spells is None else 2
    figure = _figure(
        5.0 * cols + 1.6,
        0.42 * len(doctrines) + 1.7,
        left=1.2,
        top=0.35,
        bottom=0.85,
        wspace=0.45,
    )
    grid = figure.subplots(1, cols, squeeze=False)[0]
    y = np.arange(len(doctrines))
    left = np.zeros(len(doctrines))
    for name, values, colour in (
        ("kept to term", fates.kept, "#009E73"),
        ("ended by a detected violation", fates.detected, "#D55E00"),
        ("in force at the horizon", fates.running, "#9e9e9e"),
    ):
        grid[0].barh(y, values, left=left, color=colour, label=name)
        left = left + values
    grid[0].set_xlabel("mean agreements per run")
    grid[0].set_title("agreements per run, by how they ended")
    figure.legend(loc="lower left", ncols=3, bbox_to_anchor=(0.02, 0.0))
    if spells is not None:
        data = [spells[d][0] if spells[d][0].size else np.array([np.nan]) for d in doctrines]
        boxes = grid[1].boxplot(
            data,
            positions=y,
            orientation="horizontal",
            showfliers=False,
            patch_artist=True,
            whis=(0, 100),
            medianprops={"color": "#222222"},
        )
        for d, patch in enumerate(boxes["boxes"]):
            patch.set_facecolor(doctrine_colour(d))
            patch.set_alpha(0.6)
        grid[1].set_xlabel("days with the agreement in force")
        grid[1].set_title("how long agreements lasted")
    for axes in grid:
        axes.set_yticks(y, doctrines)
        axes.set_ylim(len(doctrines) - 0.5, -0.5)
    return figure


def max_rung_png(
    shares: NDArray[np.float64], doctrines: Sequence[str], labels: Sequence[str]
) -> Figure:
    """Share of runs by highest rung reached."""
    figure = _figure(8.5, 0.42 * len(doctrines) + 1.1, left=1.2, right=1.9, top=0.35)
    axes = figure.subplots()
    y = np.arange(len(doctrines))
    left = np.zeros(len(doctrines))
    for rung in np.flatnonzero(shares.max(axis=0) > 0).tolist():
        axes.barh(y, shares[:, rung], left=left, color=rung_colour(rung), label=labels[rung])
        left = left + shares[:, rung]
    axes.set_yticks(y, doctrines)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of runs")
    axes.set_title("Highest escalation rung reached by the focus dyad")
    axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7)
    return figure


def tally_png(tallies: Sequence[Tally], doctrines: Sequence[str]) -> Figure:
    """Box plots of per-replicate tallies (whiskers at 1.5 IQR)."""
    figure = _figure(3.1 * len(tallies) + 1.3, 0.42 * len(doctrines) + 1.2, left=1.2, top=0.35)
    grid = figure.subplots(1, len(tallies), sharey=True, squeeze=False)[0]
    for axes, tally in zip(grid, tallies, strict=True):
        stats = [
            {
                "med": s.median,
                "q1": s.q1,
                "q3": s.q3,
                "whislo": s.low,
                "whishi": s.high,
                "mean": s.mean,
                "fliers": [],
                "label": doctrine,
            }
            for s, doctrine in zip(tally.stats, doctrines, strict=True)
        ]
        boxes = axes.bxp(
            stats, orientation="horizontal", showmeans=True, meanline=True, patch_artist=True
        )
        for d, patch in enumerate(boxes["boxes"]):
            patch.set_facecolor(doctrine_colour(d))
            patch.set_alpha(0.6)
        axes.set_title(tally.title)
        axes.set_xlabel(tally.unit)
    grid[0].invert_yaxis()
    return figure


def differences_png(comparison: pd.DataFrame, study_order: Sequence[str]) -> Figure:
    """Paired differences vs the reference with intervals; filled marker = distinguishable."""
    outcomes = table_outcomes(comparison)
    doctrines = list(dict.fromkeys(comparison["doctrine"]))
    cols = 4
    rows = -(-len(outcomes) // cols)
    figure = _figure(
        11.0,
        rows * (0.32 * len(doctrines) + 0.9) + 0.7,
        left=1.2,
        top=0.6,
        bottom=0.35,
        hspace=0.45,
    )
    grid = figure.subplots(rows, cols, sharey=True, squeeze=False)
    cells = comparison.set_index(["outcome", "doctrine"])
    y = np.arange(len(doctrines))
    for k in range(rows * cols):
        axes = grid[k // cols, k % cols]
        if k >= len(outcomes):
            axes.set_axis_off()
            continue
        outcome = outcomes[k]
        for j, doctrine in enumerate(doctrines):
            value, low, high, distinct = difference_on_scale(
                cells.loc[(outcome.name, doctrine)], outcome
            )
            colour = doctrine_colour(list(study_order).index(doctrine))
            axes.errorbar(
                [value],
                [y[j]],
                xerr=[[value - low], [high - value]],
                fmt="o",
                color=colour,
                markerfacecolor=colour if distinct else "white",
                capsize=2,
            )
        axes.axvline(0, color="#888888", linewidth=0.8)
        axes.set_title(difference_panel_title(outcome))
        axes.set_yticks(y, doctrines)
    grid[0, 0].invert_yaxis()
    reference = str(comparison["reference"].iloc[0])
    figure.suptitle(
        f"Paired difference vs {reference} (95% paired-t intervals)",
        fontsize=10,
        y=0.99,
        va="top",
    )
    return figure
