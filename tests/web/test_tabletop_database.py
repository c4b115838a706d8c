"""The schema: the shipped migrations build exactly the models; URLs; the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from tabletop import free_port

from dualtrack.web.database import DatabaseUrlError, connect, database_url, default_url, migrate
from dualtrack.web.models import Base


def test_the_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    engine = connect(database_url(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    migrate(engine)
    migrate(engine)  # at head: nothing to do
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert {"games", "cells", "moves", "injects", "adjudications", "snapshots"} <= tables
    assert "alembic_version" in tables


def test_the_default_database_is_a_file_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUALTRACK_DATA", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path / 'tabletop.sqlite'}"
    assert database_url(None).database == str(tmp_path / "tabletop.sqlite")


def test_postgresql_urls_use_psycopg_and_other_backends_are_refused() -> None:
    assert database_url("postgresql://me@host/db").drivername == "postgresql+psycopg"
    assert database_url("postgres://me@host/db").drivername == "postgresql+psycopg"
    with pytest.raises(DatabaseUrlError, match="expected a SQLite or PostgreSQL URL"):
        database_url("mysql://me@host/db")
    with pytest.raises(DatabaseUrlError, match="expected a database URL"):
        database_url("not a url")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    return subprocess.run(
        [sys.executable, "-m", "dualtrack.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_serve_says_what_is_wrong_with_its_options(tmp_path: Path) -> None:
    done = run_cli("serve", "--db", "mysql://x@y/z", "--port", str(free_port()))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--db: expected a SQLite or PostgreSQL URL" in done.stderr
    blocked = tmp_path / "file"
    blocked.write_text("")
    done = run_cli("serve", "--db", f"sqlite:///{blocked}/db.sqlite", "--port", str(free_port()))
    assert done.returncode == 2 and "--db: cannot open sqlite:///" in done.stderr


def test_serve_refuses_a_port_in_use() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli("serve", "--port", str(port), "--db", "sqlite://")
    assert done.returncode == 2
    assert f"--host/--port: cannot listen on 127.0.0.1:{port}" in done.stderr


def test_the_command_line_loads_no_web_library_until_serve_runs() -> None:
    probe = (
        "import sys, dualtrack.cli; "
        "print([m for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'starlette') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert "serve" in run_cli("--help").stdout


def test_serve_listens_on_this_machine_only_by_default() -> None:
    import inspect

    from dualtrack.cli.serve import serve

    defaults = {name: p.default for name, p in inspect.signature(serve).parameters.items()}
    assert defaults["host"] == "127.0.0.1" and defaults["port"] == 8000 and defaults["db"] is None
