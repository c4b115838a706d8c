"""The compiled backend: the engine's step traced by JAX into one XLA program, float64.

The step, the mechanisms and the doctrines are the numpy engine's own functions
(``engine.step``): given jax arrays they take ``jax.numpy`` as their namespace
(``mechanisms.arrays``), and ``jax.jit`` compiles the whole step. Random draws come from
the reference's streams (``engine.streams``), so the backend reproduces the numpy engine's
discrete outcomes, and its continuous values within round-off. A chunk is padded to the
plan's chunk size, so that one compiled program serves every chunk of a plan; compiled
programs are kept on disk (JAX's persistent cache in the user cache directory), so a later
process with the same scenario and doctrines skips compilation.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

if "jax" not in __import__("sys").modules:  # one XLA thread: parallelism comes from workers
    os.environ.setdefault(
        "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    )

import jax
import jax.numpy as jnp
import numpy as np
import platformdirs

from dualtrack.engine.compiled import Compiled
from dualtrack.engine.state import State
from dualtrack.engine.step import StepConstants, step
from dualtrack.engine.streams import BLOCK_SIZE, INTENT_STREAM

jax.config.update("jax_enable_x64", True)
CACHE_DIR = Path(platformdirs.user_cache_dir("dualtrack")) / "jax"
jax.config.update("jax_compilation_cache_dir", str(CACHE_DIR))
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)

jax.tree_util.register_dataclass(
    State,
    data_fields=[f.name for f in dataclasses.fields(State)],
    meta_fields=[],
)

Stepper = Callable[..., State]
_STEPPERS: OrderedDict[tuple[object, ...], Stepper] = OrderedDict()
_STEPPERS_LOCK = threading.Lock()
KEPT_PROGRAMS = 16
"""Compiled steps kept in memory (one per scenario and doctrines)."""


def structure(compiled: Compiled) -> tuple[object, ...]:
    """What the compiled step depends on: the scenario (but its replicates and seed) and the
    doctrines: each one's class (the class itself, not its name: two classes of one name, such
    as a class defined again in a notebook, decide differently) and its parameters."""
    settings = compiled.scenario.settings.model_copy(update={"replicates": 1, "seed": 0})
    scenario = compiled.scenario.model_copy(update={"settings": settings})
    return (scenario.model_dump_json(), *((type(d), repr(d)) for d in compiled.doctrines))


def traced_inputs(compiled: Compiled) -> Compiled:
    """The compiled scenario with its per-step forcing as jax arrays (indexed by a traced t)."""
    forcing = compiled.forcing
    arrays: dict[str, Any] = {
        f.name: jnp.asarray(getattr(forcing, f.name)) for f in dataclasses.fields(forcing)
    }
    buildup: Any = jnp.asarray(compiled.entry_buildup)
    return dataclasses.replace(compiled, forcing=type(forcing)(**arrays), entry_buildup=buildup)


def stepper(compiled: Compiled, own_draws: bool) -> Stepper:
    """The jitted step of a compiled scenario (kept for later runs of the same structure).

    With ``own_draws`` it takes the step's random keys instead of its draws (``draw``).
    """
    key = (*structure(compiled), str(own_draws))
    with _STEPPERS_LOCK:  # a study's chunks run on threads
        if key in _STEPPERS:
            _STEPPERS.move_to_end(key)
            return _STEPPERS[key]
        jitted = _jitted_step(compiled, own_draws)
        _STEPPERS[key] = jitted
        while len(_STEPPERS) > KEPT_PROGRAMS:
            _STEPPERS.popitem(last=False)
    return jitted


def _jitted_step(compiled: Compiled, own_draws: bool) -> Stepper:
    """A new jitted step of a compiled scenario (see :func:`stepper`)."""
    constants = StepConstants(compiled)
    traced = traced_inputs(compiled)
    widths = (len(compiled.entry_pair), compiled.layout.width)
    intent_width = compiled.intent_layout.width if compiled.intent_active else 0

    def advance(state: State, t: Any, normals: Any, uniforms: Any, intent: Any) -> State:
        return step(state, traced, constants, t, normals, uniforms, intent)

    def advance_drawing(state: State, t: Any, keys: Any, blocks: Any) -> State:
        rows = state.forces.shape[0]
        normals, uniforms, intent = draw(keys, blocks, t, rows, widths, intent_width)
        return step(state, traced, constants, t, normals, uniforms, intent)

    return jax.jit(advance_drawing if own_draws else advance)


GENERATOR = "threefry2x32"
"""JAX's generator for ``jax-rng``: Threefry, whose draws for a key are the same whether
drawn alone or batched by ``jax.vmap``, so a block's numbers do not depend on the blocks
drawn with it. (XLA's RngBitGenerator, ``rbg``, faster on a CPU, gave a block other numbers
when it was not the first of its chunk, so results changed with the chunk size.)"""


def block_keys(seed: int) -> Any:
    """The main and intent streams' root keys of a seed (``jax.random``, ``GENERATOR``)."""
    root = jax.random.key(seed, impl=GENERATOR)
    return jnp.stack([jax.random.fold_in(root, 0), jax.random.fold_in(root, INTENT_STREAM)])


