"""An output folder is checked before work starts, replaced whole, never mixed, never an input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualtrack.cli import app
from dualtrack.experiments.store import (
    FILES,
    OutputError,
    Store,
    changed_files,
    checksums,
    replacing,
    write_json,
)
from dualtrack.experiments.study_store import study_store
from dualtrack.experiments.sweep_store import SweepStore
from dualtrack.scenario.loading import dump_scenario, load_scenario

runner = CliRunner()
BUILTIN = "belarus-ukraine-2024"
SMALL = ["-n", "4", "--days", "5", "--workers", "1"]


def _folder(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    return path


def _contents(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): p.read_bytes().decode("latin-1")
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_non_empty_folder_is_refused_without_overwrite_naming_the_option(
    tmp_path: Path,
) -> None:
    out = _folder(tmp_path / "out", {"report.html": "old"})
    with pytest.raises(
        OutputError, match=r"^--out: .*out: is not empty \(report.html\).*--overwrite"
    ):
        Store(out).check()
    Store(tmp_path / "new").check()  # absent: fine
    Store(_folder(tmp_path / "empty", {})).check()  # empty: fine


def test_overwrite_replaces_the_old_content_as_a_whole(tmp_path: Path) -> None:
    out = _folder(tmp_path / "out", {"report.html": "old", "figures/a.png": "old"})
    store = Store(out, overwrite=True)
    store.check()
    with store.writing() as staging:
        (staging / "results.nc").write_text("new")
    assert _contents(out) == {"results.nc": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging, nothing aside


def test_a_failed_write_leaves_the_old_content_and_no_staging(tmp_path: Path) -> None:
    out = _folder(tmp_path / "out", {"results.nc": "old"})
    store = Store(out, overwrite=True)
    with pytest.raises(RuntimeError), store.writing() as staging:
        (staging / "results.nc").write_text("half")
        raise RuntimeError("simulated failure")
    assert _contents(out) == {"results.nc": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_input_inside_the_output_folder_is_refused_even_with_overwrite(tmp_path: Path) -> None:
    out = _folder(tmp_path / "here", {"scenario.yaml": "# mine"})
    store = Store(out, overwrite=True, inputs=[out / "scenario.yaml"])
    with pytest.raises(OutputError, match="holds the input .*scenario.yaml"):
        store.check()
    assert (out / "scenario.yaml").read_text() == "# mine"


def test_a_file_or_a_path_under_a_file_is_refused(tmp_path: Path) -> None:
    existing = tmp_path / "results"
    existing.write_text("x")
    with pytest.raises(OutputError, match="exists and is not a folder"):
        Store(existing, option="--out").check()
    with pytest.raises(OutputError, match="results is not a folder"):
        Store(existing / "below").check()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    locked = _folder(tmp_path / "locked", {})
    locked.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="not writable"):
            Store(locked / "out").check()
    finally:
        locked.chmod(0o755)


def test_what_a_killed_writer_left_is_cleared_by_the_next_check(tmp_path: Path) -> None:
    dead = _dead_pid()
    out = _folder(tmp_path / "out", {"results.nc": "kept"})
    _folder(tmp_path / f".out.staging-{dead}", {"results.nc": "half"})
    (out / f".results.nc.{dead}.tmp").write_text("half")
    live = _folder(tmp_path / f".out.staging-{os.getppid()}", {})  # a running writer's: kept
    Store(out, overwrite=True).check()
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "out"]
    assert _contents(out) == {"results.nc": "kept"}


def test_an_old_folder_set_aside_by_a_killed_swap_is_moved_back(tmp_path: Path) -> None:
    dead = _dead_pid()
    _folder(tmp_path / f".out.aside-{dead}", {"results.nc": "old"})
    Store(tmp_path / "out").check(replace=False)
    assert _contents(tmp_path / "out") == {"results.nc": "old"}


def test_a_sweep_in_a_study_folder_survives_the_study_being_replaced(tmp_path: Path) -> None:
    out = _folder(tmp_path / "study", {"results.nc": "old"})
    sweep = _folder(out / FILES.exploration, {"points.parquet": "sweep"})
    write_json(sweep / FILES.manifest, {"kind": "dualtrack-exploration"})
    store = study_store(out, overwrite=True)
    store.check()
    with store.writing() as staging:
        (staging / "results.nc").write_text("new")
    assert _contents(out)["results.nc"] == "new"
    assert (out / FILES.exploration / "points.parquet").read_text() == "sweep"
    assert study_store(_folder(tmp_path / "only-sweep", {})).content() == []


def test_a_replaced_file_is_whole_or_untouched(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    target.write_text("old")
    with pytest.raises(OSError), replacing(target) as temporary:
        temporary.write_text("ha")
        raise OSError("disk full")
    assert target.read_text() == "old" and sorted(tmp_path.iterdir()) == [target]
    with replacing(target) as temporary:
        temporary.write_text("new")
    assert target.read_text() == "new" and sorted(tmp_path.iterdir()) == [target]


def test_changed_files_names_a_modified_or_missing_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "out", {"a.csv": "1", "b.csv": "2"})
    manifest = {"files": checksums(folder, ["a.csv", "b.csv"])}
    assert changed_files(folder, manifest) == []
    (folder / "a.csv").write_text("changed")
    (folder / "b.csv").unlink()
    assert changed_files(folder, manifest) == ["a.csv", "b.csv (missing)"]


def test_resume_is_refused_on_a_folder_that_is_not_a_sweep(tmp_path: Path) -> None:
    out = _folder(tmp_path / "study", {"results.nc": "x"})
    write_json(out / FILES.manifest, {"kind": "dualtrack-study"})
    with pytest.raises(OutputError, match=r"^--out: .*study holds the outputs of run or compare"):
        SweepStore(out).check(resume=True)
    SweepStore(tmp_path / "absent").check(resume=True)  # starts afresh


def test_run_refuses_to_overwrite_its_own_input_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("# my commented scenario\n" + dump_scenario(load_scenario(BUILTIN)))
    monkeypatch.chdir(tmp_path)
    before = _contents(tmp_path)
    result = runner.invoke(app, ["run", "scenario.yaml", *SMALL, "--out", ".", "--overwrite"])
    assert result.exit_code == 2
    assert "--out" in result.output and "holds the input scenario.yaml" in result.output
    assert _contents(tmp_path) == before


def test_run_into_a_compare_folder_is_refused_then_replaces_it_whole(tmp_path: Path) -> None:
    out = _folder(tmp_path / "out", {"report.html": "old page", "comparison.csv": "old"})
    refused = runner.invoke(app, ["run", *SMALL, "-d", "dual-track", "--out", str(out)])
    assert refused.exit_code == 2 and "--overwrite" in refused.output
    assert _contents(out) == {"report.html": "old page", "comparison.csv": "old"}
    replaced = runner.invoke(
        app, ["run", *SMALL, "-d", "dual-track", "--out", str(out), "--overwrite"]
    )
    assert replaced.exit_code == 0, replaced.output
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "results.nc",
        "scenario.yaml",
        "summary.csv",
    ]
    manifest = json.loads((out / FILES.manifest).read_text())
    assert manifest["kind"] == "dualtrack-study" and changed_files(out, manifest) == []


def test_explore_resume_on_a_study_folder_is_refused_before_any_point_runs(
    tmp_path: Path,
) -> None:
    out = tmp_path / "study"
    assert runner.invoke(app, ["run", *SMALL, "-d", "dual-track", "--out", str(out)]).exit_code == 0
    before = _contents(out)
    result = runner.invoke(
        app, ["explore", "--points", "2", "-n", "2", "--days", "5", "--out", str(out), "--resume"]
    )
    assert result.exit_code == 2
    assert "--resume" in result.output and "not a sweep" in result.output
    assert "Traceback" not in result.output
    assert _contents(out) == before


def test_explore_refuses_a_stored_sweep_then_overwrite_replaces_it_whole(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    sweep = ["explore", "--points", "2", "-n", "2", "--days", "5", "--processes", "1"]
    sweep += ["--parameters", "mechanisms.dialogue.*", "--out", str(out)]
    assert runner.invoke(app, [*sweep, "--seed", "1"]).exit_code == 0
    (out / "sensitivity").mkdir()  # an analysis written into the sweep folder later
    refused = runner.invoke(app, [*sweep, "--seed", "2"])
    assert refused.exit_code == 2
    assert "already holds a sweep" in refused.output and "--overwrite" in refused.output
    replaced = runner.invoke(app, [*sweep, "--seed", "2", "--overwrite"])
    assert replaced.exit_code == 0, replaced.output
    assert SweepStore(out).read_manifest()["seed"] == 2
    assert not (out / "sensitivity").exists()  # nothing of the old sweep is mixed in
    both = runner.invoke(app, [*sweep, "--resume", "--overwrite"])
    assert both.exit_code == 2 and "not both" in both.output


def test_out_dot_in_an_empty_folder_writes_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = _folder(tmp_path / "here", {})
    monkeypatch.chdir(here)
    result = runner.invoke(app, ["run", *SMALL, "-d", "dual-track", "--out", "."])
    assert result.exit_code == 0, result.output
    assert (here / FILES.manifest).is_file() and (here / FILES.results).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]
