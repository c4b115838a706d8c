"""The ``regimes`` command: which doctrine wins where, over a grid of two parameters."""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from dualtrack.cli.app import (
    InputError,
    JsonOpt,
    app,
    backend_message,
    console,
    emit_json,
    invocation,
    json_mode,
    progress_bar,
    say,
    stage,
    stopped_by_signals,
    warn,
)
from dualtrack.cli.options import (
    DEFAULT_SCENARIO,
    DEFAULT_WORKERS,
    ActorOpt,
    DaysOpt,
    DoctrinesOpt,
    OverwriteOpt,
    PerPointBackendOpt,
    PosteriorOpt,
    ReplicatesOpt,
    ScenarioArg,
    SeedOpt,
    WorkersOpt,
    backend_args,
    check_doctrines,
    check_per_point_backend,
    check_posterior,
    parse_doctrines,
)
from dualtrack.cli.studies import output_store

if TYPE_CHECKING:
    import xarray as xr

    from dualtrack.analysis.regimes import RegimeMap
    from dualtrack.experiments.regimes import RegimeGrid
    from dualtrack.experiments.store import Store

REGIMES_DIR = "regimes"
"""Default output folder inside ``results/<scenario id>`` (whose report then shows the map)."""
OUTCOMES_HELP = "default: p_war,p_crisis"
"""The default outcomes, as the help states them (a test checks them against the code)."""
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
        raise InputError(f"{option}: expected comma-separated numbers, found {text!r}") from None


def _print_map(regime_map: RegimeMap) -> None:
    """Per outcome, the grid with the winner in each cell (y from the top, x across)."""
    from dualtrack.analysis.regimes import NO_CLEAR_WINNER

    for outcome in regime_map.outcomes:
        table = Table(
            title=f"lowest {outcome.label}: winner per cell ({int(regime_map.confidence * 100)}% "
            f"paired intervals against every other doctrine; '{NO_CLEAR_WINNER}' lists the "
            "doctrines not distinguishable)",
            title_justify="left",
        )
        table.add_column(escape(f"{regime_map.y_path} \\ {regime_map.x_path}"))
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
        say("cells won: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


def _plan(
    scenario: str,
    *,
    actor: str | None,
    adversary: str | None,
    doctrines: list[str] | None,
    x: str | None,
    y: str | None,
    x_values: str | None,
    y_values: str | None,
    grid: int | None,
    replicates: int | None,
    days: int | None,
    seed: int | None,
    workers: int,
    posterior: Path | None = None,
    backend: str | None = None,
) -> tuple[RegimeGrid, list[str]]:
    """Check every input and plan every cell; refuse a grid this machine cannot hold.

    Returns the grid and the warnings about parts of the scenario that cannot have an effect
    (printed here, recorded in the manifest)."""
    from pydantic import ValidationError

    from dualtrack.cli import budget
    from dualtrack.engine.backends import BackendError
    from dualtrack.experiments.regimes import GridError, plan_grid
    from dualtrack.scenario.loading import load_scenario
    from dualtrack.scenario.warnings import scenario_warnings

    if doctrines is not None:
        check_doctrines(doctrines)
    loaded = load_scenario(scenario)
    chosen_posterior = check_posterior(posterior, loaded)
    try:
        planned = plan_grid(
            loaded,
            actor=actor,
            adversary=adversary,
            doctrines=doctrines,
            x=x,
            y=y,
            x_values=_numbers("--x-values", x_values),
            y_values=_numbers("--y-values", y_values),
            grid=grid,
            replicates=replicates,
            seed=seed,
            days=days,
            posterior=chosen_posterior,
            posterior_source=str(posterior) if posterior is not None else "",
            backend=backend,
        )
    except ValidationError:
        raise  # settings overridden by options: the app names the option
    except BackendError as error:
        raise InputError(backend_message(error)) from None
    except (GridError, ValueError) as error:
        raise InputError(str(error)) from None
    first = next(iter(planned.studies.values()))
    plan = next(iter(first.plans.values()))
    runs = len(planned.studies) * len(planned.doctrines)
    needs = budget.estimate(plan.compiled, plan.replicates, first.record, runs, workers)
    available = budget.available_bytes()
    if needs.peak_bytes > available:
        raise InputError(
            f"{len(planned.x.values)} x {len(planned.y.values)} cells x {len(planned.doctrines)} "
            f"doctrines x -n/--replicates {plan.replicates:,} needs {needs.describe()}; this "
            f"machine has {budget.format_bytes(available)} available. Use fewer values per "
            "axis or fewer replicates"
        )
    if needs.seconds > budget.LONG_SECONDS:
        say(f"estimate: {needs.describe()}")
    warnings = [str(w) for w in scenario_warnings(loaded, actor=actor, horizon_days=days)]
    for warning in warnings:
        warn(warning)
    return planned, warnings


def reproduce_command(
    scenario: str,
    grid: RegimeGrid,
    outcomes: list[str],
    confidence: float,
    out_dir: Path,
    backend: str = "numpy",
) -> list[str]:
    """The command that re-runs the grid bit-identically (the worker count does not matter)."""
    command = ["dualtrack", "regimes", scenario, "--actor", grid.actor]
    command += ["--x", grid.x.path, "--x-values", ",".join(repr(v) for v in grid.x.values)]
    command += ["--y", grid.y.path, "--y-values", ",".join(repr(v) for v in grid.y.values)]
    command += ["--doctrines", ",".join(grid.doctrines), "--outcomes", ",".join(outcomes)]
    command += ["--confidence", repr(confidence), "--replicates", str(grid.replicates)]
    command += ["--days", str(grid.scenario.settings.horizon_days), "--seed", str(grid.seed)]
    if grid.posterior is not None:
        command += ["--posterior", grid.posterior.draws.source]
    return [*command, *backend_args(backend), "--out", str(out_dir)]


def save_regimes(
    store: Store,
    grid: RegimeGrid,
    results: xr.Dataset,
    regime_map: RegimeMap,
    command: str,
    workers: int,
    elapsed: float,
    warnings: list[str],
) -> list[Path]:
    """Write the dataset, tables, manifest and report page into the store's folder, whole."""
    from dualtrack.experiments.posterior_study import manifest_entry
    from dualtrack.experiments.regimes import STUDY
    from dualtrack.experiments.study_store import manifest, write_outputs

    tables = {
        WINNERS_FILE: regime_map.winners_table(),
        INTERVALS_FILE: regime_map.intervals_table(),
        ESTIMATES_FILE: regime_map.estimates,
    }
    first = next(iter(grid.studies.values()))
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
        "record": first.record,
        "workers": workers,
        "elapsed_s": round(elapsed, 3),
        "warnings": warnings,
    }
    # the store combines per-doctrine datasets along 'doctrine': hand it the grid's slices
    per_doctrine = {name: results.sel(doctrine=name) for name in grid.doctrines}
    provenance = {
        **manifest(grid.scenario, settings, [command]),
        **manifest_entry(grid.posterior.draws if grid.posterior is not None else None),
    }
    with stage("writing the results and the report"):
        return write_outputs(
            store, grid.scenario, per_doctrine, tables, provenance, finish=_render_report
        )


