"""The app on PostgreSQL: the same migrations, a game played, a restarted app going on.

Runs when DUALTRACK_TEST_POSTGRES names a database the tests may empty (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/dualtrack_test``; .ci/run starts one); skipped
otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from tabletop import POSTGRES, client_of, make_game

from dualtrack.web.app import create_app
from dualtrack.web.database import connect, database_url
from dualtrack.web.models import Base

pytestmark = pytest.mark.skipif(not POSTGRES, reason="DUALTRACK_TEST_POSTGRES is not set")


def test_the_migrations_build_exactly_the_models_on_postgresql(empty_postgres: str) -> None:
    create_app(database_url(empty_postgres))
    engine = connect(database_url(empty_postgres))
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_a_game_goes_on_in_a_restarted_app_on_postgresql(empty_postgres: str) -> None:
    def app() -> Any:
        return create_app(database_url(empty_postgres))

    with client_of(app()) as client:
        game = make_game(client)
        base = f"/api/games/{game.id}"
        move = {"posture": {"ground": 0.2}, "talks": "propose"}
        assert (
            client.post(f"{base}/cells/BLR/moves", json=move, headers=game.cells["BLR"]).status_code
            == 201
        )
        client.post(f"{base}/adjudication", headers=game.facilitator)
        override = {"field": "agreement", "target": "BLR-UKR", "value": True, "reason": "signed"}
        decided = client.post(
            f"{base}/decision", json={"overrides": [override]}, headers=game.facilitator
        )
        assert decided.status_code == 200, decided.text
        before = client.get(base, headers=game.facilitator).json()
    with client_of(app()) as client:
        assert client.get(base, headers=game.facilitator).json() == before
        assert before["truth"]["dyads"]["BLR-UKR"]["agreement"]["in_force"] is True
        review = client.get(f"{base}/review", headers=game.cells["obs"]).json()
        assert review["turns"][0]["overrides"] == [override]
