"""Stepping a game's world: the engine's step loop over a span of steps, and state copies.

The loop draws the random numbers exactly as a run's chunk does (engine/run.py), so a game
whose actors all follow their doctrines is the engine's run at ``replicates=1``, step for
step. BLAS is held to one thread, as in a run, so matrix products round the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dualtrack.engine import run
from dualtrack.engine.blas import one_blas_thread
from dualtrack.engine.compiled import Compiled
from dualtrack.engine.run import NumpyEngine
from dualtrack.engine.state import State
from dualtrack.engine.step import StepConstants
from dualtrack.engine.streams import ChunkStreams

OnStep = Callable[[int, State], None]
StreamStates = dict[str, list[Mapping[str, Any]]]
"""Bit-generator states of a chunk's streams: ``main`` and ``intent``, one per block."""


def advance(
    state: State,
    compiled: Compiled,
    constants: StepConstants,
    streams: ChunkStreams,
    first: int,
    steps: int,
    on_step: OnStep | None = None,
) -> State:
    """The state after steps ``first .. first + steps - 1``; ``on_step(t, state)`` after each
    (the engine's own step loop, with the game's step constants)."""
    engine = NumpyEngine(compiled, state.replicates, constants)
    with one_blas_thread():
        stepped: State = run.advance(
            engine, state, streams, state.replicates, range(first, first + steps), on_step
        )
    return stepped


def copy_state(state: State) -> State:
    """A deep copy: stepping it (doctrines update their memory in place) leaves ``state`` be."""
    arrays = {
        f.name: np.array(getattr(state, f.name), copy=True)
        for f in dataclasses.fields(state)
        if f.name not in ("day", "doctrine_states")
    }
    memory = [{k: v.copy() for k, v in d.items()} for d in state.doctrine_states]
    return State(day=state.day, doctrine_states=memory, **arrays)


def tile_state(state: State, replicates: int) -> State:
    """``replicates`` copies of a one-replicate state (the replicate axis first)."""
    arrays = {
        f.name: np.repeat(getattr(state, f.name), replicates, axis=0)
        for f in dataclasses.fields(state)
        if f.name not in ("day", "doctrine_states")
    }
    memory = [
        {k: np.repeat(v, replicates, axis=0) for k, v in d.items()} for d in state.doctrine_states
    ]
    return State(day=state.day, doctrine_states=memory, **arrays)


def streams_state(streams: ChunkStreams) -> StreamStates:
    """The bit-generator states of every block's streams (JSON-able)."""
    return {
        "main": [g.bit_generator.state for g in streams.generators],
        "intent": [g.bit_generator.state for g in streams.intent],
    }


def set_streams_state(streams: ChunkStreams, saved: StreamStates) -> None:
    """Put the streams back where :func:`streams_state` found them."""
    for generator, value in zip(streams.generators, saved["main"], strict=True):
        generator.bit_generator.state = value
    for generator, value in zip(streams.intent, saved["intent"], strict=True):
        generator.bit_generator.state = value


def clone_streams(streams: ChunkStreams, seed: int, replicates: int) -> ChunkStreams:
    """Independent streams at the same point as ``streams`` (a run of ``replicates``)."""
    clone = ChunkStreams(seed, 0, replicates, replicates)
    set_streams_state(clone, streams_state(streams))
    return clone
