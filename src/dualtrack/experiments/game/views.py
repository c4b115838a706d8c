"""What each cell of a game sees: a player's options and private view, the White cell's truth
and the master scenario events list (MSEL). All JSON-able, labelled by ids.

A view holds only what the actor perceives (docs/model.md §7.2, §7.12): its own forces, its
smoothed noisy estimates of its adversaries' forces, the threat it feels, its beliefs about
their types (log-odds; trust ``1 - belief``), its agreements and channels, the rungs of its
dyads, the incidents in its sectors and those it blamed on an adversary, and the public moves
(talks, unilateral steps, channel and inspection moves) players announced last turn. Types,
true forces of others, others' beliefs and who cheats are in the truth only.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from dualtrack.experiments.game.moves import GameError
from dualtrack.mechanisms import intent
from dualtrack.scenario.calendar import step_window
from dualtrack.scenario.ladder import RUNG_LABELS
from dualtrack.scenario.schema import ChannelShock

if TYPE_CHECKING:
    from dualtrack.experiments.game.session import GameSession

PUBLIC_FIELDS = ("talks", "unilateral_step", "channel", "channel_type", "dyad", "inspection")
"""Move fields announced to every cell (posture is not: the others perceive it)."""


def _num(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


def _where(session: GameSession) -> dict[str, Any]:
    return {
        "turn": session.turn,
        "day": session.day,
        "date": session.date.isoformat(),
        "done": session.done,
    }


def channel_status(session: GameSession, dyad: int) -> dict[str, bool]:
    """Whether each channel type declared for a dyad is open at the next step.

    The declared state, changed by every channel shock acting then, in the order listed (as
    the forcing tabulates them, engine/forcing.py).
    """
    c = session.compiled
    scenario = session.scenario
    declared = scenario.dyads[dyad].channels
    status: dict[str, bool] = {kind: channel.open for kind, channel in declared.items()}
    pair = frozenset(scenario.dyads[dyad].between)
    t = min(session.step_index, c.n_steps - 1)
    for shock in scenario.shocks:
        if isinstance(shock, ChannelShock) and frozenset(shock.dyad) == pair:
            window = step_window(shock, c.start, c.dt, c.n_steps)
            if window.start <= t < window.stop and shock.channel in status:
                status[shock.channel] = shock.open
    return status


def _capacities(session: GameSession, dyad: int) -> dict[str, float]:
    c = session.compiled
    t = min(session.step_index, c.n_steps - 1)
    return {
        "negotiation": float(c.forcing.negotiation[t, dyad]),
        "information": float(c.forcing.information[t, dyad]),
        "crisis": float(c.forcing.crisis[t, dyad]),
    }


def options(session: GameSession, actor: str) -> dict[str, Any]:
    """The moves ``actor`` may make this turn and their ranges."""
    if actor not in session.players:
        raise GameError("actor", f"a played actor ({', '.join(session.players)})", actor)
    c, state = session.compiled, session.state
    a = c.actor_ids.index(actor)
    posture = {}
    for category in session.movable(actor):
        i = c.category_ids.index(category)
        capacity = float(c.capacity[a, i])
        posture[category] = {
            "name": session.base_scenario.categories[i].name,
            "min": 0.0,
            "max": 1.0,
            "capacity": capacity,
            "baseline": float(c.baseline[a, i] / capacity),
            "current": float(state.forces[0, a, i] / capacity),
        }
    dyads = session.dyads_of(actor)
    standing = session.inspections.get(actor, {})
    return {
        "actor": actor,
        **_where(session),
        "posture": posture,
        "talks": ["propose", "accept", "refuse", None],
        "channel": {
            "values": ["open", "close", None],
            "dyads": {d: channel_status(session, c.dyad_ids.index(d)) for d in dyads},
        },
        "inspection": {
            "values": ["invite", "refuse", None],
            "dyads": {
                d: {
                    "standing": standing.get(d),
                    "transparency": float(c.inspection[c.dyad_ids.index(d)]),
                }
                for d in dyads
            },
        },
        "unilateral_step": {"min": 0.0, "max": 1.0},
    }


def _announced(session: GameSession, actor: str | None) -> dict[str, dict[str, Any]]:
    """Public parts of the last committed turn's moves (of players other than ``actor``)."""
    turns = [e for e in session.log if e.get("event") == "turn"]
    if not turns:
        return {}
    return {
        player: public
        for player, move in turns[-1]["moves"].items()
        if player != actor
        and (public := {k: move[k] for k in PUBLIC_FIELDS if move.get(k) is not None})
    }


