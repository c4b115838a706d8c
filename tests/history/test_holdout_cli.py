"""``validate-history --holdout`` end to end: the score table (also --json) from a given
posterior, and bad input refused with the option named (exit 2) before any work."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dualtrack.cli import app
from dualtrack.experiments.posterior import POSTERIOR_FILE, Posterior

runner = CliRunner()


def _posterior(folder: Path, path: str = "mechanisms.dialogue.talk_rate") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    posterior = Posterior((path,), np.array([[0.2], [0.5]]), np.array([0.5, 0.5]))
    posterior.to_dataset().to_netcdf(folder / POSTERIOR_FILE)
    return folder


def test_holdout_prints_the_scores_of_a_given_posterior(tmp_path: Path) -> None:
    folder = _posterior(tmp_path / "post")
    out = tmp_path / "out"
    args = ["validate-history", "--holdout", "--posterior", str(folder)]
    args += ["--predict", "2022-invasion", "-n", "256", "--seed", "2", "--out", str(out)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    rows = payload["holdout"]
    assert {r["model"] for r in rows} == {"calibrated", "nominal", "climatology"}
    assert {r["target"] for r in rows} == {"any_agreement", "war", "deliberate_act"}
    assert {r["model"] for r in payload["summary"]} == {"calibrated", "nominal", "climatology"}
    assert isinstance(payload["failures"], list)
    assert (out / "holdout.csv").is_file() and (out / "holdout_summary.csv").is_file()
    printed = runner.invoke(app, args)
    assert printed.exit_code == 0, printed.output
    assert "Out-of-sample" in printed.output and "climatology" in printed.output


@pytest.mark.parametrize(
    ("args", "place"),
    [
        (["--fit", "2024-summer"], "--fit: only with --holdout"),
        (["--holdout", "--fit", "2022-invasion", "--predict", "2022-invasion"], "in both --fit"),
        (["--holdout", "--predict", "nowhere"], "--predict nowhere: no such file"),
        (["--holdout", "--parameters", "mechanisms.nothing"], "--parameters: no uncertain"),
        (["--holdout", "--posterior", "EMPTY"], "--posterior: EMPTY"),
        (["--holdout", "--posterior", "POST", "--fit", "2024-summer"], "no fit is made"),
        (["--holdout", "--posterior", "LACKING"], "parameter actors[0].sector_weights"),
    ],
    ids=[
        "no-holdout",
        "peeking",
        "unknown-episode",
        "no-parameter",
        "not-a-posterior",
        "posterior-and-fit",
        "parameter-lacking",
    ],
)
def test_bad_holdout_input_is_located(tmp_path: Path, args: list[str], place: str) -> None:
    empty = tmp_path / "EMPTY"
    empty.mkdir()
    folders = {
        "EMPTY": empty,
        "POST": _posterior(tmp_path / "POST"),
        "LACKING": _posterior(tmp_path / "LACKING", "actors[0].sector_weights.brest-volyn"),
    }
    args = [str(folders[a]) if a in folders else a for a in args]
    place = place.replace("EMPTY", str(empty))
    out = tmp_path / "out"
    result = runner.invoke(app, ["validate-history", *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert place in result.output
    assert "Traceback" not in result.output
    assert not (out / "holdout.csv").exists()
