"""Bad moves, injects, overrides and game set-ups raise located GameErrors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dualtrack.experiments.game import GameError, GameSession, Inject, Move, Override
from dualtrack.scenario.schema import Scenario


@pytest.mark.parametrize(
    ("moves", "field"),
    [
        ({"RUS": {}}, "moves.RUS"),
        ({"BLR": {"posture": {"tanks": 0.5}}}, "moves.BLR.posture.tanks"),
        ({"BLR": {"posture": {"ground": 1.5}}}, "moves.BLR.posture.ground"),
        ({"BLR": {"talks": "maybe"}}, "moves.BLR.talks"),
        ({"BLR": {"channel": "ajar"}}, "moves.BLR.channel"),
        ({"BLR": {"channel": "open", "channel_type": "telegraph"}}, "moves.BLR.channel_type"),
        ({"BLR": {"channel": "open", "dyad": "BLR-NATO"}}, "moves.BLR.dyad"),
        ({"BLR": {"dyad": "BLR-UKR"}}, "moves.BLR.dyad"),
        ({"BLR": {"unilateral_step": -0.1}}, "moves.BLR.unilateral_step"),
        ({"BLR": {"inspection": "invite", "surprise": 1}}, "moves.BLR.surprise"),
    ],
)
def test_a_bad_move_is_located(game: GameSession, moves: dict[str, Any], field: str) -> None:
    with pytest.raises(GameError, match="^" + re.escape(field) + ": expected") as error:
        game.adjudicate(moves)
    assert error.value.field == field
    assert isinstance(error.value, ValueError)
    assert not game.pending


def _shock(**fields: Any) -> dict[str, Any]:
    return {"shock": {"kind": "incident_rate", "victim": "UKR", "rate": {"value": 0.1}} | fields}


@pytest.mark.parametrize(
    ("inject", "field"),
    [
        (_shock(sectors="all", mode="add", start="2024-05-01"), r"injects\[0\]\.shock"),
        (_shock(sectors=["nowhere"], start="2024-06-02"), r"injects\[0\]\.shock\.sectors\[0\]"),
        (_shock(sectors="all", victim="XXX", start="2024-06-02"), r"injects\[0\]\.shock\.victim"),
        ({"shock": {"kind": "comet", "start": "2024-06-02"}}, r"injects\[0\]\.shock"),
        (
            {
                "shock": {
                    "kind": "perceived_buildup",
                    "observer": "UKR",
                    "target": "RUS",
                    "category": "drones",
                    "amount": {"value": 2},
                    "start": "2024-06-02",
                }
            },
            r"injects\[0\]\.shock\.category",
        ),
    ],
)
def test_a_bad_inject_is_located(game: GameSession, inject: dict[str, Any], field: str) -> None:
    with pytest.raises(GameError, match=f"^{field}: expected"):
        game.adjudicate({}, [inject])


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"field": "escalation", "target": "BLR-UKR", "value": "panic", "reason": "r"}, "value"),
        ({"field": "escalation", "target": "BLR-RUS", "value": 2, "reason": "r"}, "target"),
        ({"field": "agreement", "target": "BLR-UKR", "value": 1, "reason": "r"}, "value"),
        ({"field": "incident", "target": "moon", "value": 1, "reason": "r"}, "target"),
        ({"field": "incident", "target": "brest-volyn", "value": -1, "reason": "r"}, "value"),
        ({"field": "incident", "target": "brest-volyn", "value": 1, "reason": ""}, "reason"),
        ({"field": "weather", "target": "brest-volyn", "value": 1, "reason": "r"}, "field"),
    ],
)
def test_a_bad_override_is_located(game: GameSession, override: dict[str, Any], field: str) -> None:
    game.adjudicate({})
    with pytest.raises(GameError, match=rf"^overrides\[0\]\.{field}: expected"):
        game.commit([override])
    assert game.pending and game.turn == 0  # nothing applied: the proposal still stands
    game.commit()
    assert game.turn == 1


def test_commit_needs_a_proposal_and_a_game_ends(short: Any, seed: int) -> None:
    game = GameSession.start(short(days=10), seed, ["UKR"])
    with pytest.raises(GameError, match="^commit: expected an adjudicated turn"):
        game.commit()
    for steps in (7, 3):  # the last turn is what is left of the horizon
        assert game.adjudicate({})["steps"] == steps
        game.commit()
    assert game.done and game.day == 10
    with pytest.raises(GameError, match="^turn: expected a game that is not over"):
        game.adjudicate({})


@pytest.mark.parametrize(
    ("players", "turn_days", "field"),
    [
        (["XXX"], 7, r"players\[0\]"),
        (["BLR", "BLR"], 7, r"players\[1\]"),
        (["BLR"], 0, "turn_days"),
    ],
)
def test_a_bad_game_is_located(
    scenario: Scenario, seed: int, players: list[str], turn_days: int, field: str
) -> None:
    with pytest.raises(GameError, match=f"^{field}: expected"):
        GameSession.start(scenario, seed, players, turn_days)


def test_the_models_publish_a_json_schema() -> None:
    for model in (Move, Inject, Override):
        schema = model.model_json_schema()
        assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert "posture" in Move.model_json_schema()["properties"]
