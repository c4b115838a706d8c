"""The tabletop's figures, each defined once as a FigureSpec (report/figure_spec.py).

The pages draw them with the plotly renderer (plotly.js served by the app itself, the file
the export inlines); the exported review draws the same specs with plotly and, for its static
copy, matplotlib. Every number a figure shows is also in a table of its page, so a browser
without scripts loses no fact, only the drawing.

The review's figures put each turn at the day of the true state it shows (``truth["day"]``
of the snapshot taken at the start and after each committed turn): the value and its x come
from the same record, the start (which has no outcome) needs no special case, and the day is
that of the state drawn, not of an adjudication that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from markupsafe import Markup

from dualtrack.report import figure_spec as fs
from dualtrack.report import plotly_renderer
from dualtrack.report.html import figure_html
from dualtrack.report.palette import doctrine_colour
from dualtrack.scenario.ladder import RUNG_LABELS
from dualtrack.web.views import Review

FORECAST_OUTCOMES = {
    "p_crisis": "P(crisis)",
    "p_armed_incident": "P(armed incident)",
    "p_war": "P(war)",
    "p_agreement": "P(agreement at the end)",
}
"""The shares a forecast gives, with their labels (the expected cost is shown apart)."""

SHARE = fs.Axis("P(opportunist)", percent=True, limits=(0.0, 1.0))


def markup(spec: fs.FigureSpec, slug: str) -> Markup:
    """The figure drawn by plotly for a page (``<div id="plot-SLUG">`` and its script)."""
    return Markup(figure_html(plotly_renderer.draw(spec), slug))


# --- the review: turn by turn --------------------------------------------------------------


def _states(review: Review) -> list[Any]:
    """The true state at the start and after each committed turn (where it was stored)."""
    return [
        truth
        for truth in (review.start.get("truth", {}), *(t.truth for t in review.turns))
        if truth
    ]


def _over_turns(
    states: Sequence[Mapping[str, Any]], group: str, value: str, y: fs.Axis, step: bool, hover: str
) -> fs.FigureSpec:
    days = np.asarray([float(truth["day"]) for truth in states])
    names = list(states[0].get(group, {})) if states else []
    marks = [
        fs.Line(
            days,
            np.asarray(
                [
                    np.nan if (v := t.get(group, {}).get(name, {}).get(value)) is None else v
                    for t in states
                ],
                dtype=float,
            ),
            doctrine_colour(i),
            name,
            step=step,
            hover_format=hover,
            group=name,
        )
        for i, name in enumerate(names)
    ]
    keys = [fs.Key(name, doctrine_colour(i)) for i, name in enumerate(names)]
    panel = fs.Panel(marks, x=fs.Axis("day of the game"), y=y)
    return fs.FigureSpec([[panel]], size=(9.0, 3.2), keys=keys, legend="right")


def rungs(review: Review) -> fs.FigureSpec:
    """Each dyad's true escalation rung at the start and after each committed turn."""
    axis = fs.Axis("rung", limits=(0.0, len(RUNG_LABELS) - 1.0))
    return _over_turns(_states(review), "dyads", "rung_value", axis, True, ".0f")


def beliefs(review: Review) -> fs.FigureSpec:
    """Each observer's belief that each target is an opportunist, turn by turn."""
    return _over_turns(_states(review), "pairs", "belief", SHARE, False, ".1%")


# --- the live pages: bars ------------------------------------------------------------------


def _bars(labels: Sequence[str], values: Sequence[float], x: fs.Axis, hover: str) -> fs.FigureSpec:
    layer = fs.Layer(x.label, np.asarray(values, dtype=float), doctrine_colour(0))
    bars = fs.StackedBars((layer,), hover_format=hover)
    panel = fs.Panel([bars], x=x, y=fs.Axis(categories=tuple(labels)))
    return fs.FigureSpec([[panel]], size=(5.5, 0.45 * len(labels) + 0.6))


def belief_bars(beliefs: Mapping[str, float]) -> fs.FigureSpec:
    """P(opportunist) by who is believed of (``observer → target`` on the White cell's page)."""
    return _bars(list(beliefs), list(beliefs.values()), SHARE, ".0%")


def threat(felt: float, tolerated: float) -> fs.FigureSpec:
    """The threat an actor feels beside the threat it tolerates."""
    return _bars(
        ["threat felt", "tolerated"], [felt, tolerated], fs.Axis("threat", from_zero=True), ".2f"
    )


def forecast(labels: Sequence[str], candidates: Sequence[Mapping[str, Any]]) -> fs.FigureSpec:
    """The what-if: each outcome's share per candidate, with its 95% interval."""
    colours = tuple(doctrine_colour(i) for i in range(len(labels)))
    panels = []
    for key, title in FORECAST_OUTCOMES.items():
        shares = [c[key] for c in candidates]
        marks = fs.Intervals(
            np.asarray([s["estimate"] for s in shares], dtype=float),
            np.asarray([s["low"] for s in shares], dtype=float),
            np.asarray([s["high"] for s in shares], dtype=float),
            colours,
            (True,) * len(labels),
            tuple(
                f"{label}: {100 * s['estimate']:.0f}% [{100 * s['low']:.0f}, {100 * s['high']:.0f}]"
                for label, s in zip(labels, shares, strict=True)
            ),
        )
        panels.append(
            fs.Panel(
                [marks],
                x=fs.Axis(percent=True, limits=(0.0, 1.0)),
                y=fs.Axis(categories=tuple(labels)),
                title=title,
            )
        )
    return fs.FigureSpec(
        [panels[:2], panels[2:]], size=(6.0, 3.6), share_y=True, spacing=(0.3, 0.5)
    )
