"""Wall time of the main job at scale: compare 5 doctrines x 10,000 replicates x 365 days.

Runs ``dualtrack compare`` in a subprocess (as a user would, report included) into a temporary
folder and prints the total wall time, the simulation time recorded in the manifest, and the
ratio to the one-minute target.

    python benchmarks/bench_compare.py [--replicates 10000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "compare"
        command = [
            sys.executable,
            "-m",
            "dualtrack.cli",
            "compare",
            "-n",
            str(args.replicates),
            "--workers",
            str(args.workers),
            "--out",
            str(out),
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        total = time.perf_counter() - started
        settings = json.loads((out / "manifest.json").read_text())["settings"]
        size_mb = (out / "results.nc").stat().st_size / 1e6
    print(
        f"compare, 5 doctrines x {args.replicates:,} replicates x 365 days, "
        f"{args.workers} worker(s), record={settings['record']}:"
    )
    print(
        f"  total wall time {total:6.1f} s ({total / TARGET_S:.2f} of the {TARGET_S:.0f} s target)"
    )
    print(f"  simulation      {settings['elapsed_s']:6.1f} s; results.nc {size_mb:.0f} MB")
    print(
        f"  everything else {total - settings['elapsed_s']:6.1f} s (start-up, statistics, "
        "netCDF, report)"
    )


if __name__ == "__main__":
    main()
