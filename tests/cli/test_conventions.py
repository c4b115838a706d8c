"""Command-line conventions: version, help, quiet, JSON, estimates, provenance that re-runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dualtrack import __version__
from dualtrack.analysis.history import DEFAULT_HALF_LIFE_DAYS
from dualtrack.analysis.validation import DEFAULT_REPLICATES
from dualtrack.cli import adopt, app, budget, explore, history, studies
from dualtrack.experiments import adoption
from dualtrack.experiments.study import plan_study, run_study
from dualtrack.experiments.study_store import combine
from dualtrack.experiments.sweep import DEFAULT_BATCH_POINTS

runner = CliRunner()
TINY = ["-n", "20", "--days", "5", "--workers", "1"]


def test_version_works_alone() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == __version__


def test_short_and_long_help_are_the_same_and_show_scenario_defaults() -> None:
    short, long = runner.invoke(app, ["run", "-h"]), runner.invoke(app, ["run", "--help"])
    assert short.exit_code == long.exit_code == 0
    assert short.output == long.output
    text = re.sub(r"[\s│]+", " ", long.output)  # the help's words, without its box
    assert "settings.replicates" in text and "settings.horizon_days" in text
    assert "--install-completion" in runner.invoke(app, ["-h"]).output


def test_help_states_the_defaults_the_code_uses() -> None:
    # these commands take their defaults from layers they import only when they run
    assert f"default {DEFAULT_BATCH_POINTS} " in explore.BATCH_HELP
    assert f"default {DEFAULT_HALF_LIFE_DAYS:g} " in history.HALF_LIFE_HELP
    assert f"default {DEFAULT_REPLICATES} " in history.REPLICATES_HELP
    assert explore.BATCH_HELP[:20] in runner.invoke(app, ["explore", "-h"]).output
    assert adopt.NONE == adoption.NONE


def test_the_command_line_imports_no_heavy_library_until_a_command_needs_it() -> None:
    heavy = ("xarray", "pandas", "scipy", "matplotlib", "plotly", "dask", "numpy")
    probe = f"import sys, dualtrack.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_json_puts_the_summary_alone_on_stdout(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", *TINY, "-d", "grit", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = pd.DataFrame(json.loads(result.stdout)["summary"])
    saved = pd.read_csv(out / "summary.csv")
    pd.testing.assert_frame_equal(rows[saved.columns], saved, check_dtype=False)
    assert "replicate-steps" in result.stderr


def test_quiet_prints_the_table_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "LONG_SECONDS", -1.0)
    args = ["run", *TINY, "-d", "grit", "--out"]
    loud = runner.invoke(app, [*args, str(tmp_path / "a")])
    quiet = runner.invoke(app, ["-q", *args, str(tmp_path / "b")])
    assert loud.exit_code == quiet.exit_code == 0
    assert "estimate: about" in loud.output and "in all" in loud.output
    assert "P(crisis)" in quiet.output
    assert "estimate" not in quiet.output and "replicate-steps" not in quiet.output


@pytest.mark.parametrize("scenario", ["belarus-ukraine-2024", "europe"])
def test_memory_estimate_is_close_to_what_each_record_mode_keeps(scenario: str) -> None:
    for record in ("full", "mean", "summary"):
        study = plan_study(scenario, ["grit", "dual-track"], replicates=300, days=6, record=record)
        kept = combine(run_study(study)).nbytes
        estimated = budget.study_estimate(study, workers=1).kept_bytes
        assert 0.75 < estimated / kept < 1.33, (record, estimated, kept)


def test_the_recorded_compare_command_reproduces_the_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rerun_reproduces: Callable[..., None]
) -> None:
    monkeypatch.setattr(studies, "_render_report", lambda folder: None)  # results only
    first = tmp_path / "first"
    args = ["compare", "-n", "300", "--days", "20", "-d", "grit", "--record", "auto"]
    result = runner.invoke(app, [*args, "--workers", "1", "--out", str(first)])
    assert result.exit_code == 0, result.output
    rerun_reproduces("compare", first, tmp_path / "again", ("summary.csv", "comparison.csv"))


def test_a_shock_outside_the_run_is_warned_about_and_recorded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["-q", "run", *TINY, "-d", "grit", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning: shocks[3]: acts on no step of the run" in result.stderr
    recorded = json.loads((out / "manifest.json").read_text())["settings"]["warnings"]
    assert [w.split(":")[0] for w in recorded] == ["shocks[3]"]


@pytest.mark.parametrize(
    ("command", "key"),
    [
        (["scenarios"], "scenarios"),
        (["doctrines"], "doctrines"),
        (["history", "--from", "2024-06", "--to", "2024-07"], "events"),
        (["explore", "--list-parameters", "-p", "mechanisms.dialogue.*"], "parameters"),
    ],
)
def test_every_table_command_speaks_json(command: list[str], key: str) -> None:
    result = runner.invoke(app, [*command, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)[key]
    assert rows and all(isinstance(row, dict) for row in rows)


def test_cascades_json_holds_the_summary_and_origins(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", *TINY, "-d", "grit", "--out", str(out)]).exit_code == 0
    result = runner.invoke(app, ["cascades", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [row["doctrine"] for row in data["summary"]] == ["grit"]
    assert "origins" in data
