"""A steppable game: one world of a scenario, advanced a turn at a time by players' moves.

The world is the engine's run at ``replicates=1`` for the game's seed: the same random
streams, drawn in the same order (:mod:`.stepping`). The played actors' doctrines are
:class:`~.played.Played`, which take the turn's move and leave the rest to the actor's own
doctrine; channel moves and injects become dated scenario shocks (the forcing of the steps
left is rebuilt from them), inspection moves set the pairs' inspection transparency
(:func:`dualtrack.engine.inspections.inspection_table`). A turn is proposed by :meth:`adjudicate`
(which changes nothing) and applied by :meth:`commit`, with the facilitator's overrides.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import TypeAdapter

from dualtrack.doctrines.base import make_doctrine
from dualtrack.engine.compiled import Compiled, compile_scenario
from dualtrack.engine.inspections import inspection_table
from dualtrack.engine.run import NumpyEngine, start_state
from dualtrack.engine.state import State
from dualtrack.engine.step import StepConstants
from dualtrack.engine.streams import ChunkStreams
from dualtrack.experiments.game import forecast as forecasting
from dualtrack.experiments.game import played, snapshot, views
from dualtrack.experiments.game.moves import GameError, Inject, Move, Override, parse
from dualtrack.experiments.game.stepping import (
    StreamStates,
    advance,
    clone_streams,
    copy_state,
    set_streams_state,
    streams_state,
)
from dualtrack.mechanisms import dialogue, intent
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.ladder import RUNG_LABELS, Rung
from dualtrack.scenario.loading import load_scenario, scenario_hash, validate_scenario
from dualtrack.scenario.references import check_references
from dualtrack.scenario.schema import ChannelShock, PerceivedBuildupShock, Scenario, Shock

Array = NDArray[np.float64]
Record = dict[str, NDArray[Any]]
"""What a turn leaves for the views: ``incidents`` per sector and ``attributed`` per actor
summed over the turn's steps, ``highest`` rung per dyad during the turn."""

Inspections = dict[str, dict[str, str]]
"""Standing inspection moves: actor -> dyad -> ``invite`` or ``refuse``."""

_SHOCK: TypeAdapter[Shock] = TypeAdapter(Shock)


@dataclass
class _World:
    """The compiled scenario (with the shocks added so far) and its step constants."""

    compiled: Compiled
    constants: StepConstants


@dataclass
class _Proposal:
    moves: dict[str, Move]
    injects: tuple[Inject, ...]
    added: list[Shock]
    inspections: Inspections
    world: _World
    before: State
    state: State
    streams: StreamStates
    steps: int
    record: Record


