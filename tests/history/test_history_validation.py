"""Pattern-oriented validation against the 2024 record: definitions, both doctrines, plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import dualtrack
from dualtrack.analysis.validation import (
    PATTERNS,
    PatternValidation,
    observed_record,
    pattern_measures,
    validate_history,
)

REPLICATES = 200


@pytest.fixture(scope="module")
def validation() -> PatternValidation:
    return validate_history(replicates=REPLICATES)


def test_observed_record_comes_from_the_timeline_and_the_scenario(
    builtin_scenario: dualtrack.Scenario,
) -> None:
    observed = observed_record(builtin_scenario)
    assert observed.days == {"a_deployment": 27, "b_agreement": 42, "c_redeployment": 70}
    assert str(observed.build_up) == "2024-06-01"
    assert str(observed.drones) == "2024-08-01"


def test_table_reports_both_doctrines_and_all_patterns(validation: PatternValidation) -> None:
    table = validation.table
    assert len(table) == 2 * len(PATTERNS)
    assert set(table["doctrine"]) == {"dual-track", "deterrence-only"}
    assert set(table["pattern"]) == {key for key, _ in PATTERNS}
    assert (table["runs"] == REPLICATES).all()
    assert ((table["low"] <= table["share"]) & (table["share"] <= table["high"])).all()
    assert table["verdict"].str.len().gt(0).all()
    timed = table[table["pattern"] != "abc_sequence"]
    assert sorted(set(timed["observed_day"])) == [27, 42, 70]


def test_only_dialogue_can_produce_the_agreement(validation: PatternValidation) -> None:
    rows = validation.table.set_index(["doctrine", "pattern"])
    assert rows.loc[("deterrence-only", "b_agreement"), "share"] == 0.0
    assert rows.loc[("deterrence-only", "b_agreement"), "verdict"].startswith("NOT reproduced")
    assert rows.loc[("deterrence-only", "abc_sequence"), "share"] == 0.0
    assert rows.loc[("dual-track", "b_agreement"), "low"] > 0.5
    assert rows.loc[("dual-track", "abc_sequence"), "share"] > 0.0


def test_same_seed_gives_the_same_table() -> None:
    first = validate_history(replicates=64, doctrines=("dual-track",), seed=5).table
    again = validate_history(replicates=64, doctrines=("dual-track",), seed=5).table
    pd.testing.assert_frame_equal(first, again)


def test_plot_writes_a_png(validation: PatternValidation, tmp_path: Path) -> None:
    path = tmp_path / "patterns.png"
    figure = validation.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(figure.axes) == 4


def synthetic(scenario: dualtrack.Scenario) -> xr.Dataset:
    """Three hand-made replicates of 100 daily steps, Belarus's extra ground forces scripted.

    0: deploys by day 19, agrees on day 30, the agreement ends early on day 74;
    1: never moves, never agrees;
    2: deploys on day 4, agrees only on day 70 (after the incursions), forces +20% on day 79.
    """
    actors = [a.id for a in scenario.actors]
    categories = [c.id for c in scenario.categories]
    time = np.arange(1.0, 101.0)
    forces = np.zeros((3, len(time), len(actors), len(categories)), dtype=np.float32)
    blr = next(a for a in scenario.actors if a.id == "BLR")
    for c, category in enumerate(categories):
        spec = blr.forces.get(category)
        forces[:, :, 0, c] = spec.baseline.value if spec else 0.0
    ground = categories.index("ground")
    extra = np.zeros((3, len(time)))
    extra[0, time >= 20] = 2.0  # 2 / 5.6 > 25% above baseline from time 20 (day 19)
    extra[0, time >= 40] = 0.2
    extra[2, time >= 5] = 2.0
    extra[2, time >= 80] = 2.0 + 0.2 * (5.6 + 2.0)  # +20% at time 80 (day 79)
    forces[:, :, 0, ground] += extra
    active = np.zeros((3, len(time), 1), dtype=bool)
    active[0, (time >= 31) & (time < 75), 0] = True  # formed day 30, ends during day 74
    active[2, time >= 71, 0] = True
    return xr.Dataset(
        {
            "forces": (("replicate", "time", "actor", "category"), forces),
            "agreement_in_force": (("replicate", "time", "dyad"), active),
            "first_agreement_day": (("replicate", "dyad"), np.array([[30.0], [np.nan], [70.0]])),
        },
        coords={
            "replicate": [0, 1, 2],
            "time": time,
            "actor": actors,
            "category": categories,
            "dyad": ["BLR-UKR"],
        },
        attrs={"subject": "BLR", "focus_dyad": "BLR-UKR", "step_days": 1.0},
    )


def test_pattern_definitions_on_hand_made_trajectories(
    builtin_scenario: dualtrack.Scenario,
) -> None:
    measures = pattern_measures(
        synthetic(builtin_scenario), builtin_scenario, observed_record(builtin_scenario)
    )
    assert measures.attrs["baseline_strength"] == pytest.approx(5.6)
    assert measures.attrs["threshold_strength"] == pytest.approx(7.0)
    assert list(measures["deploy_day"].fillna(-1)) == [19, -1, 4]
    assert list(measures["a_deployment"]) == [True, False, True]
    assert list(measures["b_agreement"]) == [True, False, False]
    assert list(measures["early_end"]) == [True, False, False]
    assert list(measures["redeploy_day"].fillna(-1)) == [74, -1, 79]
    assert list(measures["c_redeployment"]) == [True, False, True]
    assert list(measures["abc_sequence"]) == [True, False, False]


def test_pattern_measures_need_full_trajectories(builtin_scenario: dualtrack.Scenario) -> None:
    summary = dualtrack.simulate(builtin_scenario, replicates=8, days=20, record="summary")
    with pytest.raises(KeyError, match="record='full'"):
        pattern_measures(summary, builtin_scenario, observed_record(builtin_scenario))
