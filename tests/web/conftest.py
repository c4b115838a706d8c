"""Shared fixtures of the web app's tests: an app on a fresh SQLite file, games made through
the API, a uvicorn server run by `dualtrack serve` in a child process.

The web extra is part of the test extra, so CI has it; elsewhere its absence skips these tests
(under CI=true it fails them).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tabletop import POSTGRES, Game, Server, client_of, make_game, start_server


def _missing() -> list[str]:
    found = []
    for module in ("fastapi", "sqlalchemy", "alembic", "uvicorn", "httpx"):
        try:
            __import__(module)
        except ImportError:
            found.append(module)
    return found


MISSING = _missing()
if MISSING and os.environ.get("CI") == "true":
    raise ImportError(f"{', '.join(MISSING)} missing; CI installs them with the test extra")
collect_ignore_glob = ["test_*.py"] if MISSING else []
"""Without the web extra (and outside CI) these tests are not collected."""


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'tabletop.sqlite'}"


@pytest.fixture
def app(db_url: str) -> Any:
    """The app on a fresh database."""
    from dualtrack.web.app import create_app
    from dualtrack.web.database import database_url

    return create_app(database_url(db_url))


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    """A client of the app (see :func:`client_of`)."""
    with client_of(app) as c:
        yield c


@pytest.fixture
def game(client: Any) -> Game:
    """A new game: BLR and UKR played, one observer cell."""
    return make_game(client)


@pytest.fixture
def server_factory() -> Iterator[Callable[..., Server]]:
    """Starts servers; every one is stopped at the end of the test."""
    started: list[Server] = []

    def start(db: str, port: int | None = None) -> Server:
        server = start_server(db, port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """The PostgreSQL test database (DUALTRACK_TEST_POSTGRES) with no table in it."""
    if not POSTGRES:
        pytest.skip("DUALTRACK_TEST_POSTGRES is not set")
    from sqlalchemy import text

    from dualtrack.web.database import connect, database_url
    from dualtrack.web.models import Base

    engine = connect(database_url(POSTGRES))
    with engine.begin() as db:
        Base.metadata.drop_all(db)
        db.execute(text("DROP TABLE IF EXISTS alembic_version"))
    yield POSTGRES
    engine.dispose()
