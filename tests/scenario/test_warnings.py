"""Warnings: a valid scenario's parts that cannot have an effect are named at their path
before a run; the built-in scenarios raise none."""

from __future__ import annotations

import pytest

import dualtrack
from dualtrack.scenario.warnings import scenario_warnings


@pytest.fixture
def talking(make_two_actor):
    """The two-actor scenario with both sides talking over an open backchannel."""

    def build():
        data = make_two_actor()
        for actor in data["actors"]:
            actor["doctrine"] = {"name": "dual-track"}
        data["dyads"][0]["channels"] = {"backchannel": {"open": True, "quality": 0.8}}
        return data

    return build


def _warnings(data, **options) -> dict[str, str]:
    return {w.path: w.message for w in scenario_warnings(dualtrack.load_scenario(data), **options)}


@pytest.mark.parametrize("name", ["belarus-ukraine-2024", "europe"])
def test_builtin_scenarios_raise_no_warning(name):
    scenario = dualtrack.load_scenario(name)
    assert scenario_warnings(scenario) == []
    assert scenario_warnings(scenario, actor=scenario.subject) == []


def test_a_scenario_where_everything_can_act_raises_no_warning(talking):
    assert _warnings(talking()) == {}


def test_forces_in_no_sector_are_named(talking):
    data = talking()
    data["actors"][1]["sector_weights"] = {"border": 0.0}
    found = _warnings(data)
    assert "B has forces but is in no sector" in found["actors[1]"]


def test_sector_weight_for_a_sector_the_actor_does_not_border_is_named(talking):
    data = talking()
    data["actors"].append({"id": "C", "name": "C", "forces": {}, "sector_weights": {"border": 2.0}})
    found = _warnings(data)
    assert "C is no side of sector 'border'" in found["actors[2].sector_weights.border"]


@pytest.mark.parametrize(
    ("shock", "horizon_days", "step_days"),
    [
        ({"start": "2024-03-01", "end": "2024-04-01"}, None, 1.0),  # after a 30-day horizon
        ({"start": "2023-06-01", "end": "2023-12-31"}, None, 1.0),  # over before the start
        ({"start": "2024-01-20"}, 10, 1.0),  # after a horizon shortened by --days
        ({"start": "2024-01-02", "end": "2024-01-03"}, None, 5.0),  # between two steps
    ],
    ids=["after", "before", "after-shortened-horizon", "between-steps"],
)
def test_shock_wholly_outside_the_run_is_named(talking, shock, horizon_days, step_days):
    data = talking()
    data["settings"]["step_days"] = step_days
    data["shocks"] = [{"kind": "incident_rate", "victim": "A", "rate": 0.1, **shock}]
    found = _warnings(data, horizon_days=horizon_days)
    assert found["shocks[0]"].startswith("acts on no step of the run")
    data["shocks"][0] |= {"start": "2024-01-01", "end": "2024-01-15"}
    assert _warnings(data, horizon_days=horizon_days) == {}


def test_ongoing_war_that_began_before_the_start_is_not_named(talking):
    data = talking()
    data["shocks"] = [{"kind": "war", "name": "W", "start": "2022-02-24", "threat": {"A": 1.0}}]
    assert _warnings(data) == {}


def test_incident_shock_on_sectors_the_victim_does_not_border_is_named(talking):
    data = talking()
    data["actors"].append({"id": "C", "name": "C"})
    data["shocks"] = [{"kind": "incident_rate", "victim": "C", "rate": 0.1, "date": "2024-01-05"}]
    assert "C is no side of the shock's sectors (border)" in _warnings(data)["shocks[0].victim"]


def test_focus_side_that_never_talks_is_named_unless_its_doctrine_is_replaced(talking):
    data = talking()
    data["actors"][1]["doctrine"] = {"name": "deterrence-only"}
    found = _warnings(data)
    assert "B's doctrine deterrence-only never talks" in found["actors[1].doctrine.name"]
    assert "agreement charts stay blank" in found["actors[1].doctrine.name"]
    assert "actors[1].doctrine.name" not in _warnings(data, actor="B")


def test_focus_dyad_without_an_open_channel_is_named_unless_a_shock_opens_one(talking):
    data = talking()
    data["dyads"][0]["channels"] = {"backchannel": {"open": False}}
    assert "is ever open" in _warnings(data)["dyads[0].channels"]
    data["shocks"] = [
        {
            "kind": "channel",
            "dyad": "A-B",
            "channel": "backchannel",
            "open": True,
            "date": "2024-01-10",
        }
    ]
    assert _warnings(data) == {}
    data["shocks"][0]["date"] = "2024-05-01"  # after the horizon: the channel never opens
    assert "dyads[0].channels" in _warnings(data)


def test_doctrine_change_for_an_actor_without_forces_near_a_border_is_named(talking):
    data = talking()
    data["actors"].append({"id": "C", "name": "C", "forces": {}})
    found = _warnings(data, actor="C")
    assert "(--actor)" in found["actors[2].forces"]
    assert "no effect at all" in found["actors[2].forces"]
    assert _warnings(data, actor="A") == {}
