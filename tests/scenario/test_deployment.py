"""Forces spread over the sectors their host borders, in proportion to length x weight."""

from __future__ import annotations

import numpy as np

import dualtrack
from dualtrack.scenario.deployment import sector_presence


def test_forces_spread_by_length_and_weight_on_the_hosts_side(make_two_actor):
    data = make_two_actor()
    data["sectors"] = [
        {"id": "north", "name": "North", "between": ["A", "B"], "length_km": 100.0},
        {"id": "south", "name": "South", "between": ["B", "A"], "length_km": 300.0},
    ]
    data["actors"][0]["sector_weights"] = {"south": 2.0}
    data["actors"].append(
        {
            "id": "C",
            "name": "Actor C",
            "doctrine": {"name": "deterrence-only"},
            "stationed_with": "A",
            "forces": {"ground": {"baseline": 1.0, "deployment_rate": 0.1}},
        }
    )
    data["relations"].append({"between": ["A", "C"], "kind": "ally", "commitment": 0.5})
    presence = sector_presence(dualtrack.load_scenario(data))
    assert presence.shape == (3, 2, 2)  # (actor, sector, side)
    # A: 100 km x 1 north (side 0) and 300 km x 2 south (side 1 there)
    np.testing.assert_allclose(presence[0], [[1 / 7, 0.0], [0.0, 6 / 7]])
    np.testing.assert_allclose(presence[1], [[0.0, 0.25], [0.75, 0.0]])
    # C stands on its host A's side, with its own (default) weights
    np.testing.assert_allclose(presence[2], [[0.25, 0.0], [0.0, 0.75]])


def test_an_actor_bordering_no_sector_has_no_presence(make_two_actor):
    data = make_two_actor()
    data["sectors"] = []
    presence = sector_presence(dualtrack.load_scenario(data))
    assert presence.shape == (2, 0, 2)
