"""A dyad is written one way: ``A-B`` in messages and on the command line, ``[A, B]`` or
``A-B`` in YAML; either order names the same dyad."""

from __future__ import annotations

import pytest

import dualtrack
from dualtrack.scenario.dyads import dyad_id, parse_dyad


def test_yaml_may_write_a_pair_as_a_list_or_as_an_id(make_two_actor):
    as_list = make_two_actor()
    as_list["settings"]["focus"] = ["B", "A"]
    as_id = make_two_actor()
    as_id["settings"]["focus"] = "B-A"
    as_id["dyads"][0]["between"] = "A-B"
    assert dualtrack.scenario_hash(dualtrack.load_scenario(as_list)) == dualtrack.scenario_hash(
        dualtrack.load_scenario(as_id)
    )
    assert dualtrack.load_scenario(as_id).focus == ("B", "A")


def test_an_ambiguous_pair_id_asks_for_a_list(make_two_actor):
    data = make_two_actor()
    data["settings"]["focus"] = "A-B-C"
    with pytest.raises(
        dualtrack.ScenarioError, match=r"settings.focus: expected a pair .* \[A, B\]"
    ):
        dualtrack.load_scenario(data)


def test_messages_name_dyads_by_their_id(make_two_actor):
    data = make_two_actor()
    data["shocks"] = [
        {"kind": "channel", "dyad": "B-A", "channel": "hotline", "open": True, "date": "2024-02-01"}
    ]
    data["dyads"].append(dict(data["dyads"][0]))
    with pytest.raises(dualtrack.ScenarioError) as caught:
        dualtrack.load_scenario(data)
    messages = {p.path: p.message for p in caught.value.problems}
    assert messages["dyads[1]"] == "duplicate dyad A-B"
    assert "for dyad A-B; declared channels are backchannel" in messages["shocks[0].channel"]


def test_command_line_names_a_dyad_in_either_order():
    dyads = [("BLR", "UKR"), ("NATO-EAST", "RUS")]
    assert parse_dyad("UKR-BLR", dyads) == ("BLR", "UKR")
    assert parse_dyad("RUS-NATO-EAST", dyads) == ("NATO-EAST", "RUS")
    assert dyad_id(("BLR", "UKR")) == "BLR-UKR"
    with pytest.raises(
        KeyError, match="unknown dyad 'BLR-POL'; defined dyads are BLR-UKR, NATO-EAST-RUS"
    ):
        parse_dyad("BLR-POL", dyads)
