"""Simulation-based calibration of ``dualtrack calibrate``: coverage of the truth, with intervals.

On synthetic data the model makes at known parameters drawn from the prior, fits each data
set by ABC-SMC as if it were the record and prints, per parameter, how often the posterior's
central interval covered the truth (with its Wilson 95% interval and the binomial probability
of so few covered truths at the nominal rate), the mean width ratio (posterior over prior:
calibrated *and* informative is the claim), and a rank histogram (uniform when calibrated).
See dualtrack.analysis.calibration.sbc for the method.

    python benchmarks/sbc_calibration.py [--truths 40] [--population 40] [--generations 3]
        [--replicates 10] [--level 0.8] [--episode 2024-summer] [--processes 2]
        [-p mechanisms.dialogue.talk_rate -p actors[0].forces.ground.deployment_rate]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from dualtrack.analysis.calibration.sbc import coverage_check
from dualtrack.experiments.executors import make_executor

DEFAULT_PARAMETERS = ("actors[0].forces.ground.deployment_rate", "mechanisms.dialogue.talk_rate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="belarus-ukraine-2024")
    parser.add_argument("--episode", default="2024-summer")
    parser.add_argument("-p", "--parameters", action="append")
    parser.add_argument("--truths", type=int, default=40)
    parser.add_argument("--population", type=int, default=40)
    parser.add_argument("--generations", type=int, default=3)
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--level", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    parameters = args.parameters or list(DEFAULT_PARAMETERS)
    started = time.perf_counter()
    with make_executor(processes=args.processes) as executor:
        check = coverage_check(
            args.scenario,
            parameters,
            [args.episode],
            truths=args.truths,
            population=args.population,
            generations=args.generations,
            replicates=args.replicates,
            seed=args.seed,
            level=args.level,
            executor=executor,
        )
    elapsed = time.perf_counter() - started
    print(
        f"simulation-based calibration on {args.episode}: {args.truths} truths, "
        f"{args.population} particles x {args.generations} generations x {args.replicates} "
        f"replicates, seed {args.seed}, {elapsed:.0f} s"
    )
    for row in check.coverage().itertuples():
        ranks = check.table.loc[check.table["parameter"] == row.parameter, "rank"].to_numpy()
        # a rank of 1 (above every particle) may come out a rounding above 1: keep it in the
        # top bin rather than let np.histogram drop it
        histogram = np.histogram(np.clip(ranks, 0.0, 1.0), bins=5, range=(0.0, 1.0))[0]
        assert int(histogram.sum()) == len(ranks) == int(row.truths), (histogram, len(ranks))
        print(
            f"  {row.parameter}: {int(row.covered)}/{int(row.truths)} covered by the "
            f"{row.nominal:.0%} interval = {row.coverage:.0%} [95% {row.low:.0%}, {row.high:.0%}]"
            f"; P(so few | nominal) = {row.p_too_few:.3f}; mean width ratio "
            f"{row.mean_width_ratio:.2f}; rank histogram (5 bins) {histogram.tolist()}"
        )


if __name__ == "__main__":
    main()
