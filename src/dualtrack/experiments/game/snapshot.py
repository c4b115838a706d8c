"""A game's snapshot as bytes: an ``.npz`` archive (no pickle) of a JSON header and arrays.

The header (``header.json``, UTF-8 bytes) holds the scenario, the seed, the players, the
shocks added, the standing inspections, the log, the random streams' bit-generator states
and any adjudicated turn not yet committed; the arrays are the engine state's fields
(``state.NAME``), each doctrine's memory (``doctrine.I.KEY``, I the actor's position) and
the last turn's record (``last.NAME``). Loading never unpickles (``allow_pickle=False``).
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dualtrack.engine.state import State
from dualtrack.experiments.game.moves import GameError

FORMAT = 1
"""Version of the snapshot layout."""

HEADER = "header.json"
KEYS = frozenset(
    {"scenario", "seed", "players", "turn_days", "turn", "step", "added", "inspections"}
    | {"log", "streams", "pending", "day"}
)
"""What the header holds."""


def pack(header: dict[str, Any], state: State, record: dict[str, NDArray[Any]]) -> bytes:
    """The snapshot's bytes."""
    arrays: dict[str, NDArray[Any]] = {
        HEADER: np.frombuffer(
            json.dumps({**header, "format": FORMAT, "day": state.day}).encode(), dtype=np.uint8
        )
    }
    for field in dataclasses.fields(state):
        if field.name not in ("day", "doctrine_states"):
            arrays[f"state.{field.name}"] = np.asarray(getattr(state, field.name))
    for i, memory in enumerate(state.doctrine_states):
        for key, value in memory.items():
            arrays[f"doctrine.{i}.{key}"] = value
    for key, value in record.items():
        arrays[f"last.{key}"] = value
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def unpack(
    data: bytes,
) -> tuple[dict[str, Any], State, dict[str, NDArray[Any]]]:
    """Header, engine state and last turn's record from a snapshot's bytes."""
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
        arrays = {name: archive[name] for name in archive.files}
        header = json.loads(arrays.pop(HEADER).tobytes().decode())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise GameError("snapshot", "bytes written by GameSession.snapshot", str(error)) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else header
        raise GameError("snapshot.format", f"format {FORMAT}", found)
    missing = sorted(KEYS - header.keys())
    if missing:
        raise GameError("snapshot", f"a header with {', '.join(sorted(KEYS))}", missing)
    fields = {
        name.removeprefix("state."): value
        for name, value in arrays.items()
        if name.startswith("state.")
    }
    count = max(
        (int(name.split(".")[1]) + 1 for name in arrays if name.startswith("doctrine.")),
        default=0,
    )
    memory: list[dict[str, NDArray[Any]]] = [{} for _ in range(count)]
    for name, value in arrays.items():
        if name.startswith("doctrine."):
            _, index, key = name.split(".", 2)
            memory[int(index)][key] = value
    record = {
        name.removeprefix("last."): value
        for name, value in arrays.items()
        if name.startswith("last.")
    }
    state = State(day=float(header["day"]), doctrine_states=memory, **fields)
    return header, state, record
