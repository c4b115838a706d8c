"""Engine cost against the size of the border graph, on synthetic ring-plus-chords scenarios.

For rings of 2, 4, 8, 16, 32 and 64 actors (``dualtrack.scenario.synthetic``: ring borders, a
chord per four actors, two alliance hubs) it prints replicate-steps per second, dyad-steps
per second, the cost of one dyad-step and the peak traced memory of a summary-only run, then
plots the cost per dyad-step against the number of dyads. The target is a cost per dyad-step
within a factor 2 across the range (work that follows the border graph, not actors squared).
Whole runs include work that does not grow with the days (planning, compiling the scenario,
summarising: about 8 ms at 2 actors), which weighs most in the smallest graphs; so each size
is also run twice as long, and the cost of the added steps is printed beside it ("ns/added").

BLAS threads: small matrix products on a busy 2-core machine run many times slower with
OpenBLAS's default threads than with one (measured here with ``--blas-threads 0``, the
library default, against the default of 1). ``--profile N`` prints the engine functions that
dominate at N actors.

    python benchmarks/bench_scaling.py [--replicates 2048] [--days 100] [--blas-threads 1]
"""

from __future__ import annotations

import os
import sys


def _blas_threads_from_argv(argv: list[str]) -> str:
    """The --blas-threads value, read before numpy loads (0: the library default)."""
    for k, arg in enumerate(argv):
        if arg == "--blas-threads" and k + 1 < len(argv):
            return argv[k + 1]
        if arg.startswith("--blas-threads="):
            return arg.split("=", 1)[1]
    return "1"


if __name__ == "__main__" and _blas_threads_from_argv(sys.argv) != "0":
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _blas_threads_from_argv(sys.argv)

import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import dualtrack  # noqa: E402
from dualtrack.engine.run import plan_run  # noqa: E402
from dualtrack.scenario.synthetic import ring_scenario  # noqa: E402

SIZES = (2, 4, 8, 16, 32, 64)
TARGET_RATIO = 2.0
RESULTS = Path(__file__).resolve().parent / "results"


def measure(
    actors: int, replicates: int, days: int, repeat: int, backend: str = "numpy"
) -> dict[str, float]:
    """Best-of-``repeat`` throughput of one ring size at ``days`` and at twice as many, plus
    its graph sizes (a compiled backend's first run of each horizon compiles: keep ``repeat``
    at 3 or more, so that the best is of two warm runs)."""
    scenario = ring_scenario(actors)

    def steps(horizon: int) -> int:
        return plan_run(scenario, days=horizon, replicates=replicates).compiled.n_steps

    def best(horizon: int) -> float:
        seconds = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            dualtrack.simulate(
                scenario, replicates=replicates, days=horizon, record="summary", backend=backend
            )
            seconds = min(seconds, time.perf_counter() - started)
        return seconds

    compiled = plan_run(scenario, days=days, replicates=replicates, record="summary").compiled
    seconds, longer = best(days), best(2 * days)
    dyads = len(compiled.dyad_ids)
    replicate_steps = replicates * compiled.n_steps
    added = replicates * (steps(2 * days) - compiled.n_steps)
    return {
        "actors": actors,
        "dyads": dyads,
        "sectors": len(compiled.sector_ids),
        "pairs": len(compiled.pair_ids),
        "slots": len(compiled.slot_dyad),
        "seconds": seconds,
        "replicate_steps_per_s": replicate_steps / seconds,
        "dyad_steps_per_s": replicate_steps * dyads / seconds,
        "ns_per_dyad_step": seconds / (replicate_steps * dyads) * 1e9,
        "ns_per_added_dyad_step": (longer - seconds) / (added * dyads) * 1e9,
    }


