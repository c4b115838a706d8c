"""What-if forecasts for a cell: the next weeks under each candidate move, on common random numbers.

From the game's current state as the actor pictures it, ``replicates`` copies of the world
run the next ``weeks`` under each candidate move, held for the whole window (the other
players follow their doctrines, the model's expectation of them). What the actor does not
know is taken from its picture, not the truth: its adversaries hold the forces it perceives,
and their types are drawn from its current beliefs (the other actors' types from their
priors; its own is its own). Every candidate sees the same random numbers: the same streams,
seeded from the game's seed, the turn and the actor, and the same type draws. The game's
streams are untouched. The adversaries' own pictures, beliefs and doctrine memories are
the true ones (the actor has no estimate of them).

Per candidate: P(crisis), P(armed incident), P(war) (a rung at or above it on one of the
actor's dyads at some step of the window), P(agreement) (an agreement in force on one of its
dyads at the end), the expected cost to the actor over the window, each with a 95% interval
(Wilson for shares, Student-t for the mean).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dualtrack.engine.state import State
from dualtrack.engine.streams import ChunkStreams
from dualtrack.experiments.game.moves import GameError, Move
from dualtrack.experiments.game.stepping import advance, copy_state, tile_state
from dualtrack.experiments.intervals import mean_interval, proportion_interval
from dualtrack.mechanisms import intent
from dualtrack.scenario.ladder import Rung

if TYPE_CHECKING:
    from dualtrack.experiments.game.session import GameSession

FORECAST_STREAM = 0x46C  # spawn-key entry of a forecast's seeds, apart from the run's blocks
CONFIDENCE = 0.95
THRESHOLDS = {
    "p_crisis": Rung.CRISIS,
    "p_armed_incident": Rung.ARMED_INCIDENT,
    "p_war": Rung.WAR,
}


def _seeds(session: GameSession, actor: int) -> tuple[np.random.Generator, int]:
    """The generator of the unknown types, and the seed of the forecast's streams."""
    key = (FORECAST_STREAM, session.turn, actor)
    types = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(session.seed, spawn_key=(*key, 0)))
    )
    words = np.random.SeedSequence(session.seed, spawn_key=(*key, 1)).generate_state(4)
    return types, int.from_bytes(words.tobytes(), "little")


def _believed(session: GameSession, actor: int, replicates: int, rng: np.random.Generator) -> State:
    """``replicates`` copies of the world as the actor pictures it.

    Its adversaries hold the forces it perceives (within their capacity) and their types are
    drawn from its beliefs.
    """
    c = session.compiled
    state = tile_state(session.state, replicates)
    p = c.prior.astype(np.float64).copy()
    for pair in np.flatnonzero(c.pair_observer == actor):
        target = c.pair_target[pair]
        p[target] = float(intent.belief(session.state.log_odds[0, pair]))
        for entry in np.flatnonzero(c.entry_pair == pair):
            category = c.entry_category[entry]
            seen = session.state.perceived[0, entry]
            state.forces[:, target, category] = min(max(seen, 0.0), c.capacity[target, category])
    p[actor] = float(session.state.types[0, actor])
    uniforms = rng.random((replicates, len(p)))
    if c.intent_active:
        state.types = uniforms < p
        # a security seeker has not decided to cheat
        state.cheating = state.cheating & state.types[:, c.dyad_sides]
    return state


def forecast(
    session: GameSession,
    actor: str,
    candidates: Sequence[Move | Mapping[str, Any]],
    weeks: int = 4,
    replicates: int = 200,
) -> dict[str, Any]:
    """Outcome probabilities and expected cost under each candidate move (see the module)."""
    if session.done:
        raise GameError("turn", "a game that is not over", f"day {session.day}")
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise GameError("weeks", "a whole number of weeks, 1 or more", weeks)
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 2:
        raise GameError("replicates", "a whole number, 2 or more", replicates)
    if not candidates:
        raise GameError("candidates", "at least one candidate move", [])
    moves = [session.check_move(actor, m, f"candidates[{i}]") for i, m in enumerate(candidates)]
    c = session.compiled
    a = c.actor_ids.index(actor)
    steps = min(int(round(7 * weeks / c.dt)), c.n_steps - session.step_index)
    rng, stream_seed = _seeds(session, a)
    start = _believed(session, a, replicates, rng)
    dyads = [c.dyad_ids.index(d) for d in session.dyads_of(actor)] or list(range(len(c.dyad_ids)))
    results = []
    for move in moves:
        world = session.world_after({actor: move})
        state = copy_state(start)
        session.write_moves(state, world.compiled, {actor: move})
        highest = state.rung[:, dyads].max(axis=1)

        def keep(t: int, s: State, highest: np.ndarray = highest) -> None:
            np.maximum(highest, s.rung[:, dyads].max(axis=1), out=highest)

        streams = ChunkStreams(stream_seed, 0, replicates, replicates)
        end = advance(
            state, world.compiled, world.constants, streams, session.step_index, steps, keep
        )
        entry: dict[str, Any] = {"move": move.model_dump(mode="json", exclude_none=True)}
        for name, rung in THRESHOLDS.items():
            entry[name] = _share(np.asarray(highest >= rung))
        entry["p_agreement"] = _share(np.asarray(end.active[:, dyads].any(axis=1)))
        cost = end.cost[:, a] - start.cost[:, a]
        low, high = mean_interval(cost, CONFIDENCE)
        entry["expected_cost"] = {"estimate": float(cost.mean()), "low": low, "high": high}
        results.append(entry)
    return {
        "actor": actor,
        "turn": session.turn,
        "day": session.day,
        "date": session.date.isoformat(),
        "weeks": weeks,
        "steps": steps,
        "replicates": replicates,
        "confidence": CONFIDENCE,
        "dyads": [c.dyad_ids[d] for d in dyads],
        "candidates": results,
    }


def _share(hits: NDArray[Any]) -> dict[str, float]:
    low, high = proportion_interval(int(hits.sum()), len(hits), CONFIDENCE)
    return {"estimate": float(hits.mean()), "low": low, "high": high}
