"""A cell's view holds only what its actor perceives; the truth holds everything."""

from __future__ import annotations

import json

import numpy as np

from dualtrack.experiments.game import GameSession


def _played(game: GameSession, turns: int = 2) -> GameSession:
    for _ in range(turns):
        game.adjudicate({"BLR": {"posture": {"ground": 0.9}, "talks": "propose"}})
        game.commit()
    return game


def test_a_view_does_not_change_with_what_its_actor_cannot_know(game: GameSession) -> None:
    _played(game)
    before = game.view("UKR")
    other = GameSession.restore(game.snapshot())
    c, state = other.compiled, other.state
    blr = c.actor_ids.index("BLR")
    state.types[:] = ~state.types  # every type flipped
    state.forces[0, blr] *= 3.0  # Belarus's true forces
    not_mine = c.pair_observer != c.actor_ids.index("UKR")
    state.log_odds[0, not_mine] += 5.0  # the others' beliefs
    state.cheating[:] = True
    assert other.view("UKR") == before
    assert other.truth() != game.truth()


def test_a_view_is_json_and_names_no_type_or_true_forces_of_others(game: GameSession) -> None:
    view = _played(game).view("UKR")
    text = json.dumps(view)
    assert "opportunist" not in text and "security seeker" not in text
    truth = game.truth()
    true_blr = truth["actors"]["BLR"]["forces"]
    seen_blr = view["perceived_forces"]["BLR"]
    assert seen_blr.keys() == true_blr.keys()
    assert all(seen_blr[k] != true_blr[k] for k in true_blr if true_blr[k] > 0)  # noisy
    assert view["own_forces"] == truth["actors"]["UKR"]["forces"]
    assert set(view["beliefs"]) == {"BLR", "RUS"}
    for belief in view["beliefs"].values():
        assert np.isclose(belief["trust"], 1.0 - belief["belief"])
        assert np.isclose(belief["belief"], 1.0 / (1.0 + np.exp(-belief["log_odds"])))
    assert view["announcements"] == {"BLR": {"talks": "propose"}}
    assert set(view["dyads"]) == {"BLR-UKR"}


def test_the_truth_shows_types_and_every_pair(game: GameSession) -> None:
    truth = json.loads(json.dumps(game.truth()))
    assert {a["type"] for a in truth["actors"].values()} <= {"opportunist", "security seeker"}
    assert set(truth["pairs"]) == set(game.compiled.pair_ids)
    assert truth["actors"]["BLR"]["played"] and not truth["actors"]["RUS"]["played"]


def test_options_give_each_movable_category_its_range(game: GameSession) -> None:
    options = game.options("BLR")
    assert set(options["posture"]) == {
        "ground",
        "special_forces",
        "air_defence",
        "long_range_strike",
        "drones",
    }
    ground = options["posture"]["ground"]
    assert (ground["min"], ground["max"], ground["capacity"]) == (0.0, 1.0, 20.0)
    assert ground["current"] == ground["baseline"] == 3.0 / 20.0
    assert set(options["channel"]["dyads"]["BLR-UKR"]) == set(game.base_scenario.dyads[0].channels)


def test_the_msel_lists_the_scenarios_shocks_then_the_injects(game: GameSession) -> None:
    shocks = game.base_scenario.shocks
    game.adjudicate(
        {"UKR": {"channel": "close", "channel_type": "hotline"}},
        [
            {
                "shock": {
                    "kind": "war",
                    "name": "Exercise",
                    "start": "2024-06-05",
                    "end": "2024-06-20",
                }
            }
        ],
    )
    assert len(game.msel()) == len(shocks)  # nothing added before the commit
    game.commit()
    events = game.msel()
    assert [e["origin"] for e in events] == ["scenario"] * len(shocks) + ["move", "inject"]
    assert events[-1]["day"] == 4 and events[-1]["end_day"] == 19
    assert events[-2]["label"] == "UKR closes the hotline channel (turn 1)"
    assert game.view("BLR")["dyads"]["BLR-UKR"]["channels"]["hotline"] is False
