"""Core commands: list scenarios and doctrines, validate a scenario."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dualtrack.cli.app import JsonOpt, app, console, emit_json, say, warn


@app.command()
def scenarios(as_json: JsonOpt = False) -> None:
    """List the built-in scenarios."""
    from dualtrack.scenario.loading import builtin_scenarios

    found = builtin_scenarios()
    if as_json:
        emit_json({"scenarios": [{"id": k, "description": v} for k, v in found.items()]})
        return
    table = Table("scenario", "description", box=None)
    for name, description in found.items():
        table.add_row(name, description)
    console.print(table)


@app.command()
def doctrines(as_json: JsonOpt = False) -> None:
    """List the registered doctrines with their sources."""
    from dualtrack.doctrines import REGISTRY

    rows = [
        (name, sorted(cls.classifier["tracks"]), cls.source)
        for name, cls in sorted(REGISTRY.items())
    ]
    if as_json:
        keys = ("doctrine", "tracks", "source")
        emit_json({"doctrines": [dict(zip(keys, row, strict=True)) for row in rows]})
        return
    table = Table("doctrine", "tracks", "source", box=None)
    for name, tracks, source in rows:
        table.add_row(name, ", ".join(tracks), source)
    console.print(table)


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="Scenario YAML file or built-in scenario id.")],
) -> None:
    """Check a scenario and say exactly what is wrong with it."""
    from dualtrack.scenario.loading import load_scenario, scenario_hash
    from dualtrack.scenario.warnings import scenario_warnings

    scenario = load_scenario(file)
    for warning in scenario_warnings(scenario):
        warn(str(warning))
    say(
        f"[green]ok[/]: {file} is a valid scenario '{scenario.id}' "
        f"({len(scenario.actors)} actors, {len(scenario.dyads)} dyads, "
        f"{len(scenario.sectors)} sectors, {len(scenario.shocks)} shocks; "
        f"hash {scenario_hash(scenario)})"
    )