def view(session: GameSession, actor: str) -> dict[str, Any]:
    """What ``actor`` perceives now (never another actor's truth)."""
    c, state = session.compiled, session.state
    if actor not in c.actor_ids:
        raise GameError("actor", f"an actor ({', '.join(c.actor_ids)})", actor)
    a = c.actor_ids.index(actor)
    last = session.last_turn
    mine = np.flatnonzero(c.pair_observer == a)
    perceived: dict[str, dict[str, float]] = {}
    entry_strength = state.perceived[0] * c.entry_to_pair.toarray().sum(axis=1)
    beliefs: dict[str, dict[str, float | None]] = {}
    strength: dict[str, float] = {}
    for p in mine:
        target = c.actor_ids[c.pair_target[p]]
        entries = np.flatnonzero(c.entry_pair == p)
        perceived[target] = {
            c.category_ids[c.entry_category[e]]: float(state.perceived[0, e]) for e in entries
        }
        strength[target] = float(entry_strength[entries].sum())
        log_odds = float(state.log_odds[0, p])
        belief = float(intent.belief(np.array(log_odds)))
        beliefs[target] = {"log_odds": _num(log_odds), "belief": belief, "trust": 1.0 - belief}
    dyads: dict[str, Any] = {}
    for name in session.dyads_of(actor):
        k = c.dyad_ids.index(name)
        side = int(np.flatnonzero(c.dyad_sides[k] == a)[0])
        other = c.actor_ids[c.dyad_sides[k][1 - side]]
        in_force = bool(state.active[0, k])
        dyads[name] = {
            "with": other,
            "rung": RUNG_LABELS[int(state.rung[0, k])],
            "rung_value": int(state.rung[0, k]),
            "agreement": {
                "in_force": in_force,
                "days_left": float(state.days_left[0, k]) if in_force else 0.0,
                "ceilings": {
                    who: {
                        cat: _num(state.ceiling[0, k, s, i]) for i, cat in enumerate(c.category_ids)
                    }
                    for s, who in ((side, actor), (1 - side, other))
                }
                if in_force
                else {},
                "agreements_so_far": int(state.agreements[0, k]),
            },
            "channels": channel_status(session, k),
            "channel_capacity": _capacities(session, k),
            "inspection": session.inspections.get(actor, {}).get(name),
        }
    sectors = {
        s.id: {"incidents_last_turn": int(round(last["incidents"][i]))}
        for i, s in enumerate(session.scenario.sectors)
        if actor in s.between
    }
    return {
        "actor": actor,
        "name": session.base_scenario.actors[a].name,
        **_where(session),
        "own_forces": {cat: float(state.forces[0, a, i]) for i, cat in enumerate(c.category_ids)},
        "own_baseline": {cat: float(c.baseline[a, i]) for i, cat in enumerate(c.category_ids)},
        "own_capacity": {cat: _num(c.capacity[a, i]) for i, cat in enumerate(c.category_ids)},
        "own_cost": float(state.cost[0, a]),
        "perceived_forces": perceived,
        "perceived_strength": strength,
        "threat": float(state.threat[0, a]),
        "tolerated_threat": float(c.tolerated_threat[a]),
        "beliefs": beliefs,
        "dyads": dyads,
        "incidents": {
            "sectors": sectors,
            "attributed_last_turn": int(round(last["attributed"][a])),
        },
        "announcements": _announced(session, actor),
    }


