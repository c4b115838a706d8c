"""Where the chunks of a study run: in this process, or spread over local worker processes.

Results do not depend on the executor: every chunk draws from its own block-seeded streams,
and chunks are put back in order before they are assembled. The process pool is the one
sweeps use (:class:`dualtrack.experiments.distributed.ProcessExecutor`); each worker receives
the study's plans once.
"""

from __future__ import annotations

from collections.abc import Sequence

from dualtrack.engine.recording import Arrays
from dualtrack.engine.run import Progress, RunPlan, run_chunk
from dualtrack.experiments.distributed import ProcessExecutor

Task = tuple[RunPlan, tuple[int, int]]


def _run_indexed(
    plans: Sequence[RunPlan], item: tuple[int, int, tuple[int, int]]
) -> tuple[int, Arrays]:
    index, plan, chunk = item
    return index, run_chunk(plans[plan], chunk)


def run_tasks(
    tasks: Sequence[Task], workers: int = 1, progress: Progress | None = None
) -> list[Arrays]:
    """Run every (plan, chunk) task and return their arrays in task order."""
    if workers <= 1 or len(tasks) <= 1:
        return [run_chunk(plan, chunk, progress) for plan, chunk in tasks]
    plans: list[RunPlan] = []
    items = []
    for index, (plan, chunk) in enumerate(tasks):
        if not any(plan is known for known in plans):
            plans.append(plan)
        position = next(k for k, known in enumerate(plans) if known is plan)
        items.append((index, position, chunk))
    results: list[Arrays | None] = [None] * len(tasks)
    with ProcessExecutor(workers) as executor:
        for index, arrays in executor.imap_unordered(_run_indexed, plans, items):
            results[index] = arrays
            if progress is not None:
                plan, (_, count) = tasks[index]
                progress(count * plan.compiled.n_steps)
    return [r for r in results if r is not None]
