"""`dualtrack regimes` end to end on a 2 x 2 grid: files, dataset, JSON and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from dualtrack.analysis.regimes import DEFAULT_OUTCOMES, analyse_regimes
from dualtrack.cli import app
from dualtrack.cli import regimes as regimes_cli
from dualtrack.experiments.regimes import DEFAULT_DOCTRINES
from dualtrack.scenario.loading import load_scenario, scenario_hash

runner = CliRunner()
X_PATH = "mechanisms.escalation.up_rate"
Y_PATH = "relations[4].commitment"  # BLR-RUS, Belarus's strongest ally relation
SMALL = ["regimes", "--actor", "BLR", "--x", X_PATH, "--x-values", "0.005,0.03"]
SMALL += ["--y-values", "0.6,1.0", "-n", "64", "--days", "60", "--workers", "1"]


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], Path]:
    """One run with --json and --out: the printed cells and the output folder."""
    out = tmp_path_factory.mktemp("regimes") / "grid"
    result = runner.invoke(app, [*SMALL, "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["cells"], out


def test_json_prints_each_cell_with_its_winner_and_paired_intervals(
    grid_run: tuple[list[dict[str, Any]], Path],
) -> None:
    cells, _ = grid_run
    assert [(c["x"]["value"], c["y"]["value"]) for c in cells] == [
        (0.005, 0.6),
        (0.005, 1.0),
        (0.03, 0.6),
        (0.03, 1.0),
    ]
    for cell in cells:
        assert set(cell) == {"x", "y", "outcomes"}
        assert cell["x"]["path"] == X_PATH and cell["y"]["path"] == Y_PATH
        assert set(cell["outcomes"]) == {"p_war", "p_crisis"}
        for verdict in cell["outcomes"].values():
            assert set(verdict) == {"winner", "best", "indistinguishable", "against"}
            others = set(DEFAULT_DOCTRINES) - {verdict["best"]}
            assert set(verdict["against"]) == others
            for interval in verdict["against"].values():
                assert interval["low"] <= interval["difference"] <= interval["high"]
                assert interval["difference"] <= 0.0  # the best has the lowest mean
            if verdict["winner"] is not None:
                assert verdict["winner"] == verdict["best"]
                assert all(i["high"] < 0.0 for i in verdict["against"].values())
                assert verdict["indistinguishable"] == []
            else:
                tied = [o for o, i in verdict["against"].items() if i["high"] >= 0.0]
                assert verdict["indistinguishable"] == [verdict["best"], *tied]


def test_out_writes_dataset_tables_manifest_and_report(
    grid_run: tuple[list[dict[str, Any]], Path],
) -> None:
    cells, out = grid_run
    names = {p.name for p in out.iterdir()}
    assert {"results.nc", "scenario.yaml", "manifest.json", "report.html", "figures"} <= names
    assert {"regimes.csv", "regime_intervals.csv", "regime_estimates.csv"} <= names
    assert (out / "figures" / "regime_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="plot-regime_map"' in page and "Where each doctrine wins" in page
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["study"] == "regimes"
    assert manifest["settings"]["x"]["values"] == [0.005, 0.03]
    assert set(manifest["files"]) >= {"results.nc", "regimes.csv"}
    with xr.open_dataset(out / "results.nc") as stored:
        results = stored.load()
    assert {"x", "y", "doctrine", "replicate"} <= set(results.dims)
    assert results.sizes["x"] == 2 and results.sizes["y"] == 2
    assert list(results["doctrine"].values) == list(DEFAULT_DOCTRINES)
    assert results.attrs["x_path"] == X_PATH and results.attrs["y_path"] == Y_PATH
    assert results.attrs["seed"] == manifest["seed"]
    assert results.attrs["scenario_hash"] == manifest["scenario_hash"]
    assert results.attrs["command"].startswith("dualtrack regimes belarus-ukraine-2024")
    assert manifest["scenario_hash"] == scenario_hash(load_scenario(out / "scenario.yaml"))
    # the stored results give back what was printed
    assert analyse_regimes(results).to_json() == cells
    winners = pd.read_csv(out / "regimes.csv")
    assert len(winners) == 4 * 2
    json_winners = [v["winner"] or "no clear winner" for c in cells for v in c["outcomes"].values()]
    assert list(winners["winner"]) == json_winners


def test_report_command_re_renders_a_regimes_folder(
    grid_run: tuple[list[dict[str, Any]], Path],
) -> None:
    _, out = grid_run
    (out / "report.html").unlink()
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert "Regime map" in (out / "report.html").read_text(encoding="utf-8")


def test_text_output_shows_a_map_per_outcome_and_writes_into_the_results_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*SMALL, "-n", "16", "--days", "20"])
    assert result.exit_code == 0, result.output
    assert "lowest P(war)" in result.stdout and "lowest P(crisis)" in result.stdout
    assert "cells won:" in result.stdout
    assert (tmp_path / "results" / "belarus-ukraine-2024" / "regimes" / "regimes.csv").is_file()


def test_the_recorded_command_reproduces_the_results(
    grid_run: tuple[list[dict[str, Any]], Path],
    tmp_path: Path,
    rerun_reproduces: Callable[..., None],
) -> None:
    _, first = grid_run
    tables = ("regimes.csv", "regime_intervals.csv", "regime_estimates.csv")
    rerun_reproduces("regimes", first, tmp_path / "again", tables)


def test_help_states_the_defaults_the_code_uses() -> None:
    text = " ".join(runner.invoke(app, ["regimes", "-h"]).output.replace("│", " ").split())
    assert "deterrence-only, dialogue-only and dual-track" in text
    assert ", ".join(DEFAULT_DOCTRINES[:2]) in ", ".join(DEFAULT_DOCTRINES)  # the order stated
    assert f"default: {','.join(DEFAULT_OUTCOMES)}" == regimes_cli.OUTCOMES_HELP
    assert regimes_cli.OUTCOMES_HELP in text


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--x", "actors[0].no_such_field"], "--x: actors[0].no_such_field: no such number"),
        (["--y-values", "0.6,x"], "--y-values: expected comma-separated numbers"),
        (["--doctrines", "deterrence-only,appeasement"], "unknown doctrine 'appeasement'"),
        (["--doctrines", "dual-track,dual-track"], "two or more registered doctrines"),
        (["--outcomes", "p_war,p_peace"], "--outcomes: expected outcomes from"),
        (["--actor", "XYZ"], "--actor: unknown actor 'XYZ'; actors are BLR, UKR"),
        (["--y", X_PATH], "--x and --y name the same number"),
        (
            ["--y", "dyads[0].channels.mediated.quality", "--y-values", "0.5,1.5"],
            "dyads[0].channels.mediated.quality: expected value <= 1, found 1.5",
        ),
    ],
)
def test_bad_input_is_a_located_error_before_any_work(
    tmp_path: Path, extra: list[str], expected: str
) -> None:
    out = tmp_path / "never"
    result = runner.invoke(app, [*SMALL, *extra, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.stderr.split())
    assert result.stdout == ""
    assert not out.exists()


def test_an_output_folder_that_is_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("mine\n", encoding="utf-8")
    result = runner.invoke(app, [*SMALL, "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert "exists and is not a folder" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
