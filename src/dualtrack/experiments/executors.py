"""Executors: where independent tasks run, behind one interface (EMA Workbench style).

Every executor runs the same ``function(shared, item)`` on the same items and yields results
as they finish (in no particular order); callers put results back in item order, so results
never depend on the executor or the number of workers. The data every task shares (a study's
plans, a sweep's base scenario and settings) is sent to each worker once: through the process
pool's initialiser, or scattered to every Dask worker.

- :class:`InProcessExecutor`: one item after another in this process (``--processes 1``).
- :class:`ProcessExecutor`: a local ``concurrent.futures`` process pool (the default).
- :class:`DaskExecutor`: a ``dask.distributed`` ``LocalCluster`` of worker processes
  (``--workers N``) or an existing cluster's scheduler (``--scheduler tcp://HOST:PORT``),
  whose workers must have the same version of dualtrack installed.

At most a few tasks per worker are in flight at once, so an interrupted run loses little work
and a run of any size needs little memory on the client. Local pool workers die with their
parent, however it ends (:func:`~dualtrack.experiments.interrupts.die_with_parent`); when
iteration stops early (an interrupt, an error) the pool's workers are killed at once rather
than left to finish their tasks. Dask's nannies end their workers when the client process
ends.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from itertools import islice
from types import TracebackType
from typing import Any

from dualtrack.experiments.interrupts import die_with_parent, starting_workers

TaskFunction = Callable[[Any, Any], Any]
"""``function(shared, item) -> result``: a module-level (picklable) function."""

IN_FLIGHT_PER_WORKER = 2

_WORKER_FUNCTION: TaskFunction | None = None
_WORKER_SHARED: Any = None


def _install(function: TaskFunction, shared: Any) -> None:
    global _WORKER_FUNCTION, _WORKER_SHARED
    die_with_parent()
    _WORKER_FUNCTION, _WORKER_SHARED = function, shared


def _call_installed(item: Any) -> Any:
    if _WORKER_FUNCTION is None:  # pragma: no cover - the initialiser always runs first
        raise RuntimeError("worker process was not initialised")
    return _WORKER_FUNCTION(_WORKER_SHARED, item)


class PointExecutor:
    """Runs ``function(shared, item)`` for every item; yields results as they finish."""

    workers: int = 1
    description: str = ""

    def imap_unordered(
        self, function: TaskFunction, shared: Any, items: Iterable[Any]
    ) -> Iterator[Any]:
        """Results of every item, in completion order."""
        raise NotImplementedError

    def close(self) -> None:
        """Release workers (and a cluster this executor started)."""

    def __enter__(self) -> PointExecutor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class InProcessExecutor(PointExecutor):
    """Every item in this process, one after another."""

    description = "this process"

    def imap_unordered(
        self, function: TaskFunction, shared: Any, items: Iterable[Any]
    ) -> Iterator[Any]:
        """Results in item order."""
        for item in items:
            yield function(shared, item)


class ProcessExecutor(PointExecutor):
    """A pool of local worker processes, each sent the shared data once."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"expected at least one worker process, found {workers}")
        self.workers = workers
        self.description = f"{workers} local processes"
        self._pool: ProcessPoolExecutor | None = None

    def imap_unordered(
        self, function: TaskFunction, shared: Any, items: Iterable[Any]
    ) -> Iterator[Any]:
        """Results in completion order; a few tasks per worker in flight."""
        limit = self.workers * IN_FLIGHT_PER_WORKER
        pending: set[Future[Any]] = set()
        remaining = iter(items)
        # JAX runs threads, which a forked worker would inherit stopped: start workers afresh
        context = multiprocessing.get_context("spawn") if "jax" in sys.modules else None
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_install,
            initargs=(function, shared),
        )
        self._pool = pool
        try:
            exhausted = False
            while pending or not exhausted:
                while not exhausted and len(pending) < limit:
                    item = next(remaining, _END)
                    if item is _END:
                        exhausted = True
                    else:
                        with starting_workers():  # a submit may start a worker
                            pending.add(pool.submit(_call_installed, item))
                if not pending:
                    break
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BaseException:
            _kill(pool)
            raise
        else:
            pool.shutdown(wait=True)
        finally:
            self._pool = None

    def close(self) -> None:
        """Kill the workers of an iteration that was left unfinished."""
        if self._pool is not None:
            _kill(self._pool)
            self._pool = None


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: queued tasks cancelled, workers killed and reaped."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:  # Python 3.14's pool.kill_workers() does the same
        process.kill()
    for process in processes:
        process.join(timeout=5)


_END = object()


class DaskExecutor(PointExecutor):
    """A ``dask.distributed`` client: a new local cluster, or an existing scheduler."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        if (workers is None) == (scheduler is None):
            raise ValueError("give either a number of workers or a scheduler address")
        from dask.distributed import Client, LocalCluster

        self._cluster: Any = None
        if scheduler is not None:
            try:
                self._client = Client(scheduler, timeout="20s")
            except OSError as error:
                raise ConnectionError(
                    f"cannot reach the Dask scheduler at {scheduler}: {error}"
                ) from None
            self.workers = max(1, sum(self._client.nthreads().values()))
            self.description = f"Dask scheduler {scheduler} ({self.workers} threads)"
        else:
            assert workers is not None
            if workers < 1:
                raise ValueError(f"expected at least one Dask worker, found {workers}")
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
            self.workers = workers
            self.description = f"Dask LocalCluster of {workers} worker processes"

    @property
    def client(self) -> Any:
        """The ``dask.distributed.Client``."""
        return self._client

    def imap_unordered(
        self, function: TaskFunction, shared: Any, items: Iterable[Any]
    ) -> Iterator[Any]:
        """Results in completion order; a few tasks per worker thread in flight."""
        from dask.distributed import as_completed

        shared_future = self._client.scatter(shared, broadcast=True, hash=False)
        remaining = iter(items)
        limit = max(1, self.workers) * IN_FLIGHT_PER_WORKER

        def submit(item: Any) -> Any:
            return self._client.submit(function, shared_future, item, pure=False)

        first = [submit(item) for item in islice(remaining, limit)]
        queue = as_completed(first)
        try:
            for future in queue:
                result = future.result()
                future.release()
                item = next(remaining, _END)
                if item is not _END:
                    queue.add(submit(item))
                yield result
        finally:
            for future in list(queue.futures):
                future.cancel()
            shared_future.release()

    def close(self) -> None:
        """Close the client and the cluster this executor started."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(
    *, processes: int | None = None, workers: int | None = None, scheduler: str | None = None
) -> PointExecutor:
    """The executor for the command-line choices: Dask when ``workers`` or ``scheduler`` is
    given, otherwise local processes (default: one per core; 1 runs in this process)."""
    if workers is not None and scheduler is not None:
        raise ValueError("give --workers (a local Dask cluster) or --scheduler, not both")
    if workers is not None or scheduler is not None:
        return DaskExecutor(workers=workers, scheduler=scheduler)
    count = processes if processes is not None else max(1, os.cpu_count() or 1)
    return InProcessExecutor() if count <= 1 else ProcessExecutor(count)
