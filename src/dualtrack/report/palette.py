"""Colours shared by the interactive and the static figures, so both read the same way."""

from __future__ import annotations

DOCTRINE_COLOURS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermilion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",
    "#F0E442",  # yellow
)
"""Okabe & Ito (2008) colour-blind-safe qualitative palette, one colour per doctrine."""

RUNG_COLOURS: tuple[str, ...] = (
    "#1a9850",  # stable
    "#91cf60",  # tension
    "#d9ef8b",  # military signalling
    "#fee08b",  # crisis
    "#fc8d59",  # armed incident
    "#e34a33",  # limited conflict
    "#b30000",  # war
    "#7a0177",  # horizontal escalation
    "#000000",  # nuclear use
)
"""Escalation rungs from green (stable) to black (nuclear use)."""

FATE_COLOURS: tuple[tuple[str, str], ...] = (
    ("kept to term", "#009E73"),
    ("ended by a detected violation", "#D55E00"),
    ("in force at the horizon", "#9e9e9e"),
)
"""How an agreement ended, and its colour."""

ACT_COLOURS: tuple[tuple[str, str], ...] = (
    ("#f4a582", "#b2182b"),
    ("#92c5de", "#2166ac"),
)
"""Deliberate acts of side 1 and side 2 of the focus dyad: (probes, attacks), light and dark
(ColorBrewer RdBu)."""
ACCIDENT = "#9e9e9e"
"""Accidental and exogenous incidents, beside the deliberate acts."""

INK = "#222222"
"""Text, and lines that are not a doctrine's (means over all replicates)."""
KEY_GREY = "#555555"
"""Legend keys that stand for every doctrine's colour; shock tags; map places."""
RULE = "#888888"
"""Reference lines (zero difference)."""
SHOCK = "#777777"
SHOCK_ALPHA = 0.16
"""Shock bands: colour and opacity; an instant shock is a dotted line in ``KEY_GREY``."""

MAP_COLOURMAP = "YlOrRd"
"""Sequential colour map (ColorBrewer) for deployment intensity on the border map."""
MAP_BACKGROUND = "#f4f4f2"
"""Outside the drawn countries (sea and land not drawn)."""
MAP_ACTOR_FILL = "#e8eef6"
"""A country that is an actor of the scenario."""
MAP_OTHER_FILL = "#fbfbfa"
"""A country of the atlas that is not an actor."""
MAP_EDGE = "#8c8c8c"
MAP_BORDER = "#444444"
MAP_LABEL = "#9a9a9a"
"""Country names written on the map."""
MAP_ORIGIN = "#7a0177"
"""Cascade origins on the map."""


def doctrine_colour(index: int) -> str:
    """Colour of the doctrine at ``index`` in study order."""
    return DOCTRINE_COLOURS[index % len(DOCTRINE_COLOURS)]


def rung_colour(rung: int) -> str:
    """Colour of an escalation rung."""
    return RUNG_COLOURS[min(rung, len(RUNG_COLOURS) - 1)]


def with_alpha(hex_colour: str, alpha: float) -> str:
    """A ``#rrggbb`` colour as a CSS ``rgba(...)`` with the given opacity."""
    text = hex_colour.lstrip("#")
    red, green, blue = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {alpha})"
