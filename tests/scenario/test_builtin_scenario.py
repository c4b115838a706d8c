"""The built-in Belarus-Ukraine 2024 scenario loads, is listed, hashes stably, and shows the
seed's central contrast: dual-track reaches agreements, deterrence-only none."""

from __future__ import annotations

import numpy as np
import pytest

import dualtrack
from dualtrack.scenario.loading import dump_scenario

BUILTIN_ID = "belarus-ukraine-2024"


def test_builtin_scenario_is_listed_with_a_description():
    listed = dualtrack.builtin_scenarios()
    assert BUILTIN_ID in listed
    assert "Belarus" in listed[BUILTIN_ID]


def test_builtin_scenario_loads_by_id(builtin_scenario):
    assert builtin_scenario.id == BUILTIN_ID
    assert builtin_scenario.focus == ("BLR", "UKR")
    assert builtin_scenario.subject == "BLR"
    assert {"BLR", "UKR", "RUS", "NATO"} == {a.id for a in builtin_scenario.actors}


def test_builtin_scenario_hash_is_stable_across_loads():
    first = dualtrack.scenario_hash(dualtrack.load_scenario(BUILTIN_ID))
    second = dualtrack.scenario_hash(dualtrack.load_scenario(BUILTIN_ID))
    assert first == second
    assert len(first) == 16


def test_dumped_scenario_loads_back_to_the_same_hash(builtin_scenario, tmp_path):
    path = tmp_path / "dumped.yaml"
    path.write_text(dump_scenario(builtin_scenario), encoding="utf-8")
    reloaded = dualtrack.load_scenario(path)
    assert dualtrack.scenario_hash(reloaded) == dualtrack.scenario_hash(builtin_scenario)


def test_hash_changes_when_a_parameter_changes(builtin_copy):
    original = dualtrack.scenario_hash(dualtrack.load_scenario(builtin_copy))
    builtin_copy["actors"][0]["resolve"] = 0.51
    assert dualtrack.scenario_hash(dualtrack.load_scenario(builtin_copy)) != original


@pytest.fixture(scope="module")
def outcomes(builtin_scenario):
    return {
        doctrine: dualtrack.simulate(
            builtin_scenario, doctrine, replicates=256, days=120, seed=2024, record="summary"
        )
        for doctrine in ("dual-track", "deterrence-only")
    }


def test_dual_track_reaches_an_agreement_in_most_runs(outcomes):
    agreements = outcomes["dual-track"].agreements.sel(dyad="BLR-UKR").values
    assert np.mean(agreements > 0) > 0.5


def test_deterrence_only_reaches_no_agreement(outcomes):
    assert int(outcomes["deterrence-only"].agreements.sum()) == 0
