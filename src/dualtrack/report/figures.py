"""Interactive plotly figures of the report (the static PNGs are in ``static_figures``).

Every time axis carries the scenario's shocks as grey bands (or lines) tagged ``S1``, ``S2``...
which the page's shock key explains.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.subplots import make_subplots

from dualtrack.report.distributions import AgreementFates, Tally
from dualtrack.report.palette import (
    SHOCK_FILL,
    SHOCK_LINE,
    doctrine_colour,
    rung_colour,
    with_alpha,
)
from dualtrack.report.series import Fan
from dualtrack.report.shocks import AxisBand
from dualtrack.report.tables import difference_on_scale, difference_panel_title, table_outcomes

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12}
_AXIS = {
    "gridcolor": "#ebebeb",
    "linecolor": "#b0b0b0",
    "zerolinecolor": "#d0d0d0",
    "ticks": "outside",
    "tickcolor": "#b0b0b0",
    "automargin": True,
}
TEMPLATE = {
    "layout": {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": FONT,
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"align": "left"},
    }
}
"""A light template, small enough to embed with every figure (plotly's own are ~8 kB)."""


def _layout(figure: go.Figure, height: int, **extra: object) -> go.Figure:
    figure.update_layout(
        template=TEMPLATE,
        height=height,
        font=FONT,
        margin={"l": 70, "r": 20, "t": 60, "b": 50},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.06,
            "x": 0.0,
            "traceorder": "normal",
        },
        **extra,
    )
    return figure


def _axis(kind: str, n: int) -> str:
    return kind if n == 1 else f"{kind}{n}"


def add_shocks(
    figure: go.Figure, bands: Sequence[AxisBand], rows: int, cols: int, tag_row: int = 1
) -> None:
    """Draw shock bands on every panel of a ``make_subplots`` grid, tagged on ``tag_row``.

    Shapes are added in one layout update (plotly's ``add_vrect`` per panel is slow).
    """
    shapes: list[dict[str, object]] = []
    notes: list[dict[str, object]] = []
    for row in range(1, rows + 1):
        for col in range(1, cols + 1):
            n = (row - 1) * cols + col  # make_subplots numbers axes row by row
            x, y = _axis("x", n), _axis("y", n)
            for band in bands:
                if band.x1 > band.x0:
                    shapes.append(
                        {
                            "type": "rect",
                            "xref": x,
                            "yref": f"{y} domain",
                            "x0": band.x0,
                            "x1": band.x1,
                            "y0": 0,
                            "y1": 1,
                            "fillcolor": SHOCK_FILL,
                            "line": {"width": 0},
                            "layer": "below",
                        }
                    )
                else:
                    shapes.append(
                        {
                            "type": "line",
                            "xref": x,
                            "yref": f"{y} domain",
                            "x0": band.x0,
                            "x1": band.x0,
                            "y0": 0,
                            "y1": 1,
                            "line": {"color": SHOCK_LINE, "width": 1, "dash": "dot"},
                        }
                    )
                if row == tag_row:
                    notes.append(
                        {
                            "x": band.x0,
                            "xref": x,
                            "y": 1.0,
                            "yref": f"{y} domain",
                            "xanchor": "left",
                            "yanchor": "top",
                            "text": band.text,
                            "showarrow": False,
                            "font": {"size": 9, "color": "#555555"},
                        }
                    )
    figure.update_layout(
        shapes=[*figure.layout.shapes, *shapes],
        annotations=[*figure.layout.annotations, *notes],
    )


