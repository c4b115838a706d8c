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
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import platformdirs

from dualtrack.engine.compiled import Compiled
from dualtrack.engine.state import State
from dualtrack.engine.step import StepConstants, step

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", os.environ.get("JAX_PLATFORMS") or "cpu")
CACHE_DIR = Path(platformdirs.user_cache_dir("dualtrack")) / "jax"
jax.config.update("jax_compilation_cache_dir", str(CACHE_DIR))
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)

jax.tree_util.register_dataclass(
    State,
    data_fields=[f.name for f in dataclasses.fields(State)],
    meta_fields=[],
)

Stepper = Callable[..., State]
_STEPPERS: OrderedDict[int, tuple[Compiled, Stepper]] = OrderedDict()
KEPT_PROGRAMS = 8
"""Compiled steps kept in memory (one per compiled scenario)."""


def traced_inputs(compiled: Compiled) -> Compiled:
    """The compiled scenario with its per-step forcing as jax arrays (indexed by a traced t)."""
    forcing = type(compiled.forcing)(
        **{f.name: jnp.asarray(getattr(compiled.forcing, f.name)) for f in
           dataclasses.fields(compiled.forcing)}
    )
    return dataclasses.replace(
        compiled, forcing=forcing, entry_buildup=jnp.asarray(compiled.entry_buildup)
    )


def stepper(compiled: Compiled) -> Stepper:
    """The jitted step of a compiled scenario (kept for the scenario's lifetime in this process)."""
    key = id(compiled)
    if key in _STEPPERS:
        _STEPPERS.move_to_end(key)
        return _STEPPERS[key][1]
    constants = StepConstants(compiled)
    traced = traced_inputs(compiled)

    def advance(
        state: State, t: Any, normals: Any, uniforms: Any, intent_uniforms: Any
    ) -> State:
        return step(state, traced, constants, t, normals, uniforms, intent_uniforms)

    jitted = jax.jit(advance)
    _STEPPERS[key] = (compiled, jitted)
    while len(_STEPPERS) > KEPT_PROGRAMS:
        _STEPPERS.popitem(last=False)
    return jitted


def pad_rows(array: np.ndarray, rows: int, fill: float) -> np.ndarray:
    """``array`` with rows appended up to ``rows`` (filled with ``fill``)."""
    missing = rows - len(array)
    if missing <= 0:
        return array
    padding = np.full((missing, *array.shape[1:]), fill, dtype=array.dtype)
    return np.concatenate([array, padding])


def to_device(state: State, rows: int) -> State:
    """The state as jax arrays, padded to ``rows`` replicates."""
    state = dataclasses.replace(state, day=np.asarray(state.day, dtype=np.float64))
    padded = jax.tree.map(lambda a: a if a.ndim == 0 else pad_rows(a, rows, 0), state)
    return jax.tree.map(jnp.asarray, padded)


def to_host(state: State, rows: int) -> State:
    """The first ``rows`` replicates of a device state, as writable numpy arrays."""
    host = jax.device_get(state)
    trimmed = jax.tree.map(lambda a: np.array(a if np.ndim(a) == 0 else a[:rows]), host)
    return dataclasses.replace(trimmed, day=float(trimmed.day))


class JaxEngine:
    """Steps a chunk of replicates with the compiled step, padded to ``rows`` replicates."""

    def __init__(self, compiled: Compiled, rows: int, count: int) -> None:
        self.rows, self.count = rows, count
        self.advance_jitted = stepper(compiled)

    def start(self, state: State) -> State:
        """The initial state on the device."""
        return to_device(state, self.rows)

    def advance(
        self, state: State, t: int, normals: Any, uniforms: Any, intent_uniforms: Any
    ) -> State:
        """One compiled step."""
        return self.advance_jitted(state, t, normals, uniforms, intent_uniforms)

    def host(self, state: State) -> State:
        """The chunk's replicates back on the host."""
        return to_host(state, self.count)
