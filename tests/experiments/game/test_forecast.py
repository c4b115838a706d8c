"""Forecasts: candidates on common random numbers, seeded, drawn from the actor's beliefs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualtrack.experiments.game import GameError, GameSession
from dualtrack.scenario.schema import Scenario

FULL = {"posture": dict.fromkeys(["ground", "special_forces", "drones"], 1.0)}


def test_identical_candidates_give_identical_forecasts(game: GameSession) -> None:
    result = game.forecast("BLR", [FULL, {}, FULL, {}], weeks=2, replicates=64)
    first, second, third, fourth = result["candidates"]
    assert first == third and second == fourth
    assert first != second
    json.dumps(result)


def test_the_same_forecast_twice_is_the_same_and_leaves_the_game_be(game: GameSession) -> None:
    game.adjudicate({})
    game.commit()
    proposal = game.adjudicate({"UKR": {"talks": "propose"}})
    snapshot = GameSession.restore(game.snapshot())
    once = game.forecast("UKR", [{}, {"talks": "refuse"}], weeks=3, replicates=50)
    assert game.forecast("UKR", [{}, {"talks": "refuse"}], weeks=3, replicates=50) == once
    assert game.commit() == snapshot.commit()
    assert proposal["turn"] == 2


def test_estimates_lie_in_their_intervals(game: GameSession) -> None:
    result = game.forecast("UKR", [{}, FULL], weeks=4, replicates=80)
    assert result["dyads"] == ["BLR-UKR"] and result["steps"] == 28
    for candidate in result["candidates"]:
        for name in ("p_crisis", "p_armed_incident", "p_war", "p_agreement", "expected_cost"):
            value = candidate[name]
            assert value["low"] <= value["estimate"] <= value["high"], name
        assert candidate["p_crisis"]["estimate"] >= candidate["p_armed_incident"]["estimate"]
        assert candidate["p_armed_incident"]["estimate"] >= candidate["p_war"]["estimate"]
    assert (
        result["candidates"][1]["expected_cost"]["estimate"]
        > result["candidates"][0]["expected_cost"]["estimate"]
    )


def test_the_unknowns_come_from_the_actors_picture_not_the_truth(game: GameSession) -> None:
    """Certain of one type or the other, the forecast follows the belief; changing the
    adversary's true type or forces changes nothing."""
    forecasts = []
    for certain in (-30.0, 30.0):  # Ukraine sure Belarus is a security seeker / an opportunist
        other = GameSession.restore(game.snapshot())
        c = other.compiled
        pair = c.pair_ids.index("UKR->BLR")
        other.state.log_odds[0, pair] = certain
        forecasts.append(other.forecast("UKR", [{}], weeks=8, replicates=100))
    seeker, opportunist = (f["candidates"][0]["p_armed_incident"]["estimate"] for f in forecasts)
    assert seeker < opportunist
    blr = game.compiled.actor_ids.index("BLR")
    untouched = GameSession.restore(game.snapshot())
    untouched.state.types[0, blr] = not game.state.types[0, blr]
    untouched.state.forces[0, blr] *= 2.0  # Belarus's true forces: Ukraine sees its picture
    assert untouched.forecast("UKR", [{}], weeks=8, replicates=100) == game.forecast(
        "UKR", [{}], weeks=8, replicates=100
    )
    assert np.isfinite(seeker)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"candidates": []}, "candidates"),
        ({"candidates": [{}], "weeks": 0}, "weeks"),
        ({"candidates": [{}], "replicates": 1}, "replicates"),
        ({"candidates": [{"talks": "maybe"}]}, r"candidates\[0\]\.talks"),
    ],
)
def test_bad_forecast_requests_are_located(game: GameSession, kwargs: dict, field: str) -> None:
    with pytest.raises(GameError, match=f"^{field}: expected"):
        game.forecast("BLR", **kwargs)


@settings(max_examples=8)
@given(
    move=st.fixed_dictionaries(
        {},
        optional={
            "posture": st.dictionaries(
                st.sampled_from(["ground", "drones"]), st.floats(0.0, 1.0), max_size=2
            ),
            "talks": st.sampled_from(["propose", "refuse"]),
            "channel": st.sampled_from(["open", "close"]),
            "inspection": st.sampled_from(["invite", "refuse"]),
            "unilateral_step": st.floats(0.0, 1.0),
        },
    )
)
def test_any_candidate_repeated_gets_the_same_numbers(
    scenario: Scenario, seed: int, move: dict
) -> None:
    game = GameSession.start(scenario, seed, ["UKR"])
    first, again, _ = game.forecast("UKR", [move, move, {}], weeks=2, replicates=20)["candidates"]
    assert first == again
    assert game.forecast("UKR", [move], weeks=2, replicates=20)["candidates"][0] == first
