"""The exploration commands end to end, and the summary a report reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from dualtrack.analysis.exploration import exploration_summary
from dualtrack.cli import app
from dualtrack.experiments.design import make_design
from dualtrack.experiments.sweep_store import store_evaluations
from dualtrack.scenario.uncertainty import UncertainParameter

runner = CliRunner()


def test_list_parameters_prints_paths_ranges_and_sources() -> None:
    result = runner.invoke(
        app, ["explore", "belarus-ukraine-2024", "--list-parameters", "-p", "mechanisms.dialogue.*"]
    )
    assert result.exit_code == 0, result.output
    assert "mechanisms.dialogue.talk_rate" in result.output
    assert "actors[0]" not in result.output


def test_explore_refuses_an_unknown_pattern_and_a_bad_sobol_size(tmp_path: Path) -> None:
    result = runner.invoke(app, ["explore", "--parameters", "nothing.*", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no uncertain parameter matches" in result.output
    result = runner.invoke(app, ["explore", "--design", "sobol", "--points", "10"])
    assert result.exit_code == 2 and "power of two" in result.output


def test_explore_sensitivity_and_discover_on_a_small_sobol_sweep(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    args = ["explore", "belarus-ukraine-2024", "--design", "sobol", "--points", "4"]
    args += ["-p", "mechanisms.dialogue.talk_rate", "-p", "mechanisms.escalation.up_rate"]
    args += ["-n", "64", "--days", "30", "--processes", "1", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "16 points over 2 parameters" in result.output
    result = runner.invoke(app, ["sensitivity", str(out), "-o", "p_crisis", "--resamples", "50"])
    assert result.exit_code == 0, result.output
    assert (out / "sensitivity" / "sobol.csv").is_file()
    result = runner.invoke(app, ["discover", str(out), "--threshold", "0.5", "--mass-min", "0.2"])
    assert result.exit_code == 0, result.output
    assert (out / "discovery" / "dual-track__p_crisis_below_0.5" / "boxes.csv").is_file()
    resume = ["explore", "belarus-ukraine-2024", "--resume", "--processes", "1", "--out", str(out)]
    result = runner.invoke(app, resume)  # the stored settings, its backend included
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*resume, "--backend", "jax"])
    assert result.exit_code == 2
    assert f"--backend: expected 'numpy', the backend of the sweep stored in {out}" in " ".join(
        result.output.split()
    )


def test_exploration_summary_collects_tables_and_figures(tmp_path: Path) -> None:
    assert exploration_summary(tmp_path) is None
    parameters = [UncertainParameter(n, 0.5, 0.0, 1.0) for n in ("a", "b")]
    design = make_design("sobol", parameters, 64, seed=1)
    folder = tmp_path / "exploration"  # a results folder's exploration sub-folder
    y = np.where(design.values[:, 0] < 0.5, 0.05, 0.5) + 0.01 * design.values[:, 1]
    store_evaluations(folder, design, {"p_crisis": y}, doctrine="dual-track")
    assert runner.invoke(app, ["sensitivity", str(tmp_path), "--resamples", "50"]).exit_code == 0
    assert runner.invoke(app, ["discover", str(tmp_path), "--threshold", "0.1"]).exit_code == 0
    summary = exploration_summary(tmp_path)
    assert summary is not None
    assert summary.folder == folder and summary.complete
    assert summary.design == "sobol" and summary.doctrines == ("dual-track",)
    assert [p.path for p in summary.parameters] == ["a", "b"]
    assert {s.outcome for s in summary.spread} == {"p_crisis"}
    assert summary.sensitivity is not None and summary.sensitivity.method == "sobol"
    assert summary.sensitivity.figures and all(p.is_file() for p in summary.sensitivity.figures)
    (case,) = summary.discoveries
    assert case.settings.threshold == 0.1
    assert {limit.parameter for box in case.boxes for limit in box.limits} == {"a"}
    assert {p.name for p in case.figures} == {"tradeoff.png", "boxes.png"}
