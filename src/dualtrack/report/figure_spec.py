"""Declarative figures: what a report figure shows, once, for every renderer to draw.

A :class:`FigureSpec` is a grid of :class:`Panel` s, each a list of marks (lines, bands,
stacked areas, bars, boxes, intervals, map areas, coloured lines, callouts, points) on two
:class:`Axis` es, with the figure's legend keys and size. Colours come from
:mod:`dualtrack.report.palette`. ``plotly_renderer`` draws a spec as the interactive figure of
``report.html`` and ``matplotlib_renderer`` as its static PNG; neither adds content of its own.

Sizes (line widths, marker diameters, offsets, text) are in points. Text may hold ``\\n`` for
a line break. Hover formats are d3/Python format specs (``.2f``,
``.1%``), which both the renderers and the captions understand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dualtrack.report.distributions import BoxStats
from dualtrack.report.shocks import AxisBand

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Axis:
    """One axis of a panel."""

    label: str = ""
    percent: bool = False
    """Ticks as percentages of values in 0..1."""
    limits: tuple[float, float] | None = None
    from_zero: bool = False
    """Start the axis at zero (when ``limits`` is not given)."""
    categories: tuple[str, ...] = ()
    """A categorical axis: these names, listed from the top (y) or the left (x)."""
    suffix: str = ""
    """Appended to every tick label (e.g. ``°E``)."""


@dataclass(frozen=True)
class Line:
    """A line through (x, y); ``step``: held until the next point."""

    x: Array
    y: Array
    colour: str
    name: str = ""
    width: float = 1.5
    dotted: bool = False
    step: bool = False
    hover_format: str = ".2f"
    group: str = ""
    """Legend key the line belongs to (toggled with it in the interactive figure)."""


@dataclass(frozen=True)
class Band:
    """The area between ``low`` and ``high`` over x."""

    x: Array
    low: Array
    high: Array
    colour: str
    alpha: float


@dataclass(frozen=True)
class Layer:
    """One named, coloured part of a stack (areas or bars)."""

    name: str
    values: Array
    colour: str


@dataclass(frozen=True)
class StackedAreas:
    """Layers stacked on top of each other over x."""

    x: Array
    layers: tuple[Layer, ...]
    hover_format: str = ".1%"


@dataclass(frozen=True)
class StackedBars:
    """Horizontal bars, one per category of the y axis, split into layers."""

    layers: tuple[Layer, ...]
    hover_format: str = ".2f"
    hover_unit: str = ""


@dataclass(frozen=True)
class Boxes:
    """Horizontal boxes, one per category of the y axis (None: nothing to draw)."""

    boxes: tuple[BoxStats | None, ...]
    colours: tuple[str, ...]


@dataclass(frozen=True)
class Intervals:
    """A point with an interval per category of the y axis; hollow where not ``filled``."""

    value: Array
    low: Array
    high: Array
    colours: tuple[str, ...]
    filled: tuple[bool, ...]
    hovers: tuple[str, ...]


@dataclass(frozen=True)
class RuleX:
    """A vertical reference line at ``x``."""

    x: float
    colour: str


@dataclass(frozen=True)
class ColourScale:
    """A sequential colour map from 0 to ``top`` with its legend label."""

    colourmap: str
    top: float
    label: str


@dataclass(frozen=True)
class Areas:
    """Filled outlines (countries): each area a list of (n, 2) lon/lat rings."""

    rings: tuple[tuple[Array, ...], ...]
    names: tuple[str, ...]
    fills: tuple[str, ...]
    edge: str
    edge_width: float = 0.7


@dataclass(frozen=True)
class PolyLine:
    """A plain line through (n, 2) points (e.g. a border)."""

    points: Array
    colour: str
    width: float = 1.0


@dataclass(frozen=True)
class ScaleLines:
    """Lines coloured by value on a colour scale, one value and hover text per view."""

    lines: tuple[Array, ...]
    names: tuple[str, ...]
    values: Array
    """Shape (view, line)."""
    hovers: tuple[tuple[str, ...], ...]
    """Per view, per line."""
    scale: ColourScale
    width: float = 7.0


@dataclass(frozen=True)
class Callouts:
    """Labels joined to points by a leader, offset (dx, dy) in points, y up."""

    points: Array
    texts: tuple[str, ...]
    offsets: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Points:
    """Labelled markers; ``sizes`` (diameter in points) may vary by view."""

    points: Array
    texts: tuple[str, ...]
    colour: str
    sizes: Array
    """Shape (view, point), or (1, point) for every view."""
    label_positions: tuple[str, ...] = ()
    """Where each text goes: ``top``, ``bottom``, ``left``, ``right``; none: no text."""
    hovers: tuple[tuple[str, ...], ...] = ()
    group: str = ""
    edge: str = ""
    alpha: float = 0.85


@dataclass(frozen=True)
class Text:
    """Words written at a data position (e.g. a country's name)."""

    x: float
    y: float
    text: str
    colour: str
    size: float


Mark = (
    Line
    | Band
    | StackedAreas
    | StackedBars
    | Boxes
    | Intervals
    | RuleX
    | Areas
    | PolyLine
    | ScaleLines
    | Callouts
    | Points
    | Text
)


@dataclass(frozen=True)
class Panel:
    """One plot of a figure's grid."""

    marks: Sequence[Mark]
    x: Axis = Axis()
    y: Axis = Axis()
    title: str = ""
    shocks: Sequence[AxisBand] = ()
    tag_shocks: bool = False
    """Write the shocks' tags (S1, S2...) at the top of this panel."""
    aspect: float | None = None
    """y units per x unit drawn equal (a map: 1 / cos(latitude)); None: free."""
    background: str = ""


@dataclass(frozen=True)
class Key:
    """A legend entry: a line, a dotted line, or a swatch of colour."""

    name: str
    colour: str
    kind: str = "line"
    """``line``, ``dotted`` or ``swatch``."""
    alpha: float = 1.0


@dataclass(frozen=True)
class FigureSpec:
    """A whole figure: its panels (rows of columns; None leaves a cell empty) and legend."""

    panels: Sequence[Sequence[Panel | None]]
    size: tuple[float, float]
    """Width and height in inches (the interactive figure keeps the height, fills the width)."""
    title: str = ""
    keys: Sequence[Key] = ()
    legend: str = "top"
    """Where the keys go: ``top``, ``bottom`` or ``right``."""
    share_x: bool = False
    share_y: bool = False
    """Share the y axis along each row."""
    margins: tuple[float, float, float, float] = (0.8, 0.2, 0.45, 0.5)
    """Left, right, top and bottom margins of the static figure (inches)."""
    spacing: tuple[float, float] = (0.08, 0.2)
    """Horizontal and vertical gaps between panels, as a share of a panel."""
    views: Sequence[str] = ()
    """Names of the alternative views of :class:`ScaleLines` and :class:`Points` values
    (e.g. doctrines); the interactive figure offers a menu, the static one draws the
    ``default_view``."""
    default_view: int = 0
    view_label: str = ""
    footnote: str = ""

    @property
    def rows(self) -> int:
        """Rows of the panel grid."""
        return len(self.panels)

    @property
    def cols(self) -> int:
        """Columns of the panel grid."""
        return max(len(row) for row in self.panels)
