"""Draw a :class:`~dualtrack.report.figure_spec.FigureSpec` as an interactive plotly figure.

Hover texts come from the marks' names and formats; a spec with several views gets a menu
that recolours its scale lines and resizes its points. Static sizes convert at
:data:`PX_PER_INCH`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_hex
from plotly.subplots import make_subplots

from dualtrack.report import figure_spec as fs
from dualtrack.report.palette import INK, KEY_GREY, SHOCK, SHOCK_ALPHA, with_alpha

PX_PER_INCH = 112
"""Height of the interactive figure per inch of the static one."""
PX_PER_PT = 4.0 / 3.0
"""Screen pixels per typographic point: specs give line widths, sizes and offsets in points."""
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
POSITIONS = {
    "top": "top center",
    "bottom": "bottom center",
    "left": "middle left",
    "right": "middle right",
}
"""Where a point's text goes, in plotly's words."""


def _html(text: str) -> str:
    return text.replace("\n", "<br>")


def scale_colour(scale: fs.ColourScale, value: float) -> str:
    """Colour of a value on a colour scale, as ``#rrggbb``."""
    return str(to_hex(colormaps[scale.colourmap](Normalize(0.0, scale.top)(value))))


def draw(spec: fs.FigureSpec) -> go.Figure:
    """The plotly Figure of a spec."""
    rows, cols = spec.rows, spec.cols
    titles = [
        _html(p.title) if p is not None else ""
        for row in spec.panels
        for p in [*row, *([None] * (cols - len(row)))]
    ]
    maps = any(p is not None and p.aspect is not None for row in spec.panels for p in row)
    figure = (
        go.Figure()
        if rows == cols == 1
        else make_subplots(
            rows=rows,
            cols=cols,
            shared_xaxes=spec.share_x,
            shared_yaxes=spec.share_y,
            subplot_titles=titles,
            horizontal_spacing=min(0.2, spec.spacing[0] / cols * 0.6 + 0.015),
            vertical_spacing=min(0.3, spec.spacing[1] / rows * 0.8 + 0.04),
        )
    )
    view_traces: list[tuple[int, Any, int]] = []
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    scale: fs.ColourScale | None = None
    for r, row in enumerate(spec.panels, start=1):
        for c, panel in enumerate(row, start=1):
            if panel is None:
                continue
            n = (r - 1) * cols + c
            cell = {} if rows == cols == 1 else {"row": r, "col": c}
            for mark in panel.marks:
                first = len(figure.data)
                for trace in _traces(mark, panel, spec.default_view):
                    figure.add_trace(trace, **cell)
                varies = isinstance(mark, fs.ScaleLines) or (
                    isinstance(mark, fs.Points) and len(mark.sizes) > 1
                )
                if varies and len(spec.views) > 1:
                    view_traces.append((first, mark, len(figure.data) - first))
                if isinstance(mark, fs.ScaleLines):
                    scale = mark.scale
                notes += _annotations(mark, n)
            shapes += _shock_shapes(panel, n)
            notes += _shock_tags(panel, n)
            _axes(figure, panel, cell)
    if rows == cols == 1 and spec.panels[0][0] is not None and spec.panels[0][0].title:
        figure.update_layout(title={"text": _html(spec.panels[0][0].title), "x": 0.0})
    for key in spec.keys:
        figure.add_trace(_key(key), **({} if rows == cols == 1 else {"row": 1, "col": 1}))
    if scale is not None:
        figure.add_trace(_colour_bar(scale), **({} if rows == cols == 1 else {"row": 1, "col": 1}))
    layout: dict[str, Any] = {
        "template": TEMPLATE,
        "height": int(spec.size[1] * PX_PER_INCH) + (60 if maps else 40),
        "font": FONT,
        "margin": {"l": 70, "r": 20, "t": 60 if spec.keys or spec.views else 40, "b": 50},
        "barmode": "stack",
        "shapes": [*figure.layout.shapes, *shapes],
        "annotations": [*figure.layout.annotations, *notes],
        "legend": _legend_place(spec.legend),
    }
    if spec.views and len(spec.views) > 1:
        layout["updatemenus"] = [_menu(spec, view_traces)]
        layout["annotations"].append(
            {
                "text": spec.view_label,
                "x": 0.0,
                "xref": "paper",
                "xanchor": "left",
                "y": 1.0,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 12,
                "showarrow": False,
            }
        )
    figure.update_layout(**layout)
    return figure


