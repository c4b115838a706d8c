"""Replay: does every dated shock of a scenario match a coded event of the timeline?

A scenario's shocks (a war elsewhere, a perceived build-up, incident rates, channels opening
or closing) are modelling claims about what happened. Each is checked against the coded
events: a shock is *matched* when at least one event falls in its date window, on its track,
with a CAMEO code of the right family and the right actors (see :data:`EVIDENCE`). The window
runs from ``tolerance_days`` before the shock begins to ``tolerance_days`` after its last day
(its begin day when it has no end); an event coded with month or year precision counts if any
day of its month or year falls in the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dualtrack.analysis.history.events import load_events
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.schema import Scenario

DEFAULT_TOLERANCE_DAYS = 14


@dataclass(frozen=True)
class Evidence:
    """Which coded events count as evidence of a kind of shock."""

    tracks: frozenset[str]
    roots: frozenset[str]
    rule: str
    involves: Callable[[Any, pd.DataFrame], pd.Series]
    """Mask of events whose actors fit the shock (given the shock and the events)."""


def _war_parties(shock: Any, events: pd.DataFrame) -> pd.Series:
    parties = set(shock.threat)
    if not parties:
        return pd.Series(True, index=events.index)
    return events["actor"].isin(parties) | events["target"].isin(parties)


def _observer_claims(shock: Any, events: pd.DataFrame) -> pd.Series:
    return (events["actor"] == shock.observer) & (events["target"] == shock.target)


def _victim_side(shock: Any, events: pd.DataFrame) -> pd.Series:
    root = events["cameo_code"].str[:2]
    complains = (root == "11") & (events["actor"] == shock.victim)
    suffers = root.isin(["18", "19", "20"]) & (events["target"] == shock.victim)
    return complains | suffers


def _channel_dyad(shock: Any, events: pd.DataFrame) -> pd.Series:
    dyad = "-".join(sorted(shock.dyad))
    sign = events["goldstein"] > 0 if shock.open else events["goldstein"] < 0
    return (events["dyad"] == dyad) & sign


EVIDENCE: dict[str, Evidence] = {
    "war": Evidence(
        frozenset({"deterrence", "context"}),
        frozenset({"18", "19", "20"}),
        "use of force (CAMEO 18-20) by or against an actor the war threatens",
        _war_parties,
    ),
    "perceived_buildup": Evidence(
        frozenset({"deterrence"}),
        frozenset({"11", "13"}),
        "the observer accuses or threatens the target (CAMEO 11, 13)",
        _observer_claims,
    ),
    "incident_rate": Evidence(
        frozenset({"deterrence"}),
        frozenset({"11", "18", "19", "20"}),
        "the victim accuses the other side (CAMEO 11) or suffers force (CAMEO 18-20)",
        _victim_side,
    ),
    "channel": Evidence(
        frozenset({"dialogue"}),
        frozenset({"03", "04", "05", "06", "12", "16"}),
        "cooperative contact on the dyad when a channel opens (CAMEO 03-06), "
        "rejection or cut relations when it closes (CAMEO 12, 16)",
        _channel_dyad,
    ),
}


@dataclass(frozen=True)
class ShockMatch:
    """One scenario shock and the coded events that match it."""

    index: int
    kind: str
    label: str
    begins: dt.date
    ends: dt.date | None
    window: tuple[dt.date, dt.date]
    rule: str
    event_ids: tuple[str, ...]

    @property
    def matched(self) -> bool:
        """At least one coded event matches."""
        return bool(self.event_ids)

    def __str__(self) -> str:
        found = ", ".join(self.event_ids) if self.event_ids else "no matching event"
        return (
            f"shocks[{self.index}] {self.kind} '{self.label}' ({self.begins}): {found} "
            f"(window {self.window[0]}..{self.window[1]}; evidence: {self.rule})"
        )


def _label(shock: Any) -> str:
    return str(shock.label or getattr(shock, "name", None) or shock.kind)


def replay_shocks(
    scenario: Scenario | str | Path = "belarus-ukraine-2024",
    events: pd.DataFrame | None = None,
    *,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> list[ShockMatch]:
    """For each dated shock of the scenario, the coded events that match it (may be none)."""
    resolved = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    events = load_events() if events is None else events
    slack = dt.timedelta(days=tolerance_days)
    matches = []
    for index, shock in enumerate(resolved.shocks):
        evidence = EVIDENCE[shock.kind]
        begins = shock.begins
        last = shock.end - dt.timedelta(days=1) if shock.end is not None else begins
        window = (begins - slack, last + slack)
        in_window = (events["date_end"] >= pd.Timestamp(window[0])) & (
            events["date"] <= pd.Timestamp(window[1])
        )
        mask = (
            in_window
            & events["track"].isin(evidence.tracks)
            & events["cameo_code"].str[:2].isin(evidence.roots)
            & evidence.involves(shock, events)
        )
        matches.append(
            ShockMatch(
                index=index,
                kind=shock.kind,
                label=_label(shock),
                begins=begins,
                ends=shock.end,
                window=window,
                rule=evidence.rule,
                event_ids=tuple(events.loc[mask, "event_id"]),
            )
        )
    return matches


def replay_table(matches: list[ShockMatch]) -> pd.DataFrame:
    """One row per shock: kind, label, dates, window, matching events and whether any."""
    return pd.DataFrame(
        [
            {
                "shock": m.index,
                "kind": m.kind,
                "label": m.label,
                "begins": m.begins,
                "ends": m.ends,
                "window_from": m.window[0],
                "window_to": m.window[1],
                "events": ", ".join(m.event_ids),
                "matched": m.matched,
            }
            for m in matches
        ]
    )


def mismatches(matches: list[ShockMatch]) -> list[str]:
    """A readable line for every shock without a matching event (empty when all match)."""
    return [str(m) for m in matches if not m.matched]
