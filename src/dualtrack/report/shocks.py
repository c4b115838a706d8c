"""The scenario's shocks as numbered intervals in days since the start, for time axes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dualtrack.scenario.schema import (
    ChannelShock,
    IncidentRateShock,
    PerceivedBuildupShock,
    Scenario,
    WarShock,
)


@dataclass(frozen=True)
class ShockMark:
    """One shock on a time axis: a band from ``start_day`` to ``end_day`` (or a line)."""

    number: int
    label: str
    kind: str
    begins: dt.date
    ends: dt.date | None
    start_day: float
    """Days since the scenario's start; negative when the shock began before it."""
    end_day: float | None
    """Day the shock stops acting (exclusive); None: it lasts beyond the horizon."""
    detail: str

    @property
    def throughout(self) -> bool:
        """In force for the whole horizon (began before the start, never ends within it)."""
        return self.start_day <= 0 and self.end_day is None

    @property
    def tag(self) -> str:
        """Short mark drawn on the axes, e.g. ``S2``."""
        return f"S{self.number}"


def _label(shock: object) -> str:
    label = getattr(shock, "label", None)
    if label:
        return str(label)
    if isinstance(shock, WarShock):
        return shock.name
    if isinstance(shock, ChannelShock):
        state = "opens" if shock.open else "closes"
        return f"{shock.channel} channel {state} ({'-'.join(shock.dyad)})"
    if isinstance(shock, IncidentRateShock):
        return f"incident rate against {shock.victim}"
    if isinstance(shock, PerceivedBuildupShock):
        return f"{shock.observer} perceives a build-up by {shock.target}"
    return str(getattr(shock, "kind", "shock"))


def _detail(shock: object) -> str:
    if isinstance(shock, WarShock):
        felt = ", ".join(f"{a} +{v.value:g}" for a, v in shock.threat.items())
        return f"exogenous incident rates x{shock.rate_multiplier.value:g}" + (
            f"; extra threat {felt}" if felt else ""
        )
    if isinstance(shock, IncidentRateShock):
        where = "all sectors" if shock.sectors == "all" else ", ".join(shock.sectors)
        return f"{shock.mode} {shock.rate.value:g}/day incidents against {shock.victim} ({where})"
    if isinstance(shock, PerceivedBuildupShock):
        return (
            f"{shock.observer} believes {shock.target} holds {shock.amount.value:g} extra "
            f"{shock.category} units"
        )
    if isinstance(shock, ChannelShock):
        quality = f", quality {shock.quality.value:g}" if shock.quality is not None else ""
        return f"{shock.channel} {'open' if shock.open else 'closed'}{quality}"
    return ""


def shock_marks(scenario: Scenario) -> list[ShockMark]:
    """The scenario's shocks in order, with days counted from ``settings.start``."""
    start = scenario.settings.start
    marks = []
    for number, shock in enumerate(scenario.shocks, start=1):
        begins = shock.begins
        marks.append(
            ShockMark(
                number=number,
                label=_label(shock),
                kind=shock.kind,
                begins=begins,
                ends=shock.end,
                start_day=float((begins - start).days),
                end_day=None if shock.end is None else float((shock.end - start).days),
                detail=_detail(shock),
            )
        )
    return marks


@dataclass(frozen=True)
class AxisBand:
    """What one time axis draws: a band (or a line when ``x0 == x1``) and its tag text."""

    x0: float
    x1: float
    text: str


def axis_bands(marks: list[ShockMark], horizon_days: float) -> list[AxisBand]:
    """Bands to draw within ``[0, horizon]``; shocks with the same interval share one band.

    Shocks in force throughout are left out (the caption names them) so that they do not
    cover the whole chart.
    """
    grouped: dict[tuple[float, float], list[str]] = {}
    for mark in marks:
        if mark.throughout or mark.start_day > horizon_days:
            continue
        if mark.end_day is not None and mark.end_day <= 0:
            continue
        x0 = max(0.0, mark.start_day)
        x1 = x0 if mark.end_day is None else min(horizon_days, mark.end_day)
        grouped.setdefault((x0, x1), []).append(mark.tag)
    return [AxisBand(x0, x1, "+".join(tags)) for (x0, x1), tags in sorted(grouped.items())]


def throughout_note(marks: list[ShockMark]) -> str:
    """Caption text naming the shocks in force for the whole horizon (or '')."""
    names = [f"{m.tag} {m.label} (since {m.begins.isoformat()})" for m in marks if m.throughout]
    return ("In force throughout: " + "; ".join(names) + ".") if names else ""
