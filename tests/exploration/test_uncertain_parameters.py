"""Listing a scenario's uncertain parameters, mapping unit samples to values, applying values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

import dualtrack
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.uncertainty import (
    UncertainParameter,
    apply_values,
    parse_path,
    uncertain_parameters,
    unit_to_values,
)

QUANTILES = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])


def test_listing_finds_ranges_everywhere_with_validation_style_paths(
    builtin_scenario: dualtrack.Scenario,
) -> None:
    paths = [p.path for p in uncertain_parameters(builtin_scenario)]
    assert len(paths) == len(set(paths))
    for expected in (
        "actors[0].forces.ground.capacity",
        "actors[1].doctrine.params.reactivity",  # written in the scenario's params
        "actors[0].doctrine.params.breakout_ratio",  # the doctrine's documented default
        "mechanisms.dialogue.talk_rate",  # a mechanism default
        "dyads[0].channels.backchannel.quality",
        "sectors[2].exogenous_rate.BLR",
        "actors[0].sector_weights.gomel-chernihiv",
        "settings.elevated_threshold",
    ):
        assert expected in paths
    # numbers without a range (the ground threat weight, BLR's long-range baseline) are fixed
    assert "categories[0].threat_weight" not in paths
    assert "actors[0].forces.long_range_strike.baseline" not in paths


def test_listing_order_is_stable(builtin_scenario: dualtrack.Scenario) -> None:
    again = dualtrack.load_scenario("belarus-ukraine-2024")
    assert uncertain_parameters(builtin_scenario) == uncertain_parameters(again)


def test_patterns_select_parameters_and_brackets_are_literal(
    builtin_scenario: dualtrack.Scenario,
) -> None:
    dialogue = uncertain_parameters(builtin_scenario, ["mechanisms.dialogue.*"])
    assert dialogue and all(p.path.startswith("mechanisms.dialogue.") for p in dialogue)
    first_actor = uncertain_parameters(builtin_scenario, ["actors[0].forces.*.capacity"])
    assert {p.path for p in first_actor} == {
        f"actors[0].forces.{c}.capacity"
        for c in ("ground", "special_forces", "air_defence", "long_range_strike", "drones")
    }


def test_a_pattern_matching_nothing_is_an_error(builtin_scenario: dualtrack.Scenario) -> None:
    with pytest.raises(KeyError, match="mechanisms.dialog.talk_rate"):
        uncertain_parameters(builtin_scenario, ["mechanisms.dialog.talk_rate"])


@pytest.mark.parametrize(
    "parameter",
    [
        UncertainParameter("u", 3.0, 2.0, 6.0, "uniform"),
        UncertainParameter("t", 5.0, 2.0, 6.0, "triangular"),
        UncertainParameter("l", 0.01, 0.001, 0.1, "loguniform"),
        UncertainParameter("n", 4.0, 2.0, 6.0, "truncnormal", sd=1.5),
    ],
    ids=lambda p: p.distribution,
)
def test_distributions_map_the_unit_interval_onto_the_range(parameter: UncertainParameter) -> None:
    values = parameter.ppf(QUANTILES)
    assert values[0] == pytest.approx(parameter.low)
    assert values[-1] == pytest.approx(parameter.high)
    assert np.all(np.diff(values) > 0)


def test_uniform_is_linear() -> None:
    p = UncertainParameter("u", 3.0, 2.0, 6.0, "uniform")
    np.testing.assert_allclose(p.ppf(QUANTILES), 2.0 + 4.0 * QUANTILES)


def test_triangular_mode_is_the_nominal_value() -> None:
    p = UncertainParameter("t", 5.0, 2.0, 6.0, "triangular")
    share_below_mode = (5.0 - 2.0) / (6.0 - 2.0)  # the CDF at the mode
    assert p.ppf(np.array([share_below_mode]))[0] == pytest.approx(5.0)
    # the density peaks at the mode: equal steps of u move the value least there
    u = np.linspace(0.01, 0.99, 99)
    steps = np.diff(p.ppf(u))
    assert abs(u[np.argmin(steps)] - share_below_mode) < 0.02


def test_loguniform_median_is_the_geometric_mean() -> None:
    p = UncertainParameter("l", 0.01, 0.001, 0.1, "loguniform")
    assert p.ppf(np.array([0.5]))[0] == pytest.approx(math.sqrt(0.001 * 0.1))
    assert p.ppf(np.array([0.25]))[0] == pytest.approx(0.001 * 100**0.25)


def test_truncated_normal_is_centred_on_the_nominal_value_with_its_sd() -> None:
    symmetric = UncertainParameter("n", 4.0, 2.0, 6.0, "truncnormal", sd=1.0)
    assert symmetric.ppf(np.array([0.5]))[0] == pytest.approx(4.0)
    lopsided = UncertainParameter("n", 3.0, 2.0, 6.0, "truncnormal", sd=1.0)
    expected = stats.truncnorm(-1.0, 3.0, loc=3.0, scale=1.0).ppf(0.3)
    assert lopsided.ppf(np.array([0.3]))[0] == pytest.approx(expected)


def test_unit_to_values_maps_each_column_by_its_parameter() -> None:
    parameters = [
        UncertainParameter("a", 0.5, 0.0, 1.0),
        UncertainParameter("b", 20.0, 10.0, 30.0),
    ]
    unit = np.array([[0.0, 1.0], [0.5, 0.25]])
    np.testing.assert_allclose(unit_to_values(parameters, unit), [[0.0, 30.0], [0.5, 15.0]])
    with pytest.raises(ValueError, match="expected 2 columns"):
        unit_to_values(parameters, np.zeros((3, 3)))


def test_paths_parse_into_keys_and_indices() -> None:
    assert parse_path("actors[0].forces.ground.capacity") == (
        "actors",
        0,
        "forces",
        "ground",
        "capacity",
    )
    assert parse_path("actors[1].sector_weights.brest-volyn")[-1] == "brest-volyn"
    with pytest.raises(ValueError, match="malformed"):
        parse_path("actors[0]..x]")


def test_applied_values_land_in_a_new_validated_scenario_keeping_ranges(
    builtin_scenario: dualtrack.Scenario,
) -> None:
    changed = apply_values(
        builtin_scenario,
        {
            "actors[0].forces.ground.capacity": 25.0,
            "mechanisms.dialogue.talk_rate": 0.15,
            "actors[0].doctrine.params.reactivity": 0.9,  # a default, not in the YAML
            "actors[1].doctrine.params.sufficiency": 0.5,  # written in the YAML
        },
    )
    capacity = changed.actors[0].forces["ground"].capacity
    assert capacity is not None and capacity.value == 25.0
    assert (capacity.low, capacity.high) == (12.0, 30.0)
    assert changed.mechanisms.dialogue.talk_rate.value == 0.15
    assert changed.actors[0].doctrine.params["reactivity"]["value"] == 0.9
    assert changed.actors[1].doctrine.params["sufficiency"]["value"] == 0.5
    assert changed.actors[1].doctrine.params["reactivity"]["value"] == 0.5  # untouched
    # the original is unchanged
    assert builtin_scenario.mechanisms.dialogue.talk_rate.value == 0.35


def test_applied_values_are_listed_back_as_nominal(builtin_scenario: dualtrack.Scenario) -> None:
    changed = apply_values(builtin_scenario, {"mechanisms.intent.cheat_rate": 0.02})
    listed = {p.path: p for p in uncertain_parameters(changed)}
    assert listed["mechanisms.intent.cheat_rate"].nominal == 0.02


def test_a_sampled_capacity_below_the_baseline_is_a_located_error(
    make_two_actor: Any,
) -> None:
    data = make_two_actor()
    data["actors"][0]["forces"]["ground"] = {
        "baseline": {"value": 2.0, "low": 1.0, "high": 8.0},
        "capacity": {"value": 10.0, "low": 5.0, "high": 12.0},
        "deployment_rate": 0.1,
    }
    scenario = dualtrack.load_scenario(data)
    paths = [p.path for p in uncertain_parameters(scenario)]
    assert "actors[0].forces.ground.baseline" in paths
    with pytest.raises(ScenarioError) as caught:
        apply_values(
            scenario,
            {"actors[0].forces.ground.baseline": 7.0, "actors[0].forces.ground.capacity": 6.0},
        )
    assert "actors[0].forces.ground.capacity" in str(caught.value)
    assert "expected capacity >= baseline" in str(caught.value)


def test_an_unknown_path_is_a_key_error(builtin_scenario: dualtrack.Scenario) -> None:
    with pytest.raises(KeyError, match="no such number"):
        apply_values(builtin_scenario, {"mechanisms.dialogue.no_such_rate": 1.0})


def test_a_value_beyond_the_declared_range_is_refused_unless_the_range_widens(
    builtin_scenario: dualtrack.Scenario,
) -> None:
    path = "mechanisms.escalation.up_rate"
    number = builtin_scenario.mechanisms.escalation.up_rate
    assert number.high is not None
    beyond = number.high * 2
    with pytest.raises(ScenarioError):
        apply_values(builtin_scenario, {path: beyond})
    widened = apply_values(builtin_scenario, {path: beyond}, widen_ranges=True)
    rate = widened.mechanisms.escalation.up_rate
    assert (rate.value, rate.low, rate.high) == (beyond, number.low, beyond)