def _legend_place(place: str) -> dict[str, Any]:
    if place == "right":
        return {"orientation": "v", "x": 1.02, "y": 1.0, "traceorder": "normal"}
    if place == "bottom":
        return {"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0.0, "traceorder": "normal"}
    return {"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0.0, "traceorder": "normal"}


def _ref(kind: str, n: int) -> str:
    return kind if n == 1 else f"{kind}{n}"


def _axes(figure: go.Figure, panel: fs.Panel, cell: dict[str, int]) -> None:
    for which, axis in (("x", panel.x), ("y", panel.y)):
        update: dict[str, Any] = {}
        if axis.label:
            update["title_text"] = _html(axis.label)
        if axis.percent:
            update["tickformat"] = ".0%"
        if axis.limits is not None:
            update["range"] = list(axis.limits)
        elif axis.from_zero:
            update["rangemode"] = "tozero"
        if axis.suffix:
            update["ticksuffix"] = axis.suffix
        if axis.categories:
            update |= {
                "categoryorder": "array",
                "categoryarray": list(axis.categories),
                "range": [len(axis.categories) - 0.5, -0.5]
                if which == "y"
                else [-0.5, len(axis.categories) - 0.5],
            }
        if panel.aspect is not None:
            update |= {"showgrid": False, "zeroline": False, "constrain": "domain"}
            if which == "y":
                update |= {"scaleanchor": "x", "scaleratio": panel.aspect}
        (figure.update_xaxes if which == "x" else figure.update_yaxes)(**update, **cell)
    if panel.background:
        figure.update_layout(plot_bgcolor=panel.background)


def _shock_shapes(panel: fs.Panel, n: int) -> list[dict[str, Any]]:
    shapes = []
    for band in panel.shocks:
        base = {"xref": _ref("x", n), "yref": f"{_ref('y', n)} domain", "y0": 0, "y1": 1}
        if band.x1 > band.x0:
            shapes.append(
                base
                | {
                    "type": "rect",
                    "x0": band.x0,
                    "x1": band.x1,
                    "fillcolor": with_alpha(SHOCK, SHOCK_ALPHA),
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        else:
            shapes.append(
                base
                | {
                    "type": "line",
                    "x0": band.x0,
                    "x1": band.x0,
                    "line": {"color": KEY_GREY, "width": 1, "dash": "dot"},
                }
            )
    return shapes


def _shock_tags(panel: fs.Panel, n: int) -> list[dict[str, Any]]:
    if not panel.tag_shocks:
        return []
    return [
        {
            "x": band.x0,
            "xref": _ref("x", n),
            "y": 1.0,
            "yref": f"{_ref('y', n)} domain",
            "xanchor": "left",
            "yanchor": "top",
            "text": band.text,
            "showarrow": False,
            "font": {"size": 9, "color": KEY_GREY},
        }
        for band in panel.shocks
    ]


def _annotations(mark: fs.Mark, n: int) -> list[dict[str, Any]]:
    refs = {"xref": _ref("x", n), "yref": _ref("y", n)}
    if isinstance(mark, fs.Callouts):
        return [
            refs
            | {
                "x": float(point[0]),
                "y": float(point[1]),
                "text": text,
                "showarrow": True,
                "arrowhead": 0,
                "arrowcolor": KEY_GREY,
                "ax": dx * PX_PER_PT,
                "ay": -dy * PX_PER_PT,  # plotly's ay points down
                "font": {"size": 11, "color": INK},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
            for point, text, (dx, dy) in zip(mark.points, mark.texts, mark.offsets, strict=True)
        ]
    if isinstance(mark, fs.Text):
        return [
            refs
            | {
                "x": mark.x,
                "y": mark.y,
                "text": mark.text,
                "showarrow": False,
                "font": {"size": mark.size * PX_PER_PT, "color": mark.colour},
            }
        ]
    return []


def _f32(values: Any) -> Any:
    return np.asarray(values, dtype=np.float32)


def _traces(mark: fs.Mark, panel: fs.Panel, view: int) -> list[Any]:  # noqa: C901
    x_name = panel.x.label or "x"
    categories = list(panel.y.categories)
    if isinstance(mark, fs.Band):
        edge = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False}
        return [
            go.Scatter(x=_f32(mark.x), y=_f32(mark.high), **edge),
            go.Scatter(
                x=_f32(mark.x),
                y=_f32(mark.low),
                fill="tonexty",
                fillcolor=with_alpha(mark.colour, mark.alpha),
                **edge,
            ),
        ]
    if isinstance(mark, fs.Line):
        line: dict[str, Any] = {"color": mark.colour, "width": mark.width * PX_PER_PT}
        if mark.dotted:
            line["dash"] = "dot"
        if mark.step:
            line["shape"] = "hv"
        return [
            go.Scatter(
                x=_f32(mark.x),
                y=_f32(mark.y),
                mode="lines",
                line=line,
                name=mark.name,
                legendgroup=mark.group or None,
                showlegend=False,
                hovertemplate=f"{mark.name}<br>{x_name} %{{x:.0f}}: "
                f"%{{y:{mark.hover_format}}}<extra></extra>",
            )
        ]
    if isinstance(mark, fs.StackedAreas):
        group = f"stack{id(mark)}"
        return [
            go.Scatter(
                x=_f32(mark.x),
                y=_f32(layer.values),
                mode="lines",
                line={"width": 0.4, "color": layer.colour},
                fillcolor=layer.colour,
                stackgroup=group,
                name=layer.name,
                legendgroup=layer.name,
                showlegend=False,
                hovertemplate=f"{layer.name}<br>{x_name} %{{x:.0f}}: "
                f"%{{y:{mark.hover_format}}}<extra></extra>",
            )
            for layer in mark.layers
        ]
    if isinstance(mark, fs.StackedBars):
        return [
            go.Bar(
                y=categories,
                x=layer.values,
                orientation="h",
                name=layer.name,
                marker_color=layer.colour,
                legendgroup=layer.name,
                showlegend=False,
                hovertemplate=f"%{{y}}: %{{x:{mark.hover_format}}} {layer.name} "
                f"{mark.hover_unit}<extra></extra>",
            )
            for layer in mark.layers
        ]
    if isinstance(mark, fs.Boxes):
        return [
            go.Box(
                y=[categories[k]],
                q1=[box.q1],
                median=[box.median],
                q3=[box.q3],
                lowerfence=[box.low],
                upperfence=[box.high],
                mean=[box.mean],
                orientation="h",
                marker_color=mark.colours[k],
                name=categories[k],
                showlegend=False,
            )
            for k, box in enumerate(mark.boxes)
            if box is not None
        ]
    if isinstance(mark, fs.Intervals):
        traces = []
        for k in range(len(mark.value)):
            value, colour = float(mark.value[k]), mark.colours[k]
            traces.append(
                go.Scatter(
                    x=[value],
                    y=[categories[k]],
                    mode="markers",
                    marker={
                        "color": colour if mark.filled[k] else "white",
                        "line": {"color": colour, "width": 2},
                        "size": 9,
                    },
                    error_x={
                        "type": "data",
                        "symmetric": False,
                        "array": [float(mark.high[k]) - value],
                        "arrayminus": [value - float(mark.low[k])],
                        "color": colour,
                    },
                    showlegend=False,
                    hovertemplate=_html(mark.hovers[k]) + "<extra></extra>",
                )
            )
        return traces
    if isinstance(mark, fs.RuleX):
        return [
            go.Scatter(
                x=[mark.x, mark.x],
                y=[categories[0], categories[-1]] if categories else [0, 1],
                mode="lines",
                line={"color": mark.colour, "width": 1},
                hoverinfo="skip",
                showlegend=False,
                cliponaxis=False,
            )
        ]
    if isinstance(mark, fs.Areas):
        traces = []
        for rings, name, fill in zip(mark.rings, mark.names, mark.fills, strict=True):
            xs: list[float | None] = []
            ys: list[float | None] = []
            for ring in rings:
                xs += [*ring[:, 0].round(4).tolist(), None]
                ys += [*ring[:, 1].round(4).tolist(), None]
            traces.append(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    fill="toself",
                    fillcolor=fill,
                    line={"color": mark.edge, "width": mark.edge_width * PX_PER_PT},
                    name=name,
                    hoverinfo="name",
                    showlegend=False,
                )
            )
        return traces
    if isinstance(mark, fs.PolyLine):
        return [
            go.Scatter(
                x=mark.points[:, 0],
                y=mark.points[:, 1],
                mode="lines",
                line={"color": mark.colour, "width": mark.width * PX_PER_PT},
                hoverinfo="skip",
                showlegend=False,
            )
        ]
    if isinstance(mark, fs.ScaleLines):
        return [
            go.Scatter(
                x=line_points[:, 0],
                y=line_points[:, 1],
                mode="lines",
                line={
                    "color": scale_colour(mark.scale, mark.values[view, k]),
                    "width": mark.width * PX_PER_PT,
                },
                name=mark.names[k],
                hovertext=_html(mark.hovers[view][k]),
                hoverinfo="text",
                hoveron="points",
                showlegend=False,
            )
            for k, line_points in enumerate(mark.lines)
        ]
    if isinstance(mark, fs.Points):
        sizes = mark.sizes[min(view, len(mark.sizes) - 1)] * PX_PER_PT
        hovers = mark.hovers[min(view, len(mark.hovers) - 1)] if mark.hovers else mark.texts
        return [
            go.Scatter(
                x=mark.points[:, 0],
                y=mark.points[:, 1],
                mode="markers+text" if mark.label_positions else "markers",
                text=list(mark.texts) if mark.label_positions else None,
                textposition=[POSITIONS[p] for p in mark.label_positions] or None,
                textfont={"size": 10, "color": mark.colour},
                marker={
                    "size": sizes,
                    "color": mark.colour,
                    "opacity": mark.alpha,
                    "line": {"color": mark.edge or mark.colour, "width": 1},
                },
                hovertext=[_html(h) for h in hovers],
                hoverinfo="text",
                name=mark.group,
                showlegend=False,
            )
        ]
    return []


def _key(key: fs.Key) -> go.Scatter:
    if key.kind == "swatch":
        style: dict[str, Any] = {
            "mode": "markers",
            "marker": {
                "color": with_alpha(key.colour, key.alpha),
                "size": 12,
                "symbol": "square",
            },
        }
    else:
        line: dict[str, Any] = {"color": key.colour, "width": 1.8}
        if key.kind == "dotted":
            line["dash"] = "dot"
        style = {"mode": "lines", "line": line}
    return go.Scatter(x=[None], y=[None], name=key.name, legendgroup=key.name, **style)


def _colour_bar(scale: fs.ColourScale) -> go.Scatter:
    samples = np.linspace(0.0, 1.0, 11)
    cmap = colormaps[scale.colourmap]
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={
            "color": [0.0],
            "cmin": 0.0,
            "cmax": scale.top,
            "colorscale": [[float(v), str(to_hex(cmap(v)))] for v in samples],
            "showscale": True,
            "size": 0.1,
            "opacity": 0.0,
            "colorbar": {
                "title": {"text": _html(scale.label), "side": "right"},
                "thickness": 14,
                "len": 0.6,
            },
        },
        hoverinfo="skip",
        showlegend=False,
    )


def _menu(
    spec: fs.FigureSpec, view_traces: Sequence[tuple[int, fs.ScaleLines | fs.Points, int]]
) -> dict[str, Any]:
    buttons = []
    for v, name in enumerate(spec.views):
        colours: list[Any] = []
        hovers: list[Any] = []
        sizes: list[Any] = []
        indices: list[int] = []
        for first, mark, count in view_traces:
            indices += list(range(first, first + count))
            if isinstance(mark, fs.ScaleLines):
                colours += [scale_colour(mark.scale, value) for value in mark.values[v]]
                hovers += [_html(h) for h in mark.hovers[v]]
                sizes += [None] * count
            else:
                colours += [mark.colour]
                hovers += [[_html(h) for h in mark.hovers[min(v, len(mark.hovers) - 1)]]]
                sizes += [(mark.sizes[min(v, len(mark.sizes) - 1)] * PX_PER_PT).tolist()]
        buttons.append(
            {
                "label": name,
                "method": "restyle",
                "args": [
                    {"line.color": colours, "hovertext": hovers, "marker.size": sizes},
                    indices,
                ],
            }
        )
    return {
        "buttons": buttons,
        "active": spec.default_view,
        "x": 0.1,
        "xanchor": "left",
        "y": 1.0,
        "yanchor": "bottom",
        "pad": {"b": 6},
        "showactive": True,
    }
