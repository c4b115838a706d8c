"""A sweep killed midway resumes to the very table an uninterrupted run writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from dualtrack.analysis.exploration import PointEstimates
from dualtrack.cli import app
from dualtrack.experiments.executors import InProcessExecutor
from dualtrack.experiments.sweep import plan_sweep, run_sweep
from dualtrack.experiments.sweep_store import SweepStore

POINTS = 30
SETTINGS = ["--points", str(POINTS), "-n", "100", "--days", "60", "--seed", "5"]
SETTINGS += ["--doctrines", "dual-track", "--processes", "1"]


def _wait_for_first_part(folder: Path, process: subprocess.Popen[bytes]) -> None:
    parts = folder / "parts"
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        if parts.is_dir() and any(p.name.startswith("part-") for p in parts.iterdir()):
            return
        if process.poll() is not None:
            raise AssertionError(f"the sweep ended before it could be killed: {process.returncode}")
        time.sleep(0.01)
    raise AssertionError("no part file appeared within 60 s")


def test_a_killed_sweep_resumes_without_lost_or_duplicated_points(tmp_path: Path) -> None:
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "dualtrack.cli", "explore", "belarus-ukraine-2024"]
    process = subprocess.Popen(
        [*command, *SETTINGS, "--batch", "2", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        _wait_for_first_part(out, process)
        time.sleep(0.3)  # let it get further: more parts, perhaps one half written
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    store = SweepStore(out)
    assert store.exists() and not store.is_complete()
    assert (out / "design.parquet").is_file() and (out / "design_unit.parquet").is_file()
    stored_before = store.finished_points()
    assert 0 < len(stored_before) < POINTS

    result = CliRunner().invoke(
        app, ["explore", "belarus-ukraine-2024", "--out", str(out), "--resume", "--processes", "1"]
    )
    assert result.exit_code == 0, result.output
    assert f"{len(stored_before)} already stored" in result.output
    assert f"ran {POINTS - len(stored_before)} points" in result.output

    reference = plan_sweep(
        "belarus-ukraine-2024",
        PointEstimates(),
        points=POINTS,
        replicates=100,
        days=60,
        seed=5,
        doctrines=["dual-track"],
    )
    uninterrupted = run_sweep(reference, tmp_path / "whole", InProcessExecutor()).points_file
    resumed = out / "points.parquet"
    assert resumed.read_bytes() == uninterrupted.read_bytes()
    points = pd.read_parquet(resumed)
    assert list(points["point"]) == list(range(POINTS))  # none lost, none twice
    assert not (out / "parts").exists()
    assert not list(out.glob(".*.tmp"))