def _uniform_rows(stream: Any, blocks: Any, t: Any, rows: int, width: int, normal: bool) -> Any:
    """Draws of one stream at step ``t`` for the chunk's blocks: each block's own key, so a
    replicate's draws do not depend on chunking (as in ``engine.streams``)."""

    def one(block: Any) -> Any:
        key = jax.random.fold_in(jax.random.fold_in(stream, t), block)
        if normal:
            return jax.random.normal(key, (BLOCK_SIZE, width), dtype=jnp.float32)
        return jax.random.uniform(key, (BLOCK_SIZE, width), dtype=jnp.float64)

    return jax.vmap(one)(blocks).reshape(-1, width)[:rows]


def draw(
    keys: Any, blocks: Any, t: Any, rows: int, widths: tuple[int, int], intent_width: int
) -> tuple[Any, Any, Any]:
    """One step's normals, uniforms and intent uniforms from JAX's generator.

    Step ``t`` of the intent stream is its row ``t + 1`` (row 0 draws the types)."""
    normals = _uniform_rows(keys[0], blocks, t, rows, widths[0], normal=True)
    uniforms = _uniform_rows(jax.random.fold_in(keys[0], 1), blocks, t, rows, widths[1], False)
    intent = (
        _uniform_rows(keys[1], blocks, t + 1, rows, intent_width, normal=False)
        if intent_width
        else None
    )
    return normals, uniforms, intent


def type_uniforms(seed: int, first: int, count: int, actors: int) -> np.ndarray:
    """The uniforms that draw the types, row 0 of the intent stream (JAX's generator)."""
    blocks = jnp.arange(first // BLOCK_SIZE, -(-(first + count) // BLOCK_SIZE))
    rows = _uniform_rows(block_keys(seed)[1], blocks, 0, count, actors, normal=False)
    return np.asarray(rows)


def pad_rows(array: np.ndarray, rows: int, fill: float) -> np.ndarray:
    """``array`` with rows appended up to ``rows`` (filled with ``fill``)."""
    missing = rows - len(array)
    if missing <= 0:
        return array
    padding = np.full((missing, *array.shape[1:]), fill, dtype=array.dtype)
    return np.concatenate([array, padding])


def to_device(state: State, rows: int) -> State:
    """The state as jax arrays, padded to ``rows`` replicates."""
    day: Any = np.asarray(state.day, dtype=np.float64)  # a leaf that padding skips
    state = dataclasses.replace(state, day=day)
    padded = jax.tree.map(lambda a: a if a.ndim == 0 else pad_rows(a, rows, 0), state)
    return jax.tree.map(jnp.asarray, padded)


def to_host(state: State, rows: int) -> State:
    """The first ``rows`` replicates of a device state, as writable numpy arrays."""
    host = jax.device_get(state)
    trimmed = jax.tree.map(lambda a: np.array(a if np.ndim(a) == 0 else a[:rows]), host)
    return dataclasses.replace(trimmed, day=float(trimmed.day))


class JaxEngine:
    """Steps a chunk of replicates with the compiled step, padded to ``rows`` replicates.

    With ``own_draws`` the draws come from JAX's generator on the device (``draw``), not
    from the host's streams (``draws_on_host`` False). A step returns before XLA has run it
    (``asynchronous``) and may read the host's draw arrays in place when it runs, so every
    step is given new ones (``engine.run.advance``).
    """

    asynchronous = True

    def __init__(
        self, compiled: Compiled, rows: int, chunk: tuple[int, int], seed: int, own_draws: bool
    ) -> None:
        self.compiled, self.rows, (self.first, self.count) = compiled, rows, chunk
        self.draws_on_host = not own_draws
        self.seed = seed
        self.jitted = stepper(compiled, own_draws)
        if own_draws:
            self.keys = block_keys(seed)
            first_block = self.first // BLOCK_SIZE
            self.blocks = jnp.arange(first_block, first_block + -(-rows // BLOCK_SIZE))

    def type_uniforms(self, actors: int) -> np.ndarray:
        """The uniforms that draw the chunk's types (JAX's generator)."""
        return type_uniforms(self.seed, self.first, self.count, actors)

    def start(self, state: State) -> State:
        """The initial state on the device."""
        return to_device(state, self.rows)

    def advance(
        self, state: State, t: int, normals: Any, uniforms: Any, intent_uniforms: Any
    ) -> State:
        """One compiled step (the host's draws are ignored when it draws its own)."""
        if self.draws_on_host:
            return self.jitted(state, t, normals, uniforms, intent_uniforms)
        return self.jitted(state, t, self.keys, self.blocks)

    def host(self, state: State) -> State:
        """The chunk's replicates back on the host."""
        return to_host(state, self.count)