def peak_memory_mib(actors: int, replicates: int, days: int) -> float:
    """Peak traced memory (MiB) of a summary-only run."""
    scenario = ring_scenario(actors)
    tracemalloc.start()
    dualtrack.simulate(scenario, replicates=replicates, days=days, record="summary")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def profile(actors: int, replicates: int, days: int, top: int = 15) -> str:
    """The engine functions with the most own time at ``actors`` actors."""
    scenario = ring_scenario(actors)
    profiler = cProfile.Profile()
    profiler.enable()
    dualtrack.simulate(scenario, replicates=replicates, days=days, record="summary")
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def plot(rows_by_label: dict[str, list[dict[str, float]]], path: Path) -> None:
    """Cost per dyad-step against dyads, one line per BLAS setting."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    for label, rows in rows_by_label.items():
        dyads = [r["dyads"] for r in rows]
        cost = [r["ns_per_dyad_step"] for r in rows]
        ax.plot(dyads, cost, marker="o", label=label)
        for r in rows:
            ax.annotate(
                f"{r['actors']:g}",
                (r["dyads"], r["ns_per_dyad_step"]),
                fontsize=7,
                textcoords="offset points",
                xytext=(3, 4),
            )
    ax.set_xscale("log", base=2)
    top = max(r["ns_per_dyad_step"] for rows in rows_by_label.values() for r in rows)
    ax.set_ylim(0, 1.25 * top)
    ax.set_xlabel("dyads (synthetic ring; labels: actors)")
    ax.set_ylabel("cost per dyad-step (ns)")
    ax.set_title("dualtrack: cost per dyad-step against the border graph", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def report(label: str, rows: list[dict[str, float]]) -> None:
    """Print the table of one BLAS setting and the spread of its costs against the target."""
    print(f"\n{label}")
    print(
        f"{'actors':>6} {'dyads':>5} {'sectors':>7} {'pairs':>5} {'slots':>5} "
        f"{'replicate-steps/s':>18} {'dyad-steps/s':>13} {'ns/dyad-step':>12} "
        f"{'ns/added':>9} {'peak MiB':>9}"
    )
    for r in rows:
        print(
            f"{r['actors']:>6.0f} {r['dyads']:>5.0f} {r['sectors']:>7.0f} {r['pairs']:>5.0f} "
            f"{r['slots']:>5.0f} {r['replicate_steps_per_s']:>18,.0f} "
            f"{r['dyad_steps_per_s']:>13,.0f} {r['ns_per_dyad_step']:>12.0f} "
            f"{r['ns_per_added_dyad_step']:>9.0f} {r.get('peak_mib', float('nan')):>9.1f}"
        )
    for key, what in (
        ("ns_per_dyad_step", "cost per dyad-step of whole runs"),
        ("ns_per_added_dyad_step", "cost per added dyad-step (runs twice as long)"),
    ):
        costs = [r[key] for r in rows]
        spread = max(costs) / min(costs)
        verdict = "meets" if spread <= TARGET_RATIO else "MISSES"
        print(
            f"{what} varies by {spread:.2f}x over the range ({verdict} the "
            f"{TARGET_RATIO:g}x target)"
        )


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=2048)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="timings per size and horizon, best kept (a compiled backend's first compiles)",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--blas-threads", type=int, default=1, help="BLAS threads (0: library default)"
    )
    parser.add_argument(
        "--compare-default-blas",
        action="store_true",
        help="also time with the library's default BLAS threads (in a subprocess)",
    )
    parser.add_argument("--profile", type=int, default=0, help="profile this many actors")
    parser.add_argument("--backend", default="numpy", help="engine backend (numpy, compiled)")
    parser.add_argument("--plot", type=Path, default=RESULTS / "scaling.png")
    parser.add_argument("--json", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    label = f"BLAS threads: {args.blas_threads or 'library default'}, backend {args.backend}"
    rows = [measure(n, args.replicates, args.days, args.repeat, args.backend) for n in args.sizes]
    if args.json is not None:  # a subprocess of --compare-default-blas: hand the rows back
        args.json.write_text(json.dumps(rows), encoding="utf-8")
        return
    for r in rows:
        r["peak_mib"] = peak_memory_mib(int(r["actors"]), min(args.replicates, 1024), args.days)
    rows_by_label = {label: rows}
    report(f"{label}; {args.replicates} replicates x {args.days} days, summaries only", rows)
    if args.compare_default_blas and args.blas_threads:
        handoff = RESULTS / "scaling-default-blas.json"
        handoff.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, __file__, "--blas-threads", "0", "--json", str(handoff)]
        command += ["--replicates", str(args.replicates), "--days", str(args.days)]
        command += ["--repeat", str(args.repeat), "--sizes", *map(str, args.sizes)]
        command += ["--backend", args.backend]
        subprocess.run(command, check=True)
        other = json.loads(handoff.read_text(encoding="utf-8"))
        rows_by_label["BLAS threads: library default"] = other
        report("BLAS threads: library default (same work)", other)
    plot(rows_by_label, args.plot)
    print(f"\nwrote {args.plot}")
    if args.profile:
        print(f"\nprofile at {args.profile} actors (own time):")
        print(profile(args.profile, args.replicates, args.days))


if __name__ == "__main__":
    main()
