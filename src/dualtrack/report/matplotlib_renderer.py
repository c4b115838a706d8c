"""Draw a :class:`~dualtrack.report.figure_spec.FigureSpec` as a static PNG (matplotlib, Agg).

No pyplot state: figures are built on ``matplotlib.figure.Figure`` and written through the Agg
canvas. Hover texts and the view menu have no static form; the default view is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, cast

import matplotlib
import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from dualtrack.experiments.store import replacing
from dualtrack.report import figure_spec as fs
from dualtrack.report.palette import INK, KEY_GREY, SHOCK, SHOCK_ALPHA

DPI = 100
STYLE: dict[str, Any] = {
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}
"""matplotlib settings for the report's figures (applied with ``matplotlib.rc_context``)."""
LABEL_PLACES: dict[str, tuple[tuple[float, float], str, str]] = {
    "top": ((0, 4), "center", "bottom"),
    "bottom": ((0, -4), "center", "top"),
    "left": ((-4, 0), "right", "center"),
    "right": ((4, 0), "left", "center"),
}
"""A point's text: offset (points), horizontal and vertical alignment."""


def report_style() -> AbstractContextManager[None]:
    """Context in which the report's matplotlib figures are drawn (their rc settings)."""
    return matplotlib.rc_context(cast(Any, STYLE))


def save_png(spec: fs.FigureSpec, path: Path) -> Path:
    """Draw a spec and write it as PNG; returns the path."""
    figure = draw(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(figure)
    with replacing(path) as temporary:  # whole: a reader never sees half a figure
        figure.savefig(temporary, dpi=DPI, format="png", pil_kwargs={"compress_level": 3})
    return path


def draw(spec: fs.FigureSpec) -> Figure:
    """The matplotlib Figure of a spec."""
    width, height = spec.size
    figure = Figure(figsize=(width, height), dpi=DPI)
    left, right, top, bottom = spec.margins
    figure.subplots_adjust(
        left=left / width,
        right=1.0 - right / width,
        top=1.0 - top / height,
        bottom=bottom / height,
        wspace=spec.spacing[0],
        hspace=spec.spacing[1],
    )
    grid = figure.subplots(
        spec.rows,
        spec.cols,
        sharex=spec.share_x,
        sharey="row" if spec.share_y else False,
        squeeze=False,
    )
    scale: fs.ColourScale | None = None
    for r in range(spec.rows):
        for c in range(spec.cols):
            axes = grid[r, c]
            panel = spec.panels[r][c] if c < len(spec.panels[r]) else None
            if panel is None:
                axes.set_axis_off()
                continue
            scale = _panel(axes, panel, spec.default_view) or scale
    if scale is not None:
        mappable = matplotlib.cm.ScalarMappable(
            Normalize(0.0, scale.top), colormaps[scale.colourmap]
        )
        colourbar = figure.colorbar(mappable, ax=grid.ravel().tolist(), shrink=0.6, pad=0.02)
        colourbar.set_label(scale.label)
    _legend(figure, spec)
    title = spec.title
    if spec.views:
        title = f"{title}: {spec.views[spec.default_view]}" if title else ""
    if title:
        figure.suptitle(title, fontsize=10, y=1.0 - 0.08 / height, va="top")
    if spec.footnote:
        figure.text(0.01, 0.01, spec.footnote, fontsize=7, color=KEY_GREY)
    return figure


def _legend(figure: Figure, spec: fs.FigureSpec) -> None:
    if not spec.keys:
        return
    handles: list[Any] = []
    for key in spec.keys:
        if key.kind == "swatch":
            handles.append(Patch(color=key.colour, alpha=key.alpha, label=key.name))
        else:
            dotted = key.kind == "dotted"
            handles.append(
                Line2D([], [], color=key.colour, linestyle=":" if dotted else "-", label=key.name)
            )
    if spec.legend == "right":
        figure.legend(handles=handles, loc="center right", fontsize=7)
    elif spec.legend == "bottom":
        figure.legend(handles=handles, loc="lower center", ncols=min(len(handles), 5))
    else:
        top = 1.0 - 0.3 / spec.size[1]
        figure.legend(
            handles=handles, loc="upper right", ncols=len(handles), bbox_to_anchor=(1.0, top)
        )


def _axis(axes: Axes, axis: fs.Axis, which: str) -> None:
    set_label = axes.set_xlabel if which == "x" else axes.set_ylabel
    if axis.label:
        set_label(axis.label)
    target = axes.xaxis if which == "x" else axes.yaxis
    if axis.categories:
        positions = np.arange(len(axis.categories))
        if which == "y":
            axes.set_yticks(positions, list(axis.categories))
            axes.set_ylim(len(axis.categories) - 0.5, -0.5)
        else:
            axes.set_xticks(positions, list(axis.categories))
    if axis.percent:
        target.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if axis.suffix:
        suffix = axis.suffix
        target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}{suffix}"))
    set_limits = axes.set_xlim if which == "x" else axes.set_ylim
    if axis.limits is not None:
        set_limits(*axis.limits)
    elif axis.from_zero:
        set_limits(0.0, None)


def _shocks(axes: Axes, bands: Sequence[Any], tags: bool) -> None:
    for band in bands:
        if band.x1 > band.x0:
            axes.axvspan(band.x0, band.x1, color=SHOCK, alpha=SHOCK_ALPHA, linewidth=0, zorder=0)
        else:
            axes.axvline(band.x0, color=KEY_GREY, linewidth=0.8, linestyle=":", zorder=0)
        if tags:
            axes.annotate(
                band.text,
                (band.x0, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -2),
                textcoords="offset points",
                va="top",
                fontsize=6.5,
                color=KEY_GREY,
            )


