"""`dualtrack calibrate`: located errors before work, the folder, its report, re-run and resume."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml
from typer.testing import CliRunner

from dualtrack.cli import app
from dualtrack.experiments.posterior import load_posterior
from dualtrack.report.tables import manifest_table

runner = CliRunner()
FIT = ["-p", "mechanisms.dialogue.talk_rate"]
TINY = ["--population", "4", "--generations", "1", "--replicates", "1", "--predictive", "2"]


@pytest.fixture(scope="module")
def episode_file(short_episode_file: Path) -> Path:
    return short_episode_file


@pytest.fixture(scope="module")
def calibrated(episode_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calibration") / "fit"
    result = runner.invoke(
        app,
        ["calibrate", *FIT, "-e", str(episode_file), *TINY, "--processes", "1", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    return out


def _error(args: list[str]) -> str:
    result = runner.invoke(app, ["calibrate", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def test_mistakes_are_named_before_any_work(
    episode_file: Path, calibrated: Path, tmp_path: Path
) -> None:
    assert "--parameters: give at least one" in _error(["-e", "2024-summer"])
    assert "built-in episodes: " in _error(FIT)
    assert "--parameters: no uncertain parameter matches 'nothing.*'" in _error(
        ["-p", "nothing.*", "-e", "2024-summer"]
    )
    assert "not a built-in episode" in _error([*FIT, "-e", "1812-winter"])
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "bad", "title": "x"}), encoding="utf-8")
    assert "scenario: required field is missing" in _error([*FIT, "-e", str(bad)])
    assert "is not empty" in _error([*FIT, "-e", str(episode_file), "--out", str(calibrated)])
    empty = tmp_path / "empty"
    assert "holds no calibration to continue" in _error(
        [*FIT, "-e", str(episode_file), "--resume", "--out", str(empty)]
    )
    assert "not both" in _error(
        [*FIT, "-e", "2024-summer", "--workers", "1", "--scheduler", "tcp://x:1"]
    )
    assert not empty.exists()


def test_the_folder_holds_the_posterior_and_its_report(calibrated: Path) -> None:
    posterior = load_posterior(calibrated)
    assert posterior.parameters == ("mechanisms.dialogue.talk_rate",)
    assert posterior.samples == 4
    assert posterior.attrs["method"] == "pyabc ABC-SMC"
    manifest = json.loads((calibrated / "manifest.json").read_text())
    assert manifest["kind"] == "dualtrack-calibration"
    assert posterior.attrs["command"] == manifest["command"]
    for name in ("prior_posterior.csv", "predictive_check.csv", "report.html", "abc/history.db"):
        assert (calibrated / name).is_file(), name
    page = (calibrated / "report.html").read_text()
    assert "Prior against posterior" in page and "Posterior predictive check" in page
    # the fitted parameters' descriptions are no "which values the results ran with"
    cells = [cell.text for row in manifest_table(manifest).rows for cell in row]
    assert "parameters" not in cells
    assert not any(text.startswith(("[", "{")) for text in cells), cells
    before = (calibrated / "figures" / "calibration_check.png").read_bytes()
    (calibrated / "report.html").unlink()
    result = runner.invoke(app, ["report", str(calibrated)])
    assert result.exit_code == 0, result.output
    assert (calibrated / "report.html").is_file()
    assert (calibrated / "figures" / "calibration_check.png").read_bytes() == before


def test_the_recorded_command_and_a_resume_give_the_same_bits(
    calibrated: Path, tmp_path: Path
) -> None:
    command = shlex.split(json.loads((calibrated / "manifest.json").read_text())["command"])
    assert command[:2] == ["dualtrack", "calibrate"] and command[-2:] == ["--out", str(calibrated)]
    again = tmp_path / "again"
    result = runner.invoke(app, [*command[1:-1], str(again), "--processes", "2"])
    assert result.exit_code == 0, result.output
    resumed = runner.invoke(app, [*command[1:], "--resume", "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.stdout)["parameters"][0]["parameter"] == command[4]
    for folder in (again, calibrated):
        with (
            xr.open_dataset(calibrated / "posterior.nc") as a,
            xr.open_dataset(folder / "posterior.nc") as b,
        ):
            np.testing.assert_array_equal(a["theta"].values, b["theta"].values)
            np.testing.assert_array_equal(a["weight"].values, b["weight"].values)