def fan_figure(fans: Sequence[Fan], bands: Sequence[AxisBand]) -> go.Figure:
    """Rows: quantities; columns: doctrines. Median, 50% and 90% bands, and the mean."""
    doctrines = fans[0].doctrines
    rows, cols = len(fans), len(doctrines)
    figure = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        shared_yaxes=True,
        column_titles=doctrines,
        horizontal_spacing=0.015,
        vertical_spacing=0.06,
    )
    for r, fan in enumerate(fans, start=1):
        for c, doctrine in enumerate(doctrines, start=1):
            d = c - 1
            colour = doctrine_colour(d)
            q = fan.quantiles[d].astype(np.float32)
            days = fan.days.astype(np.float32)
            for low, high, alpha in ((0, 4, 0.18), (1, 3, 0.38)):
                figure.add_trace(
                    go.Scatter(
                        x=days,
                        y=q[high],
                        mode="lines",
                        line={"width": 0},
                        hoverinfo="skip",
                        showlegend=False,
                    ),
                    row=r,
                    col=c,
                )
                figure.add_trace(
                    go.Scatter(
                        x=days,
                        y=q[low],
                        mode="lines",
                        line={"width": 0},
                        fill="tonexty",
                        fillcolor=with_alpha(colour, alpha),
                        hoverinfo="skip",
                        showlegend=False,
                    ),
                    row=r,
                    col=c,
                )
            figure.add_trace(
                go.Scatter(
                    x=days,
                    y=q[2],
                    mode="lines",
                    line={"color": colour, "width": 1.8},
                    name=f"{doctrine} median",
                    hovertemplate=f"{doctrine}<br>day %{{x:.0f}}: median %{{y:.2f}}<extra></extra>",
                    showlegend=False,
                ),
                row=r,
                col=c,
            )
            if fan.mean is not None:
                figure.add_trace(
                    go.Scatter(
                        x=days,
                        y=fan.mean[d].astype(np.float32),
                        mode="lines",
                        line={"color": "#222222", "width": 1.0, "dash": "dot"},
                        name=f"{doctrine} mean",
                        hovertemplate=(
                            f"{doctrine}<br>day %{{x:.0f}}: mean %{{y:.2f}}<extra></extra>"
                        ),
                        showlegend=False,
                    ),
                    row=r,
                    col=c,
                )
        figure.update_yaxes(title_text=f"{fan.title}<br>({fan.unit})", row=r, col=1)
    for name, style in (
        ("median", {"mode": "lines", "line": {"color": "#555555", "width": 1.8}}),
        (
            "50% band",
            {
                "mode": "markers",
                "marker": {"color": "rgba(85,85,85,0.45)", "size": 12, "symbol": "square"},
            },
        ),
        (
            "90% band",
            {
                "mode": "markers",
                "marker": {"color": "rgba(85,85,85,0.2)", "size": 12, "symbol": "square"},
            },
        ),
        (
            "mean, all replicates",
            {"mode": "lines", "line": {"color": "#222222", "width": 1, "dash": "dot"}},
        ),
    ):
        figure.add_trace(go.Scatter(x=[None], y=[None], name=name, **style), row=1, col=1)
    for c in range(1, cols + 1):
        figure.update_xaxes(title_text="day", row=rows, col=c)
    add_shocks(figure, bands, rows, cols)
    return _layout(figure, 110 + 210 * rows)


def rung_share_figure(
    shares: NDArray[np.float64],
    days: NDArray[np.float64],
    doctrines: Sequence[str],
    labels: Sequence[str],
    bands: Sequence[AxisBand],
) -> go.Figure:
    """Stacked areas: share of replicates on each rung over time, one panel per doctrine."""
    cols = len(doctrines)
    figure = make_subplots(
        rows=1,
        cols=cols,
        shared_yaxes=True,
        column_titles=list(doctrines),
        horizontal_spacing=0.015,
    )
    used = np.flatnonzero(shares.max(axis=(0, 1)) > 0)
    for c in range(1, cols + 1):
        for rung in used.tolist():
            figure.add_trace(
                go.Scatter(
                    x=days.astype(np.float32),
                    y=shares[c - 1, :, rung].astype(np.float32),
                    mode="lines",
                    line={"width": 0.4, "color": rung_colour(rung)},
                    fillcolor=rung_colour(rung),
                    stackgroup=f"rungs{c}",
                    name=labels[rung],
                    legendgroup=labels[rung],
                    showlegend=c == 1,
                    hovertemplate=f"{labels[rung]}<br>day %{{x:.0f}}: %{{y:.1%}}<extra></extra>",
                ),
                row=1,
                col=c,
            )
        figure.update_xaxes(title_text="day", row=1, col=c)
    figure.update_yaxes(title_text="share of runs", tickformat=".0%", range=[0, 1], row=1, col=1)
    add_shocks(figure, bands, 1, cols)
    return _layout(figure, 400)


