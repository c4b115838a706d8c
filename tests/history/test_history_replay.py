"""Replay: every dated shock of the built-in scenario matches a coded event of the timeline."""

from __future__ import annotations

from typing import Any

import dualtrack
from dualtrack.analysis.history import mismatches, replay_shocks, replay_table


def test_every_builtin_shock_has_a_matching_event() -> None:
    matches = replay_shocks("belarus-ukraine-2024")
    assert len(matches) == len(dualtrack.load_scenario("belarus-ukraine-2024").shocks)
    assert mismatches(matches) == []
    assert all(m.matched for m in matches)


def test_each_shock_matches_the_event_that_documents_it() -> None:
    found = {m.label: m.event_ids for m in replay_shocks("belarus-ukraine-2024")}
    assert found["Russia-Ukraine war"] == ("E024",)  # 24 Feb 2022
    assert found["Minsk perceives a Ukrainian build-up"] == ("E051",)  # 29 Jun 2024 claim
    assert "E051" in found["Increased reconnaissance near the border"]
    assert found["Drone incursions into Belarusian airspace"] == ("E055",)  # 10 Aug 2024


def test_a_shock_without_evidence_is_reported(builtin_copy: dict[str, Any]) -> None:
    builtin_copy["shocks"].append(
        {
            "kind": "channel",
            "label": "Hotline opened",
            "dyad": ["BLR", "UKR"],
            "channel": "hotline",
            "open": True,
            "date": "2019-05-01",
        }
    )
    matches = replay_shocks(dualtrack.load_scenario(builtin_copy))
    problems = mismatches(matches)
    assert len(problems) == 1
    assert problems[0].startswith("shocks[4] channel 'Hotline opened' (2019-05-01): no matching")
    assert "window 2019-04-17..2019-05-15" in problems[0]


def test_a_closing_channel_matches_cut_relations(builtin_copy: dict[str, Any]) -> None:
    builtin_copy["shocks"].append(
        {
            "kind": "channel",
            "dyad": ["UKR", "BLR"],
            "channel": "diplomatic",
            "open": False,
            "date": "2023-04-18",
        }
    )
    matches = replay_shocks(dualtrack.load_scenario(builtin_copy))
    assert matches[-1].event_ids == ("E043",)  # Ukraine's ambassador recalled


def test_the_window_tolerance_decides_near_misses() -> None:
    events = replay_shocks("belarus-ukraine-2024", tolerance_days=0)
    assert all(m.matched for m in events)  # every builtin match falls inside the shock itself


def test_replay_table_has_one_row_per_shock() -> None:
    table = replay_table(replay_shocks("belarus-ukraine-2024"))
    assert list(table["kind"]) == ["war", "perceived_buildup", "incident_rate", "incident_rate"]
    assert table["matched"].all()