def _render_report(staging: Path) -> None:
    from dualtrack.report.regimes import render_regimes_report  # plotting loads lazily

    render_regimes_report(staging)


@app.command()
def regimes(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    actor: ActorOpt = None,
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
            "--x", help="Scenario path of the x axis; default: actors[<adversary>].p_opportunist."
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
    doctrines: DoctrinesOpt = None,
    outcomes: Annotated[
        str | None,
        typer.Option(
            help=f"Comma-separated outcomes to minimise; {OUTCOMES_HELP}.",
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
        typer.Option(
            help=f"Output folder for the dataset, tables, manifest and report page; default "
            f"results/<scenario id>/{REGIMES_DIR} (that folder's report then shows the map)."
        ),
    ] = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    overwrite: OverwriteOpt = False,
    posterior: PosteriorOpt = None,
    as_json: JsonOpt = False,
    backend: PerPointBackendOpt = None,
) -> None:
    """Map where each doctrine minimises P(war) and P(crisis) over two parameters.

    The doctrines default to deterrence-only, dialogue-only and dual-track. Under --json,
    stdout holds, per cell, the axis values and for each outcome the winner (null: no clear
    winner) and its paired intervals against the others."""
    from dualtrack.analysis.regimes import DEFAULT_OUTCOMES, analyse_regimes, outcomes_named
    from dualtrack.experiments.posterior_study import label_of
    from dualtrack.experiments.regimes import run_grid

    json_mode(as_json)
    chosen_backend = check_per_point_backend(backend)
    chosen_outcomes = _split(outcomes) or list(DEFAULT_OUTCOMES)
    try:
        outcomes_named(chosen_outcomes)
    except KeyError as error:
        raise InputError(f"--outcomes: {str(error).strip(chr(34))}") from None
    written: list[Path] = []
    with stopped_by_signals(
        lambda: (
            f"stopped after writing {written[0].parent}"
            if written
            else "stopped; nothing was written and no output folder changed"
        )
    ):
        planned, warnings = _plan(
            scenario,
            actor=actor,
            adversary=adversary,
            doctrines=parse_doctrines(doctrines),
            x=x,
            y=y,
            x_values=x_values,
            y_values=y_values,
            grid=grid,
            replicates=replicates,
            days=days,
            seed=seed,
            workers=workers,
            posterior=posterior,
            backend=chosen_backend,
        )
        out_dir = out or Path("results") / planned.scenario.id / REGIMES_DIR
        store = output_store(scenario, next(iter(planned.studies.values())), out_dir, overwrite)
        command = shlex.join(
            reproduce_command(
                scenario, planned, chosen_outcomes, confidence, store.path, chosen_backend
            )
        )
        say(
            f"[bold]{escape(planned.scenario.name)}[/] - {len(planned.x.values)} x "
            f"{len(planned.y.values)} cells ({escape(planned.x.path)} x "
            f"{escape(planned.y.path)}), {len(planned.doctrines)} doctrines for "
            f"{planned.actor}, {planned.replicates} replicates x "
            f"{planned.scenario.settings.horizon_days} days, seed {planned.seed}, "
            f"workers={workers}, backend={chosen_backend}; "
            f"parameters: {escape(label_of(planned.posterior))}"
        )
        started = time.perf_counter()
        with progress_bar() as bar:
            task = bar.add_task("simulating", total=planned.replicate_steps)
            results = run_grid(planned, workers, lambda n: bar.advance(task, n), command)
        elapsed = time.perf_counter() - started
        regime_map = analyse_regimes(results, chosen_outcomes, confidence)
        written += save_regimes(
            store, planned, results, regime_map, command, workers, elapsed, warnings
        )
        if as_json:
            emit_json({"cells": regime_map.to_json()})
        else:
            _print_map(regime_map)
        rate = planned.replicate_steps / elapsed if elapsed > 0 else float("inf")
        say(
            f"{planned.replicate_steps:,} replicate-steps simulated in {elapsed:.1f} s "
            f"({rate:,.0f}/s); wrote {', '.join(p.name for p in written)} to {store.path}; "
            f"{invocation.elapsed():.1f} s in all"
        )
