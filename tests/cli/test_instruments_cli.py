"""`dualtrack instruments`: tables, JSON, the report folder, robustness over a sweep, and bad
input refused with a located message (exit status 2) before any work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from dualtrack.cli import app

TINY = ["-n", "16", "--days", "10", "--workers", "1"]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def invoke_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "exploration"
    code, output = invoke(
        "explore",
        "-n",
        "5",
        "--days",
        "5",
        "--points",
        "3",
        "--workers",
        "1",
        "--parameters",
        "mechanisms.incidents.*",
        "--out",
        str(out),
    )
    assert code == 0, output
    return out


def test_json_gives_the_effects_and_the_frontier() -> None:
    data = invoke_json("instruments", *TINY, "-i", "hotline,incsea")
    assert {row["instruments"] for row in data["effects"]} == {"hotline", "incsea"}
    assert {row["outcome"] for row in data["effects"]} == {
        "p_crisis",
        "p_aggression",
        "p_war",
        "agreements",
        "cost",
    }
    assert data["frontier"][0]["instruments"] in ("none", "hotline")


def test_the_out_folder_holds_the_report_tables_and_a_reproducing_command(tmp_path: Path) -> None:
    out = tmp_path / "instruments"
    code, output = invoke(
        "instruments",
        *TINY,
        "-i",
        "hotline,vd-inspection",
        "--combinations",
        "2",
        "--out",
        str(out),
    )
    assert code == 0, output
    for name in (
        "report.html",
        "effects.csv",
        "frontier.csv",
        "summary.csv",
        "results.nc",
        "manifest.json",
        "scenario.yaml",
        "figures/instrument-frontier.png",
    ):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "dualtrack-instruments"
    effects = pd.read_csv(out / "effects.csv")
    assert "hotline+vd-inspection" in set(effects["instruments"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Frontier" in html and "Vienna Document 2011" in html
    # the recorded command gives the same tables again
    again = tmp_path / "again"
    command = manifest["command"].split()[2:]
    command[command.index("--out") + 1] = str(again)
    code, output = invoke("instruments", *command)
    assert code == 0, output
    assert (again / "effects.csv").read_text() == (out / "effects.csv").read_text()
    # `dualtrack report` re-renders the folder's report from its files
    (out / "report.html").unlink()
    code, output = invoke("report", str(out))
    assert code == 0, output
    assert "Frontier" in (out / "report.html").read_text(encoding="utf-8")


def test_robustness_over_a_sweep(sweep_folder: Path, tmp_path: Path) -> None:
    code, output = invoke(
        "instruments",
        *TINY,
        "-i",
        "joint-investigation",
        "--sweep",
        str(sweep_folder),
        "--points",
        "3",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 0, output
    robust = pd.read_csv(tmp_path / "out" / "robustness.csv")
    assert set(robust["points"]) == {3}
    assert robust["share_helps"].between(0, 1).all()
    assert (tmp_path / "out" / "figures" / "instrument-robustness.png").is_file()
    # the main effects ran on the nominal values; the robustness runs on the sweep's points
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["parameters_used"] == "nominal"
    assert manifest["settings"]["robustness_from"].startswith(f"sweep {sweep_folder}")
    page = (tmp_path / "out" / "report.html").read_text()
    assert "robustness over" in page and f"sweep {sweep_folder}" in page


def test_robustness_over_posterior_draws(tmp_path: Path) -> None:
    from dualtrack.experiments.posterior import POSTERIOR_FILE, Posterior

    folder = tmp_path / "calibration"
    folder.mkdir()
    posterior = Posterior(
        parameters=("mechanisms.incidents.misattribution",),
        values=np.array([[0.3], [0.6], [0.8]]),
        weights=np.array([0.2, 0.5, 0.3]),
        attrs={"scenario": "belarus-ukraine-2024"},
    )
    posterior.to_dataset().to_netcdf(folder / POSTERIOR_FILE)
    data = invoke_json(
        "instruments",
        "-n",
        "512",
        "--days",
        "10",
        "--workers",
        "1",
        "-i",
        "joint-investigation",
        "--posterior",
        str(folder),
        "--out",
        str(tmp_path / "out"),
    )
    label = f"posterior {folder} (2 draws)"
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["parameters_used"] == label
    assert len(manifest["posterior"]["draws"]) == 2
    assert label in (tmp_path / "out" / "report.html").read_text()
    # one draw per block of 256 replicates: two draws, each with its own paired effect
    assert {row["points"] for row in data["robustness"]} == {2}
    assert sorted({row["point"] for row in data["robustness_points"]}) == [0, 1]
    missing = Posterior(
        parameters=("mechanisms.nowhere.rate",),
        values=np.array([[1.0]]),
        weights=np.array([1.0]),
        attrs={},
    )
    missing.to_dataset().to_netcdf(folder / POSTERIOR_FILE)
    code, output = invoke("instruments", *TINY, "--posterior", str(folder))
    assert code == 2 and "parameter mechanisms.nowhere.rate" in " ".join(output.split()), output


def test_list_shows_the_catalogue_and_the_scenario_instruments() -> None:
    code, output = invoke("instruments", "--list")
    assert code == 0, output
    assert "vd-notification" in output and "open-skies" in output
    rows = invoke_json("instruments", "--list")["instruments"]
    assert {"hotline", "incsea", "blr-ukr-2001"} <= {row["id"] for row in rows}


@pytest.mark.parametrize(
    ("args", "place"),
    [
        (["-i", "hotline,telepathy"], "--instruments: unknown instrument 'telepathy'"),
        (["--combinations", "0"], "--combinations"),
        (["--risk", "p_boredom"], "--risk"),
        (["--sweep", "a-folder"], "--sweep: a-folder: not an exploration folder"),
        (["--sweep", "a-folder", "--posterior", "a-folder"], "--sweep and --posterior"),
        (["--out", "a-file"], "--out: a-file exists and is not a folder"),
        (["--posterior", "a-folder"], "a-folder: expected a calibration folder"),
        (["--points", "0"], "--points"),
    ],
)
def test_bad_input_is_refused_with_a_located_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], place: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("x\n", encoding="utf-8")
    code, output = invoke("instruments", *TINY, *args)
    assert code == 2, output
    assert place in " ".join(output.split()), output
    assert "Traceback" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder"]


def test_a_scenario_with_a_bad_instrument_is_refused_located(
    tmp_path: Path, builtin_copy: dict[str, object]
) -> None:
    builtin_copy["instruments"] = [
        {
            "id": "x",
            "name": "x",
            "source": "s",
            "levers": {"transparency": 3},
            "intrusiveness": 0.1,
            "cost": "low",
            "agreement": {"kind": "bilateral", "parties": "both"},
        }
    ]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(builtin_copy), encoding="utf-8")
    code, output = invoke("instruments", str(path), *TINY)
    assert code == 2
    assert "instruments[0].levers.transparency" in " ".join(output.split()), output