def agreement_time_figure(
    first_curves: NDArray[np.float64],
    curve_days: NDArray[np.float64],
    in_force: NDArray[np.float64] | None,
    days: NDArray[np.float64],
    doctrines: Sequence[str],
    bands: Sequence[AxisBand],
) -> go.Figure:
    """Left: share of runs with a first agreement by each day; right: share with one in force."""
    cols = 1 if in_force is None else 2
    titles = ["first agreement formed by day t (share of runs)"]
    if in_force is not None:
        titles.append("agreement in force on day t (share of runs)")
    figure = make_subplots(rows=1, cols=cols, subplot_titles=titles, horizontal_spacing=0.08)
    for d, doctrine in enumerate(doctrines):
        colour = doctrine_colour(d)
        figure.add_trace(
            go.Scatter(
                x=curve_days.astype(np.float32),
                y=first_curves[d].astype(np.float32),
                mode="lines",
                line={"color": colour, "width": 2, "shape": "hv"},
                name=doctrine,
                legendgroup=doctrine,
                hovertemplate=f"{doctrine}<br>day %{{x:.0f}}: %{{y:.1%}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
        if in_force is not None:
            figure.add_trace(
                go.Scatter(
                    x=days.astype(np.float32),
                    y=in_force[d].astype(np.float32),
                    mode="lines",
                    line={"color": colour, "width": 2},
                    name=doctrine,
                    legendgroup=doctrine,
                    showlegend=False,
                    hovertemplate=f"{doctrine}<br>day %{{x:.0f}}: %{{y:.1%}}<extra></extra>",
                ),
                row=1,
                col=2,
            )
    for c in range(1, cols + 1):
        figure.update_xaxes(title_text="day", row=1, col=c)
        figure.update_yaxes(tickformat=".0%", rangemode="tozero", row=1, col=c)
    add_shocks(figure, bands, 1, cols)
    return _layout(figure, 420)


def agreement_fate_figure(
    fates: AgreementFates,
    spells: dict[str, tuple[NDArray[np.float64], NDArray[np.bool_]]] | None,
    doctrines: Sequence[str],
) -> go.Figure:
    """Left: what became of the agreements (per run); right: how long they lasted."""
    cols = 1 if spells is None else 2
    titles = ["agreements per run, by how they ended"]
    if spells is not None:
        titles.append("how long agreements lasted (days)")
    figure = make_subplots(rows=1, cols=cols, subplot_titles=titles, horizontal_spacing=0.12)
    parts = (
        ("kept to term", fates.kept, "#009E73"),
        ("ended by a detected violation", fates.detected, "#D55E00"),
        ("in force at the horizon", fates.running, "#9e9e9e"),
    )
    for name, values, colour in parts:
        figure.add_trace(
            go.Bar(
                y=list(doctrines),
                x=values,
                orientation="h",
                name=name,
                marker_color=colour,
                hovertemplate=f"%{{y}}: %{{x:.2f}} {name} per run<extra></extra>",
            ),
            row=1,
            col=1,
        )
    figure.update_xaxes(title_text="mean count per run", row=1, col=1)
    figure.update_yaxes(autorange="reversed", row=1, col=1)
    if spells is not None:
        for d, doctrine in enumerate(doctrines):
            lengths, _ = spells[doctrine]
            if lengths.size == 0:
                continue
            q1, median, q3 = np.quantile(lengths, (0.25, 0.5, 0.75))
            figure.add_trace(
                go.Box(
                    y=[doctrine],
                    q1=[q1],
                    median=[median],
                    q3=[q3],
                    lowerfence=[lengths.min()],
                    upperfence=[lengths.max()],
                    mean=[lengths.mean()],
                    orientation="h",
                    marker_color=doctrine_colour(d),
                    name=doctrine,
                    showlegend=False,
                ),
                row=1,
                col=2,
            )
        figure.update_xaxes(title_text="days with the agreement in force", row=1, col=2)
        figure.update_yaxes(
            categoryorder="array",
            categoryarray=list(doctrines),
            range=[len(doctrines) - 0.5, -0.5],  # every doctrine, also one without agreements
            row=1,
            col=2,
        )
    figure.update_layout(barmode="stack")
    return _layout(figure, 120 + 46 * len(doctrines) + 120)


def max_rung_figure(
    shares: NDArray[np.float64], doctrines: Sequence[str], labels: Sequence[str]
) -> go.Figure:
    """Share of runs by the highest rung the focus dyad reached, stacked per doctrine."""
    figure = go.Figure()
    used = np.flatnonzero(shares.max(axis=0) > 0)
    for rung in used.tolist():
        figure.add_trace(
            go.Bar(
                y=list(doctrines),
                x=shares[:, rung],
                orientation="h",
                name=labels[rung],
                marker_color=rung_colour(rung),
                hovertemplate=f"%{{y}}: %{{x:.1%}} of runs peaked at {labels[rung]}<extra></extra>",
            )
        )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(title_text="share of runs", tickformat=".0%", range=[0, 1])
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, 120 + 46 * len(doctrines))


def tally_figure(tallies: Sequence[Tally], doctrines: Sequence[str]) -> go.Figure:
    """Box plots of per-replicate tallies, one panel per tally."""
    figure = make_subplots(
        rows=1,
        cols=len(tallies),
        subplot_titles=[t.title for t in tallies],
        shared_yaxes=True,
        horizontal_spacing=0.04,
    )
    for c, tally in enumerate(tallies, start=1):
        for d, doctrine in enumerate(doctrines):
            stats = tally.stats[d]
            if not np.isfinite(stats.median):
                continue
            figure.add_trace(
                go.Box(
                    y=[doctrine],
                    q1=[stats.q1],
                    median=[stats.median],
                    q3=[stats.q3],
                    lowerfence=[stats.low],
                    upperfence=[stats.high],
                    mean=[stats.mean],
                    orientation="h",
                    marker_color=doctrine_colour(d),
                    name=doctrine,
                    showlegend=False,
                ),
                row=1,
                col=c,
            )
        figure.update_xaxes(title_text=tally.unit, row=1, col=c)
    figure.update_yaxes(
        categoryorder="array", categoryarray=list(doctrines), range=[len(doctrines) - 0.5, -0.5]
    )
    return _layout(figure, 130 + 46 * len(doctrines))


def differences_figure(comparison: pd.DataFrame, study_order: Sequence[str]) -> go.Figure:
    """Paired difference vs the reference per outcome, with intervals; filled = distinguishable.

    ``study_order`` lists every doctrine run, so each keeps its colour from the other figures.
    """
    outcomes = table_outcomes(comparison)
    doctrines = list(dict.fromkeys(comparison["doctrine"]))
    reference = str(comparison["reference"].iloc[0])
    cols = 4
    rows = -(-len(outcomes) // cols)
    figure = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[difference_panel_title(o) for o in outcomes],
        shared_yaxes=True,
        horizontal_spacing=0.03,
        vertical_spacing=0.22,
    )
    rows_by = comparison.set_index(["outcome", "doctrine"])
    for k, outcome in enumerate(outcomes):
        row, col = k // cols + 1, k % cols + 1
        for doctrine in doctrines:
            value, low, high, distinct = difference_on_scale(
                rows_by.loc[(outcome.name, doctrine)], outcome
            )
            colour = doctrine_colour(list(study_order).index(doctrine))
            figure.add_trace(
                go.Scatter(
                    x=[value],
                    y=[doctrine],
                    mode="markers",
                    marker={
                        "color": colour if distinct else "white",
                        "line": {"color": colour, "width": 2},
                        "size": 9,
                    },
                    error_x={
                        "type": "data",
                        "symmetric": False,
                        "array": [high - value],
                        "arrayminus": [value - low],
                        "color": colour,
                    },
                    showlegend=False,
                    hovertemplate=(
                        f"{doctrine} − {reference}<br>{outcome.label}: "
                        f"{value:.4g} [{low:.4g}, {high:.4g}]"
                        f"{' (distinguishable from 0)' if distinct else ''}<extra></extra>"
                    ),
                ),
                row=row,
                col=col,
            )
        figure.add_vline(x=0, line={"color": "#888888", "width": 1}, row=row, col=col)
    figure.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=doctrines)
    return _layout(figure, 90 + rows * (60 + 34 * len(doctrines)))
