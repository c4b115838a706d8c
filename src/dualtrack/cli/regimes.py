"""The ``regimes`` command: which doctrine wins where, over a grid of two parameters."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
import xarray as xr
from rich.markup import escape
from rich.table import Table

from dualtrack.analysis.regimes import (
    DEFAULT_OUTCOMES,
    NO_CLEAR_WINNER,
    RegimeMap,
    analyse_regimes,
    outcomes_named,
)
from dualtrack.cli.app import app, console, fail, progress_bar
from dualtrack.cli.studies import (
    DEFAULT_SCENARIO,
    DEFAULT_WORKERS,
    DaysOpt,
    ReplicatesOpt,
    ScenarioArg,
    SeedOpt,
    WorkersOpt,
)
from dualtrack.experiments.regimes import (
    DEFAULT_DOCTRINES,
    RECORD,
    STUDY,
    GridError,
    RegimeGrid,
    plan_grid,
    run_grid,
)
from dualtrack.experiments.store import manifest, write_outputs
from dualtrack.scenario.errors import ScenarioError

WINNERS_FILE = "regimes.csv"
INTERVALS_FILE = "regime_intervals.csv"
ESTIMATES_FILE = "regime_estimates.csv"


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def _numbers(option: str, text: str | None) -> list[float] | None:
    parts = _split(text)
    if parts is None:
        return None
    try:
        return [float(part) for part in parts]
    except ValueError:
        raise fail(f"{option}: expected comma-separated numbers, found {text!r}") from None


def _print_map(regime_map: RegimeMap) -> None:
    """Per outcome, the grid with the winner in each cell (y from the top, x across)."""
    for outcome in regime_map.outcomes:
        table = Table(
            title=f"lowest {outcome.label}: winner per cell ({int(regime_map.confidence * 100)}% "
            f"paired intervals against every other doctrine; '{NO_CLEAR_WINNER}' lists the "
            "doctrines not distinguishable)",
            title_justify="left",
        )
        table.add_column(f"{regime_map.y_path} \\ {regime_map.x_path}")
        for x in regime_map.x_values:
            table.add_column(f"{x:g}", justify="center")
        for j in reversed(range(len(regime_map.y_values))):
            row = []
            for i in range(len(regime_map.x_values)):
                verdict = regime_map.cell(i, j).verdicts[outcome.name]
                row.append(
                    verdict.winner
                    if verdict.winner is not None
                    else f"({' = '.join(verdict.indistinguishable)})"
                )
            table.add_row(f"{regime_map.y_values[j]:g}", *(escape(text) for text in row))
        console.print(table)
        counts = regime_map.region_counts(outcome.name)
        console.print(
            "cells won: " + ", ".join(f"{name} {count}" for name, count in counts.items()),
            highlight=False,
        )


def _command(scenario: str, grid: RegimeGrid, outcomes: list[str], out: Path | None) -> list[str]:
    command = ["dualtrack", "regimes", scenario, "--actor", grid.actor]
    command += ["--x", grid.x.path, "--x-values", ",".join(f"{v:g}" for v in grid.x.values)]
    command += ["--y", grid.y.path, "--y-values", ",".join(f"{v:g}" for v in grid.y.values)]
    command += ["--doctrines", ",".join(grid.doctrines), "--outcomes", ",".join(outcomes)]
    command += ["--replicates", str(grid.replicates), "--seed", str(grid.seed)]
    command += ["--days", str(grid.scenario.settings.horizon_days)]
    return command + ([] if out is None else ["--out", str(out)])


def save_regimes(
    out_dir: Path,
    grid: RegimeGrid,
    results: xr.Dataset,
    regime_map: RegimeMap,
    command: list[str],
    workers: int,
    elapsed: float,
) -> list[Path]:
    """Write the dataset, tables, manifest and report page into ``out_dir`` (all or none)."""
    tables: dict[str, pd.DataFrame] = {
        WINNERS_FILE: regime_map.winners_table(),
        INTERVALS_FILE: regime_map.intervals_table(),
        ESTIMATES_FILE: regime_map.estimates,
    }
    settings = {
        "study": STUDY,
        "doctrines": list(grid.doctrines),
        "actor": grid.actor,
        "adversary": grid.adversary,
        "x": grid.x.describe(),
        "y": grid.y.describe(),
        "outcomes": [o.name for o in regime_map.outcomes],
        "confidence": regime_map.confidence,
        "replicates": grid.replicates,
        "days": grid.scenario.settings.horizon_days,
        "step_days": grid.scenario.settings.step_days,
        "record": RECORD,
        "workers": workers,
        "elapsed_s": round(elapsed, 3),
    }
    # the store combines per-doctrine datasets along 'doctrine': hand it the grid's slices
    per_doctrine = {name: results.sel(doctrine=name) for name in grid.doctrines}
    return write_outputs(
        out_dir,
        grid.scenario,
        per_doctrine,
        tables,
        manifest(grid.scenario, settings, command),
        finish=_render_report,
    )


def _render_report(staging: Path) -> None:
    from dualtrack.report.regimes import render_regimes_report  # plotting loads lazily

    render_regimes_report(staging)


@app.command()
def regimes(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    actor: Annotated[
        str | None,
        typer.Option(help="Actor whose doctrine varies; default: the scenario's subject."),
    ] = None,
    adversary: Annotated[
        str | None,
        typer.Option(
            help="Adversary whose prior of being an opportunist is the default x axis; "
            "default: the other side of the focus dyad."
        ),
    ] = None,
    x: Annotated[
        str | None,
        typer.Option(
            "--x",
            help="Scenario path of the x axis; default: actors[<adversary>].p_opportunist.",
        ),
    ] = None,
    y: Annotated[
        str | None,
        typer.Option(
            "--y",
            help="Scenario path of the y axis; default: the commitment of the actor's "
            "strongest ally relation, relations[<k>].commitment.",
        ),
    ] = None,
    x_values: Annotated[
        str | None, typer.Option("--x-values", help="Comma-separated values of the x axis.")
    ] = None,
    y_values: Annotated[
        str | None, typer.Option("--y-values", help="Comma-separated values of the y axis.")
    ] = None,
    grid: Annotated[
        int | None,
        typer.Option(
            min=2,
            help="Values per axis, evenly over the parameter's declared range (low to high) "
            "(default 5; an axis with --x-values/--y-values keeps them).",
        ),
    ] = None,
    doctrines: Annotated[
        str | None,
        typer.Option(help=f"Comma-separated doctrines; default {','.join(DEFAULT_DOCTRINES)}."),
    ] = None,
    outcomes: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated outcomes to minimise; default {','.join(DEFAULT_OUTCOMES)}."
        ),
    ] = None,
    confidence: Annotated[
        float, typer.Option(min=0.5, max=0.999, help="Confidence of the paired intervals.")
    ] = 0.95,
    replicates: ReplicatesOpt = None,
    days: DaysOpt = None,
    seed: SeedOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the dataset, tables, manifest and report page here."),
    ] = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print, per cell, the axis values and per outcome the winner and its paired "
            "intervals against the others (JSON), and nothing else.",
        ),
    ] = False,
) -> None:
    """Map where each doctrine minimises P(war) and P(crisis) over two parameters."""
    chosen_outcomes = _split(outcomes) or list(DEFAULT_OUTCOMES)
    try:
        outcomes_named(chosen_outcomes)
    except KeyError as error:
        raise fail(f"--outcomes: {str(error).strip(chr(34))}") from None
    try:
        plan = plan_grid(
            scenario,
            actor=actor,
            adversary=adversary,
            doctrines=_split(doctrines) or list(DEFAULT_DOCTRINES),
            x=x,
            y=y,
            x_values=_numbers("--x-values", x_values),
            y_values=_numbers("--y-values", y_values),
            grid=grid,
            replicates=replicates,
            seed=seed,
            days=days,
        )
    except (GridError, ScenarioError, ValueError) as error:
        raise fail(str(error)) from None
    command = _command(scenario, plan, chosen_outcomes, out)
    if not as_json:
        console.print(
            f"[bold]{escape(plan.scenario.name)}[/] - {len(plan.x.values)} x "
            f"{len(plan.y.values)} cells ({plan.x.path} x {plan.y.path}), "
            f"{len(plan.doctrines)} doctrines for {plan.actor}, {plan.replicates} replicates x "
            f"{plan.scenario.settings.horizon_days} days, seed {plan.seed}, workers={workers}",
            highlight=False,
        )
    started = time.perf_counter()
    if as_json:
        results = run_grid(plan, workers, command=command)
    else:
        with progress_bar() as bar:
            task = bar.add_task("simulating", total=plan.replicate_steps)
            results = run_grid(plan, workers, lambda n: bar.advance(task, n), command)
    elapsed = time.perf_counter() - started
    regime_map = analyse_regimes(results, chosen_outcomes, confidence)
    written = (
        save_regimes(out, plan, results, regime_map, command, workers, elapsed)
        if out is not None
        else []
    )
    if as_json:
        typer.echo(json.dumps(regime_map.to_json(), indent=2))
        return
    _print_map(regime_map)
    rate = plan.replicate_steps / elapsed if elapsed > 0 else float("inf")
    where = f"; wrote {', '.join(p.name for p in written)} to {out}" if written else ""
    console.print(
        f"{plan.replicate_steps:,} replicate-steps in {elapsed:.1f} s ({rate:,.0f}/s){where}",
        highlight=False,
    )
