"""Moves change the world the way the model says they should."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from dualtrack.experiments.game import GameSession
from dualtrack.scenario.schema import Scenario

ALL = ["ground", "special_forces", "air_defence", "long_range_strike", "drones"]


def _after(scenario: Scenario, seed: int, move: dict[str, Any], turns: int = 3) -> GameSession:
    game = GameSession.start(scenario, seed, ["BLR"])
    for _ in range(turns):
        game.adjudicate({"BLR": move})
        game.commit()
    return game


def test_a_full_posture_raises_the_adversarys_perceived_threat(
    scenario: Scenario, seed: int
) -> None:
    low = _after(scenario, seed, {"posture": dict.fromkeys(ALL, 0.0)})
    high = _after(scenario, seed, {"posture": dict.fromkeys(ALL, 1.0)})
    assert high.view("UKR")["threat"] > low.view("UKR")["threat"]
    assert (
        high.view("UKR")["perceived_strength"]["BLR"] > low.view("UKR")["perceived_strength"]["BLR"]
    )
    assert high.view("BLR")["own_cost"] > low.view("BLR")["own_cost"]
    # forces move toward the target at the deployment rate, never past capacity
    ground = high.truth()["actors"]["BLR"]["forces"]["ground"]
    assert 3.0 < ground <= 20.0


def test_a_unilateral_step_lowers_the_posture_it_is_taken_from(
    scenario: Scenario, seed: int
) -> None:
    full = _after(scenario, seed, {"posture": {"ground": 1.0}})
    halved = _after(scenario, seed, {"posture": {"ground": 1.0}, "unilateral_step": 0.5})
    f = full.truth()["actors"]["BLR"]["forces"]["ground"]
    h = halved.truth()["actors"]["BLR"]["forces"]["ground"]
    assert 3.0 < h < f


def test_refused_talks_make_no_agreement(scenario: Scenario, seed: int) -> None:
    game = GameSession.start(scenario, seed, ["BLR"])
    forecast = game.forecast("BLR", [{"talks": "refuse"}, {"talks": "propose"}], replicates=100)
    refused, proposed = (c["p_agreement"]["estimate"] for c in forecast["candidates"])
    assert refused == 0.0 < proposed


def test_closing_every_channel_removes_the_capacity_to_negotiate(game: GameSession) -> None:
    game.adjudicate({"BLR": {"channel": "close"}})
    game.commit()
    capacity = game.view("UKR")["dyads"]["BLR-UKR"]["channel_capacity"]
    assert capacity == {"negotiation": 0.0, "information": 0.0, "crisis": 0.0}
    game.adjudicate({"UKR": {"channel": "open", "channel_type": "hotline"}})
    game.commit()
    assert game.view("BLR")["dyads"]["BLR-UKR"]["channel_capacity"]["crisis"] > 0.0


def test_an_invited_inspection_sharpens_the_adversarys_picture(
    short: Callable[..., Scenario], seed: int
) -> None:
    scenario = short(days=84, inspection=0.5)

    def error(move: dict[str, Any]) -> float:
        game = _after(scenario, seed, move, turns=12)
        true = game.truth()["actors"]["BLR"]["forces"]
        seen = game.truth()["pairs"]["UKR->BLR"]["perceived"]
        return sum(abs(np.log(seen[k] / true[k])) for k in true if true[k] > 0.5)

    # talks refused: no agreement brings inspections of its own
    assert error({"inspection": "invite", "talks": "refuse"}) < error({"talks": "refuse"})


def test_an_override_sets_the_outcome_and_records_its_reason(game: GameSession) -> None:
    game.adjudicate({})
    outcome = game.commit(
        [
            {"field": "escalation", "target": "BLR-UKR", "value": "armed incident", "reason": "A"},
            {"field": "agreement", "target": "BLR-UKR", "value": True, "reason": "B"},
            {"field": "incident", "target": "polesie-east", "value": 2, "reason": "C"},
        ]
    )
    dyad = outcome["dyads"]["BLR-UKR"]
    assert dyad["rung"] == "armed incident" and dyad["agreement_in_force"]
    assert outcome["sectors"]["polesie-east"]["incidents"] == 2
    truth = game.truth()
    assert truth["dyads"]["BLR-UKR"]["max_rung"] == "armed incident"
    assert truth["sectors"]["polesie-east"]["incidents_last_turn"] == 2
    assert [o["reason"] for o in game.log[-1]["overrides"]] == ["A", "B", "C"]
    game.adjudicate({})
    ended = game.commit(
        [{"field": "agreement", "target": "BLR-UKR", "value": False, "reason": "D"}]
    )
    assert not ended["dyads"]["BLR-UKR"]["agreement_in_force"]


@pytest.mark.parametrize("value", [0, 1, 5])
def test_an_incident_override_moves_the_memory_of_incidents(game: GameSession, value: int) -> None:
    game.adjudicate({})
    other = GameSession.restore(game.snapshot())
    game.commit()
    other.commit([{"field": "incident", "target": "brest-volyn", "value": value, "reason": "x"}])
    seen = game.last_turn["incidents"][0]
    change = np.sign(
        other.truth()["pairs"]["UKR->BLR"]["memory"] - game.truth()["pairs"]["UKR->BLR"]["memory"]
    )
    assert change == np.sign(value - seen)
