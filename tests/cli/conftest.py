"""A workspace of inputs for command-line tests: bad files, and outputs of a small run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualtrack.cli import app

TINY = ["-n", "20", "--days", "5", "--workers", "1"]


@pytest.fixture(scope="session")
def run_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a tiny `dualtrack run`."""
    out = tmp_path_factory.mktemp("made") / "run"
    result = CliRunner().invoke(app, ["run", *TINY, "-d", "dual-track", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def workspace(tmp_path: Path, run_output: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current folder holding every kind of bad input the table of cases names."""
    (tmp_path / "nested.yaml").write_text("a: " + "[" * 1_000, encoding="utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"id: x\nname: \xff\xfe\n")
    (tmp_path / "unreadable.yaml").write_text("id: x\n", encoding="utf-8")
    (tmp_path / "unreadable.yaml").chmod(0)
    (tmp_path / "syntax.yaml").write_text("id: [x\n", encoding="utf-8")
    (tmp_path / "incomplete.yaml").write_text("id: x\nname: y\n", encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / "not-a-sweep").mkdir()
    (tmp_path / "not-a-sweep" / "notes.txt").write_text("mine\n", encoding="utf-8")
    shutil.copytree(run_output, tmp_path / "run")
    shutil.copytree(run_output, tmp_path / "changed")
    with (tmp_path / "changed" / "summary.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path
