"""Core commands: list scenarios and doctrines, validate a scenario."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dualtrack.cli.app import app, console, fail
from dualtrack.doctrines import REGISTRY
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.loading import builtin_scenarios, load_scenario, scenario_hash

DEFAULT_SCENARIO = "belarus-ukraine-2024"


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    table = Table("scenario", "description", box=None)
    for name, description in builtin_scenarios().items():
        table.add_row(name, description)
    console.print(table)


@app.command()
def doctrines() -> None:
    """List the registered doctrines with their sources."""
    table = Table("doctrine", "tracks", "source", box=None)
    for name, cls in sorted(REGISTRY.items()):
        table.add_row(name, ", ".join(sorted(cls.classifier["tracks"])), cls.source)
    console.print(table)


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="Scenario YAML file or built-in scenario id.")],
) -> None:
    """Check a scenario and say exactly what is wrong with it."""
    try:
        scenario = load_scenario(file)
    except ScenarioError as error:
        raise fail(str(error)) from None
    console.print(
        f"[green]ok[/]: {file} is a valid scenario '{scenario.id}' "
        f"({len(scenario.actors)} actors, {len(scenario.dyads)} dyads, "
        f"{len(scenario.sectors)} sectors, {len(scenario.shocks)} shocks; "
        f"hash {scenario_hash(scenario)})",
        highlight=False,
    )