def _panel(axes: Axes, panel: fs.Panel, view: int) -> fs.ColourScale | None:
    scale = None
    for mark in panel.marks:
        scale = _mark(axes, mark, view) or scale
    _shocks(axes, panel.shocks, panel.tag_shocks)
    if panel.title:
        axes.set_title(panel.title)
    _axis(axes, panel.x, "x")
    _axis(axes, panel.y, "y")
    if panel.aspect is not None:
        axes.set_aspect(panel.aspect)
    if panel.background:
        axes.set_facecolor(panel.background)
    if panel.shocks and panel.x.limits is None:  # a shock begun before day 0 widens no axis
        xs = [m.x for m in panel.marks if isinstance(m, fs.Line | fs.StackedAreas | fs.Band)]
        if xs:
            axes.set_xlim(min(float(x[0]) for x in xs), max(float(x[-1]) for x in xs))
    return scale


def _mark(axes: Axes, mark: fs.Mark, view: int) -> fs.ColourScale | None:  # noqa: C901
    if isinstance(mark, fs.Band):
        axes.fill_between(
            mark.x, mark.low, mark.high, color=mark.colour, alpha=mark.alpha, linewidth=0
        )
    elif isinstance(mark, fs.Line):
        style = ":" if mark.dotted else "-"
        if mark.step:
            axes.step(mark.x, mark.y, where="post", color=mark.colour, linewidth=mark.width)
        else:
            axes.plot(mark.x, mark.y, color=mark.colour, linewidth=mark.width, linestyle=style)
    elif isinstance(mark, fs.StackedAreas):
        axes.stackplot(
            mark.x,
            *(layer.values for layer in mark.layers),
            colors=[layer.colour for layer in mark.layers],
            linewidth=0,
        )
    elif isinstance(mark, fs.StackedBars):
        y = np.arange(len(mark.layers[0].values)) if mark.layers else np.zeros(0)
        left = np.zeros(len(y))
        for layer in mark.layers:
            axes.barh(y, layer.values, left=left, color=layer.colour)
            left = left + layer.values
    elif isinstance(mark, fs.Boxes):
        stats = [
            {
                "med": b.median,
                "q1": b.q1,
                "q3": b.q3,
                "whislo": b.low,
                "whishi": b.high,
                "mean": b.mean,
                "fliers": [],
            }
            for b in mark.boxes
            if b is not None
        ]
        positions = [k for k, b in enumerate(mark.boxes) if b is not None]
        if stats:
            boxes = axes.bxp(
                stats,
                positions=positions,
                orientation="horizontal",
                showmeans=True,
                meanline=True,
                patch_artist=True,
                medianprops={"color": INK},
            )
            for k, patch in zip(positions, boxes["boxes"], strict=True):
                patch.set_facecolor(mark.colours[k])
                patch.set_alpha(0.6)
    elif isinstance(mark, fs.Intervals):
        for k in range(len(mark.value)):
            value = float(mark.value[k])
            axes.errorbar(
                [value],
                [k],
                xerr=[[value - float(mark.low[k])], [float(mark.high[k]) - value]],
                fmt="o",
                color=mark.colours[k],
                markerfacecolor=mark.colours[k] if mark.filled[k] else "white",
                capsize=2,
            )
    elif isinstance(mark, fs.RuleX):
        axes.axvline(mark.x, color=mark.colour, linewidth=0.8)
    elif isinstance(mark, fs.Areas):
        rings = [ring for area in mark.rings for ring in area]
        fills = [fill for area, fill in zip(mark.rings, mark.fills, strict=True) for _ in area]
        axes.add_collection(
            PolyCollection(
                rings, facecolors=fills, edgecolors=mark.edge, linewidths=mark.edge_width
            ),
            autolim=False,
        )
    elif isinstance(mark, fs.PolyLine):
        axes.plot(mark.points[:, 0], mark.points[:, 1], color=mark.colour, linewidth=mark.width)
    elif isinstance(mark, fs.ScaleLines):
        collection = LineCollection(
            list(mark.lines),
            cmap=colormaps[mark.scale.colourmap],
            norm=Normalize(0.0, mark.scale.top),
            linewidths=mark.width,
            capstyle="butt",
        )
        collection.set_array(mark.values[view])
        axes.add_collection(collection, autolim=False)
        return mark.scale
    elif isinstance(mark, fs.Callouts):
        for point, text, offset in zip(mark.points, mark.texts, mark.offsets, strict=True):
            axes.annotate(
                text,
                xy=(point[0], point[1]),
                xytext=offset,
                textcoords="offset points",
                ha="center",
                va="center",
                fontsize=7,
                arrowprops={"arrowstyle": "-", "color": KEY_GREY, "linewidth": 0.6},
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
            )
    elif isinstance(mark, fs.Points):
        sizes = mark.sizes[min(view, len(mark.sizes) - 1)]
        shown = sizes > 0
        axes.scatter(
            mark.points[shown, 0],
            mark.points[shown, 1],
            s=sizes[shown] ** 2,
            color=mark.colour,
            edgecolors=mark.edge or "none",
            linewidths=0.6,
            alpha=mark.alpha,
            zorder=3,
        )
        for k, position in enumerate(mark.label_positions):
            if not shown[k]:
                continue
            offset, ha, va = LABEL_PLACES[position]
            axes.annotate(
                mark.texts[k],
                (mark.points[k, 0], mark.points[k, 1]),
                xytext=offset,
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=7,
                color=mark.colour,
            )
    elif isinstance(mark, fs.Text):
        axes.text(mark.x, mark.y, mark.text, ha="center", color=mark.colour, fontsize=mark.size)
    return None
