"""Page parts from the session's JSON: the tables and figures of each picture.

The facilitator's true state, a cell's perceived picture, the move form a cell fills in and
the forecast of its candidate moves. Each function reads the JSON the game session gives
(dualtrack.experiments.game) and returns plain data for the templates; the figures are the
specs of :mod:`dualtrack.web.figures`, drawn by plotly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from dualtrack.web import figures
from dualtrack.web.figures import FORECAST_OUTCOMES


@dataclass(frozen=True)
class Grid:
    """A titled table: header and rows of already formatted cells."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    note: str = ""


@dataclass(frozen=True)
class Picture:
    """A titled set of tables and charts."""

    tables: list[Grid] = field(default_factory=list)
    charts: list[tuple[str, Markup]] = field(default_factory=list)


def _n(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _forces(forces: Mapping[str, Any]) -> str:
    return ", ".join(f"{cat} {_n(v, 0)}" for cat, v in forces.items() if v) or "none"


def _ceilings(ceilings: Mapping[str, Mapping[str, Any]]) -> str:
    parts = [
        f"{who}: " + ", ".join(f"{cat} ≤ {v:,.0f}" for cat, v in caps.items() if v is not None)
        for who, caps in ceilings.items()
    ]
    return "; ".join(p for p in parts if not p.endswith(": ")) or "–"


def truth_picture(truth: Mapping[str, Any]) -> Picture:
    """The White cell's tables: actors (with their hidden types), dyads, beliefs, sectors."""
    actors = Grid(
        "Actors (true forces and types)",
        ["actor", "type", "played", "doctrine", "forces", "threat / tolerated", "cost"],
        [
            [
                f"{key} ({a['name']})",
                a["type"],
                _n(a["played"]),
                a["doctrine"],
                _forces(a["forces"]),
                f"{_n(a['threat'], 2)} / {_n(a['tolerated_threat'], 2)}",
                _n(a["cost"], 0),
            ]
            for key, a in truth["actors"].items()
        ],
    )
    dyads = Grid(
        "Dyads",
        ["dyad", "rung", "highest last turn", "agreement", "agreements (kept)", "channels open"],
        [
            [
                key,
                d["rung"],
                d["highest_last_turn"],
                (
                    f"in force, {d['agreement']['days_left']:.0f} days left; "
                    + _ceilings(d["agreement"]["ceilings"])
                )
                if d["agreement"]["in_force"]
                else "none",
                f"{d['agreements']} ({d['agreements_kept']})",
                ", ".join(k for k, v in d["channels"].items() if v) or "none",
            ]
            for key, d in truth["dyads"].items()
        ],
    )
    sectors = Grid(
        "Sectors",
        ["sector", "incidents last turn", "incidents in all"],
        [
            [key, _n(s["incidents_last_turn"]), _n(s["incidents_total"])]
            for key, s in truth["sectors"].items()
        ],
    )
    pairs = {f"{p['observer']} → {p['target']}": p["belief"] for p in truth["pairs"].values()}
    beliefs = Grid(
        "What each actor believes",
        ["observer → target", "P(the other is an opportunist)"],
        [[pair, f"{100 * belief:.0f}%"] for pair, belief in pairs.items()],
    )
    return Picture(
        [actors, dyads, sectors, beliefs],
        [
            (
                "Beliefs: P(the other is an opportunist)",
                figures.markup(figures.belief_bars(pairs), "beliefs"),
            )
        ],
    )


def override_targets(truth: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The fields a facilitator may override: (``field:target``, label)."""
    targets = [(f"escalation:{d}", f"escalation rung of {d}") for d in truth["dyads"]]
    targets += [
        (f"agreement:{d}", f"agreement in force in {d} (true/false)") for d in truth["dyads"]
    ]
    targets += [(f"incident:{s}", f"incidents this turn in {s}") for s in truth["sectors"]]
    return targets


def view_picture(view: Mapping[str, Any]) -> Picture:
    """A cell's tables and charts: its forces, what it perceives, its threat and beliefs."""
    own = Grid(
        f"{view['name']}: own forces",
        ["category", "forces", "baseline", "capacity"],
        [
            [
                cat,
                _n(n, 0),
                _n(view["own_baseline"].get(cat), 0),
                _n(view["own_capacity"].get(cat), 0),
            ]
            for cat, n in view["own_forces"].items()
        ],
    )
    perceived = Grid(
        "What you perceive of the others' forces (noisy estimates)",
        ["actor", "perceived forces", "perceived strength"],
        [
            [target, _forces(forces), _n(view["perceived_strength"].get(target), 0)]
            for target, forces in view["perceived_forces"].items()
        ],
    )
    dyads = Grid(
        "Your dyads",
        ["dyad", "with", "rung", "agreement", "channels open", "inspection"],
        [
            [
                key,
                d["with"],
                d["rung"],
                f"in force, {d['agreement']['days_left']:.0f} days left"
                if d["agreement"]["in_force"]
                else f"none ({d['agreement']['agreements_so_far']} so far)",
                ", ".join(k for k, v in d["channels"].items() if v) or "none",
                d["inspection"] or "–",
            ]
            for key, d in view["dyads"].items()
        ],
    )
    incidents = view["incidents"]
    sectors = Grid(
        "Incidents in your sectors last turn",
        ["sector", "incidents"],
        [[key, _n(s["incidents_last_turn"])] for key, s in incidents["sectors"].items()],
        note="Incidents you blamed on an adversary last turn: "
        f"{incidents['attributed_last_turn']}.",
    )
    announced = Grid(
        "What the other players announced last turn",
        ["actor", "announcement"],
        [
            [actor, ", ".join(f"{k} {v}" for k, v in public.items())]
            for actor, public in view["announcements"].items()
        ],
    )
    beliefs = {target: b["belief"] for target, b in view["beliefs"].items()}
    feelings = Grid(
        "Your threat and beliefs",
        ["of", "value"],
        [
            ["threat felt", _n(view["threat"], 2)],
            ["threat tolerated", _n(view["tolerated_threat"], 2)],
            *(
                [f"P({target} is an opportunist)", f"{100 * b:.0f}%"]
                for target, b in beliefs.items()
            ),
        ],
    )
    tables = [feelings, own, perceived, dyads, sectors] + ([announced] if announced.rows else [])
    return Picture(
        tables,
        [
            (
                "Threat felt and tolerated",
                figures.markup(figures.threat(view["threat"], view["tolerated_threat"]), "threat"),
            ),
            (
                "Your beliefs: P(the other is an opportunist)",
                figures.markup(figures.belief_bars(beliefs), "beliefs"),
            ),
        ],
    )


def posture_categories(options: Mapping[str, Any]) -> list[str]:
    """The force categories the actor's posture may set."""
    return list(options.get("posture", {}))


@dataclass(frozen=True)
class PostureInput:
    """A posture field of the move form."""

    category: str
    name: str
    current: float
    baseline: float
    capacity: float
    value: str


@dataclass(frozen=True)
class MoveForm:
    """What the cell's move form offers, with its submitted move filled in."""

    posture: list[PostureInput]
    talks: list[str]
    channel: list[str]
    inspection: list[str]
    dyads: list[str]
    channel_types: list[str]
    chosen: Mapping[str, Any]


def move_form(options: Mapping[str, Any], move: Mapping[str, Any] | None) -> MoveForm:
    """The form's fields from the actor's options (and its move this turn, if any)."""
    fields = ("talks", "channel", "channel_type", "dyad", "inspection", "unilateral_step")
    chosen = {name: None for name in fields} | dict(move or {})
    posture = chosen.get("posture", {})
    channel_dyads = options["channel"]["dyads"]
    return MoveForm(
        posture=[
            PostureInput(
                category=category,
                name=spec["name"],
                current=spec["current"],
                baseline=spec["baseline"],
                capacity=spec["capacity"],
                value=f"{posture[category]:.2f}" if category in posture else "",
            )
            for category, spec in options["posture"].items()
        ],
        talks=[v for v in options["talks"] if v is not None],
        channel=[v for v in options["channel"]["values"] if v is not None],
        inspection=[v for v in options["inspection"]["values"] if v is not None],
        dyads=list(channel_dyads),
        channel_types=sorted({kind for status in channel_dyads.values() for kind in status}),
        chosen=chosen,
    )


def forecast_table(result: Mapping[str, Any]) -> Picture:
    """The what-if: per candidate, each outcome's probability with its 95% interval.

    The first candidate is the actor's doctrine (an empty move: nothing it would not do
    anyway), the second the cell's move."""
    candidates = result["candidates"]
    labels = ["your doctrine", "your move"][: len(candidates)]
    labels += [f"candidate {i + 1}" for i in range(len(labels), len(candidates))]

    def share(value: Mapping[str, float]) -> str:
        return (
            f"{100 * value['estimate']:.0f}% [{100 * value['low']:.0f}, {100 * value['high']:.0f}]"
        )

    rows = [
        [
            label,
            *(share(c[key]) for key in FORECAST_OUTCOMES),
            f"{c['expected_cost']['estimate']:,.0f} "
            f"[{c['expected_cost']['low']:,.0f}, {c['expected_cost']['high']:,.0f}]",
        ]
        for label, c in zip(labels, candidates, strict=True)
    ]
    note = (
        f"{result['replicates']} replicates over {result['weeks']} weeks on common random "
        "numbers (each candidate meets the same draws; the others' types drawn from your "
        f"beliefs), on your dyads {', '.join(result['dyads'])}. Brackets: "
        f"{100 * result['confidence']:.0f}% intervals (Wilson for shares, Student-t for the cost)."
    )
    table = Grid(
        "What-if forecast", ["candidate", *FORECAST_OUTCOMES.values(), "expected cost"], rows, note
    )
    chart = figures.markup(figures.forecast(labels, candidates), "forecast")
    return Picture([table], [("What-if: each outcome's share, 95% intervals", chart)])
