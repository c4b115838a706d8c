"""``--posterior DIR`` on compare, run, explore and regimes: the study runs on the posterior's
draws and says so in its manifest and report; a folder that is no posterior, or one whose
parameters the scenario lacks, is a located error (exit 2) before any work."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dualtrack.cli import app
from dualtrack.experiments.posterior import POSTERIOR_FILE, Posterior

runner = CliRunner()
TINY = ["-n", "300", "--days", "10", "--workers", "1"]
PATHS = ("mechanisms.dialogue.talk_rate", "actors[0].p_opportunist")


def _write(folder: Path, parameters: tuple[str, ...] = PATHS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    values = np.array([[0.2, 0.05], [0.4, 0.2], [0.5, 0.1]])[:, : len(parameters)]
    Posterior(
        parameters, values, np.array([0.2, 0.5, 0.3]), {"scenario": "x"}
    ).to_dataset().to_netcdf(folder / POSTERIOR_FILE)
    return folder


@pytest.fixture(scope="module")
def posterior(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("calibration") / "post")


def test_compare_under_the_posterior_says_so_in_manifest_and_report(
    posterior: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cmp"
    args = ["compare", "-d", "dual-track,deterrence-only", *TINY]
    result = runner.invoke(app, [*args, "--posterior", str(posterior), "--out", str(out)])
    assert result.exit_code == 0, result.output
    label = f"posterior {posterior} (2 draws)"
    assert "parameters: posterior" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters_used"] == label
    assert manifest["posterior"]["parameters"] == list(PATHS)
    assert len(manifest["posterior"]["draws"]) == 2
    assert f"--posterior {posterior}" in manifest["command"]
    assert label in (out / "report.html").read_text(encoding="utf-8")


def test_run_without_a_posterior_says_nominal(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", "-d", "dual-track", *TINY, "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters_used"] == "nominal"
    assert "--posterior" not in manifest["command"]


def test_explore_takes_the_design_from_the_design_and_the_rest_from_the_posterior(
    posterior: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sweep"
    args = ["explore", "--points", "2", "-n", "20", "--days", "5", "--processes", "1"]
    args += ["--parameters", "mechanisms.dialogue.talk_rate", "--posterior", str(posterior)]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters_used"] == (
        f"posterior {posterior} (1 draws) per point, design excluded"
    )
    assert manifest["settings"]["parameters_from"] == manifest["parameters_used"]
    assert "--posterior" in manifest["command"]
    assert "the rest from this posterior" in runner.invoke(app, ["explore", "--help"]).output


def test_regimes_under_the_posterior_records_it(posterior: Path, tmp_path: Path) -> None:
    out = tmp_path / "regimes"
    args = ["regimes", "--x", "actors[0].p_opportunist", "--x-values", "0.05,0.3"]
    args += ["--y-values", "0.5,0.9", "-n", "20"]
    args += ["--days", "5", "--workers", "1", "--posterior", str(posterior)]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters_used"] == f"posterior {posterior} (1 draws)"
    # the x axis (the prior that Belarus is an opportunist) is the grid's: not drawn
    assert manifest["posterior"]["excluded"] == ["actors[0].p_opportunist"]
    assert manifest["posterior"]["parameters"] == ["mechanisms.dialogue.talk_rate"]
    assert "parameters" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("verb", ["compare", "run", "explore", "regimes"])
def test_a_folder_without_a_posterior_is_refused_before_work(verb: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    result = runner.invoke(app, [verb, "--posterior", str(empty), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"--posterior: {empty}" in result.output
    assert POSTERIOR_FILE in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("verb", ["compare", "explore", "regimes"])
def test_a_parameter_the_scenario_lacks_is_named(verb: str, tmp_path: Path) -> None:
    folder = _write(tmp_path / "other", ("actors[9].p_opportunist",))
    out = tmp_path / "out"
    result = runner.invoke(app, [verb, "--posterior", str(folder), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "parameter actors[9].p_opportunist" in result.output
    assert not out.exists()
