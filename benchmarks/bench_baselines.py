"""dualtrack against the frameworks users would pick instead: a Mesa model and a plain loop.

All three run the same work: the built-in Belarus-Ukraine scenario in its spiral limit (every
actor a security seeker for certain, which is what the baselines implement) with its own
doctrines (Belarus dual-track), the same days, the same equations and parameters
(``benchmarks/baselines``). The slow baselines run fewer replicates, so speeds are compared as
replicate-steps per second; the target is dualtrack at least 100 times faster than Mesa. Then
two-sample tests check that the outcome distributions agree: Fisher's exact test on P(crisis),
P(armed incident), P(war) and P(at least one agreement) of the focus dyad, and a chi-square
test on the distribution of the highest rung reached (sparse rungs pooled). The baselines use
their own random numbers (Python's ``random``), so agreement is statistical; replicate-by-
replicate equality with injected draws is checked in ``tests/europe/test_baselines.py``.

Needs the bench extra (Mesa 3): ``pip install -e ".[bench]"``.

    python benchmarks/bench_baselines.py [--days 365] [--replicates 4096] [--plain 400] [--mesa 150]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from baselines.common import ReplicateOutcome, spiral_limit  # noqa: E402
from baselines.plain_loop import simulate_plain  # noqa: E402
from scipy import stats  # noqa: E402

import dualtrack  # noqa: E402
from dualtrack.experiments.study import plan_study, run_study  # noqa: E402
from dualtrack.scenario.ladder import Rung  # noqa: E402

SCENARIO = spiral_limit(dualtrack.load_scenario("belarus-ukraine-2024"))
TARGET = 100.0
OUTCOMES = {
    "P(crisis)": lambda rung, agreements: rung >= Rung.CRISIS,
    "P(armed incident)": lambda rung, agreements: rung >= Rung.ARMED_INCIDENT,
    "P(war)": lambda rung, agreements: rung >= Rung.WAR,
    "P(agreements > 0)": lambda rung, agreements: agreements > 0,
}


def focus_arrays(outcomes: list[ReplicateOutcome], focus: int) -> tuple[np.ndarray, np.ndarray]:
    """Highest rung and agreements of the focus dyad, per replicate."""
    rung = np.array([o.max_rung[focus] for o in outcomes])
    agreements = np.array([o.agreements[focus] for o in outcomes])
    return rung, agreements


def rung_test(a: np.ndarray, b: np.ndarray) -> float:
    """Chi-square p-value on highest-rung counts, pooling rungs until every cell expects 5."""
    rungs = np.arange(len(Rung))
    table = np.array([[np.sum(x == r) for r in rungs] for x in (a, b)], dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    while table.shape[1] > 1:
        expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
        if expected.min() >= 5:
            break
        table = np.column_stack([table[:, :-2], table[:, -2:].sum(axis=1)])
    if table.shape[1] < 2:
        return 1.0
    return float(stats.chi2_contingency(table)[1])


def compare(
    name: str, reference: tuple[np.ndarray, np.ndarray], other: tuple[np.ndarray, np.ndarray]
) -> None:
    """Print the outcome probabilities of both samples and the test p-values."""
    print(f"\n{name} vs dualtrack ({len(other[0])} vs {len(reference[0])} replicates)")
    print(f"{'outcome':20s} {'dualtrack':>10s} {name:>10s} {'Fisher p':>9s}")
    for label, rule in OUTCOMES.items():
        x, y = rule(*reference), rule(*other)
        table = [[int(x.sum()), int((~x).sum())], [int(y.sum()), int((~y).sum())]]
        p = stats.fisher_exact(table)[1]
        print(f"{label:20s} {x.mean():10.4f} {y.mean():10.4f} {p:9.3f}")
    print(f"{'max-rung chi-square':20s} {'':10s} {'':10s} {rung_test(reference[0], other[0]):9.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--replicates", type=int, default=4096, help="dualtrack replicates")
    parser.add_argument("--plain", type=int, default=400, help="plain-loop replicates")
    parser.add_argument("--mesa", type=int, default=150, help="Mesa replicates (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="dualtrack worker processes")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--blas-threads", type=int, default=1, help="0: library default")
    args = parser.parse_args()

    started = time.perf_counter()
    ds = dualtrack.simulate(
        SCENARIO, replicates=args.replicates, days=args.days, seed=args.seed, record="summary"
    )
    single = time.perf_counter() - started
    study = plan_study(
        SCENARIO,
        [ds.attrs["doctrine"]],
        replicates=args.replicates,
        days=args.days,
        seed=args.seed,
        record="summary",
    )
    started = time.perf_counter()
    run_study(study, workers=args.workers)
    parallel = time.perf_counter() - started
    steps = int(ds.attrs["horizon_days"] / ds.attrs["step_days"])
    focus = list(ds["dyad"].values).index(ds.attrs["focus_dyad"])
    reference = (
        ds["max_rung"].isel(dyad=focus).values,
        ds["agreements"].isel(dyad=focus).values,
    )
    rates = {
        "dualtrack (1 process)": args.replicates * steps / single,
        f"dualtrack ({args.workers} workers)": args.replicates * steps / parallel,
    }
    started = time.perf_counter()
    plain = simulate_plain(SCENARIO, replicates=args.plain, days=args.days, seed=args.seed)
    rates["plain loop"] = args.plain * steps / (time.perf_counter() - started)
    samples = {"plain": focus_arrays(plain, focus)}
    if args.mesa:
        from baselines.mesa_model import simulate_mesa

        started = time.perf_counter()
        mesa = simulate_mesa(SCENARIO, replicates=args.mesa, days=args.days, seed=args.seed)
        rates["Mesa 3"] = args.mesa * steps / (time.perf_counter() - started)
        samples["Mesa"] = focus_arrays(mesa, focus)

    print(
        f"{SCENARIO.id} (spiral limit), BLR {ds.attrs['doctrine']}, {args.days} days; "
        f"BLAS threads {args.blas_threads or 'default'}"
    )
    print(f"{'implementation':24s} {'replicate-steps/s':>18s} {'dualtrack (1 process) is':>26s}")
    base = rates["dualtrack (1 process)"]
    for name, rate in rates.items():
        print(f"{name:24s} {rate:18,.0f} {base / rate:25.1f}x")
    if "Mesa 3" in rates:
        for name in ("dualtrack (1 process)", f"dualtrack ({args.workers} workers)"):
            ratio = rates[name] / rates["Mesa 3"]
            verdict = "meets" if ratio >= TARGET else "MISSES"
            print(f"{name} / Mesa = {ratio:.0f}x ({verdict} the {TARGET:g}x target)")
    for name, sample in samples.items():
        compare(name, reference, sample)


if __name__ == "__main__":
    main()
