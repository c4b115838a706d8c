"""Core commands: list scenarios and doctrines, validate a scenario, run a study."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from dualtrack.analysis.outcomes import OUTCOMES, summary_table
from dualtrack.cli.app import app, console, fail
from dualtrack.doctrines import BUILTIN_DOCTRINES, REGISTRY
from dualtrack.experiments.store import manifest, write_outputs
from dualtrack.experiments.study import plan_study, run_study
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


def _format(row: pd.Series) -> str:
    digits = 3 if row["unit"] == "1" else 1
    return f"{row['estimate']:.{digits}f} [{row['low']:.{digits}f}, {row['high']:.{digits}f}]"


def print_summary(summary: pd.DataFrame, title: str) -> None:
    """Outcome x doctrine table: estimate and 95% interval in each cell."""
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    doctrines_run = list(dict.fromkeys(summary["doctrine"]))
    for name in doctrines_run:
        table.add_column(name, justify="right")
    cells = summary.set_index(["outcome", "doctrine"])
    for outcome in OUTCOMES:
        unit = "" if outcome.unit == "1" else f" ({outcome.unit})"
        table.add_row(
            escape(f"{outcome.label}{unit}"),
            *(_format(cells.loc[(outcome.name, name)]) for name in doctrines_run),
        )
    console.print(table)


@app.command()
def run(
    scenario: Annotated[
        str, typer.Argument(help="Built-in scenario id or scenario YAML file.")
    ] = DEFAULT_SCENARIO,
    doctrine: Annotated[
        list[str] | None,
        typer.Option("--doctrine", "-d", help="Doctrine(s) for the actor; default: all built-in."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(help="Actor whose doctrine varies; default: the scenario's subject."),
    ] = None,
    replicates: Annotated[
        int | None, typer.Option("--replicates", "-n", min=1, help="Replicates per doctrine.")
    ] = None,
    days: Annotated[int | None, typer.Option(min=1, help="Horizon in days.")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Random seed.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder; default: results/<scenario id>.")
    ] = None,
    record: Annotated[
        str, typer.Option(help="What to keep: auto, full, mean or summary.")
    ] = "auto",
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes; default: the number of cores.")
    ] = max(1, os.cpu_count() or 1),
) -> None:
    """Run a scenario under one or more doctrines and write results to a folder."""
    chosen = list(doctrine) if doctrine else list(BUILTIN_DOCTRINES)
    unknown = [d for d in chosen if d not in REGISTRY]
    if unknown:
        raise fail(
            f"unknown doctrine {unknown[0]!r}; known doctrines are {', '.join(sorted(REGISTRY))}"
        )
    if record not in ("auto", "full", "mean", "summary"):
        raise fail(f"--record: expected auto, full, mean or summary, found {record!r}")
    try:
        study = plan_study(
            scenario,
            chosen,
            actor=actor,
            replicates=replicates,
            seed=seed,
            days=days,
            record=record,
        )
    except ScenarioError as error:
        raise fail(str(error)) from None
    except ValueError as error:
        raise fail(str(error)) from None
    resolved = study.scenario
    plan = next(iter(study.plans.values()))
    out_dir = out or Path("results") / resolved.id
    console.print(
        f"[bold]{resolved.name}[/] - {len(chosen)} doctrine(s) for {study.actor}, "
        f"{plan.replicates} replicates x {plan.compiled.n_steps} steps, seed {plan.seed}, "
        f"record={study.record}, workers={workers}",
        highlight=False,
    )
    started = time.perf_counter()
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("replicate-steps"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=not console.is_terminal,
        disable=not console.is_terminal and not os.environ.get("DUALTRACK_PROGRESS"),
    ) as bar:
        task = bar.add_task("simulating", total=study.replicate_steps)
        results = run_study(study, workers, lambda n: bar.advance(task, n))
    elapsed = time.perf_counter() - started
    summary = summary_table(results)
    settings = {
        "doctrines": chosen,
        "actor": study.actor,
        "replicates": plan.replicates,
        "days": resolved.settings.horizon_days,
        "step_days": resolved.settings.step_days,
        "record": study.record,
        "workers": workers,
        "elapsed_s": round(elapsed, 3),
    }
    command = ["dualtrack", "run", scenario]
    command += [arg for name in chosen for arg in ("--doctrine", name)]
    command += ["--actor", study.actor, "--replicates", str(plan.replicates)]
    command += ["--days", str(resolved.settings.horizon_days), "--seed", str(plan.seed)]
    command += ["--record", study.record, "--out", str(out_dir)]
    provenance = manifest(resolved, settings, command)
    written = write_outputs(out_dir, resolved, results, summary, provenance)
    print_summary(
        summary,
        f"{resolved.id}: outcomes for dyad {plan.compiled.dyad_ids[plan.compiled.focus_dyad]} "
        f"(95% intervals; {plan.replicates} replicates)",
    )
    rate = study.replicate_steps / elapsed if elapsed > 0 else float("inf")
    console.print(
        f"{study.replicate_steps:,} replicate-steps in {elapsed:.1f} s "
        f"({rate:,.0f}/s); wrote {', '.join(str(p) for p in written)}",
        highlight=False,
    )
