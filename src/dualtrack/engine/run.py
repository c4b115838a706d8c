"""Run a scenario: split replicates into chunks, step each chunk, assemble a labelled dataset."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from dualtrack._version import __version__
from dualtrack.doctrines.base import Doctrine, make_doctrine
from dualtrack.engine import backends, outputs
from dualtrack.engine.blas import one_blas_thread
from dualtrack.engine.compiled import Compiled, compile_scenario
from dualtrack.engine.outputs import RECORD_MODES, TRACED_PREFIX, RecordMode, as_variable
from dualtrack.engine.recording import Arrays, Recorder, summarise
from dualtrack.engine.state import State, initial_state
from dualtrack.engine.step import StepConstants, step
from dualtrack.engine.streams import BLOCK_SIZE, ChunkStreams
from dualtrack.scenario.ladder import RUNG_LABELS
from dualtrack.scenario.loading import load_scenario, scenario_hash
from dualtrack.scenario.schema import Scenario

Progress = Callable[[int], None]

DEFAULT_CHUNK = 2048


@dataclass(frozen=True)
class RunPlan:
    """A fully specified run: scenario (with overrides applied), doctrines, seed, chunks."""

    scenario: Scenario
    compiled: Compiled
    seed: int
    replicates: int
    record: RecordMode
    chunks: tuple[tuple[int, int], ...]
    doctrine: str
    backend: str = backends.NUMPY
    """The engine backend that steps the chunks (``engine.backends``)."""

    @property
    def replicate_steps(self) -> int:
        """Work in replicate-steps."""
        return self.replicates * self.compiled.n_steps


DoctrineChoice = str | Doctrine
"""A doctrine given by its registered name or as an instance."""


def plan_run(
    scenario: Scenario | str | Path | Mapping[str, Any],
    doctrine: DoctrineChoice | Mapping[str, DoctrineChoice] | None = None,
    *,
    actor: str | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    record: RecordMode = "full",
    chunk_size: int = DEFAULT_CHUNK,
    backend: str | None = None,
) -> RunPlan:
    """Resolve overrides and split the replicates into block-aligned chunks.

    ``doctrine`` replaces the doctrine of ``actor`` (default: the subject), or, given as a
    mapping of actor ids to doctrines, the doctrines of several actors at once (then
    ``actor`` is not given, and the plan is named for the subject's resulting doctrine).
    ``backend`` names the engine backend (``engine.backends``; None: the default, which falls
    back to numpy when a doctrine cannot be compiled).
    """
    chosen = backends.resolve(backend)
    scenario = load_scenario(scenario)
    if record not in RECORD_MODES:
        raise ValueError(f"unknown record mode {record!r}; expected one of {RECORD_MODES}")
    settings = scenario.settings
    updates: dict[str, Any] = {}
    if replicates is not None:
        updates["replicates"] = replicates
    if seed is not None:
        updates["seed"] = seed
    if days is not None:
        updates["horizon_days"] = days
    if updates:
        settings = settings.model_validate({**settings.model_dump(), **updates})
        scenario = scenario.model_copy(update={"settings": settings})
    if isinstance(doctrine, Mapping):
        if actor is not None:
            raise ValueError("give either actor or a mapping of actors to doctrines, not both")
        assignment: Mapping[str, DoctrineChoice] = doctrine
        actor = scenario.subject
    else:
        actor = actor or scenario.subject
        assignment = {} if doctrine is None else {actor: doctrine}
    known = [a.id for a in scenario.actors]
    for name in (actor, *assignment):
        if name not in known:
            raise ValueError(f"unknown actor {name!r}; actors are {', '.join(known)}")
    overrides = {name: _resolve(scenario, name, choice) for name, choice in assignment.items()}
    compiled = compile_scenario(scenario, overrides)
    name = compiled.doctrines[[a.id for a in scenario.actors].index(actor)].name
    size = max(BLOCK_SIZE, -(-int(chunk_size) // BLOCK_SIZE) * BLOCK_SIZE)
    total = settings.replicates
    chunks = tuple((start, min(size, total - start)) for start in range(0, total, size))
    chosen = _runnable(chosen, compiled, explicit=backend is not None)
    return RunPlan(scenario, compiled, settings.seed, total, record, chunks, name, chosen)


def _runnable(backend: str, compiled: Compiled, explicit: bool) -> str:
    """``backend`` if it can run every doctrine; else numpy by default, an error if asked for."""
    if backend == backends.NUMPY:
        return backend
    for actor, doctrine in zip(compiled.actor_ids, compiled.doctrines, strict=True):
        if not type(doctrine).traceable:
            if not explicit:
                return backends.NUMPY
            raise backends.BackendError(
                f"expected doctrines that backend {backend!r} can trace; found "
                f"doctrine {doctrine.name!r} of actor {actor!r} (its class does not set "
                f"traceable = True; use backend 'numpy')"
            )
    return backend


def _resolve(scenario: Scenario, actor: str, choice: DoctrineChoice) -> Doctrine:
    """The doctrine object; the actor's own doctrine keeps the scenario's parameters."""
    if not isinstance(choice, str):
        return choice
    own = next(a.doctrine for a in scenario.actors if a.id == actor)
    return make_doctrine(choice, own.params if own.name == choice else None)


def run_chunk(plan: RunPlan, chunk: tuple[int, int], progress: Progress | None = None) -> Arrays:
    """Step one chunk of replicates through the horizon, with BLAS on one thread
    (:data:`engine.blas.one_blas_thread`); returns its recorded arrays."""
    with one_blas_thread():
        return _run_chunk(plan, chunk, progress)


class NumpyEngine:
    """Steps a chunk of replicates with the reference step (numpy arrays)."""

    rows: int
    draws_on_host = True
    asynchronous = False

    def __init__(
        self, compiled: Compiled, count: int, constants: StepConstants | None = None
    ) -> None:
        self.compiled, self.rows = compiled, count
        self.constants = constants if constants is not None else StepConstants(compiled)

    def start(self, state: State) -> State:
        """The initial state, as it is."""
        return state

    def advance(
        self,
        state: State,
        t: int,
        normals: NDArray[np.float32],
        uniforms: NDArray[np.float64],
        intent_uniforms: NDArray[np.float64] | None,
    ) -> State:
        """One step."""
        return step(state, self.compiled, self.constants, t, normals, uniforms, intent_uniforms)

    def host(self, state: State) -> State:
        """The state, as it is."""
        return state


def engine_for(plan: RunPlan, chunk: tuple[int, int]) -> Any:
    """The stepping engine of the plan's backend for a chunk of replicates."""
    if plan.backend in backends.COMPILED_BACKENDS:
        from dualtrack.engine.jax_backend import JaxEngine

        rows = max(size for _, size in plan.chunks)
        own = plan.backend == backends.JAX_RNG
        return JaxEngine(plan.compiled, rows, chunk, plan.seed, own_draws=own)
    return NumpyEngine(plan.compiled, chunk[1])


def _run_chunk(plan: RunPlan, chunk: tuple[int, int], progress: Progress | None) -> Arrays:
    first, count = chunk
    compiled = plan.compiled
    streams = ChunkStreams(plan.seed, first, count, plan.replicates)
    engine = engine_for(plan, chunk)
    state = start_state(engine, streams, count)
    recorder = Recorder(compiled, plan.record, first, streams.block_starts)
    report_every = max(1, compiled.n_steps // 20)
    reported = 0

    def after(t: int, state: Any) -> None:
        nonlocal reported
        if recorder.kept:
            recorder.record(t, engine.host(state))
        if progress is not None and ((t + 1) % report_every == 0 or t + 1 == compiled.n_steps):
            progress((t + 1 - reported) * count)
            reported = t + 1

    state = advance(engine, state, streams, count, range(compiled.n_steps), after)
    return {**recorder.result(), **summarise(engine.host(state), compiled, plan.record)}


def start_state(engine: Any, streams: ChunkStreams, count: int) -> Any:
    """The state at the start of a chunk of ``count`` replicates. The intent stream's first
    row draws each actor's type (docs/model.md §7.12); each step then draws a row."""
    c = engine.compiled
    type_uniforms = None
    if c.intent_active:
        if engine.draws_on_host:
            type_uniforms = np.empty((count, len(c.actor_ids)))
            streams.fill_intent(type_uniforms)
        else:
            type_uniforms = engine.type_uniforms(len(c.actor_ids))
    return engine.start(initial_state(c, count, type_uniforms))


def advance(
    engine: Any,
    state: Any,
    streams: ChunkStreams,
    count: int,
    steps: range,
    after: Callable[[int, Any], None] | None = None,
) -> Any:
    """The state after ``steps`` of a chunk of ``count`` replicates; ``after(t, state)`` follows
    each step. The random numbers are drawn as a run draws them, so stepping a run in spans
    (a tabletop game's turns) gives the run's own states."""
    draws = _draw_arrays(engine)
    for t in steps:
        if engine.draws_on_host:
            if engine.asynchronous:  # the last step may still be reading the last arrays
                draws = _draw_arrays(engine)
            normals, uniforms, intent_uniforms = draws
            streams.fill(normals[:count], uniforms[:count])
            if intent_uniforms is not None:
                streams.fill_intent(intent_uniforms[:count])
        state = engine.advance(state, t, *draws)
        if after is not None:
            after(t, state)
    return state


def _draw_arrays(engine: Any) -> tuple[Any, Any, Any]:
    """Arrays for one step's normals, uniforms and intent uniforms over the rows the engine
    steps; rows past the chunk's replicates (padding: never drawn, never kept) hold harmless
    values.

    An asynchronous engine (``engine.asynchronous``: its step returns before it has run, and
    may read the host's arrays in place, as JAX does on a CPU) needs new arrays every step:
    drawing the next step into arrays the last one still reads would change its draws."""
    c, rows = engine.compiled, engine.rows
    normals = np.zeros((rows, len(c.entry_pair)), dtype=np.float32)
    uniforms = np.full((rows, c.layout.width), 0.5)
    intent_uniforms = np.full((rows, c.intent_layout.width), 0.5) if c.intent_active else None
    return normals, uniforms, intent_uniforms


def _concat(parts: list[Arrays]) -> Arrays:
    names = dict.fromkeys(name for part in parts for name in part)  # traced: first chunks only
    return {name: np.concatenate([p[name] for p in parts if name in p], axis=0) for name in names}


def assemble(plan: RunPlan, parts: list[Arrays]) -> xr.Dataset:
    """A labelled dataset from the chunks' arrays (given in chunk order)."""
    c = plan.compiled
    data = _concat(parts)
    replicates = np.arange(plan.replicates)
    days = c.days
    coords: dict[str, Any] = {
        "replicate": replicates,
        "actor": list(c.actor_ids),
        "category": list(c.category_ids),
        "dyad": list(c.dyad_ids),
        "sector": list(c.sector_ids),
        "pair": list(c.pair_ids),
        "pair_observer": ("pair", [c.actor_ids[i] for i in c.pair_observer]),
        "pair_target": ("pair", [c.actor_ids[i] for i in c.pair_target]),
        "rung": ("rung", np.arange(len(RUNG_LABELS)), {"labels": ", ".join(RUNG_LABELS)}),
        "rung_label": ("rung", list(RUNG_LABELS)),
        "actor_name": ("actor", [a.name for a in plan.scenario.actors]),
        "category_name": ("category", [k.name for k in plan.scenario.categories]),
        "sector_length_km": ("sector", [s.length_km.value for s in plan.scenario.sectors]),
    }
    if plan.record != "summary":
        time_attrs = {"units": "day", "long_name": "days after the start date (end of step)"}
        coords["time"] = ("time", days, time_attrs)
        if float(c.dt).is_integer():
            coords["date"] = ("time", np.datetime64(c.start) + days.astype("timedelta64[D]"))
    traced = next((len(v) for k, v in data.items() if k.startswith(TRACED_PREFIX)), 0)
    if traced:
        coords["traced"] = ("traced", np.arange(traced))
    variables: dict[str, xr.Variable] = {}
    for definition in outputs.OUTPUTS:
        for reduction in definition.modes.get(plan.record, ()):
            key = reduction.prefix + definition.name
            if key in data:
                variables[key] = as_variable(
                    definition, reduction, data[key], plan.replicates, traced
                )
    attrs = {
        "dualtrack_version": __version__,
        "scenario_id": plan.scenario.id,
        "scenario_hash": scenario_hash(plan.scenario),
        "seed": plan.seed,
        "doctrine": plan.doctrine,
        "doctrines": "; ".join(
            f"{a}={d.name}" for a, d in zip(c.actor_ids, c.doctrines, strict=True)
        ),
        "subject": c.actor_ids[c.subject],
        "focus_dyad": c.dyad_ids[c.focus_dyad],
        "record": plan.record,
        "step_days": c.dt,
        "horizon_days": plan.scenario.settings.horizon_days,
        "start_date": c.start.isoformat(),
        "block_size": BLOCK_SIZE,
        "backend": plan.backend,
    }
    return xr.Dataset(
        variables,
        coords=coords,
        attrs=attrs,
    )


def simulate(
    scenario: Scenario | str | Path | Mapping[str, Any],
    doctrine: DoctrineChoice | Mapping[str, DoctrineChoice] | None = None,
    *,
    actor: str | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    record: RecordMode = "full",
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    backend: str | None = None,
) -> xr.Dataset:
    """Simulate a scenario and return its results as a labelled :class:`xarray.Dataset`.

    ``doctrine`` replaces the doctrine of ``actor`` (default: the scenario's subject); the
    other actors keep their own. A mapping of actor ids to doctrines replaces several at
    once. A doctrine named as a string takes its default parameters, unless it is the actor's
    own doctrine, which keeps the scenario's parameters. The same ``seed`` gives
    bit-identical results whatever ``chunk_size``. ``backend`` names the engine backend
    (``"numpy"``, ``"compiled"``, ...; None: the fastest installed, ``engine.backends``).
    """
    plan = plan_run(
        scenario,
        doctrine,
        actor=actor,
        replicates=replicates,
        seed=seed,
        days=days,
        record=record,
        chunk_size=chunk_size,
        backend=backend,
    )
    return assemble(plan, [run_chunk(plan, chunk, progress) for chunk in plan.chunks])
