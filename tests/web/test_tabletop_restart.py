"""A server killed mid-game (SIGKILL) and started again on its database goes on where it was,
and the game ends as the same game played without the crash."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tabletop import Game, Server, bearer

from dualtrack.experiments.game import GameSession
from dualtrack.scenario.loading import load_scenario
from dualtrack.web.plain import plain

SEED = 11
MOVES = [
    {"BLR": {"posture": {"ground": 0.3}, "talks": "propose"}, "UKR": {"talks": "accept"}},
    {"BLR": {"unilateral_step": 0.5}, "UKR": {"posture": {"ground": 0.6}}},
    {"UKR": {"channel": "open"}},
]


def create(url: str) -> Game:
    cells = [{"name": "BLR", "actor": "BLR"}, {"name": "UKR", "actor": "UKR"}]
    data = httpx.post(
        f"{url}/api/games", json={"scenario": "belarus-ukraine-2024", "seed": SEED, "cells": cells}
    ).json()
    return Game(
        data["game_id"],
        bearer(data["facilitator_token"]),
        {c["name"]: bearer(c["token"]) for c in data["cells"]},
        data,
    )


def submit(url: str, game: Game, moves: dict[str, Any]) -> None:
    for cell, move in moves.items():
        answer = httpx.post(
            f"{url}/api/games/{game.id}/cells/{cell}/moves", json=move, headers=game.cells[cell]
        )
        assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_killed_server_resumes_the_game(
    backend: str, tmp_path: Path, server_factory: Callable[..., Server], request: Any
) -> None:
    if backend == "sqlite":
        db = f"sqlite:///{tmp_path / 'tabletop.sqlite'}"
    else:
        db = request.getfixturevalue("empty_postgres")
    server = server_factory(db)
    url = server.url
    game = create(url)
    submit(url, game, MOVES[0])
    httpx.post(f"{url}/api/games/{game.id}/adjudication", headers=game.facilitator)
    httpx.post(f"{url}/api/games/{game.id}/decision", json={}, headers=game.facilitator)
    submit(url, game, MOVES[1])  # turn 2: moves in, proposal shown, no decision yet
    proposal = httpx.post(
        f"{url}/api/games/{game.id}/adjudication", headers=game.facilitator
    ).json()
    before = httpx.get(f"{url}/api/games/{game.id}", headers=game.facilitator).json()
    view = httpx.get(f"{url}/api/games/{game.id}/cells/UKR", headers=game.cells["UKR"]).json()

    server.kill()
    port = url.rsplit(":", 1)[1]
    url = server_factory(db, int(port)).url

    assert httpx.get(f"{url}/api/games/{game.id}", headers=game.facilitator).json() == before
    assert (
        httpx.get(f"{url}/api/games/{game.id}/cells/UKR", headers=game.cells["UKR"]).json() == view
    )
    decided = httpx.post(
        f"{url}/api/games/{game.id}/decision", json={}, headers=game.facilitator
    ).json()
    assert decided["outcome"] == proposal["proposal"]
    submit(url, game, MOVES[2])
    httpx.post(f"{url}/api/games/{game.id}/adjudication", headers=game.facilitator)
    httpx.post(f"{url}/api/games/{game.id}/decision", json={}, headers=game.facilitator)
    after = httpx.get(f"{url}/api/games/{game.id}", headers=game.facilitator).json()
    assert after["game"]["turn"] == 3

    uninterrupted = GameSession.start(load_scenario("belarus-ukraine-2024"), SEED, ["BLR", "UKR"])
    for moves in MOVES:
        uninterrupted.adjudicate(moves)
        uninterrupted.commit()
    assert after["truth"] == plain(uninterrupted.truth())