class GameSession:
    """One world of a scenario, played a turn at a time (see the module docstring).

    Build it with :meth:`start`, :meth:`restore` or :meth:`replay`. ``turn`` counts the
    turns committed (the outcome of the next one says ``turn + 1``), ``players`` are the
    played actors, ``seed`` the game's seed.
    """

    def __init__(
        self, scenario: Scenario, seed: int, players: tuple[str, ...], turn_days: int
    ) -> None:
        self.seed = int(seed)
        self.players = players
        self.turn_days = turn_days
        self.turn = 0
        self._base = scenario
        self._added: list[Shock] = []
        self._inspections: Inspections = {}
        self._played = {a: self._played_doctrine(a) for a in players}
        self._world = self._build(self._added, self._inspections)
        self._streams = ChunkStreams(self.seed, 0, 1, 1)
        compiled = self._world.compiled
        self._state = start_state(NumpyEngine(compiled, 1), self._streams, 1)
        self._t = 0
        self._last: Record = self._empty_record()
        self._pending: _Proposal | None = None
        self._log: list[dict[str, Any]] = [
            {
                "event": "start",
                "scenario": scenario.id,
                "scenario_hash": scenario_hash(scenario),
                "seed": self.seed,
                "players": list(players),
                "turn_days": turn_days,
            }
        ]

    # --- building -----------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        scenario: Scenario | str,
        seed: int,
        players: Sequence[str],
        turn_days: int = 7,
    ) -> GameSession:
        """A new game at the scenario's start date; ``players`` are the human-played actors."""
        loaded = load_scenario(scenario)
        settings = loaded.settings.model_copy(update={"replicates": 1, "seed": int(seed)})
        loaded = loaded.model_copy(update={"settings": settings})
        actors = [a.id for a in loaded.actors]
        chosen: list[str] = []
        for i, name in enumerate(players):
            if name not in actors:
                raise GameError(f"players[{i}]", f"one of the actors {', '.join(actors)}", name)
            if name in chosen:
                raise GameError(f"players[{i}]", "each actor played once", name)
            chosen.append(name)
        step = settings.step_days
        if (
            isinstance(turn_days, bool)
            or not isinstance(turn_days, int)
            or turn_days < 1
            or not float(turn_days / step).is_integer()
        ):
            raise GameError("turn_days", f"a whole number of steps of {step:g} days", turn_days)
        return cls(loaded, int(seed), tuple(chosen), turn_days)

    def _played_doctrine(self, actor: str) -> played.Played:
        spec = next(a.doctrine for a in self._base.actors if a.id == actor)
        inner = make_doctrine(spec.name, spec.params)
        return played.Played(inner, len(self._base.categories))

    def _scenario_with(self, added: Sequence[Shock]) -> Scenario:
        return self._base.model_copy(update={"shocks": [*self._base.shocks, *added]})

    def _build(self, added: Sequence[Shock], inspections: Inspections) -> _World:
        compiled = compile_scenario(self._scenario_with(added), dict(self._played))
        constants = StepConstants(compiled)
        invited = np.zeros(len(compiled.pair_ids), dtype=bool)
        refused = np.zeros(len(compiled.pair_ids), dtype=bool)
        for actor, per_dyad in inspections.items():
            a = compiled.actor_ids.index(actor)
            for dyad, choice in per_dyad.items():
                pairs = (compiled.pair_target == a) & (
                    compiled.pair_dyad == compiled.dyad_ids.index(dyad)
                )
                (invited if choice == "invite" else refused)[pairs] = True
        constants.pair_inspection = inspection_table(compiled, invited, refused)
        return _World(compiled, constants)

    def _empty_record(self) -> Record:
        c = self._world.compiled
        return {
            "incidents": np.zeros(len(c.sector_ids)),
            "attributed": np.zeros(len(c.actor_ids)),
            "highest": self._state.rung[0].astype(np.int64),
        }

    # --- where the game is --------------------------------------------------------------

    @property
    def compiled(self) -> Compiled:
        """The compiled scenario the game steps (with the shocks added so far)."""
        return self._world.compiled

    @property
    def state(self) -> State:
        """The world's engine state (one replicate); read it, do not change it."""
        return self._state

    @property
    def scenario(self) -> Scenario:
        """The scenario with the shocks injects and channel moves added so far."""
        return self._scenario_with(self._added)

    @property
    def base_scenario(self) -> Scenario:
        """The scenario the game started from."""
        return self._base

    @property
    def added_shocks(self) -> tuple[Shock, ...]:
        """Shocks added by injects and channel moves, in the order they were added."""
        return tuple(self._added)

    @property
    def inspections(self) -> Inspections:
        """Standing inspection moves: actor -> dyad -> ``invite`` or ``refuse``."""
        return {a: dict(d) for a, d in self._inspections.items()}

    @property
    def last_turn(self) -> Record:
        """What the last committed turn left: incidents, attributed incidents, highest rungs."""
        return {k: v.copy() for k, v in self._last.items()}

    @property
    def step_index(self) -> int:
        """Steps taken so far."""
        return self._t

    @property
    def day(self) -> int:
        """Days since the scenario's start."""
        return int(round(self._t * self._world.compiled.dt))

    @property
    def date(self) -> dt.date:
        """Today's date."""
        return self._world.compiled.start + dt.timedelta(days=self.day)

    @property
    def done(self) -> bool:
        """The horizon is reached: no turn is left."""
        return self._t >= self._world.compiled.n_steps

    @property
    def steps_per_turn(self) -> int:
        """Engine steps per turn."""
        return int(round(self.turn_days / self._world.compiled.dt))

    @property
    def log(self) -> list[dict[str, Any]]:
        """The game's log (JSON-able): the start, then each committed turn's moves, injects,
        overrides (with reasons) and outcome. :meth:`replay` rebuilds the game from it."""
        return copy.deepcopy(self._log)

    @property
    def pending(self) -> bool:
        """A turn is adjudicated and not yet committed."""
        return self._pending is not None

    # --- checking submissions -----------------------------------------------------------

    def movable(self, actor: str) -> list[str]:
        """The force categories a posture may set for ``actor``: a finite, positive capacity."""
        c = self._world.compiled
        a = c.actor_ids.index(actor)
        capacity = c.capacity[a]
        return [k for i, k in enumerate(c.category_ids) if 0.0 < capacity[i] < np.inf]

    def dyads_of(self, actor: str) -> list[str]:
        """The dyads ``actor`` is a side of."""
        c = self._world.compiled
        a = c.actor_ids.index(actor)
        return [d for k, d in enumerate(c.dyad_ids) if a in c.dyad_sides[k]]

    def _dyad_choice(self, actor: str, move: Move, where: str) -> list[str]:
        own = self.dyads_of(actor)
        if move.dyad is None:
            return own
        c = self._world.compiled
        for k, name in enumerate(c.dyad_ids):
            a, b = (c.actor_ids[i] for i in c.dyad_sides[k])
            if move.dyad in (name, f"{b}-{a}") and name in own:
                return [name]
        raise GameError(f"{where}.dyad", f"a dyad of {actor} ({', '.join(own)})", move.dyad)

    def check_move(self, actor: str, value: Move | Mapping[str, Any], where: str = "move") -> Move:
        """``value`` as a valid move of the played ``actor`` this turn, or a
        :class:`GameError` located under ``where`` (a move is checked again when adjudicated).
        """
        if actor not in self.players:
            raise GameError(where, f"a played actor ({', '.join(self.players)})", actor)
        move = parse(Move, value, where)
        movable = self.movable(actor)
        for category, fraction in move.posture.items():
            if category not in movable:
                raise GameError(
                    f"{where}.posture.{category}",
                    f"a force category {actor} can move ({', '.join(movable)})",
                    category,
                )
            if not 0.0 <= fraction <= 1.0:
                raise GameError(
                    f"{where}.posture.{category}", "a fraction of capacity from 0 to 1", fraction
                )
        if move.dyad is not None and move.channel is None and move.inspection is None:
            raise GameError(f"{where}.dyad", "a channel or inspection move it concerns", move.dyad)
        if move.channel_type is not None and move.channel is None:
            raise GameError(f"{where}.channel", "open or close with a channel_type", None)
        dyads = self._dyad_choice(actor, move, where)
        if (move.channel is not None or move.inspection is not None) and not dyads:
            raise GameError(f"{where}.dyad", f"a dyad of {actor} (it is party to none)", None)
        if move.channel is not None:
            declared = [t for d in dyads for t in self._channels(d)]
            if move.channel_type is not None and move.channel_type not in declared:
                raise GameError(
                    f"{where}.channel_type",
                    f"a channel declared for {', '.join(dyads)} ({', '.join(declared) or 'none'})",
                    move.channel_type,
                )
            if not declared:
                raise GameError(
                    f"{where}.channel", f"a channel declared for {', '.join(dyads)}", move.channel
                )
        return move

    def _channels(self, dyad: str) -> list[str]:
        k = self._world.compiled.dyad_ids.index(dyad)
        return list(self._base.dyads[k].channels)

    def _check_inject(self, value: Inject | Mapping[str, Any], where: str) -> Inject:
        inject = parse(Inject, value, where)
        shock = inject.shock
        if shock.begins < self.date:
            raise GameError(f"{where}.shock", f"a start on or after {self.date}", str(shock.begins))
        problems = check_references(self._scenario_with([*self._added, shock]))
        first = len(self._base.shocks) + len(self._added)
        for problem in problems:
            head = f"shocks[{first}]"
            if problem.path.startswith(head):
                rest = problem.path[len(head) :]
                raise GameError(
                    f"{where}.shock{rest}", "a reference the scenario defines", problem.message
                )
        if problems:  # cannot happen: the scenario was valid before
            raise ScenarioError(problems)
        if isinstance(shock, PerceivedBuildupShock):
            c = self._world.compiled
            pair = np.flatnonzero(
                (np.array(c.actor_ids)[c.pair_observer] == shock.observer)
                & (np.array(c.actor_ids)[c.pair_target] == shock.target)
            )
            category = c.category_ids.index(shock.category)
            seen = set(zip(c.entry_pair.tolist(), c.entry_category.tolist(), strict=True))
            if not pair.size or (int(pair[0]), category) not in seen:
                raise GameError(
                    f"{where}.shock.category",
                    f"a category {shock.target} can hold or {shock.observer} already imagines",
                    shock.category,
                )
        return inject

    # --- playing a turn -----------------------------------------------------------------

    def adjudicate(
        self,
        moves: Mapping[str, Move | Mapping[str, Any]],
        injects: Sequence[Inject | Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """The next turn's outcome under ``moves`` and ``injects``, proposed, not committed.

        Played actors without a move follow their doctrines. A later call replaces the
        proposal; :meth:`commit` applies the last one.
        """
        if self.done:
            raise GameError("turn", "a game that is not over", f"day {self.day}")
        checked = {a: self.check_move(a, m, f"moves.{a}") for a, m in moves.items()}
        parsed = tuple(self._check_inject(v, f"injects[{i}]") for i, v in enumerate(injects))
        added, inspections, world = self._next(checked, [i.shock for i in parsed])
        before = self._state
        state = copy_state(before)
        self.write_moves(state, world.compiled, checked)
        streams = clone_streams(self._streams, self.seed, 1)
        steps = min(self.steps_per_turn, world.compiled.n_steps - self._t)
        record = self._empty_record()

        def keep(t: int, s: State) -> None:
            record["incidents"] += s.incidents[0]
            record["attributed"] += s.attributed[0]
            record["highest"] = np.maximum(record["highest"], s.rung[0])

        state = advance(state, world.compiled, world.constants, streams, self._t, steps, keep)
        self._pending = _Proposal(
            checked,
            parsed,
            added,
            inspections,
            world,
            before,
            state,
            streams_state(streams),
            steps,
            record,
        )
        return self._outcome(self._pending, ())

    def commit(self, overrides: Sequence[Override | Mapping[str, Any]] = ()) -> dict[str, Any]:
        """Apply the proposed turn, changed by the facilitator's ``overrides``; turn += 1."""
        proposal = self._pending
        if proposal is None:
            raise GameError("commit", "an adjudicated turn (call adjudicate first)", None)
        checked = [parse(Override, v, f"overrides[{i}]") for i, v in enumerate(overrides)]
        state = copy_state(proposal.state)
        record = {k: v.copy() for k, v in proposal.record.items()}
        for i, override in enumerate(checked):
            self._override(proposal, state, record, override, f"overrides[{i}]")
        proposed = self._outcome(proposal, ())
        proposal = dataclasses.replace(proposal, state=state, record=record)
        outcome = self._outcome(proposal, checked)
        self._added = [*self._added, *proposal.added]
        self._inspections = proposal.inspections
        self._world = proposal.world
        self._state = proposal.state
        set_streams_state(self._streams, proposal.streams)
        self._t += proposal.steps
        self._last = proposal.record
        self._log.append(
            {
                "event": "turn",
                "turn": outcome["turn"],
                "day": outcome["from_day"],
                "moves": {
                    a: m.model_dump(mode="json", exclude_none=True)
                    for a, m in proposal.moves.items()
                },
                "injects": [i.model_dump(mode="json", exclude_none=True) for i in proposal.injects],
                "overrides": [o.model_dump(mode="json") for o in checked],
                "proposal": proposed,
                "outcome": outcome,
            }
        )
        self.turn += 1
        self._pending = None
        return outcome

    def _next(
        self, moves: Mapping[str, Move], injected: Sequence[Shock] = ()
    ) -> tuple[list[Shock], Inspections, _World]:
        """The shocks a turn adds, the standing inspections after it, and its world."""
        added = [*self._move_shocks(moves), *injected]
        inspections = self.inspections
        for actor, move in moves.items():
            if move.inspection is not None:
                for dyad in self._dyad_choice(actor, move, f"moves.{actor}"):
                    inspections.setdefault(actor, {})[dyad] = move.inspection
        return added, inspections, self._build([*self._added, *added], inspections)

    def world_after(self, moves: Mapping[str, Move]) -> _World:
        """The world (compiled scenario, step constants) the next steps run in under ``moves``."""
        return self._next(moves)[2]

    def _move_shocks(self, moves: Mapping[str, Move]) -> list[Shock]:
        """The channel moves as channel shocks from today on."""
        shocks: list[Shock] = []
        for actor, move in moves.items():
            if move.channel is None:
                continue
            verb = "opens" if move.channel == "open" else "closes"
            for dyad in self._dyad_choice(actor, move, f"moves.{actor}"):
                k = self._world.compiled.dyad_ids.index(dyad)
                for kind in self._channels(dyad):
                    if move.channel_type not in (None, kind):
                        continue
                    shocks.append(
                        ChannelShock(
                            kind="channel",
                            dyad=self._base.dyads[k].between,
                            channel=kind,  # type: ignore[arg-type]
                            open=move.channel == "open",
                            start=self.date,
                            label=f"{actor} {verb} the {kind} channel (turn {self.turn + 1})",
                            source=f"game move by {actor}",
                        )
                    )
        return shocks

    def write_moves(self, state: State, c: Compiled, moves: Mapping[str, Move]) -> None:
        """Write each player's move (or none) into its doctrine's state."""
        for actor in self.players:
            a = c.actor_ids.index(actor)
            memory = state.doctrine_states[a]
            memory[played.TARGET][:] = np.nan
            memory[played.TALK][:] = np.nan
            memory[played.STEP][:] = 0.0
            move = moves.get(actor)
            if move is None:
                continue
            for category, fraction in move.posture.items():
                i = c.category_ids.index(category)
                memory[played.TARGET][:, i] = fraction * c.capacity[a, i]
            if move.talks is not None:
                memory[played.TALK][:] = 0.0 if move.talks == "refuse" else 1.0
            if move.unilateral_step is not None:
                memory[played.STEP][:] = move.unilateral_step

    def _override(
        self, proposal: _Proposal, state: State, record: Record, override: Override, where: str
    ) -> None:
        c = proposal.world.compiled
        before = proposal.before
        value = override.value
        if override.field == "incident":
            if override.target not in c.sector_ids:
                raise GameError(
                    f"{where}.target", f"a sector ({', '.join(c.sector_ids)})", override.target
                )
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise GameError(f"{where}.value", "a number of incidents (0 or more)", value)
            s = c.sector_ids.index(override.target)
            change = value - record["incidents"][s]
            contact = c.contact_to_pairs.toarray()[s]
            state.incidents[0, s] = max(0.0, state.incidents[0, s] + change)
            state.incidents_total[0, s] = max(0.0, state.incidents_total[0, s] + change)
            state.memory[0] = np.maximum(state.memory[0] + change * contact, 0.0)
            state.attributed[0] = np.maximum(
                state.attributed[0] + change * (contact @ c.own_pairs.toarray()), 0.0
            )
            record["attributed"] = np.maximum(
                record["attributed"] + change * (contact @ c.own_pairs.toarray()), 0.0
            )
            record["incidents"][s] = value
            return
        d = self._dyad_index(c, override.target, f"{where}.target")
        if override.field == "escalation":
            try:
                if isinstance(value, bool):
                    raise ValueError
                rung = int(Rung.parse(value))
            except (KeyError, ValueError):
                raise GameError(
                    f"{where}.value", f"a rung ({', '.join(RUNG_LABELS)} or 0..8)", value
                ) from None
            state.rung[0, d] = rung
            state.max_rung[0, d] = max(int(before.max_rung[0, d]), rung)
            if rung >= Rung.WAR and np.isnan(before.first_war_day[0, d]):
                state.first_war_day[0, d] = state.day
            elif rung < Rung.WAR:
                state.first_war_day[0, d] = before.first_war_day[0, d]
            record["highest"][d] = max(int(before.rung[0, d]), rung)
            return
        if not isinstance(value, bool):
            raise GameError(f"{where}.value", "true or false (an agreement in force)", value)
        if value and not state.active[0, d]:
            params = c.scenario.mechanisms.dialogue
            sides = c.dyad_sides[d]
            state.active[0, d] = True
            state.days_left[0, d] = params.duration_days.value
            state.ceiling[0, d] = dialogue.ceilings(
                state.forces[0, sides], c.baseline[sides], params.withdrawal_depth.value
            )
            state.threat_reference[0, d] = state.threat[0, sides]
            state.violating[0, d] = False
            state.cheating[0, d] = False
            state.agreements[0, d] += 1
            if np.isnan(state.first_agreement_day[0, d]):
                state.first_agreement_day[0, d] = state.day
        elif not value and state.active[0, d]:
            state.active[0, d] = False
            state.violating[0, d] = False
            state.cheating[0, d] = False
            state.days_left[0, d] = 0.0
            if state.agreements[0, d] > before.agreements[0, d]:  # formed this turn: undone
                state.agreements[0, d] -= 1
                state.first_agreement_day[0, d] = before.first_agreement_day[0, d]

    @staticmethod
    def _dyad_index(c: Compiled, name: str, where: str) -> int:
        for k, dyad in enumerate(c.dyad_ids):
            a, b = (c.actor_ids[i] for i in c.dyad_sides[k])
            if name in (dyad, f"{b}-{a}"):
                return k
        raise GameError(where, f"a dyad ({', '.join(c.dyad_ids)})", name)

    def _outcome(self, proposal: _Proposal, overrides: Sequence[Override]) -> dict[str, Any]:
        """The turn's outcome as the White cell sees it (JSON-able)."""
        c = proposal.world.compiled
        before, after, record = proposal.before, proposal.state, proposal.record
        start_day = self.day
        end_day = int(round((self._t + proposal.steps) * c.dt))
        dyads: dict[str, Any] = {}
        for k, name in enumerate(c.dyad_ids):
            sides = [c.actor_ids[i] for i in c.dyad_sides[k]]
            dyads[name] = {
                "rung_before": RUNG_LABELS[int(before.rung[0, k])],
                "rung": RUNG_LABELS[int(after.rung[0, k])],
                "rung_value": int(after.rung[0, k]),
                "highest": RUNG_LABELS[int(record["highest"][k])],
                "agreement_in_force": bool(after.active[0, k]),
                "agreements_formed": int(after.agreements[0, k] - before.agreements[0, k]),
                "agreements_kept": int(after.agreements_kept[0, k] - before.agreements_kept[0, k]),
                "violations_detected": int(
                    after.violations_detected[0, k] - before.violations_detected[0, k]
                ),
                "trust": float(after.trust[0, k]),
                "probes": {
                    side: int(after.probes[0, k, i] - before.probes[0, k, i])
                    for i, side in enumerate(sides)
                },
                "attacks": {
                    side: int(after.attacks[0, k, i] - before.attacks[0, k, i])
                    for i, side in enumerate(sides)
                },
            }
        return {
            "turn": self.turn + 1,
            "from_day": start_day,
            "to_day": end_day,
            "from_date": (c.start + dt.timedelta(days=start_day)).isoformat(),
            "to_date": (c.start + dt.timedelta(days=end_day)).isoformat(),
            "steps": proposal.steps,
            "moves": {
                a: m.model_dump(mode="json", exclude_none=True) for a, m in proposal.moves.items()
            },
            "injects": [i.model_dump(mode="json", exclude_none=True) for i in proposal.injects],
            "overrides": [o.model_dump(mode="json") for o in overrides],
            "dyads": dyads,
            "sectors": {
                name: {"incidents": int(round(record["incidents"][s]))}
                for s, name in enumerate(c.sector_ids)
            },
            "beliefs": {
                name: float(intent.belief(after.log_odds[0, p]))
                for p, name in enumerate(c.pair_ids)
            },
            "actors": {
                name: {
                    "forces": {
                        cat: float(after.forces[0, a, i]) for i, cat in enumerate(c.category_ids)
                    },
                    "threat": float(after.threat[0, a]),
                    "cost": float(after.cost[0, a] - before.cost[0, a]),
                }
                for a, name in enumerate(c.actor_ids)
            },
        }

    # --- what the cells see -------------------------------------------------------------

    def options(self, actor: str) -> dict[str, Any]:
        """The moves a played actor may make this turn and their ranges (JSON-able)."""
        return views.options(self, actor)

    def view(self, actor: str) -> dict[str, Any]:
        """Only what ``actor`` perceives (JSON-able; see :mod:`.views`)."""
        return views.view(self, actor)

    def truth(self) -> dict[str, Any]:
        """The true state, for the White cell (JSON-able)."""
        return views.truth(self)

    def msel(self) -> list[dict[str, Any]]:
        """The scenario's shocks and the injects and channel moves added, with their days."""
        return views.msel(self)

    def forecast(
        self,
        actor: str,
        candidates: Sequence[Move | Mapping[str, Any]],
        weeks: int = 4,
        replicates: int = 200,
    ) -> dict[str, Any]:
        """Per candidate move, outcome probabilities over the next weeks with 95% intervals,
        on common random numbers (see :mod:`.forecast`)."""
        return forecasting.forecast(self, actor, candidates, weeks, replicates)

    # --- saving and replaying -----------------------------------------------------------

    def snapshot(self) -> bytes:
        """The whole game as bytes (see :mod:`.snapshot`); :meth:`restore` continues it."""
        pending = self._pending
        header = {
            "scenario": self._base.model_dump(mode="json"),
            "seed": self.seed,
            "players": list(self.players),
            "turn_days": self.turn_days,
            "turn": self.turn,
            "step": self._t,
            "added": [s.model_dump(mode="json") for s in self._added],
            "inspections": self._inspections,
            "log": self._log,
            "streams": streams_state(self._streams),
            "pending": None
            if pending is None
            else {
                "moves": {a: m.model_dump(mode="json") for a, m in pending.moves.items()},
                "injects": [i.model_dump(mode="json") for i in pending.injects],
            },
        }
        return snapshot.pack(header, self._state, self._last)

    @classmethod
    def restore(cls, data: bytes) -> GameSession:
        """The game a :meth:`snapshot` saved, continuing bit-identically."""
        header, state, record = snapshot.unpack(data)
        try:
            scenario = validate_scenario(header["scenario"])
            shocks = [_SHOCK.validate_python(s) for s in header["added"]]
        except (ScenarioError, ValueError) as error:
            raise GameError("snapshot.scenario", "a valid scenario", str(error)) from None
        session = cls(scenario, int(header["seed"]), tuple(header["players"]), header["turn_days"])
        session.turn = int(header["turn"])
        session._t = int(header["step"])
        session._added = shocks
        session._inspections = {a: dict(d) for a, d in header["inspections"].items()}
        session._world = session._build(session._added, session._inspections)
        n_actors = len(session._world.compiled.actor_ids)
        state.doctrine_states.extend({} for _ in range(n_actors - len(state.doctrine_states)))
        session._state = state
        session._last = record
        session._log = list(header["log"])
        set_streams_state(session._streams, header["streams"])
        pending = header["pending"]
        if pending is not None:
            session.adjudicate(pending["moves"], pending["injects"])
        return session

    @classmethod
    def replay(
        cls, scenario: Scenario | str, seed: int, log: Sequence[Mapping[str, Any]]
    ) -> GameSession:
        """The game a :attr:`log` records, rebuilt turn by turn from the seed.

        The seed and the scenario's hash must be the logged ones, and each turn's outcome is
        checked against the one logged: a mismatch (a changed model, an edited log) is a
        :class:`GameError` at that entry.
        """
        if not log or log[0].get("event") != "start":
            raise GameError("log[0]", "the game's start entry", log[0] if log else None)
        first = log[0]
        session = cls.start(scenario, seed, first["players"], first["turn_days"])
        for key in ("seed", "scenario_hash"):
            if key in first and first[key] != session._log[0][key]:
                expected = f"{session._log[0][key]!r}, as in the game replayed"
                raise GameError(f"log[0].{key}", expected, first[key])
        for i, entry in enumerate(log[1:], start=1):
            if entry.get("event") != "turn":
                raise GameError(f"log[{i}].event", "turn", entry.get("event"))
            session.adjudicate(entry["moves"], entry["injects"])
            outcome = session.commit(entry["overrides"])
            if "outcome" in entry and outcome != entry["outcome"]:
                raise GameError(f"log[{i}].outcome", "the outcome this replay gives", "another")
        return session
