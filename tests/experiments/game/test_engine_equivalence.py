"""A game whose actors follow their doctrines is the engine's run at replicates=1, bit for bit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dualtrack.engine.run import simulate
from dualtrack.experiments.game import GameSession
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.schema import Scenario


@pytest.mark.parametrize("players", [[], ["BLR", "UKR"], ["RUS"]])
def test_a_game_without_moves_is_the_engines_run(
    scenario: Scenario, players: list[str], seed: int
) -> None:
    run = simulate(scenario, replicates=1, seed=seed, record="full").isel(replicate=0)
    game = GameSession.start(scenario, seed, players)
    while not game.done:
        game.adjudicate({})
        game.commit()
        at = run.sel(time=float(game.day))
        state = game.state
        assert np.array_equal(state.forces[0].astype(np.float32), at.forces.values)
        assert np.array_equal(state.threat[0].astype(np.float32), at.perceived_threat.values)
        assert np.array_equal(state.rung[0], at.escalation.values)
        assert np.array_equal(state.active[0], at.agreement_in_force.values)
    assert game.day == scenario.settings.horizon_days
    for name in ("cost", "days_elevated", "max_rung", "agreements", "opportunist"):
        value = getattr(state, "types" if name == "opportunist" else name)[0]
        assert np.array_equal(value, run[name].values), name


def test_a_turn_shorter_than_a_week_steps_the_same_world(scenario: Scenario, seed: int) -> None:
    weekly = GameSession.start(scenario, seed, ["BLR"])
    daily = GameSession.start(scenario, seed, ["BLR"], turn_days=1)
    for _ in range(7):
        daily.adjudicate({})
        daily.commit()
    weekly.adjudicate({})
    weekly.commit()
    assert daily.day == weekly.day == 7
    for name in ("forces", "perceived", "log_odds", "rung", "memory", "cost", "types"):
        assert np.array_equal(getattr(daily.state, name), getattr(weekly.state, name)), name


def test_a_european_game_is_the_engines_run_and_strict_json(seed: int) -> None:
    europe = load_scenario("europe")
    europe = europe.model_copy(
        update={"settings": europe.settings.model_copy(update={"horizon_days": 14})}
    )
    game = GameSession.start(europe, seed, ["POL", "BLR"])
    while not game.done:
        game.adjudicate({})
        game.commit()
        for cell in ("POL", "BLR", "NATO"):
            json.dumps(game.view(cell), allow_nan=False)
        json.dumps([game.truth(), game.msel(), game.log], allow_nan=False)
    run = simulate(europe, replicates=1, seed=seed, record="summary").isel(replicate=0)
    for name in ("forces", "cost", "max_rung", "agreements"):
        assert np.array_equal(
            np.asarray(getattr(game.state, name)[0], run[name].dtype), run[name].values
        )
