"""The tabletop database: where it lives, how to connect, and its migrations.

SQLite by default, in ``tabletop.sqlite`` under the data folder (``$DUALTRACK_DATA``, else
``$XDG_DATA_HOME/dualtrack``, else ``~/.local/share/dualtrack``); PostgreSQL with a
``postgresql://`` URL (driven by psycopg 3). The schema is the Alembic migrations shipped in
this package, applied (``upgrade head``) every time the app starts.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

DB_FILE = "tabletop.sqlite"
URL_EXAMPLES = "sqlite:///PATH or postgresql://USER@HOST/DB"


class DatabaseUrlError(ValueError):
    """A ``--db`` value that is not a usable database URL."""


def data_dir() -> Path:
    """The folder of the default database."""
    if os.environ.get("DUALTRACK_DATA"):
        return Path(os.environ["DUALTRACK_DATA"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "dualtrack"


def default_url() -> str:
    """The SQLite file under :func:`data_dir`."""
    return f"sqlite:///{data_dir() / DB_FILE}"


def database_url(text: str | None) -> URL:
    """The SQLAlchemy URL for a ``--db`` value (None: the default SQLite file).

    ``postgresql://`` and ``postgres://`` select psycopg 3; SQLite and PostgreSQL are the
    supported back ends."""
    try:
        url = make_url(text or default_url())
    except ArgumentError:
        raise DatabaseUrlError(
            f"expected a database URL ({URL_EXAMPLES}), found {text!r}"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgres" or url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise DatabaseUrlError(
            f"expected a SQLite or PostgreSQL URL ({URL_EXAMPLES}), found {url.drivername!r}"
        )
    return url


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # durable commits; readers don't block the writer
    cursor.close()


def connect(url: URL) -> Engine:
    """An engine for the URL; a SQLite file's folder is created."""
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (``alembic upgrade head``)."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("dualtrack.web").joinpath("migrations"))
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory of the app (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)
