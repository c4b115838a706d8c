"""Engine throughput and memory on the built-in Belarus-Ukraine scenario, per backend.

Prints, side by side for the numpy engine and the compiled backend (``--backends``), the
replicate-steps per second of one process (and per CPU-second of all its threads: a
compiled backend draws and dispatches on the host while XLA runs the step on another
thread, so its one process uses more than one core), of a study of every built-in doctrine (default
10,000 replicates x 365 days, summaries only) on 1 and on ``--workers`` worker processes,
the time of a small what-if run (1,000 replicates x 56 days, the tabletop forecast), each
backend's compilation time, and the ratios to numpy and to the targets. Then the ceiling
that the reference's random numbers put on any backend that draws them (their time per
replicate-step against the time the 10x goal leaves), the compiled step's own time against
that budget with the number of operations the traced step computes, and the peak memory of
summary-only runs at two horizons (it must not grow with the days).

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
from typing import Any

import numpy as np

import dualtrack
from dualtrack.engine import backends
from dualtrack.engine.run import engine_for, plan_run, start_state
from dualtrack.engine.streams import ChunkStreams
from dualtrack.experiments.study import plan_study, run_study

SCENARIO = "belarus-ukraine-2024"
TARGET = 1_000_000  # replicate-steps per second on a 2-core machine
SPEEDUP = 10.0  # the compiled backend's goal against numpy
SMALL = (1000, 56)  # a what-if forecast: replicates x days
SMALL_TARGET = 0.1  # seconds


def _simulate(backend: str, replicates: int, days: int) -> tuple[float, float]:
    """Seconds, and CPU seconds of every thread of this process, of one summary-only
    dual-track run."""
    started, cpu = time.perf_counter(), time.process_time()
    dualtrack.simulate(
        SCENARIO, "dual-track", replicates=replicates, days=days, record="summary", backend=backend
    )
    return time.perf_counter() - started, time.process_time() - cpu


def best_of(backend: str, replicates: int, days: int, repeat: int) -> tuple[float, float]:
    """Seconds and CPU seconds of the fastest of ``repeat`` runs."""
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


def _chunk(backend: str, replicates: int, days: int) -> tuple[Any, Any, ChunkStreams]:
    """A plan of the dual-track run, its engine for one chunk of every replicate, and the
    chunk's random streams."""
    plan = plan_run(
        SCENARIO,
        "dual-track",
        replicates=replicates,
        days=days,
        record="summary",
        chunk_size=replicates,
        backend=backend,
    )
    engine = engine_for(plan, (0, replicates))
    return plan, engine, ChunkStreams(plan.seed, 0, replicates, replicates)


def drawing_seconds(replicates: int, steps: int) -> tuple[float, int, int]:
    """Seconds per step to draw the reference's random numbers for ``replicates`` (the block
    streams of ``engine.streams``, as every backend but ``jax-rng`` draws them), and the
    normals and uniforms each replicate-step draws."""
    plan, _, streams = _chunk(backends.NUMPY, replicates, steps)
    c = plan.compiled
    normals = np.zeros((replicates, len(c.entry_pair)), dtype=np.float32)
    uniforms = np.zeros((replicates, c.layout.width))
    intent = np.zeros((replicates, c.intent_layout.width))
    started = time.perf_counter()
    for _ in range(steps):
        streams.fill(normals, uniforms)
        streams.fill_intent(intent)
    seconds = (time.perf_counter() - started) / steps
    return seconds, normals.shape[1], uniforms.shape[1] + intent.shape[1]


def nanoseconds_per_draw(size: int = 1_000_000, repeat: int = 5) -> tuple[float, float]:
    """numpy's PCG64 generator: best nanoseconds per float32 standard normal (its ziggurat)
    and per float64 uniform."""
    generator = np.random.Generator(np.random.PCG64(0))
    normals, uniforms = np.empty(size, dtype=np.float32), np.empty(size)

    def best(draw: Any) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            draw()
            times.append(time.perf_counter() - started)
        return min(times) / size * 1e9

    return (
        best(lambda: generator.standard_normal(out=normals, dtype=np.float32)),
        best(lambda: generator.random(out=uniforms)),
    )


def compiled_step_seconds(backend: str, replicates: int, steps: int) -> float:
    """Seconds per step of a compiled backend's step alone (draws made once, beforehand)."""
    import jax

    plan, engine, streams = _chunk(backend, replicates, steps)
    c = plan.compiled
    state = start_state(engine, streams, replicates)
    normals = np.zeros((replicates, len(c.entry_pair)), dtype=np.float32)
    uniforms = np.zeros((replicates, c.layout.width))
    intent = np.zeros((replicates, c.intent_layout.width))
    streams.fill(normals, uniforms)
    streams.fill_intent(intent)
    jax.block_until_ready(engine.advance(state, 0, normals, uniforms, intent))
    started = time.perf_counter()
    for t in range(steps):
        state = engine.advance(state, t, normals, uniforms, intent)
    jax.block_until_ready(state)
    return (time.perf_counter() - started) / steps


