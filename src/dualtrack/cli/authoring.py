"""The ``new-scenario`` command: write a commented, valid starter scenario to edit."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from dualtrack.cli.app import app, console, fail

STARTER = resources.files("dualtrack.scenario").joinpath("starter.yaml")
"""The starter scenario: two countries, one sector, one channel, one shock, every block
explained by comments."""


@app.command("new-scenario")
def new_scenario(
    file: Annotated[Path, typer.Argument(help="Where to write the scenario (a new file).")],
) -> None:
    """Write a commented starter scenario to FILE; an existing file is never overwritten."""
    try:
        with file.open("x", encoding="utf-8") as out:
            out.write(STARTER.read_text(encoding="utf-8"))
    except FileExistsError:
        kind = "a folder" if file.is_dir() else "a file"
        raise fail(f"{file}: {kind} of that name exists; choose a new file name") from None
    except OSError as error:
        raise fail(f"{file}: cannot write: {error.strerror}") from None
    console.print(
        f"wrote {file}: a starter scenario (two countries, one sector, one channel, one shock). "
        f"Edit it, check it with `dualtrack validate {file}`, run it with "
        f"`dualtrack run {file}`; every key is described in docs/scenario-format.md.",
        highlight=False,
    )
