"""Engine throughput and memory on the built-in Belarus-Ukraine scenario, per backend.

Prints, side by side for the numpy engine and the compiled backend (``--backends``), the
replicate-steps per second of one process, of a study of every built-in doctrine (default
10,000 replicates x 365 days, summaries only) on 1 and on ``--workers`` worker processes,
the time of a small what-if run (1,000 replicates x 56 days, the tabletop forecast), each
backend's compilation time, and the ratios to numpy and to the targets; then where the
compiled backend's time goes (drawing random numbers on the host against the compiled step),
and the peak memory of summary-only runs at two horizons (it must not grow with the days).

Figures of a compiled backend are warm: a first, untimed run compiles its program (kept in
memory and in JAX's persistent cache, which worker processes read); the compilation time is
printed on its own.

    python benchmarks/bench_engine.py [--replicates 10000] [--days 365] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import dualtrack
from dualtrack.engine import backends
from dualtrack.experiments.study import plan_study, run_study

SCENARIO = "belarus-ukraine-2024"
TARGET = 1_000_000  # replicate-steps per second on a 2-core machine
SPEEDUP = 10.0  # the compiled backend's goal against numpy
SMALL = (1000, 56)  # a what-if forecast: replicates x days
SMALL_TARGET = 0.1  # seconds


def _simulate(backend: str, replicates: int, days: int) -> float:
    """Seconds of one summary-only dual-track run."""
    started = time.perf_counter()
    dualtrack.simulate(
        SCENARIO, "dual-track", replicates=replicates, days=days, record="summary", backend=backend
    )
    return time.perf_counter() - started


def best_of(backend: str, replicates: int, days: int, repeat: int) -> float:
    """Best seconds of ``repeat`` runs."""
    return min(_simulate(backend, replicates, days) for _ in range(repeat))


def study_time(backend: str, replicates: int, days: int, workers: int) -> tuple[float, int]:
    """Seconds and replicate-steps for every built-in doctrine over ``workers`` processes."""
    study = plan_study(
        SCENARIO,
        list(dualtrack.BUILTIN_DOCTRINES),
        replicates=replicates,
        days=days,
        record="summary",
        backend=backend,
    )
    started = time.perf_counter()
    run_study(study, workers=workers)
    return time.perf_counter() - started, study.replicate_steps


def warm_up(backend: str, replicates: int, days: int) -> float:
    """Seconds to compile (and run once) every program the timings below use."""
    if backend == backends.NUMPY:
        return 0.0
    started = time.perf_counter()
    for size, horizon in {(replicates, days), SMALL, (min(replicates, 2048), days)}:
        for doctrine in dualtrack.BUILTIN_DOCTRINES:
            dualtrack.simulate(
                SCENARIO, doctrine, replicates=size, days=horizon, record="summary", backend=backend
            )
    return time.perf_counter() - started


def where_time_goes(backend: str, replicates: int, days: int) -> str:
    """Seconds drawing random numbers on the host against seconds in the compiled step."""
    import jax
    import numpy as np

    from dualtrack.engine.run import _engine, plan_run
    from dualtrack.engine.state import initial_state
    from dualtrack.engine.streams import ChunkStreams

    plan = plan_run(
        SCENARIO,
        "dual-track",
        replicates=replicates,
        days=days,
        record="summary",
        chunk_size=replicates,
        backend=backend,
    )
    c = plan.compiled
    engine = _engine(plan, (0, replicates))
    streams = ChunkStreams(plan.seed, 0, replicates, replicates)
    types = np.empty((replicates, len(c.actor_ids)))
    streams.fill_intent(types)
    state = engine.start(initial_state(c, replicates, types))
    normals = np.zeros((replicates, len(c.entry_pair)), dtype=np.float32)
    uniforms = np.zeros((replicates, c.layout.width))
    intent = np.zeros((replicates, c.intent_layout.width))
    jax.block_until_ready(engine.advance(state, 0, normals, uniforms, intent))
    started = time.perf_counter()
    for _ in range(days):
        streams.fill(normals, uniforms)
        streams.fill_intent(intent)
    drawing = time.perf_counter() - started
    started = time.perf_counter()
    for t in range(days):
        state = engine.advance(state, t, normals, uniforms, intent)
    jax.block_until_ready(state)
    stepping = time.perf_counter() - started
    return (
        f"{backend}, {replicates:,} replicates x {days} steps: drawing {drawing / days * 1e3:.2f}"
        f" ms/step on the host, compiled step {stepping / days * 1e3:.2f} ms/step "
        f"({replicates * days / stepping:,.0f} replicate-steps/s without the draws)"
    )


def peak_memory_mib(replicates: int, days: int) -> float:
    """Peak traced memory (MiB) of a summary-only numpy run."""
    tracemalloc.start()
    _simulate(backends.NUMPY, replicates, days)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=2, help="timings per figure (best kept)")
    parser.add_argument(
        "--backends",
        nargs="+",
        default=[backends.NUMPY, backends.COMPILED],
        help="backends side by side (the first is the reference of the ratios)",
    )
    args = parser.parse_args()
    names = [backends.resolve(name) for name in args.backends]
    single = min(args.replicates, 4096)

    figures: dict[str, dict[str, float]] = {}
    for name in names:
        row: dict[str, float] = {"compile": warm_up(name, single, args.days)}
        row["one"] = single * args.days / best_of(name, single, args.days, args.repeat)
        for workers in sorted({1, args.workers}):
            seconds, work = study_time(name, args.replicates, args.days, workers)
            row[f"study{workers}"] = work / seconds
            row[f"study{workers}_s"] = seconds
        row["small"] = best_of(name, *SMALL, repeat=max(3, args.repeat))
        figures[name] = row

    reference = names[0]
    width = max(14, *(len(n) for n in names))
    print(f"{SCENARIO}, summaries only; replicate-steps/s unless stated; ratios to {reference}")
    print(f"{'':44}" + "".join(f"{n:>{width}}" for n in names) + f"{'ratio':>9}")

    def line(label: str, key: str, fmt: str, target: str = "") -> None:
        values = [figures[n][key] for n in names]
        seconds = key == "small" or key.endswith("_s")  # a smaller time is a speed-up
        low, high = (values[-1], values[0]) if seconds else (values[0], values[-1])
        ratio = high / low if low else float("nan")
        cells = "".join(f"{format(v, fmt):>{width}}" for v in values)
        shown = f"{ratio:>8.2f}x" if key != "compile" else " " * 9
        print(f"{label:44}{cells}{shown} {target}")

    line(f"one process, {single:,} x {args.days} days", "one", ",.0f", f"(goal {SPEEDUP:g}x)")
    for workers in sorted({1, args.workers}):
        line(
            f"{len(dualtrack.BUILTIN_DOCTRINES)} doctrines x {args.replicates:,} x {args.days}, "
            f"{workers} worker(s)",
            f"study{workers}",
            ",.0f",
            f"(goal {SPEEDUP:g}x; target {TARGET:,}/s)",
        )
        line("  the same, seconds", f"study{workers}_s", ".1f")
    line(f"{SMALL[0]:,} x {SMALL[1]} days, seconds", "small", ".3f", f"(goal < {SMALL_TARGET} s)")
    line("compilation (first runs), seconds", "compile", ".1f")
    for name in names:
        if name in backends.COMPILED_BACKENDS and name != backends.JAX_RNG:
            print(where_time_goes(name, single, min(args.days, 100)))
    short, long = peak_memory_mib(2048, args.days), peak_memory_mib(2048, 2 * args.days)
    print(
        f"peak memory (numpy), 2,048 replicates, summaries only: {short:.1f} MiB at "
        f"{args.days} days, {long:.1f} MiB at {2 * args.days} days (ratio {long / short:.2f})"
    )


if __name__ == "__main__":
    main()
