"""Engine throughput and memory on the built-in Belarus-Ukraine scenario.

Prints replicate-steps per second for one process and for a study of every built-in doctrine
(default 10,000 replicates x 365 days, summaries only) spread over worker processes, the
ratio to the 1,000,000 replicate-steps/s target, and the peak memory of summary-only runs at
two horizons to show that it does not grow with the number of days.

    python benchmarks/bench_engine.py [--replicates 10000] [--days 365] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import dualtrack
from dualtrack.experiments.study import plan_study, run_study

TARGET = 1_000_000  # replicate-steps per second on a 2-core machine


def throughput_single(replicates: int, days: int) -> float:
    """Replicate-steps per second of one doctrine in this process."""
    started = time.perf_counter()
    dualtrack.simulate(
        "belarus-ukraine-2024", "dual-track", replicates=replicates, days=days, record="summary"
    )
    return replicates * days / (time.perf_counter() - started)


def study_time(replicates: int, days: int, workers: int) -> tuple[float, int]:
    """Seconds and replicate-steps for every built-in doctrine over ``workers`` processes."""
    study = plan_study(
        "belarus-ukraine-2024",
        list(dualtrack.BUILTIN_DOCTRINES),
        replicates=replicates,
        days=days,
        record="summary",
    )
    started = time.perf_counter()
    run_study(study, workers=workers)
    return time.perf_counter() - started, study.replicate_steps


def peak_memory_mib(replicates: int, days: int) -> float:
    """Peak traced memory (MiB) of a summary-only run."""
    tracemalloc.start()
    dualtrack.simulate(
        "belarus-ukraine-2024", "dual-track", replicates=replicates, days=days, record="summary"
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    single = throughput_single(min(args.replicates, 4096), args.days)
    print(f"one process, dual-track:        {single:12,.0f} replicate-steps/s")
    for workers in sorted({1, args.workers}):
        seconds, work = study_time(args.replicates, args.days, workers)
        rate = work / seconds
        print(
            f"{len(dualtrack.BUILTIN_DOCTRINES)} doctrines x {args.replicates:,} x {args.days} "
            f"days, {workers} worker(s): {seconds:6.1f} s, {rate:12,.0f} replicate-steps/s "
            f"({rate / TARGET:.2f}x target)"
        )
    short, long = peak_memory_mib(2048, args.days), peak_memory_mib(2048, 2 * args.days)
    print(
        f"peak memory, 2,048 replicates, summaries only: {short:.1f} MiB at {args.days} days, "
        f"{long:.1f} MiB at {2 * args.days} days (ratio {long / short:.2f})"
    )


if __name__ == "__main__":
    main()
