"""Sweep throughput: points per second of a Latin-hypercube sweep on 1 and 2 workers.

Default: the built-in Belarus-Ukraine scenario, 256 LHS points over every uncertain
parameter, 1,000 replicates x 365 days per point, one doctrine (dual-track), summaries only,
stored incrementally as ``dualtrack explore`` does. Each worker count runs on a fresh Dask
``LocalCluster`` (or local process pool with ``--executor processes``); the clock starts
once the cluster is up and includes the workers' first imports and all storage. Prints
points/s, replicate-steps/s, the speed-up and the scaling efficiency (speed-up / workers),
and checks that every worker count wrote the same ``points.parquet``.

On a shared machine other processes take cores too: for Dask runs the workers' own CPU time
is printed as a share of workers x wall time (100% = each worker always had a core), with
the load average, so that contention can be told apart from overhead.

    python benchmarks/bench_sweep.py [--points 256] [--replicates 1000] [--days 365]
                                     [--workers 1 2] [--executor dask|processes]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from dualtrack.analysis.exploration import PointEstimates
from dualtrack.experiments.executors import DaskExecutor, PointExecutor, ProcessExecutor
from dualtrack.experiments.store import sha256
from dualtrack.experiments.sweep import plan_sweep, run_sweep


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _workers_cpu(executor: PointExecutor) -> float | None:
    """CPU seconds used so far by the Dask worker processes (None for other executors)."""
    if not isinstance(executor, DaskExecutor):
        return None
    found: dict[str, Any] = executor.client.run(_cpu_seconds)
    return float(sum(found.values()))


def timed_sweep(
    points: int, replicates: int, days: int, workers: int, executor_kind: str, out: Path
) -> tuple[float, int, str, float | None]:
    """Seconds, replicate-steps, checksum of the points table, and workers' CPU seconds."""
    sweep = plan_sweep(
        "belarus-ukraine-2024",
        PointEstimates(),
        design="lhs",
        points=points,
        replicates=replicates,
        days=days,
        doctrines=["dual-track"],
        seed=2024,
    )
    executor: PointExecutor = (
        DaskExecutor(workers=workers) if executor_kind == "dask" else ProcessExecutor(workers)
    )
    with executor:
        cpu_before = _workers_cpu(executor)
        started = time.perf_counter()
        result = run_sweep(sweep, out, executor, batch_points=16)
        elapsed = time.perf_counter() - started
        cpu_after = _workers_cpu(executor)
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return elapsed, sweep.replicate_steps, sha256(result.points_file), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=256)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--executor", choices=("dask", "processes"), default="dask")
    args = parser.parse_args()
    print(
        f"sweep: {args.points} LHS points x {args.replicates} replicates x {args.days} days, "
        f"1 doctrine, record=summary, executor={args.executor}"
    )
    rates: dict[int, float] = {}
    checksums = set()
    with tempfile.TemporaryDirectory() as folder:
        for workers in args.workers:
            out = Path(folder) / f"w{workers}"
            load_before = os.getloadavg()[0]
            elapsed, work, checksum, cpu = timed_sweep(
                args.points, args.replicates, args.days, workers, args.executor, out
            )
            checksums.add(checksum)
            rates[workers] = args.points / elapsed
            busy = "" if cpu is None else f"  worker CPU {cpu / (workers * elapsed):4.0%}"
            print(
                f"  {workers} worker(s): {elapsed:7.1f} s  {rates[workers]:6.2f} points/s  "
                f"{work / elapsed:12,.0f} replicate-steps/s{busy}  "
                f"(load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on "
                f"{os.cpu_count()} cores)"
            )
    base_workers = min(rates)
    for workers, rate in sorted(rates.items()):
        if workers == base_workers:
            continue
        speedup = rate / rates[base_workers]
        efficiency = speedup / (workers / base_workers)
        print(
            f"  speed-up {workers} vs {base_workers} worker(s): {speedup:.2f}x, "
            f"scaling efficiency {efficiency:.0%}"
        )
    print(f"  identical points.parquet for every worker count: {len(checksums) == 1}")


if __name__ == "__main__":
    main()
