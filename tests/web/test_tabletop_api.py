"""The JSON API: who may see and do what, a whole turn, errors, persistence across restarts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from tabletop import SCENARIO, Game, bearer, client_of, make_game

from dualtrack.experiments.game import GameSession
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.loading import load_scenario

MOVE = {"posture": {"ground": 0.2}, "talks": "propose"}


def play_turn(client: Any, game: Game, moves: dict[str, Any], overrides: Any = ()) -> Any:
    for cell, move in moves.items():
        answer = client.post(
            f"/api/games/{game.id}/cells/{cell}/moves", json=move, headers=game.cells[cell]
        )
        assert answer.status_code == 201, answer.text
    proposal = client.post(f"/api/games/{game.id}/adjudication", headers=game.facilitator)
    assert proposal.status_code == 200, proposal.text
    decision = client.post(
        f"/api/games/{game.id}/decision",
        json={"overrides": list(overrides), "note": "played"},
        headers=game.facilitator,
    )
    assert decision.status_code == 200, decision.text
    return decision.json()


def test_built_in_scenarios_are_listed_with_their_actors(client: Any) -> None:
    found = {s["id"]: s for s in client.get("/api/scenarios").json()}
    assert found[SCENARIO]["actors"]["BLR"] == "Belarus"


def test_a_new_game_gives_every_cell_its_own_link_and_stores_only_hashes(
    client: Any, game: Game, db_url: str
) -> None:
    tokens = [game.created["facilitator_token"], *(c["token"] for c in game.created["cells"])]
    assert len(set(tokens)) == 4 and all(len(t) >= 43 for t in tokens)
    assert game.created["cells"][0]["link"].startswith(
        f"http://127.0.0.1:8000/games/{game.id}/join?token="
    )
    engine = create_engine(db_url)
    with engine.connect() as db:
        dump = "\n".join(
            str(row)
            for table in ("games", "cells")
            for row in db.execute(text(f"SELECT * FROM {table}"))
        )
    engine.dispose()
    assert not any(token in dump for token in tokens)
    assert all(hashlib.sha256(t.encode()).hexdigest() in dump for t in tokens)


def test_a_cell_sees_only_its_own_actor(client: Any, game: Game) -> None:
    mine = client.get(f"/api/games/{game.id}/cells/BLR", headers=game.cells["BLR"]).json()
    assert mine["actor"] == "BLR" and mine["view"]["actor"] == "BLR"
    assert set(mine["view"]["beliefs"]) <= {"UKR", "NATO", "RUS"}
    assert "type" not in str(mine["view"].keys())  # the types are in the truth only
    assert "ground" in mine["options"]["posture"]
    truth = client.get(f"/api/games/{game.id}", headers=game.facilitator).json()["truth"]
    assert truth["actors"]["UKR"]["type"] in ("opportunist", "security seeker")


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/cells/BLR", "UKR"),
        ("/cells/BLR", "obs"),
        ("/cells/BLR", "none"),
        ("", "BLR"),
        ("", "none"),
        ("/review", "BLR"),
    ],
)
def test_reading_what_the_token_does_not_grant_is_forbidden(
    client: Any, game: Game, path: str, role: str
) -> None:
    headers = bearer("a-guess") if role == "none" else game.cells[role]
    answer = client.get(f"/api/games/{game.id}{path}", headers=headers)
    assert answer.status_code == 403
    assert "token" in answer.json()["detail"]


def test_a_request_without_a_token_is_unauthenticated(client: Any, game: Game) -> None:
    answer = client.get(f"/api/games/{game.id}")
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer TOKEN" in answer.json()["detail"]


def test_a_cell_cannot_move_for_another_nor_act_as_the_white_cell(client: Any, game: Game) -> None:
    base = f"/api/games/{game.id}"
    assert (
        client.post(f"{base}/cells/BLR/moves", json=MOVE, headers=game.cells["UKR"]).status_code
        == 403
    )
    assert (
        client.post(
            f"{base}/cells/BLR/forecast", json={"candidates": [{}]}, headers=game.cells["UKR"]
        ).status_code
        == 403
    )
    assert client.post(f"{base}/adjudication", headers=game.cells["BLR"]).status_code == 403
    assert client.post(f"{base}/decision", json={}, headers=game.cells["BLR"]).status_code == 403
    assert client.post(f"{base}/cells/UKR/token", headers=game.cells["BLR"]).status_code == 403
    assert (
        client.post(f"{base}/cells/BLR/moves", json=MOVE, headers=bearer("forged")).status_code
        == 403
    )
    assert (
        client.post(f"{base}/cells/obs/moves", json=MOVE, headers=game.cells["obs"]).status_code
        == 403
    )
    state = client.get(base, headers=game.facilitator).json()
    assert state["moves"] == {}


def test_a_turn_moves_the_game_on_and_records_the_override_and_its_reason(
    client: Any, game: Game
) -> None:
    override = {
        "field": "escalation",
        "target": "BLR-UKR",
        "value": "crisis",
        "reason": "intelligence says so",
    }
    decided = play_turn(client, game, {"BLR": MOVE, "UKR": {"talks": "accept"}}, [override])
    assert decided["status"] == "overridden"
    assert decided["overrides"] == [override]
    assert decided["outcome"]["dyads"]["BLR-UKR"]["rung"] == "crisis"
    assert decided["moves"]["BLR"] == MOVE
    state = client.get(f"/api/games/{game.id}", headers=game.facilitator).json()
    assert state["game"]["turn"] == 1 and state["game"]["day"] == 7
    assert state["truth"]["dyads"]["BLR-UKR"]["rung"] == "crisis"
    assert state["moves"] == {} and state["adjudication"] is None
    review = client.get(f"/api/games/{game.id}/review", headers=game.cells["obs"]).json()
    (turn,) = review["turns"]
    assert turn["overrides"][0]["reason"] == "intelligence says so"
    assert set(turn["beliefs"]) == {"BLR", "UKR"}
    assert review["log"][-1]["overrides"] == [override]


def test_the_stored_game_replays_to_the_same_truth(client: Any, game: Game) -> None:
    play_turn(client, game, {"BLR": MOVE})
    play_turn(client, game, {"UKR": {"posture": {"ground": 0.4}}})
    review = client.get(f"/api/games/{game.id}/review", headers=game.facilitator).json()
    replayed = GameSession.replay(load_scenario(SCENARIO), 1, review["log"])
    truth = client.get(f"/api/games/{game.id}", headers=game.facilitator).json()["truth"]
    assert replayed.turn == 2
    assert replayed.truth()["dyads"] == truth["dyads"]


def test_a_move_after_the_proposal_makes_it_stale(client: Any, game: Game) -> None:
    base = f"/api/games/{game.id}"
    assert (
        client.post(f"{base}/adjudication", headers=game.facilitator).json()["status"] == "proposed"
    )
    client.post(f"{base}/cells/BLR/moves", json=MOVE, headers=game.cells["BLR"])
    answer = client.post(f"{base}/decision", json={}, headers=game.facilitator)
    assert answer.status_code == 409 and "stale" in answer.json()["detail"]
    assert client.get(base, headers=game.facilitator).json()["adjudication"]["status"] == "stale"


def test_deciding_without_a_proposal_is_a_conflict(client: Any, game: Game) -> None:
    answer = client.post(f"/api/games/{game.id}/decision", json={}, headers=game.facilitator)
    assert answer.status_code == 409 and "adjudicate first" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("move", "message"),
    [
        (
            {"posture": {"ground": 1.5}},
            "move.posture.ground: expected a fraction of capacity from 0 to 1",
        ),
        ({"posture": {"navy": 0.5}}, "move.posture.navy: expected a force category BLR can move"),
        ({"dyad": "BLR-UKR"}, "move.dyad: expected a channel or inspection move it concerns"),
    ],
)
def test_an_invalid_move_gets_a_located_message(
    client: Any, game: Game, move: Any, message: str
) -> None:
    answer = client.post(
        f"/api/games/{game.id}/cells/BLR/moves", json=move, headers=game.cells["BLR"]
    )
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith(message)


def test_an_inject_is_checked_against_the_scenario_and_the_day(client: Any, game: Game) -> None:
    base = f"/api/games/{game.id}/injects"
    shock = {
        "kind": "incident_rate",
        "victim": "UKR",
        "start": "2024-06-03",
        "rate": 0.05,
        "label": "raid",
    }
    assert (
        client.post(
            base, json={"shock": shock, "note": "test"}, headers=game.facilitator
        ).status_code
        == 201
    )
    wrong = {**shock, "victim": "XXX"}
    answer = client.post(base, json={"shock": wrong}, headers=game.facilitator)
    assert answer.status_code == 400 and "unknown actor 'XXX'" in answer.json()["detail"]
    past = {**shock, "start": "2024-05-01"}
    answer = client.post(base, json={"shock": past}, headers=game.facilitator)
    assert answer.status_code == 400 and "a start on or after 2024-06-01" in answer.json()["detail"]
    assert client.post(base, json={"shock": shock}, headers=game.cells["BLR"]).status_code == 403
    assert len(client.get(f"/api/games/{game.id}", headers=game.facilitator).json()["injects"]) == 1


def test_the_forecast_compares_candidates_with_intervals(client: Any, game: Game) -> None:
    body = {"candidates": [{}, {"posture": {"ground": 0.9}}], "weeks": 2, "replicates": 40}
    answer = client.post(
        f"/api/games/{game.id}/cells/BLR/forecast", json=body, headers=game.cells["BLR"]
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["replicates"] == 40 and len(result["candidates"]) == 2
    for candidate in result["candidates"]:
        share = candidate["p_crisis"]
        assert 0.0 <= share["low"] <= share["estimate"] <= share["high"] <= 1.0
    # forecasting changes nothing
    assert client.get(f"/api/games/{game.id}", headers=game.facilitator).json()["game"]["turn"] == 0


def test_a_reissued_token_replaces_the_old_one(client: Any, game: Game) -> None:
    answer = client.post(f"/api/games/{game.id}/cells/UKR/token", headers=game.facilitator).json()
    assert (
        client.get(f"/api/games/{game.id}/cells/UKR", headers=game.cells["UKR"]).status_code == 403
    )
    assert (
        client.get(f"/api/games/{game.id}/cells/UKR", headers=bearer(answer["token"])).status_code
        == 200
    )


def test_an_uploaded_scenario_gets_the_located_errors_of_validate(
    client: Any, tmp_path: Path
) -> None:
    data = yaml.safe_load(load_scenario(SCENARIO).model_dump_json())
    data["actors"][0]["resolve"] = 3.0
    text_ = yaml.safe_dump(data)
    file = tmp_path / "bad.yaml"
    file.write_text(text_)
    with pytest.raises(ScenarioError) as expected:
        load_scenario(file)
    body = {"scenario_yaml": text_, "cells": [{"name": "BLR", "actor": "BLR"}]}
    answer = client.post("/api/games", json=body)
    assert answer.status_code == 400
    problem = str(expected.value).removeprefix(f"{file}: ")
    assert answer.json()["detail"] == f"scenario_yaml: {problem}"


def test_an_uploaded_scenario_is_played(client: Any) -> None:
    text_ = yaml.safe_dump(yaml.safe_load(load_scenario(SCENARIO).model_dump_json()))
    game = make_game(client, cells=[{"name": "kyiv", "actor": "UKR"}], scenario_yaml=text_)
    assert (
        client.get(f"/api/games/{game.id}/cells/kyiv", headers=game.cells["kyiv"]).json()["actor"]
        == "UKR"
    )


@pytest.mark.parametrize(
    "document",
    [
        "!!python/object/apply:os.system ['echo hacked']",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
            for i in range(6)
        ),
        "a: &a [*a]",
    ],
    ids=["object-construction", "billion-laughs", "recursive"],
)
def test_a_hostile_yaml_upload_is_refused_with_a_message(client: Any, document: str) -> None:
    answer = client.post(
        "/api/games", json={"scenario_yaml": document, "cells": [{"name": "x", "actor": "A"}]}
    )
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("scenario_yaml: ")


def test_a_new_game_names_a_scenario_or_carries_one_not_both(client: Any) -> None:
    cells = [{"name": "x", "actor": "BLR"}]
    text = "id: x"
    for body in ({"cells": cells}, {"scenario": SCENARIO, "scenario_yaml": text, "cells": cells}):
        answer = client.post("/api/games", json=body)
        assert answer.status_code == 400
        assert answer.json()["detail"] == (
            "scenario: expected exactly one of scenario or scenario_yaml, found 'both or none'"
        )


def test_cells_must_name_distinct_actors_of_the_scenario(client: Any) -> None:
    for cells, message in [
        ([{"name": "x", "actor": "XX"}], "cells[0].actor: expected one of BLR"),
        (
            [{"name": "a", "actor": "BLR"}, {"name": "b", "actor": "BLR"}],
            "cells[1].actor: expected an actor no other cell plays",
        ),
        (
            [{"name": "a", "actor": "BLR"}, {"name": "a", "actor": "UKR"}],
            "cells[1].name: expected a name no other cell has",
        ),
        ([{"name": "watch"}], "cells: expected at least one cell that plays an actor"),
    ]:
        answer = client.post("/api/games", json={"scenario": SCENARIO, "cells": cells})
        assert answer.status_code == 400, cells
        assert answer.json()["detail"].startswith(message)


def test_a_body_over_the_limit_is_refused(client: Any, game: Game) -> None:
    big = "x" * (3 * 1024 * 1024)
    answer = client.post("/api/games", content=big, headers={"content-type": "application/json"})
    assert answer.status_code == 413

    def chunks() -> Any:  # no Content-Length: counted as it streams
        for _ in range(40):
            yield b"x" * 100_000

    answer = client.post(
        "/api/games", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413


def test_an_internal_error_reaches_the_client_as_a_plain_message(
    client: Any, game: Game, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> Any:
        raise RuntimeError("secret internals")

    client.get(game.created["facilitator_link"])  # the page's cookie
    monkeypatch.setattr(GameSession, "truth", broken)
    for path in (f"/api/games/{game.id}", f"/games/{game.id}/facilitator"):
        answer = client.get(path, headers=game.facilitator)
        assert answer.status_code == 500
        assert answer.text == "internal error"


def test_a_restarted_app_goes_on_where_the_game_was(app: Any, db_url: str) -> None:
    from dualtrack.web.app import create_app
    from dualtrack.web.database import database_url

    with client_of(app) as client:
        game = make_game(client)
        play_turn(client, game, {"BLR": MOVE})
        client.post(
            f"/api/games/{game.id}/cells/UKR/moves",
            json={"talks": "refuse"},
            headers=game.cells["UKR"],
        )
        proposal = client.post(
            f"/api/games/{game.id}/adjudication", headers=game.facilitator
        ).json()
        before = client.get(f"/api/games/{game.id}", headers=game.facilitator).json()
    with client_of(create_app(database_url(db_url))) as client:
        after = client.get(f"/api/games/{game.id}", headers=game.facilitator).json()
        assert after == before
        decided = client.post(
            f"/api/games/{game.id}/decision", json={}, headers=game.facilitator
        ).json()
        assert (
            decided["proposal"] == proposal["proposal"]
            and decided["outcome"] == proposal["proposal"]
        )
        assert (
            client.get(f"/api/games/{game.id}", headers=game.facilitator).json()["game"]["turn"]
            == 2
        )


def test_a_snapshot_that_cannot_be_restored_is_replayed_from_the_log(app: Any, db_url: str) -> None:
    from dualtrack.web.app import create_app
    from dualtrack.web.database import database_url

    with client_of(app) as client:
        game = make_game(client)
        play_turn(client, game, {"BLR": MOVE})
        before = client.get(f"/api/games/{game.id}", headers=game.facilitator).json()
    engine = create_engine(db_url)
    with engine.begin() as db:
        db.execute(text("UPDATE snapshots SET data = :junk"), {"junk": b"not a snapshot"})
    engine.dispose()
    with client_of(create_app(database_url(db_url))) as client:
        assert client.get(f"/api/games/{game.id}", headers=game.facilitator).json() == before


def test_an_unknown_game_is_not_found(client: Any) -> None:
    answer = client.get("/api/games/nope", headers=bearer("x"))
    assert answer.status_code == 404 and answer.json() == {"detail": "no game 'nope'"}


def test_a_scenario_name_is_looked_up_among_the_built_in_ones_only(client: Any) -> None:
    answer = client.post(
        "/api/games", json={"scenario": "/etc/hostname", "cells": [{"name": "x", "actor": "A"}]}
    )
    assert answer.status_code == 400
    assert (
        "not a built-in scenario; expected one of belarus-ukraine-2015" in answer.json()["detail"]
    )


def test_a_game_over_takes_no_more_moves_and_the_review_holds_every_turn(client: Any) -> None:
    data = yaml.safe_load(load_scenario(SCENARIO).model_dump_json())
    data["settings"]["horizon_days"] = 14
    game = make_game(client, scenario_yaml=yaml.safe_dump(data))
    play_turn(client, game, {"BLR": MOVE})
    play_turn(client, game, {})
    state = client.get(f"/api/games/{game.id}", headers=game.facilitator).json()
    assert state["game"]["done"] and state["game"]["day"] == 14
    answer = client.post(
        f"/api/games/{game.id}/cells/BLR/moves", json=MOVE, headers=game.cells["BLR"]
    )
    assert answer.status_code == 409 and "is over" in answer.json()["detail"]
    review = client.get(f"/api/games/{game.id}/review", headers=game.facilitator).json()
    assert [t["turn"] for t in review["turns"]] == [0, 1]
    client.get(game.created["facilitator_link"])
    client.get(game.created["cells"][0]["link"])
    assert "The game is over" in client.get(f"/games/{game.id}/facilitator").text
    assert "The game is over" in client.get(f"/games/{game.id}/cells/BLR").text
