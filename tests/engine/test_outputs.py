"""Outputs are declared once: a variable keeps its name in every record mode, its reduction
shows in its dimensions and attributes, adding one is one table entry, and the reading
helpers give the same numbers whichever mode kept them."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import dualtrack
from dualtrack.engine import outputs
from dualtrack.engine.outputs import (
    OUTPUTS,
    RECORD_MODES,
    TRACED_REPLICATES,
    Output,
    final_values,
    full_trajectories,
    has_time_series,
    per_step_mean,
    record_of,
    trajectories,
)

REPLICATES = TRACED_REPLICATES + 44
DAYS = 20


def _runs(scenario) -> dict[str, xr.Dataset]:
    return {
        mode: dualtrack.simulate(scenario, replicates=REPLICATES, days=DAYS, seed=3, record=mode)
        for mode in RECORD_MODES
    }


@pytest.fixture(scope="module")
def runs(builtin_scenario) -> dict[str, xr.Dataset]:
    return _runs(builtin_scenario)


def test_every_output_keeps_its_name_in_every_mode(runs):
    for definition in OUTPUTS:
        for mode, results in runs.items():
            assert definition.name in results, (definition.name, mode)
            attrs = results[definition.name].attrs
            assert attrs["units"] and attrs["description"] and attrs["reduction"]


def test_the_reduction_shows_in_the_dimensions(runs):
    assert runs["full"].forces.dims == ("replicate", "time", "actor", "category")
    assert runs["mean"].forces.dims == ("time", "actor", "category")
    assert runs["summary"].forces.dims == ("replicate", "actor", "category")
    assert runs["mean"].escalation.dims == ("time", "dyad", "rung")
    assert runs["mean"].escalation.attrs["reduction"] == "share of replicates on each rung"
    traced = runs["mean"].traced_trust
    assert traced.dims == ("traced", "time", "dyad")
    assert traced.attrs["output"] == "trust"
    assert traced.attrs["reduction"] == f"first {TRACED_REPLICATES} replicates"
    for results in runs.values():  # tallies: per replicate, whatever the mode
        assert results.max_rung.dims == ("replicate", "dyad")


def test_an_added_output_is_found_in_every_mode(monkeypatch, make_two_actor):
    blamed = Output(
        "blamed",
        ("actor",),
        "count",
        "Incidents each actor blamed on an adversary in the step",
        lambda state, compiled: state.attributed,
        dtype=np.float32,
    )
    monkeypatch.setattr(outputs, "OUTPUTS", (*OUTPUTS, blamed))
    data = make_two_actor()
    data["mechanisms"] = {"incidents": {"contact_rate": 0.5}}
    runs = _runs(dualtrack.load_scenario(data))
    full = runs["full"].blamed
    assert full.dims == ("replicate", "time", "actor") and full.dtype == np.float32
    assert float(full.sum()) > 0
    assert runs["mean"].blamed.dims == ("time", "actor")
    np.testing.assert_allclose(runs["mean"].blamed, full.mean("replicate"), rtol=1e-6)
    np.testing.assert_array_equal(
        runs["mean"].traced_blamed, full.isel(replicate=slice(0, TRACED_REPLICATES))
    )
    summary = runs["summary"].blamed
    assert summary.dims == ("replicate", "actor")
    np.testing.assert_array_equal(summary.astype(np.float32), full.isel(time=-1))


def test_record_of_reads_the_mode_from_the_variable(runs):
    for mode, results in runs.items():
        assert record_of(results, "forces") == mode
        assert record_of(results, "cost") is None  # a tally
        assert has_time_series(results) == (mode != "summary")
    assert record_of(runs["full"].drop_vars("trust"), "trust") is None


def test_per_step_mean_is_the_same_from_full_and_mean_records(runs):
    # shares of replicates are exact whichever mode pooled them
    for name in ("escalation", "agreement_in_force"):
        np.testing.assert_array_equal(
            per_step_mean(runs["full"], name), per_step_mean(runs["mean"], name)
        )
    assert per_step_mean(runs["full"], "escalation").dims == ("time", "dyad", "rung")
    np.testing.assert_allclose(
        per_step_mean(runs["full"], "forces"), per_step_mean(runs["mean"], "forces"), rtol=1e-6
    )
    assert per_step_mean(runs["summary"], "forces") is None


def test_trajectories_come_from_full_or_traced_records(runs):
    every = trajectories(runs["full"], "escalation")
    traced = trajectories(runs["mean"], "escalation")
    assert every.sizes["member"] == REPLICATES and traced.sizes["member"] == TRACED_REPLICATES
    np.testing.assert_array_equal(traced, every.isel(member=slice(0, TRACED_REPLICATES)))
    assert trajectories(runs["summary"], "escalation") is None
    xr.testing.assert_identical(full_trajectories(runs["full"], "forces"), runs["full"].forces)
    assert full_trajectories(runs["mean"], "forces") is None


def test_final_values_come_from_summary_or_full_records(runs):
    np.testing.assert_array_equal(
        final_values(runs["summary"], "escalation"), final_values(runs["full"], "escalation")
    )
    assert final_values(runs["full"], "forces").dims == ("replicate", "actor", "category")
    assert final_values(runs["mean"], "forces") is None


def test_helpers_read_a_study_with_a_doctrine_dimension(runs):
    study = xr.concat([runs["mean"], runs["mean"]], dim="doctrine")
    assert record_of(study, "forces") == "mean"
    assert per_step_mean(study, "escalation").dims == ("doctrine", "time", "dyad", "rung")


def test_unknown_output_is_named():
    with pytest.raises(KeyError, match="unknown output 'nope'; outputs are forces"):
        outputs.output("nope")
