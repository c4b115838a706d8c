"""A game whose actors follow their doctrines is the engine's run at replicates=1, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from dualtrack.engine.run import simulate
from dualtrack.experiments.game import GameSession
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
