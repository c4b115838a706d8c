"""Small inline SVG charts for the pages: bars with intervals, lines over turns.

Drawn on the server as markup (no script, no external asset); colours from the report's
palette, so a page and the exported review look alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from dualtrack.report.palette import INK, KEY_GREY, doctrine_colour

WIDTH = 560
ROW = 22
LABEL = 170


@dataclass(frozen=True)
class Bar:
    """One bar: a label, a value, an optional interval and a note written after it."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    note: str = ""
    mark: float | None = None
    """A reference tick (e.g. the tolerated threat) on the same scale."""


def bars(items: Sequence[Bar], top: float = 1.0, percent: bool = True, title: str = "") -> Markup:
    """Horizontal bars from 0 to ``top``, each with its interval and reference tick."""
    top = max([top, *(b.value for b in items), *(b.high or 0.0 for b in items)]) or 1.0
    span = WIDTH - LABEL - 130
    height = ROW * len(items) + 8

    def x(value: float) -> float:
        return LABEL + span * max(0.0, min(value, top)) / top

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>" if title else "",
    ]
    for row, bar in enumerate(items):
        y = 4 + row * ROW
        text = f"{100 * bar.value:.0f}%" if percent else f"{bar.value:.2f}"
        if bar.low is not None and bar.high is not None:
            text += (
                f" [{100 * bar.low:.0f}, {100 * bar.high:.0f}]"
                if percent
                else f" [{bar.low:.2f}, {bar.high:.2f}]"
            )
        parts += [
            f'<text x="{LABEL - 6}" y="{y + 14}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(bar.label)}</text>',
            f'<rect x="{LABEL}" y="{y + 3}" width="{x(bar.value) - LABEL:.1f}" height="13" '
            f'fill="{doctrine_colour(row)}" fill-opacity="0.75"/>',
        ]
        if bar.low is not None and bar.high is not None:
            parts.append(
                f'<line x1="{x(bar.low):.1f}" x2="{x(bar.high):.1f}" y1="{y + 9.5}" '
                f'y2="{y + 9.5}" stroke="{INK}" stroke-width="1.5"/>'
            )
        if bar.mark is not None:
            parts.append(
                f'<line x1="{x(bar.mark):.1f}" x2="{x(bar.mark):.1f}" y1="{y}" y2="{y + 19}" '
                f'stroke="{INK}" stroke-dasharray="2,2"/>'
            )
        parts.append(
            f'<text x="{LABEL + span + 6}" y="{y + 14}" font-size="11" fill="{KEY_GREY}">'
            f"{escape(text)}{escape(' ' + bar.note if bar.note else '')}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(
    series: Mapping[str, Sequence[float | None]],
    x: Sequence[float],
    y_max: float,
    y_labels: Sequence[str] = (),
    title: str = "",
) -> Markup:
    """Lines over ``x`` (e.g. days), each series a name and its values (None: a gap)."""
    height, left, bottom, right = 180, 110 if y_labels else 40, 24, 120
    span_x = WIDTH + 160 - left - right
    span_y = height - bottom - 10
    low_x, high_x = (min(x), max(x)) if x else (0.0, 1.0)
    width_x = (high_x - low_x) or 1.0
    top = y_max or 1.0

    def px(value: float) -> float:
        return left + span_x * (value - low_x) / width_x

    def py(value: float) -> float:
        return 10 + span_y * (1 - value / top)

    total = WIDTH + 160
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {total} {height}" width="{total}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>" if title else "",
        f'<line x1="{left}" x2="{left + span_x}" y1="{py(0):.1f}" y2="{py(0):.1f}" '
        f'stroke="{KEY_GREY}"/>',
    ]
    for value, label in enumerate(y_labels):
        parts.append(
            f'<text x="{left - 6}" y="{py(value) + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="{KEY_GREY}">{escape(label)}</text>'
        )
    for day in x:
        parts.append(
            f'<text x="{px(day):.1f}" y="{height - 6}" text-anchor="middle" font-size="10" '
            f'fill="{KEY_GREY}">{day:g}</text>'
        )
    for index, (name, values) in enumerate(series.items()):
        colour = doctrine_colour(index)
        points = [(px(d), py(v)) for d, v in zip(x, values, strict=True) if v is not None]
        if points:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            parts += [
                f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{colour}"/>' for a, b in points
            ]
        parts.append(
            f'<text x="{left + span_x + 8}" y="{16 + 14 * index}" font-size="11" '
            f'fill="{colour}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
