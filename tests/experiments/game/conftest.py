"""Fixtures for game sessions: the built-in scenario cut to a few weeks, and a started game."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dualtrack.experiments.game import GameSession
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.schema import Scenario

SEED = 11


@pytest.fixture(scope="session")
def seed() -> int:
    """The seed of the test games."""
    return SEED


@pytest.fixture(scope="session")
def short() -> Callable[..., Scenario]:
    """:func:`short_scenario`, for tests that need another horizon or an inspection regime."""
    return short_scenario


def short_scenario(days: int = 42, inspection: float | None = None) -> Scenario:
    """The built-in 2024 scenario over ``days`` days (optionally with an inspection regime)."""
    scenario = load_scenario("belarus-ukraine-2024")
    settings = scenario.settings.model_copy(update={"horizon_days": days})
    scenario = scenario.model_copy(update={"settings": settings})
    if inspection is not None:
        data = scenario.model_dump(mode="json")
        for dyad in data["dyads"]:
            dyad["verification"]["inspection_transparency"]["value"] = inspection
        scenario = load_scenario(data)
    return scenario


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return short_scenario()


@pytest.fixture
def game(scenario: Scenario) -> GameSession:
    return GameSession.start(scenario, SEED, ["BLR", "UKR"])
