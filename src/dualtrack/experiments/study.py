"""A doctrine study: the same scenario, seed and random streams under several doctrines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import xarray as xr

from dualtrack.engine.backends import COMPILED_BACKENDS
from dualtrack.engine.outputs import RECORD_MODES, RecordMode, values_per_replicate
from dualtrack.engine.recording import Arrays
from dualtrack.engine.run import (
    DEFAULT_CHUNK,
    Progress,
    RunPlan,
    assemble,
    plan_run,
    run_chunk,
)
from dualtrack.experiments.executors import PointExecutor, make_executor
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.schema import Scenario

FULL_RECORD_LIMIT = 100_000_000
"""Most values (replicate-steps x values per step x doctrines) that ``record="auto"`` keeps
as full trajectories (about 400 MB); larger studies keep means and traced replicates."""


@dataclass(frozen=True)
class Study:
    """Plans for every variant of a study (a doctrine, or doctrines for several actors)."""

    scenario: Scenario
    actor: str
    plans: dict[str, RunPlan]

    @property
    def replicate_steps(self) -> int:
        """Total work in replicate-steps."""
        return sum(plan.replicate_steps for plan in self.plans.values())

    @property
    def record(self) -> RecordMode:
        """What the study keeps (the same for every doctrine)."""
        return next(iter(self.plans.values())).record


def plan_study(
    scenario: Scenario | str | Path | Mapping[str, Any],
    doctrines: Sequence[str],
    *,
    actor: str | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    record: RecordMode | str = "auto",
    chunk_size: int = DEFAULT_CHUNK,
    backend: str | None = None,
) -> Study:
    """Plans for each doctrine; ``record="auto"`` keeps full trajectories for small studies.

    ``backend`` names the engine backend of every plan (``engine.backends``).
    """
    if not doctrines:
        raise ValueError("expected at least one doctrine")
    return plan_variants(
        scenario,
        {name: name for name in doctrines},
        actor=actor,
        replicates=replicates,
        seed=seed,
        days=days,
        record=record,
        chunk_size=chunk_size,
        backend=backend,
    )


def plan_variants(
    scenario: Scenario | str | Path | Mapping[str, Any],
    variants: Mapping[str, str | Mapping[str, str]],
    *,
    actor: str | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    record: RecordMode | str = "auto",
    chunk_size: int = DEFAULT_CHUNK,
    backend: str | None = None,
) -> Study:
    """Plans for named variants of a scenario, all on the same seed (common random numbers).

    A variant is a doctrine for ``actor`` or a mapping of actor ids to doctrines (then
    ``actor`` is not given); the study is keyed by the variants' names.
    """
    scenario = load_scenario(scenario)
    if not variants:
        raise ValueError("expected at least one variant")

    def plan(variant: str | Mapping[str, str], mode: RecordMode) -> RunPlan:
        return plan_run(
            scenario,
            variant,
            actor=actor,
            replicates=replicates,
            seed=seed,
            days=days,
            record=mode,
            chunk_size=chunk_size,
            backend=backend,
        )

    first = plan(next(iter(variants.values())), "summary")
    if record == "auto":
        size = (
            first.replicate_steps
            * values_per_replicate(first.compiled, per_step=True)
            * len(variants)
        )
        record = "full" if size <= FULL_RECORD_LIMIT else "mean"
    if record not in RECORD_MODES:
        raise ValueError(f"unknown record mode {record!r}; expected auto or one of {RECORD_MODES}")
    mode = cast(RecordMode, record)
    plans = {name: plan(variant, mode) for name, variant in variants.items()}
    resolved = first.scenario  # overrides (replicates, seed, days) applied
    return Study(resolved, actor or resolved.subject, plans)


def _run_chunk(
    plans: Sequence[RunPlan], item: tuple[int, int, tuple[int, int]]
) -> tuple[int, Arrays]:
    """Task function of the executors: the arrays of one chunk of one plan."""
    index, plan, chunk = item
    return index, run_chunk(plans[plan], chunk)


def run_study(
    study: Study,
    workers: int | PointExecutor = 1,
    progress: Progress | None = None,
) -> dict[str, xr.Dataset]:
    """Run every doctrine's plan, on ``workers`` local processes or the executor given.

    Every chunk draws from its own block-seeded streams and chunks are put back in order before
    they are assembled, so results do not depend on the executor. Each worker receives the
    study's plans once. Returns one dataset per doctrine, each run on its plan's backend.
    """
    plans = list(study.plans.values())
    tasks = [(p, chunk) for p, plan in enumerate(plans) for chunk in plan.chunks]
    arrays = run_chunks(plans, tasks, workers, progress)
    results: dict[str, xr.Dataset] = {}
    position = 0
    for name, plan in study.plans.items():
        results[name] = assemble(plan, arrays[position : position + len(plan.chunks)])
        position += len(plan.chunks)
    return results


def run_chunks(
    plans: Sequence[RunPlan],
    tasks: Sequence[tuple[int, tuple[int, int]]],
    workers: int | PointExecutor = 1,
    progress: Progress | None = None,
) -> list[Arrays]:
    """The arrays of each ``(plan index, chunk)`` task, in the order of ``tasks``.

    Runs in this process, on ``workers`` local processes or on the executor given; each
    worker receives ``plans`` once. The order of completion never reaches the result.
    """
    items = [(index, p, chunk) for index, (p, chunk) in enumerate(tasks)]
    arrays: list[Arrays | None] = [None] * len(items)
    if isinstance(workers, int) and (workers <= 1 or len(items) <= 1):
        for index, p, chunk in items:
            arrays[index] = run_chunk(plans[p], chunk, progress)
    elif isinstance(workers, int) and all(p.backend in COMPILED_BACKENDS for p in plans):
        # compiled programs run without the interpreter lock: threads of this process keep
        # the cores busy, and each program is traced and compiled once, not once per worker
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            futures = {
                pool.submit(run_chunk, plans[p], chunk): (i, p, chunk) for i, p, chunk in items
            }
            for future in as_completed(futures):
                index, p, (_, count) = futures[future]
                arrays[index] = future.result()
                if progress is not None:
                    progress(count * plans[p].compiled.n_steps)
        finally:  # stopped: chunks not started are dropped
            pool.shutdown(wait=False, cancel_futures=True)
    else:
        executor = make_executor(processes=workers) if isinstance(workers, int) else workers
        with executor:
            for index, chunk_arrays in executor.imap_unordered(_run_chunk, list(plans), items):
                arrays[index] = chunk_arrays
                if progress is not None:
                    _, p, (_, count) = items[index]
                    progress(count * plans[p].compiled.n_steps)
    return cast(list[Arrays], arrays)  # every task has filled its place
