"""Where chunks run: in this process, or spread over local worker processes.

Results do not depend on the executor: every chunk draws from its own block-seeded streams,
and chunks are put back in order before they are assembled.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from dualtrack.engine.recording import Arrays
from dualtrack.engine.run import Progress, RunPlan, run_chunk

Task = tuple[RunPlan, tuple[int, int]]


def _run(task: Task) -> Arrays:
    plan, chunk = task
    return run_chunk(plan, chunk)


def run_tasks(
    tasks: Sequence[Task], workers: int = 1, progress: Progress | None = None
) -> list[Arrays]:
    """Run every (plan, chunk) task and return their arrays in task order."""
    if workers <= 1 or len(tasks) <= 1:
        return [run_chunk(plan, chunk, progress) for plan, chunk in tasks]
    results: list[Arrays | None] = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_run, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            if progress is not None:
                plan, (_, count) = tasks[i]
                progress(count * plan.compiled.n_steps)
    return [r for r in results if r is not None]
