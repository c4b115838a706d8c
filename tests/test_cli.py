"""The command line, end to end on small runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from typer.testing import CliRunner

from dualtrack import __version__
from dualtrack.cli import app
from dualtrack.scenario.loading import load_scenario, scenario_hash

runner = CliRunner()
SMALL = ["-n", "300", "--days", "40", "--workers", "1"]


def test_scenarios_lists_the_builtin_scenario_with_a_description() -> None:
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0
    assert "belarus-ukraine-2024" in result.output
    assert "dual-track" in result.output


def test_doctrines_lists_every_builtin_doctrine_with_its_source() -> None:
    result = runner.invoke(app, ["doctrines"])
    assert result.exit_code == 0
    for name in ("deterrence-only", "dialogue-only", "dual-track", "tit-for-tat", "grit"):
        assert name in result.output
    assert "Harmel" in result.output and "Osgood" in result.output


def test_validate_accepts_the_builtin_scenario() -> None:
    result = runner.invoke(app, ["validate", "belarus-ukraine-2024"])
    assert result.exit_code == 0
    assert "ok" in result.output


def test_validate_names_file_path_expected_and_found(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = Path(load_scenario.__code__.co_filename).parent.parent / "data" / "scenarios"
    source = (text / "belarus-ukraine-2024.yaml").read_text(encoding="utf-8")
    bad.write_text(
        source.replace("resolve: {value: 0.5, low: 0.3", "resolve: {value: 1.5, low: 0.3")
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output
    assert "actors[0].resolve" in result.output
    assert "1.5" in result.output


def test_run_writes_scenario_manifest_dataset_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", *SMALL, "-d", "dual-track", "-d", "deterrence-only", "--seed", "11"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "P(crisis)" in result.output and "dual-track" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "results.nc",
        "scenario.yaml",
        "summary.csv",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    resolved = load_scenario(out / "scenario.yaml")
    assert manifest["seed"] == 11
    assert manifest["dualtrack_version"] == __version__
    assert manifest["scenario_hash"] == scenario_hash(resolved)
    assert "run" in manifest["command"]
    with xr.open_dataset(out / "results.nc") as ds:
        assert list(ds["doctrine"].values) == ["dual-track", "deterrence-only"]
        assert {"replicate", "time", "actor", "dyad", "sector", "category"} <= set(ds.dims)
        assert ds.sizes["replicate"] == 300 and ds.sizes["time"] == 40
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["doctrine"]) == {"dual-track", "deterrence-only"}
    assert (summary["low"] <= summary["estimate"]).all()
    assert (summary["estimate"] <= summary["high"]).all()


def test_run_results_do_not_depend_on_the_number_of_workers(tmp_path: Path) -> None:
    common = ["run", "-n", "600", "--days", "30", "-d", "grit", "-d", "tit-for-tat"]
    one = runner.invoke(app, [*common, "--workers", "1", "--out", str(tmp_path / "a")])
    two = runner.invoke(app, [*common, "--workers", "2", "--out", str(tmp_path / "b")])
    assert one.exit_code == 0 and two.exit_code == 0
    with (
        xr.open_dataset(tmp_path / "a" / "results.nc") as a,
        xr.open_dataset(tmp_path / "b" / "results.nc") as b,
    ):
        for name in a.data_vars:
            assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name


def test_run_with_a_bad_scenario_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: y\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(bad), *SMALL, "--out", str(out)])
    assert result.exit_code == 2
    assert "settings" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_run_rejects_an_unknown_doctrine_and_lists_the_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", *SMALL, "-d", "appeasement", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "appeasement" in result.output and "dual-track" in result.output


def test_compare_writes_paired_differences_and_an_offline_report(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    args = ["compare", "-n", "300", "--days", "40", "--workers", "1", "--doctrines", "dual-track"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "paired difference vs deterrence-only" in result.output
    comparison = pd.read_csv(out / "comparison.csv")
    assert set(comparison["doctrine"]) == {"dual-track"}
    assert set(comparison["reference"]) == {"deterrence-only"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<script src="http' not in html and '<link href="http' not in html
    assert any((out / "figures").iterdir())
    manifest = json.loads((out / "manifest.json").read_text())
    assert "--reference deterrence-only" in manifest["command"]