def truth(session: GameSession) -> dict[str, Any]:
    """Everything: the White cell's picture of the world."""
    c, state = session.compiled, session.state
    last = session.last_turn
    actors = {}
    for a, name in enumerate(c.actor_ids):
        actors[name] = {
            "name": session.base_scenario.actors[a].name,
            "type": "opportunist" if bool(state.types[0, a]) else "security seeker",
            "played": name in session.players,
            "doctrine": session.base_scenario.actors[a].doctrine.name,
            "forces": {cat: float(state.forces[0, a, i]) for i, cat in enumerate(c.category_ids)},
            "threat": float(state.threat[0, a]),
            "tolerated_threat": float(c.tolerated_threat[a]),
            "cost": float(state.cost[0, a]),
            "days_elevated": float(state.days_elevated[0, a]),
            "attributed_last_turn": int(round(last["attributed"][a])),
        }
    pairs = {}
    for p, name in enumerate(c.pair_ids):
        log_odds = float(state.log_odds[0, p])
        belief = float(intent.belief(np.array(log_odds)))
        pairs[name] = {
            "observer": c.actor_ids[c.pair_observer[p]],
            "target": c.actor_ids[c.pair_target[p]],
            "log_odds": _num(log_odds),
            "belief": belief,
            "trust": 1.0 - belief,
            "perceived": {
                c.category_ids[c.entry_category[e]]: float(state.perceived[0, e])
                for e in np.flatnonzero(c.entry_pair == p)
            },
            "memory": float(state.memory[0, p]),
        }
    dyads = {}
    for k, name in enumerate(c.dyad_ids):
        sides = [c.actor_ids[i] for i in c.dyad_sides[k]]
        dyads[name] = {
            "sides": sides,
            "rung": RUNG_LABELS[int(state.rung[0, k])],
            "rung_value": int(state.rung[0, k]),
            "max_rung": RUNG_LABELS[int(state.max_rung[0, k])],
            "highest_last_turn": RUNG_LABELS[int(last["highest"][k])],
            "trust": float(state.trust[0, k]),
            "agreement": {
                "in_force": bool(state.active[0, k]),
                "days_left": float(state.days_left[0, k]),
                "ceilings": {
                    side: {
                        cat: _num(state.ceiling[0, k, s, i]) for i, cat in enumerate(c.category_ids)
                    }
                    for s, side in enumerate(sides)
                },
                "violating": {s: bool(state.violating[0, k, i]) for i, s in enumerate(sides)},
                "cheating": {s: bool(state.cheating[0, k, i]) for i, s in enumerate(sides)},
            },
            "agreements": int(state.agreements[0, k]),
            "agreements_kept": int(state.agreements_kept[0, k]),
            "violations_detected": int(state.violations_detected[0, k]),
            "probes": {s: int(state.probes[0, k, i]) for i, s in enumerate(sides)},
            "attacks": {s: int(state.attacks[0, k, i]) for i, s in enumerate(sides)},
            "first_war_day": _num(state.first_war_day[0, k]),
            "channels": channel_status(session, k),
            "channel_capacity": _capacities(session, k),
        }
    sectors = {
        name: {
            "incidents_last_step": int(round(state.incidents[0, s])),
            "incidents_last_turn": int(round(last["incidents"][s])),
            "incidents_total": int(round(state.incidents_total[0, s])),
        }
        for s, name in enumerate(c.sector_ids)
    }
    return {
        **_where(session),
        "scenario": session.base_scenario.id,
        "seed": session.seed,
        "players": list(session.players),
        "actors": actors,
        "pairs": pairs,
        "dyads": dyads,
        "sectors": sectors,
        "inspections": session.inspections,
    }


def msel(session: GameSession) -> list[dict[str, Any]]:
    """The master scenario events list: the scenario's shocks, then the injects and channel
    moves added in play, each with its days since the start and its dates."""
    start = session.compiled.start
    scenario = session.base_scenario
    items = [(shock, "scenario") for shock in scenario.shocks]
    items += [
        (shock, "move" if (shock.source or "").startswith("game move") else "inject")
        for shock in session.added_shocks
    ]
    events = []
    for i, (shock, origin) in enumerate(items):
        begins: dt.date = shock.begins
        events.append(
            {
                "index": i,
                "origin": origin,
                "kind": shock.kind,
                "label": shock.label or shock.kind,
                "start": begins.isoformat(),
                "end": shock.end.isoformat() if shock.end is not None else None,
                "day": (begins - start).days,
                "end_day": (shock.end - start).days if shock.end is not None else None,
                "shock": shock.model_dump(mode="json", exclude_none=True),
            }
        )
    return events
