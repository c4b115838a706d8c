"""The escalation ladder: ordered rungs from stable relations to nuclear use.

The rungs condense Kahn's (1965) 44-rung ladder into nine levels that fit a border dyad; their
numeric order is what the escalation mechanism moves along.
"""

from __future__ import annotations

from enum import IntEnum


class Rung(IntEnum):
    """One level of the escalation ladder of a dyad."""

    STABLE = 0
    TENSION = 1
    MILITARY_SIGNALLING = 2
    CRISIS = 3
    ARMED_INCIDENT = 4
    LIMITED_CONFLICT = 5
    WAR = 6
    HORIZONTAL_ESCALATION = 7
    NUCLEAR_USE = 8

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``'armed incident'``."""
        return self.name.lower().replace("_", " ")

    @classmethod
    def parse(cls, text: str | int) -> Rung:
        """Read a rung from its name (``'crisis'``, ``'armed-incident'``) or number."""
        if isinstance(text, int):
            return cls(text)
        key = text.strip().upper().replace("-", "_").replace(" ", "_")
        return cls[key]


RUNG_LABELS: tuple[str, ...] = tuple(r.label for r in Rung)
