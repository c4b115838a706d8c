"""`dualtrack new-scenario FILE` writes a commented starter scenario that validates, raises no
warning and runs; it never overwrites an existing file."""

from __future__ import annotations

import numpy as np
import yaml
from typer.testing import CliRunner

import dualtrack
from dualtrack.cli import app
from dualtrack.scenario.warnings import scenario_warnings

runner = CliRunner()


def test_new_scenario_writes_a_valid_starter_that_raises_no_warning(tmp_path):
    path = tmp_path / "border.yaml"
    result = runner.invoke(app, ["new-scenario", str(path)])
    assert result.exit_code == 0, result.output
    assert f"wrote {path}" in result.output
    scenario = dualtrack.load_scenario(path)
    assert len(scenario.actors) == 2 and len(scenario.sectors) == 1
    assert len(scenario.shocks) == 1 and scenario.dyads[0].channels["backchannel"].open
    assert scenario_warnings(scenario) == []
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


def test_every_block_of_the_starter_is_explained_by_a_comment(tmp_path):
    path = tmp_path / "border.yaml"
    runner.invoke(app, ["new-scenario", str(path)])
    lines = path.read_text(encoding="utf-8").splitlines()
    data = yaml.safe_load("\n".join(lines))
    blocks = [key for key, value in data.items() if isinstance(value, dict | list)]
    assert len(blocks) == 7
    for key in blocks:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        before = next(line for line in reversed(lines[:at]) if line.strip())
        assert before.startswith("#"), key


def test_the_starter_runs(tmp_path):
    path = tmp_path / "border.yaml"
    runner.invoke(app, ["new-scenario", str(path)])
    results = dualtrack.simulate(path, replicates=4, days=20, seed=1)
    assert results.sizes["replicate"] == 4
    assert np.isfinite(results["cost"].values).all()


def test_new_scenario_refuses_an_existing_file_and_leaves_it_alone(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("# my own scenario\n", encoding="utf-8")
    result = runner.invoke(app, ["new-scenario", str(path)])
    assert result.exit_code == 2
    assert f"{path}: a file of that name exists" in result.output
    assert path.read_text(encoding="utf-8") == "# my own scenario\n"


def test_new_scenario_names_a_folder_it_cannot_write_in(tmp_path):
    result = runner.invoke(app, ["new-scenario", str(tmp_path / "missing" / "s.yaml")])
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Traceback" not in result.output