def traced_operations() -> tuple[int, int]:
    """Array elements computed by the built-in scenario's traced step for one replicate (every
    primitive's outputs, the branches a compiled program always takes included), and the
    transcendental evaluations among them (exp, log, expm1, log1p, logistic, sqrt)."""
    import jax

    from dualtrack.engine.jax_backend import traced_inputs
    from dualtrack.engine.step import StepConstants, step

    plan, engine, streams = _chunk(backends.JAX, 1, 1)
    c = plan.compiled
    state = start_state(engine, streams, 1)
    constants, traced = StepConstants(c), traced_inputs(c)
    draws = (
        np.zeros((1, len(c.entry_pair)), dtype=np.float32),
        np.zeros((1, c.layout.width)),
        np.zeros((1, c.intent_layout.width)),
    )
    program = jax.make_jaxpr(lambda s, *d: step(s, traced, constants, 0, *d))(state, *draws)
    transcendental = {"exp", "log", "expm1", "log1p", "logistic", "sqrt"}
    total = special = 0

    def walk(jaxpr: Any) -> None:
        nonlocal total, special
        for eqn in jaxpr.eqns:
            size = sum(int(np.prod(v.aval.shape)) for v in eqn.outvars)
            total += size
            special += size if eqn.primitive.name in transcendental else 0
            for param in eqn.params.values():
                for item in param if isinstance(param, tuple | list) else (param,):
                    inner = getattr(item, "jaxpr", None)
                    if inner is not None:
                        walk(getattr(inner, "jaxpr", inner))

    walk(program.jaxpr)
    return total, special


def ceiling_lines(
    numpy_rate: float, compiled: str | None, replicates: int, steps: int
) -> list[str]:
    """Why the 10x goal is out of reach here: the time the reference's random numbers take
    against the goal's time per replicate-step, and the compiled step's time against it."""
    draw_s, n_normals, n_uniforms = drawing_seconds(replicates, steps)
    per_normal, per_uniform = nanoseconds_per_draw()
    numpy_us = 1e6 / numpy_rate
    budget_us = numpy_us / SPEEDUP
    draw_us = draw_s / replicates * 1e6
    lines = [
        f"reference draws: {n_normals} float32 normals + {n_uniforms} float64 uniforms per "
        f"replicate-step, {draw_us:.3f} us ({per_normal:.1f} ns per normal, {per_uniform:.1f} ns "
        f"per uniform, numpy's PCG64)",
        f"numpy engine {numpy_us:.3f} us per replicate-step; the {SPEEDUP:g}x goal leaves "
        f"{budget_us:.3f} us for everything",
        f"ceiling of any backend drawing the reference's numbers, with a step that costs "
        f"nothing: {numpy_us / draw_us:.1f}x (goal {SPEEDUP:g}x)",
    ]
    if compiled is not None:
        step_us = compiled_step_seconds(compiled, replicates, steps) / replicates * 1e6
        total, special = traced_operations()
        lines.append(
            f"{compiled} step without the draws: {step_us:.3f} us per replicate-step "
            f"({step_us / budget_us:.1f}x the goal's budget); the traced step computes "
            f"{total:,} array elements per replicate-step, {special} of them exp/log/sqrt"
        )
    return lines


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
        seconds, cpu = best_of(name, single, args.days, args.repeat)
        row["one"], row["one_cpu"] = single * args.days / seconds, single * args.days / cpu
        for workers in sorted({1, args.workers}):
            seconds, work = study_time(name, args.replicates, args.days, workers)
            row[f"study{workers}"] = work / seconds
            row[f"study{workers}_s"] = seconds
        row["small"] = best_of(name, *SMALL, repeat=max(3, args.repeat))[0]
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
    line("  the same, per CPU-second (all threads)", "one_cpu", ",.0f")
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
    if backends.NUMPY in figures:
        compiled = [n for n in names if n in backends.COMPILED_BACKENDS and n != backends.JAX_RNG]
        steps = min(args.days, 100)
        for text in ceiling_lines(
            figures[backends.NUMPY]["one"], next(iter(compiled), None), single, steps
        ):
            print(text)
    short, long = peak_memory_mib(2048, args.days), peak_memory_mib(2048, 2 * args.days)
    print(
        f"peak memory (numpy), 2,048 replicates, summaries only: {short:.1f} MiB at "
        f"{args.days} days, {long:.1f} MiB at {2 * args.days} days (ratio {long / short:.2f})"
    )


if __name__ == "__main__":
    main()
