"""Helpers of the web app's tests: games made through the API, `dualtrack serve` in a child
process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POSTGRES = os.environ.get("DUALTRACK_TEST_POSTGRES")
"""A PostgreSQL database the tests may empty (e.g. postgresql+psycopg://postgres@HOST/DB)."""
SCENARIO = "belarus-ukraine-2024"
PLAYERS = ({"name": "BLR", "actor": "BLR"}, {"name": "UKR", "actor": "UKR"}, {"name": "obs"})


@dataclass(frozen=True)
class Game:
    """A game made through the API, with the Authorization headers of each role."""

    id: str
    facilitator: dict[str, str]
    cells: dict[str, dict[str, str]]
    created: dict[str, Any]


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def make_game(client: Any, seed: int = 1, cells: Any = PLAYERS, **extra: Any) -> Game:
    """A new game of the built-in scenario (or ``extra``'s) with BLR, UKR and an observer."""
    body = {"scenario": SCENARIO, "seed": seed, "cells": list(cells), **extra}
    if "scenario_yaml" in extra:
        del body["scenario"]
    answer = client.post("/api/games", json=body)
    assert answer.status_code == 201, answer.text
    data = answer.json()
    return Game(
        data["game_id"],
        bearer(data["facilitator_token"]),
        {cell["name"]: bearer(cell["token"]) for cell in data["cells"]},
        data,
    )


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A `dualtrack serve` child process."""

    process: subprocess.Popen[str]
    url: str

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, as in a crash."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(db: str, port: int | None = None, env: dict[str, str] | None = None) -> Server:
    """`dualtrack serve` on a free port and ``db``, once it answers."""
    import httpx

    port = port or free_port()
    src = str(Path(__file__).resolve().parents[2] / "src")
    environment = {**os.environ, "PYTHONPATH": src, **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "dualtrack.cli", "serve", "--port", str(port), "--db", db],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the server exited with {process.returncode}: {output}")
        try:
            if httpx.get(f"{url}/api/scenarios", timeout=2).status_code == 200:
                return Server(process, url)
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not answer within 60 s")


def client_of(app: Any) -> Any:
    """A client of the app that never raises the app's errors (it sees what a browser sees)."""
    from fastapi.testclient import TestClient

    return TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False)
