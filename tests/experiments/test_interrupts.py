"""SIGINT and SIGTERM at any moment end a command promptly: status 130/143, one line, no leftovers.

Each test starts ``dualtrack compare`` as a real process, waits for a moment (workers running,
results being written, the report being rendered), sends a real signal, and checks what is
left: the exit status, the message, no staging folder, no live worker, the old content intact.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from dualtrack.cli import app

COMPARE = ["compare", "--doctrines", "deterrence-only,dual-track", "-n", "200", "--days", "120"]
COMPARE += ["--workers", "2", "--overwrite"]
OLD = {"results.nc": "the previous run's results", "report.html": "the previous page"}
ENDS_WITHIN_S = 10.0
"""Generous for a loaded CI machine: the command's own grace is 3 s."""


def _start(out: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2] / "src"))
    return subprocess.Popen(
        [sys.executable, "-m", "dualtrack.cli", *COMPARE, "--out", str(out)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )


def _old_folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    for name, text in OLD.items():
        (out / name).write_text(text)
    return out


def _wait_for(
    condition: Callable[[], bool], process: subprocess.Popen[bytes], watched: list[psutil.Process]
) -> None:
    deadline = time.monotonic() + 120.0
    while time.monotonic() < deadline:
        with contextlib.suppress(psutil.NoSuchProcess):
            watched[:] = watched + [
                c for c in psutil.Process(process.pid).children(recursive=True) if c not in watched
            ]
        if condition():
            return
        if process.poll() is not None:
            raise AssertionError(f"the command ended before the signal: {process.returncode}")
        time.sleep(0.005)
    raise AssertionError("the moment to interrupt never came")


def _staged(tmp_path: Path, name: str) -> Callable[[], bool]:
    return lambda: any((staging / name).exists() for staging in tmp_path.glob(".out.staging-*"))


def _workers_running(watched: list[psutil.Process]) -> Callable[[], bool]:
    return lambda: len(watched) >= 2


def _survivors(watched: list[psutil.Process]) -> list[int]:
    time.sleep(0.5)
    alive = []
    for child in watched:
        try:
            if child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child.pid)
        except psutil.NoSuchProcess:
            continue
    return alive


def _interrupt(process: subprocess.Popen[bytes], signum: int) -> tuple[int, str]:
    """SIGINT to the whole process group, as Ctrl-C sends it; SIGTERM to the command only."""
    if signum == signal.SIGINT:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    try:
        _, stderr = process.communicate(timeout=ENDS_WITHIN_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"still running {ENDS_WITHIN_S} s after the signal") from None
    return process.returncode, stderr.decode()


@pytest.mark.parametrize(
    ("signum", "moment"),
    [
        (signal.SIGINT, "simulating"),
        (signal.SIGTERM, "simulating"),
        (signal.SIGINT, "writing"),
        (signal.SIGTERM, "rendering"),
    ],
)
def test_a_signal_ends_compare_with_its_status_and_leaves_the_folder_as_it_was(
    tmp_path: Path, signum: int, moment: str
) -> None:
    out = _old_folder(tmp_path)
    process = _start(out)
    watched: list[psutil.Process] = []
    condition = {
        "simulating": _workers_running(watched),
        "writing": _staged(tmp_path, "results.nc"),
        "rendering": _staged(tmp_path, "figures"),
    }[moment]
    try:
        _wait_for(condition, process, watched)
        status, stderr = _interrupt(process, signum)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert status == 128 + signum
    name = signal.Signals(signum).name
    assert stderr.strip().splitlines()[-1].startswith(f"interrupted ({name})")
    assert "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder
    assert {p.name: p.read_text() for p in out.iterdir()} == OLD
    assert _survivors(watched) == []


@pytest.mark.parametrize("moment", ["simulating", "writing"])
def test_a_killed_parent_takes_its_workers_and_the_next_run_clears_its_staging(
    tmp_path: Path, moment: str
) -> None:
    out = _old_folder(tmp_path)
    process = _start(out)
    watched: list[psutil.Process] = []
    condition = {
        "simulating": _workers_running(watched),
        "writing": _staged(tmp_path, "results.nc"),
    }[moment]
    try:
        _wait_for(condition, process, watched)
        process.kill()
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert _survivors(watched) == []
    if moment == "writing":
        assert list(tmp_path.glob(".out.staging-*"))  # what the killed run left

    small = ["-d", "dual-track", "-n", "2", "--days", "3", "--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(app, ["run", *small])
    assert result.exit_code == 2  # the old content is still there: refused without --overwrite
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert {p.name: p.read_text() for p in out.iterdir()} == OLD


STUCK = """
import sys, time
from pathlib import Path
from dualtrack.experiments.interrupts import remove_if_abandoned, signals_deferred, stop_on_signals
staging = Path(sys.argv[1])
staging.mkdir()
with stop_on_signals(), remove_if_abandoned(staging), signals_deferred():
    print("ready", flush=True)
    time.sleep(60)  # a write that may not be cut and does not end
"""


def test_a_command_stuck_after_a_signal_is_ended_after_the_grace_and_its_staging_removed(
    tmp_path: Path,
) -> None:
    staging = tmp_path / ".out.staging-1"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2] / "src"))
    process = subprocess.Popen(
        [sys.executable, "-c", STUCK, str(staging)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    status, stderr = _interrupt(process, signal.SIGTERM)
    assert status == 143
    assert stderr.strip() == "interrupted (SIGTERM): stopped without finishing"
    assert not staging.exists()
