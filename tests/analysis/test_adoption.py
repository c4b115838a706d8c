"""Adoption studies: sets of actors adopting one doctrine on common random numbers, their
continental outcomes (war on any dyad, cascades) and the ``adopt`` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

import dualtrack
from dualtrack.analysis.adoption import (
    CONTINENTAL_OUTCOMES,
    continental_differences,
    continental_summary,
)
from dualtrack.cli import app
from dualtrack.experiments.adoption import (
    adoption_label,
    assignment,
    parse_adopters,
    plan_adoption,
)
from dualtrack.experiments.study import run_study
from dualtrack.scenario.ladder import Rung

runner = CliRunner()
SMALL = {"replicates": 64, "days": 30, "record": "summary"}


@pytest.fixture(scope="module")
def europe() -> dualtrack.Scenario:
    return dualtrack.load_scenario("europe")


def _ids(scenario: dualtrack.Scenario) -> list[str]:
    return [a.id for a in scenario.actors]


def test_adoption_sets_parse_all_none_and_ids_in_scenario_order(europe):
    ids = _ids(europe)
    assert parse_adopters("all", ids) == tuple(ids)
    assert parse_adopters("none", ids) == ()
    assert parse_adopters("NATO, BLR", ids) == ("BLR", "NATO")
    assert adoption_label(("NATO", "BLR"), ids) == "BLR+NATO"
    assert adoption_label(ids, ids) == "all"
    assert adoption_label((), ids) == "none"


def test_an_unknown_adopter_is_named_with_the_known_ids(europe):
    with pytest.raises(ValueError, match="unknown actor 'XYZ' in adoption set 'BLR,XYZ'"):
        parse_adopters("BLR,XYZ", _ids(europe))


def test_the_fallback_leaves_the_doctrine_to_the_adopters_alone(europe):
    holders = {a.id for a in europe.actors if a.doctrine.name == "dual-track"}
    assert {"BLR", "UKR"} <= holders
    kept = assignment(europe, "dual-track", ["BLR"])
    assert kept == {"BLR": "dual-track"}
    alone = assignment(europe, "dual-track", ["BLR"], fallback="deterrence-only")
    assert alone["BLR"] == "dual-track"
    assert {a for a, d in alone.items() if d == "deterrence-only"} == holders - {"BLR"}


def test_sets_share_the_seed_and_equal_sets_are_planned_once(europe):
    adoption = plan_adoption(europe, "dual-track", [[], ["BLR"], ["BLR"], _ids(europe)], **SMALL)
    assert list(adoption.study.plans) == ["none", "BLR", "all"]
    assert len({plan.seed for plan in adoption.study.plans.values()}) == 1
    doctrines = adoption.study.plans["all"].compiled.doctrines
    assert {d.name for d in doctrines} == {"dual-track"}
    assert {plan.backend for plan in adoption.study.plans.values()} == {"numpy"}


def test_sets_are_planned_with_the_backend_named(europe):
    pytest.importorskip("jax")  # the test extra installs it: CI runs this
    adoption = plan_adoption(europe, "dual-track", [[], ["BLR"]], backend="jax", **SMALL)
    assert {plan.backend for plan in adoption.study.plans.values()} == {"jax"}


def test_adopting_what_the_holders_already_hold_changes_nothing(europe):
    holders = [a.id for a in europe.actors if a.doctrine.name == "dual-track"]
    adoption = plan_adoption(europe, "dual-track", [[], holders], **SMALL)
    results = run_study(adoption.study)
    same, written = results[adoption_label(holders, _ids(europe))], results["none"]
    for name in written.data_vars:
        np.testing.assert_array_equal(same[name].values, written[name].values)


def _tallies(max_rung: list[list[int]], first_war_day: list[list[float]]) -> xr.Dataset:
    """A summary dataset of three dyads, with the variables the analysis reads."""
    rungs = np.array(max_rung, dtype=np.int8)
    replicates, dyads = rungs.shape
    return xr.Dataset(
        {
            "max_rung": (("replicate", "dyad"), rungs),
            "first_war_day": (("replicate", "dyad"), np.array(first_war_day)),
            "pulled_in": (("replicate", "actor"), np.zeros((replicates, 1), dtype=bool)),
        },
        coords={"replicate": np.arange(replicates), "dyad": ["A-B", "B-C", "C-D"][:dyads]},
        attrs={"seed": 1, "doctrine": "x"},
    )


NAN = float("nan")
WAR, HORIZONTAL = int(Rung.WAR), int(Rung.HORIZONTAL_ESCALATION)


def test_continental_outcomes_read_every_dyad():
    quiet = _tallies([[0, 1, 0], [3, 0, 0], [1, 1, 1], [0, 0, 2]], [[NAN] * 3] * 4)
    loud = _tallies(
        [[WAR, WAR, 0], [3, 0, 0], [1, HORIZONTAL, 1], [0, 0, 2]],
        [[5.0, 9.0, NAN], [NAN] * 3, [NAN, 20.0, NAN], [NAN] * 3],
    )
    table = continental_summary({"none": quiet, "all": loud}).set_index(["adopters", "outcome"])
    assert table.loc[("none", "p_crisis_any"), "estimate"] == 0.25
    assert table.loc[("none", "p_war_any"), "estimate"] == 0.0
    assert table.loc[("all", "p_crisis_any"), "estimate"] == 0.75
    assert table.loc[("all", "p_war_any"), "estimate"] == 0.5
    assert table.loc[("all", "p_horizontal_any"), "estimate"] == 0.25
    assert table.loc[("all", "p_cascade"), "estimate"] == 0.25  # two dyads newly at war
    assert table.loc[("all", "dyads_at_war"), "estimate"] == 0.75
    differences = continental_differences({"none": quiet, "all": loud}, "none")
    war = differences.set_index("outcome").loc["p_war_any"]
    assert war["adopters"] == "all" and war["difference"] == 0.5
    assert len(differences) == len(CONTINENTAL_OUTCOMES)


def test_adopt_command_compares_sets_and_writes_json_and_tables(tmp_path: Path):
    out = tmp_path / "adopt"
    args = ["adopt", "europe", "-n", "64", "--days", "30", "--workers", "1"]
    args += ["--adopters", "BLR", "--adopters", "BLR,NATO", "--adopters", "all"]
    result = runner.invoke(
        app, [*args, "--fallback", "deterrence-only", "--json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [s["label"] for s in report["sets"]] == ["none", "BLR", "BLR+NATO", "all"]
    assert report["reference"] == "none" and report["fallback"] == "deterrence-only"
    first, second = report["sets"][0], report["sets"][2]
    assert "difference_vs_reference" not in first
    assert set(second["difference_vs_reference"]) == {o.name for o in CONTINENTAL_OUTCOMES}
    assert second["replaced"]["NATO"] == "dual-track" and second["replaced"]["UKR"] != "dual-track"
    summary = pd.read_csv(out / "adoption.csv")
    assert set(summary["adopters"]) == {"none", "BLR", "BLR+NATO", "all"}
    assert (out / "cascade_origins.csv").is_file() and (out / "results.nc").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert "--adopters BLR,NATO" in manifest["command"]


def test_adopt_command_prints_tables(tmp_path: Path):
    args = ["adopt", "europe", "-n", "64", "--days", "30", "--workers", "1", "-a", "all"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert "P(war, any dyad)" in result.output
    assert "paired difference vs none" in result.output


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--adopters", "BLR,XYZ"], "unknown actor 'XYZ'"),
        (["--doctrine", "nope"], "--doctrine: unknown doctrine 'nope'"),
        (["--fallback", "nope"], "--fallback: unknown doctrine 'nope'"),
    ],
)
def test_adopt_command_names_bad_input(option, expected, tmp_path: Path):
    args = ["adopt", "europe", "-n", "64", "--days", "5", *option, "--out", str(tmp_path / "x")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert expected in result.output
