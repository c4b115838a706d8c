"""Snapshots restore a game that continues bit-identically; a log replays the same game."""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualtrack.experiments.game import GameError, GameSession
from dualtrack.scenario.ladder import RUNG_LABELS
from dualtrack.scenario.schema import Scenario

CATEGORIES = ["ground", "special_forces", "air_defence", "long_range_strike", "drones"]
SECTORS = ["brest-volyn", "polesie-west", "polesie-east", "gomel-chernihiv"]

MOVES = st.fixed_dictionaries(
    {},
    optional={
        "posture": st.dictionaries(st.sampled_from(CATEGORIES), st.floats(0.0, 1.0), max_size=3),
        "talks": st.sampled_from(["propose", "accept", "refuse"]),
        "channel": st.sampled_from(["open", "close"]),
        "inspection": st.sampled_from(["invite", "refuse"]),
        "unilateral_step": st.floats(0.0, 1.0),
    },
)
OVERRIDES = st.one_of(
    st.builds(
        lambda v: {"field": "escalation", "target": "BLR-UKR", "value": v, "reason": "White cell"},
        st.integers(0, len(RUNG_LABELS) - 1),
    ),
    st.builds(
        lambda v: {"field": "agreement", "target": "UKR-BLR", "value": v, "reason": "signed"},
        st.booleans(),
    ),
    st.builds(
        lambda s, v: {"field": "incident", "target": s, "value": v, "reason": "reported"},
        st.sampled_from(SECTORS),
        st.integers(0, 3),
    ),
)
TURNS = st.lists(
    st.fixed_dictionaries(
        {
            "moves": st.dictionaries(st.sampled_from(["BLR", "UKR"]), MOVES),
            "overrides": st.lists(OVERRIDES, max_size=2),
            "inject": st.booleans(),
        }
    ),
    min_size=1,
    max_size=6,
)


def _play(game: GameSession, turn: dict[str, Any]) -> dict[str, Any]:
    injects = []
    if turn["inject"]:
        shock = {"kind": "incident_rate", "sectors": "all", "victim": "UKR"}
        shock |= {"rate": {"value": 0.2}, "mode": "add", "start": game.date.isoformat()}
        injects.append({"shock": shock, "note": "drone incursions"})
    game.adjudicate(turn["moves"], injects)
    return game.commit(turn["overrides"])


def _same_world(a: GameSession, b: GameSession) -> None:
    assert a.turn == b.turn and a.day == b.day
    for field in dataclasses.fields(a.state):
        if field.name == "doctrine_states":
            for x, y in zip(a.state.doctrine_states, b.state.doctrine_states, strict=True):
                assert x.keys() == y.keys()
                assert all(np.array_equal(x[k], y[k], equal_nan=True) for k in x)
        else:
            x, y = getattr(a.state, field.name), getattr(b.state, field.name)
            assert np.array_equal(x, y, equal_nan=True), field.name
    assert a.truth() == b.truth()
    assert a.log == b.log
    assert a.msel() == b.msel()


@settings(max_examples=12)
@given(turns=TURNS, cut=st.integers(0, 6))
def test_a_restored_snapshot_and_a_replay_continue_bit_identically(
    scenario: Scenario, seed: int, turns: list[dict[str, Any]], cut: int
) -> None:
    game = GameSession.start(scenario, seed, ["BLR", "UKR"])
    cut = min(cut, len(turns))
    for turn in turns[:cut]:
        _play(game, turn)
    restored = GameSession.restore(game.snapshot())
    _same_world(game, restored)
    for turn in turns[cut:]:
        if game.done:
            break
        assert _play(game, turn) == _play(restored, turn)
    _same_world(game, restored)
    _same_world(game, GameSession.replay(scenario, seed, game.log))


def test_a_snapshot_keeps_an_adjudicated_turn(game: GameSession) -> None:
    game.adjudicate({"BLR": {"posture": {"ground": 1.0}}})
    restored = GameSession.restore(game.snapshot())
    assert restored.pending
    assert restored.commit() == game.commit()


def test_a_replay_of_another_seed_or_an_edited_log_is_refused(
    scenario: Scenario, game: GameSession
) -> None:
    game.adjudicate({"BLR": {"posture": {"ground": 1.0}}})
    game.commit()
    game.adjudicate({})
    game.commit()
    with pytest.raises(GameError, match=r"^log\[0\]\.seed: expected 12345"):
        GameSession.replay(scenario, 12345, game.log)
    log = game.log
    log[2]["outcome"]["dyads"]["BLR-UKR"]["rung"] = "war"
    with pytest.raises(GameError, match=r"^log\[2\]\.outcome: expected"):
        GameSession.replay(scenario, game.seed, log)
    log[0]["seed"] = 12345
    with pytest.raises(GameError, match=r"^log\[0\]\.seed: expected 11"):
        GameSession.replay(scenario, game.seed, log)


def test_bytes_that_are_not_a_snapshot_are_a_located_error() -> None:
    with pytest.raises(GameError, match="^snapshot: expected bytes written by"):
        GameSession.restore(b"not a snapshot")


def test_an_archive_that_is_not_a_game_is_a_located_error() -> None:
    buffer = io.BytesIO()
    header = np.frombuffer(json.dumps({"format": 1}).encode(), dtype=np.uint8)
    np.savez(buffer, **{"header.json": header})
    with pytest.raises(GameError, match="^snapshot: expected a header with added, day"):
        GameSession.restore(buffer.getvalue())
    buffer = io.BytesIO()
    np.savez(buffer, x=np.zeros(2))
    with pytest.raises(GameError, match="^snapshot: expected bytes written by"):
        GameSession.restore(buffer.getvalue())
