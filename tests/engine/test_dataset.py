"""The result of a run is a labelled dataset: named dimensions, units, provenance attributes;
the record mode decides what it keeps; ``days`` and ``replicates`` override the scenario."""

from __future__ import annotations

import numpy as np
import pytest

import dualtrack
from dualtrack.scenario.loading import scenario_hash

DIMS = {"replicate", "time", "actor", "dyad", "sector", "category"}


@pytest.fixture(scope="module")
def full_run(builtin_scenario):
    return dualtrack.simulate(builtin_scenario, replicates=300, days=30, seed=5)


def test_dataset_has_named_dimensions_and_coordinates(full_run, builtin_scenario):
    assert set(full_run.dims) >= DIMS
    assert full_run.sizes["replicate"] == 300
    assert full_run.sizes["time"] == 30
    assert list(full_run.actor.values) == [a.id for a in builtin_scenario.actors]
    assert list(full_run.category.values) == [c.id for c in builtin_scenario.categories]
    assert list(full_run.sector.values) == [s.id for s in builtin_scenario.sectors]
    assert "BLR-UKR" in full_run.dyad.values
    assert full_run.forces.dims == ("replicate", "time", "actor", "category")
    assert full_run.escalation.dims == ("replicate", "time", "dyad")


def test_dataset_carries_provenance_attributes(make_two_actor):
    scenario = dualtrack.load_scenario(make_two_actor())
    results = dualtrack.simulate(scenario, record="summary")
    assert results.attrs["dualtrack_version"] == dualtrack.__version__
    assert results.attrs["seed"] == scenario.settings.seed
    assert results.attrs["scenario_hash"] == scenario_hash(scenario)
    assert results.attrs["scenario_id"] == scenario.id
    assert results.attrs["doctrine"] == "deterrence-only"


def test_seed_override_is_recorded(full_run):
    assert full_run.attrs["seed"] == 5


def test_every_variable_states_its_units_and_meaning(full_run):
    for name, variable in full_run.data_vars.items():
        assert variable.attrs.get("units"), name
        assert variable.attrs.get("description"), name


def test_time_is_the_day_at_the_end_of_each_step(full_run):
    np.testing.assert_array_equal(full_run.time.values, np.arange(1, 31, dtype=float))


def test_mean_record_keeps_per_step_means_without_replicate_trajectories(builtin_scenario):
    results = dualtrack.simulate(builtin_scenario, replicates=300, days=30, record="mean")
    assert results.forces.dims == ("time", "actor", "category")
    assert results.forces.attrs["reduction"] == "mean over replicates"
    assert results.escalation.dims == ("time", "dyad", "rung")
    np.testing.assert_allclose(results.escalation.sum("rung"), 1.0)
    assert results.traced_forces.dims == ("traced", "time", "actor", "category")
    assert results.traced_forces.attrs["output"] == "forces"
    assert results.sizes["traced"] == 256


def test_mean_record_matches_the_mean_of_full_trajectories(builtin_scenario, full_run):
    means = dualtrack.simulate(builtin_scenario, replicates=300, days=30, seed=5, record="mean")
    np.testing.assert_allclose(
        means.trust.values, full_run.trust.mean("replicate").values, rtol=1e-5
    )
    np.testing.assert_allclose(
        means.agreement_in_force.values, full_run.agreement_in_force.mean("replicate").values
    )


def test_summary_record_keeps_no_trajectories(builtin_scenario):
    results = dualtrack.simulate(builtin_scenario, replicates=300, days=30, record="summary")
    assert all("time" not in variable.dims for variable in results.data_vars.values())
    assert {"max_rung", "agreements", "forces", "cost"} <= set(results.data_vars)
    assert results.forces.dims == ("replicate", "actor", "category")
    assert results.forces.attrs["reduction"] == "value at the last step"


def test_summary_record_has_no_time_dimension(builtin_scenario):
    results = dualtrack.simulate(builtin_scenario, replicates=300, days=30, record="summary")
    assert "time" not in results.dims


def test_days_and_replicates_override_the_scenario(builtin_scenario):
    results = dualtrack.simulate(builtin_scenario, replicates=7, days=12)
    assert results.sizes["replicate"] == 7
    assert results.sizes["time"] == 12
    assert results.attrs["horizon_days"] == 12
    assert builtin_scenario.settings.replicates == 1000  # the scenario itself is unchanged


def test_unknown_record_mode_is_refused(builtin_scenario):
    with pytest.raises(ValueError, match="full"):
        dualtrack.simulate(builtin_scenario, replicates=2, days=2, record="everything")


def test_scenario_without_sectors_runs(make_two_actor):
    data = make_two_actor()
    data["sectors"] = []
    results = dualtrack.simulate(data, replicates=4, days=5, record="summary")
    assert results.sizes["sector"] == 0


def test_naming_the_actors_own_doctrine_keeps_the_scenarios_parameters(builtin_copy):
    data = builtin_copy
    ukraine = next(a for a in data["actors"] if a["id"] == "UKR")
    assert ukraine["doctrine"]["name"] == "dual-track"
    ukraine["doctrine"]["params"]["tolerance"] = 0.5  # answers threat well below the default's
    own = dualtrack.simulate(data, replicates=256, days=60, record="summary", seed=4)
    named = dualtrack.simulate(
        data, "dual-track", actor="UKR", replicates=256, days=60, record="summary", seed=4
    )
    defaults = dualtrack.simulate(
        data,
        dualtrack.REGISTRY["dual-track"](),
        actor="UKR",
        replicates=256,
        days=60,
        record="summary",
        seed=4,
    )
    assert np.array_equal(own.cost.values, named.cost.values)
    assert not np.array_equal(own.cost.values, defaults.cost.values)
