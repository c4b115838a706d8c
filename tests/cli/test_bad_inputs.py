"""Bad input of every kind: a located message, exit status 2, no traceback, nothing written.

Each case is one line: an id, the command line (paths relative to the workspace of
``conftest.py``, which is the current folder) and the text that names the place.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from dualtrack.cli import app
from dualtrack.cli.app import user_error_message
from dualtrack.doctrines.base import REGISTRY, Decision, Doctrine, DoctrineParams, Observation
from dualtrack.engine.backends import BackendError
from dualtrack.scenario.errors import ScenarioError

TINY = "-n 20 --days 5 --workers 1"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

NOT_ROOT = pytest.mark.skipif(ROOT, reason="root reads any file")
LINUX = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")


def case(name: str, command: str, place: str, *marks: pytest.MarkDecorator) -> Any:
    """One bad input: the command line and the text naming the file, field or option."""
    return pytest.param(command, place, id=name, marks=marks)


CASES = [
    case("nested-yaml", "validate nested.yaml", "nested.yaml: invalid YAML: nested too deeply"),
    case("not-utf8", f"run binary.yaml {TINY} --out out", "binary.yaml: cannot read"),
    case("unreadable", f"run unreadable.yaml {TINY}", "unreadable.yaml: cannot read", NOT_ROOT),
    case("yaml-syntax", f"run syntax.yaml {TINY} --out out", "syntax.yaml: invalid YAML at line"),
    case("schema", f"run incomplete.yaml {TINY} --out out", "settings: required field is missing"),
    case("scenario-is-folder", f"run a-folder {TINY} --out out", "a-folder: is a folder"),
    case("missing-file", f"compare missing.yaml {TINY} --out out", "missing.yaml: no such file"),
    case("out-is-file", f"run {TINY} --out a-file", "--out: a-file exists and is not a folder"),
    case("out-under-file", f"run {TINY} --out a-file/sub", "a-file is not a folder"),
    case("out-not-writable", f"run {TINY} --out /proc/dualtrack", "--out: cannot write", LINUX),
    case("reference-alone", f"compare {TINY} -d grit --reference grit --out out", "--reference"),
    case("unknown-reference", f"compare {TINY} --reference appease --out out", "--reference"),
    case("unknown-doctrine", f"run {TINY} --doctrines grit,appease --out out", "'appease'"),
    case("unknown-actor", f"run {TINY} --actor XYZ --out out", "--actor: expected one of BLR"),
    case("days-too-long", "run -n 20 --days 100000 --out out", "--days: expected at most 36500"),
    case("days-zero", "run --days 0 --out out", "--days"),
    case("replicates-zero", "run -n 0 --out out", "--replicates"),
    case("too-much-memory", "run -n 1000000000 --out out", "-n/--replicates 1,000,000,000 x 365"),
    case("too-much-mean", "compare -n 100000000 --record mean --out out", "of memory and about"),
    case("bad-record", f"run {TINY} --record everything --out out", "--record"),
    case("resume-not-a-sweep", "explore --resume -n 5 --points 2 --out run", "--out: run holds"),
    case("resume-nothing", "explore --resume -n 5 --points 2 --out not-a-sweep", "--resume"),
    case("sweep-too-big", "explore -n 1000000000 --points 2 --out out", "one point needs"),
    case("bad-design", "explore --design grid --out out", "--design"),
    case("two-executors", "explore --workers 2 --scheduler tcp://x:1 --out out", "--scheduler"),
    case("explore-bad-doctrine", "explore -d appease --out out", "--doctrines"),
    case("report-changed", "report changed", "changed: summary.csv changed"),
    case("report-not-output", "report a-folder", "a-folder"),
    case("report-missing", "report missing", "missing is not a folder"),
    case("cascades-not-output", "cascades a-folder", "a-folder/results.nc not found"),
    case("sensitivity-not-sweep", "sensitivity run", "run: no sweep found"),
    case("history-bad-date", "history --from 2024-13", "--from"),
    case("validate-history-out", "validate-history -n 5 --out a-file", "--out"),
    *(
        case(f"{verb.split()[0]}-backend", f"{verb} --backend fast", "--backend: expected one of")
        for verb in (
            "run",
            "compare",
            "explore",
            "adopt",
            "regimes",
            "validate-history",
            "instruments",
            "calibrate --parameters mechanisms.intent.model_sd --episode 2024-summer",
        )
    ),
]


def _files(folder: Path) -> dict[str, tuple[int, int] | None]:
    """Every path under a folder; files with their size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        if p.is_file()
        else None
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(("command", "place"), CASES)
def test_bad_input_is_refused_with_a_located_message(
    workspace: Path, command: str, place: str
) -> None:
    before = _files(workspace)
    result = CliRunner().invoke(app, command.split())
    assert result.exit_code == 2, result.output
    assert place in result.output, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _files(workspace) == before, "something was written"


class _Untraced(Doctrine):
    """A user doctrine written with numpy (not declared traceable)."""

    name = "untraced-cli-test"
    source = "test"
    classifier = {"tracks": frozenset(), "observes": frozenset(), "memory": False}
    Params = DoctrineParams

    def decide(self, obs: Observation, state: dict[str, np.ndarray]) -> Decision:
        return Decision(target=np.asarray(obs.forces), talk=np.zeros(obs.replicates))


@pytest.mark.parametrize(
    "command",
    [
        f"compare {TINY} -d {_Untraced.name},dual-track --out out",
        f"adopt {TINY} --doctrine {_Untraced.name} --out out",
        f"regimes {TINY} --grid 2 --doctrines {_Untraced.name},dual-track --out out",
    ],
    ids=["compare", "adopt", "regimes"],
)
def test_a_backend_that_cannot_run_the_plan_is_refused_before_work(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    pytest.importorskip("jax")  # the test extra installs it: CI runs this
    monkeypatch.setitem(REGISTRY, _Untraced.name, _Untraced)
    before = _files(workspace)
    result = CliRunner().invoke(app, [*command.split(), "--backend", "jax"])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "--backend: expected doctrines that backend 'jax' can trace; found doctrine " in message
    assert repr(_Untraced.name) in message
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _files(workspace) == before, "something was written"


def test_a_backend_error_anywhere_in_a_command_is_located_at_backend() -> None:
    assert user_error_message(BackendError("expected something; found other")) == (
        "--backend: expected something; found other"
    )
    located = BackendError("DUALTRACK_BACKEND: expected one of jax; found 'x'")
    assert user_error_message(located) == str(located)


def test_backend_help_says_each_command_s_own_default() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    for name in ("run", "compare", "adopt", "validate-history"):
        option = next(p for p in commands[name].params if p.name == "backend")
        assert "default: $DUALTRACK_BACKEND, else the fastest installed" in option.help, name
    for name in ("explore", "regimes", "instruments", "calibrate"):
        option = next(p for p in commands[name].params if p.name == "backend")
        assert "default: numpy, because each point" in option.help, name


def test_debug_lets_the_error_itself_through(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["--debug", "validate", "syntax.yaml"])
    assert isinstance(result.exception, ScenarioError)
    assert "invalid YAML" in str(result.exception)


def test_the_installed_command_prints_the_message_without_traceback(workspace: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dualtrack.cli", "history", "--from", "2024-13"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 2
    expected = "error: --from: expected a date YYYY-MM-DD (or YYYY-MM, YYYY), found '2024-13'"
    assert done.stderr.strip() == expected
    assert done.stdout == ""
