"""Several actors' doctrines replaced at once: a mapping of actors to doctrines plans the same
run as one override when it names one actor, keeps each actor's own parameters, and rejects
unknown actors."""

from __future__ import annotations

import pytest
import xarray as xr

import dualtrack
from dualtrack.engine.run import plan_run

SMALL = {"replicates": 64, "days": 40, "record": "summary"}


def test_a_mapping_of_one_actor_is_the_single_override_bit_for_bit(builtin_scenario):
    single = dualtrack.simulate(builtin_scenario, "deterrence-only", **SMALL)
    mapped = dualtrack.simulate(builtin_scenario, {"BLR": "deterrence-only"}, **SMALL)
    xr.testing.assert_identical(single, mapped)


def test_an_empty_mapping_is_the_scenario_as_written(builtin_scenario):
    xr.testing.assert_identical(
        dualtrack.simulate(builtin_scenario, **SMALL),
        dualtrack.simulate(builtin_scenario, {}, **SMALL),
    )


def test_a_mapping_replaces_every_named_actor_and_keeps_own_parameters(builtin_scenario):
    plan = plan_run(builtin_scenario, {"BLR": "deterrence-only", "UKR": "dual-track"})
    doctrines = dict(zip(plan.compiled.actor_ids, plan.compiled.doctrines, strict=True))
    assert doctrines["BLR"].name == "deterrence-only"
    assert doctrines["UKR"].name == "dual-track"
    # UKR's own doctrine keeps the scenario's reactivity 0.5 (the default is another value)
    assert doctrines["UKR"].params.reactivity.value == 0.5
    assert doctrines["RUS"].name == "deterrence-only"
    assert plan.doctrine == "deterrence-only"  # named for the subject's doctrine


def test_a_mapping_changes_the_run(builtin_scenario):
    written = dualtrack.simulate(builtin_scenario, **SMALL)
    both = dualtrack.simulate(builtin_scenario, {"BLR": "deterrence-only", "UKR": "grit"}, **SMALL)
    assert "UKR=grit" in both.attrs["doctrines"]
    assert int(both.agreements.sum()) != int(written.agreements.sum())


def test_a_mapping_with_an_unknown_actor_is_refused(builtin_scenario):
    with pytest.raises(ValueError, match="unknown actor 'XYZ'; actors are BLR, UKR, RUS, NATO"):
        plan_run(builtin_scenario, {"XYZ": "dual-track"})


def test_a_mapping_and_an_actor_together_are_refused(builtin_scenario):
    with pytest.raises(ValueError, match="either actor or a mapping"):
        plan_run(builtin_scenario, {"UKR": "dual-track"}, actor="UKR")
