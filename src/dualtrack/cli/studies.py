"""Study commands: ``run`` (doctrines side by side) and ``compare`` (paired, with a report)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
import xarray as xr
from rich.markup import escape
from rich.table import Table

from dualtrack.analysis.comparison import paired_differences
from dualtrack.analysis.outcomes import OUTCOMES, summary_table
from dualtrack.cli.app import app, console, fail, progress_bar, stopped_by_signals
from dualtrack.doctrines import BUILTIN_DOCTRINES, REGISTRY
from dualtrack.experiments.store import FILES, OutputError, Store
from dualtrack.experiments.study import Study, plan_study, run_study
from dualtrack.experiments.study_store import manifest, study_store, write_outputs
from dualtrack.scenario.errors import ScenarioError

DEFAULT_SCENARIO = "belarus-ukraine-2024"
REFERENCE_DOCTRINE = "deterrence-only"

ScenarioArg = Annotated[str, typer.Argument(help="Built-in scenario id or scenario YAML file.")]
ActorOpt = Annotated[
    str | None, typer.Option(help="Actor whose doctrine varies; default: the scenario's subject.")
]
ReplicatesOpt = Annotated[
    int | None, typer.Option("--replicates", "-n", min=1, help="Replicates per doctrine.")
]
DaysOpt = Annotated[int | None, typer.Option(min=1, help="Horizon in days.")]
SeedOpt = Annotated[int | None, typer.Option(min=0, help="Random seed.")]
OutOpt = Annotated[Path | None, typer.Option(help="Output folder; default: results/<scenario>.")]
OverwriteOpt = Annotated[
    bool,
    typer.Option(
        "--overwrite", help="Replace the content of a non-empty --out folder, as a whole."
    ),
]
RecordOpt = Annotated[str, typer.Option(help="What to keep: auto, full, mean or summary.")]
WorkersOpt = Annotated[
    int, typer.Option(min=1, help="Worker processes; default: the number of cores.")
]
DEFAULT_WORKERS = max(1, os.cpu_count() or 1)


def _cell(estimate: float, low: float, high: float, unit: str) -> str:
    digits = 3 if unit == "1" else 1
    return f"{estimate:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def print_summary(summary: pd.DataFrame, title: str) -> None:
    """Outcome x doctrine table: estimate and 95% interval in each cell."""
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    names = list(dict.fromkeys(summary["doctrine"]))
    for name in names:
        table.add_column(name, justify="right")
    cells = summary.set_index(["outcome", "doctrine"])
    for outcome in OUTCOMES:
        unit = "" if outcome.unit == "1" else f" ({outcome.unit})"
        row = [cells.loc[(outcome.name, name)] for name in names]
        table.add_row(
            escape(f"{outcome.label}{unit}"),
            *(_cell(r["estimate"], r["low"], r["high"], outcome.unit) for r in row),
        )
    console.print(table)


def print_differences(differences: pd.DataFrame, reference: str) -> None:
    """Outcome x doctrine table of paired differences against the reference doctrine."""
    table = Table(
        title=f"paired difference vs {reference} (95% paired-t interval; * = distinguishable "
        "from zero)",
        title_justify="left",
    )
    table.add_column("outcome")
    names = list(dict.fromkeys(differences["doctrine"]))
    for name in names:
        table.add_column(name, justify="right")
    cells = differences.set_index(["outcome", "doctrine"])
    for outcome in OUTCOMES:
        texts = []
        for name in names:
            r = cells.loc[(outcome.name, name)]
            mark = " *" if r["distinguishable"] else "  "
            texts.append(_cell(r["difference"], r["low"], r["high"], outcome.unit) + mark)
        table.add_row(escape(outcome.label), *texts)
    console.print(table)


def _plan(
    scenario: str,
    doctrines: list[str],
    actor: str | None,
    replicates: int | None,
    days: int | None,
    seed: int | None,
    record: str,
) -> Study:
    unknown = [d for d in doctrines if d not in REGISTRY]
    if unknown:
        raise fail(
            f"unknown doctrine {unknown[0]!r}; known doctrines are {', '.join(sorted(REGISTRY))}"
        )
    if record not in ("auto", "full", "mean", "summary"):
        raise fail(f"--record: expected auto, full, mean or summary, found {record!r}")
    try:
        return plan_study(
            scenario,
            doctrines,
            actor=actor,
            replicates=replicates,
            seed=seed,
            days=days,
            record=record,
        )
    except (ScenarioError, ValueError) as error:
        raise fail(str(error)) from None


def _store(scenario: str, study: Study, out: Path | None, overwrite: bool) -> Store:
    """The output folder, checked before any simulation starts."""
    inputs = [Path(scenario)] if Path(scenario).is_file() else []
    store = study_store(
        out or Path("results") / study.scenario.id, overwrite=overwrite, inputs=inputs
    )
    try:
        store.check()
    except OutputError as error:
        raise fail(str(error)) from None
    return store


def _left(written: list[Path]) -> Callable[[], str]:
    """What an interruption leaves, for the one-line message."""
    return lambda: (
        f"stopped after writing {written[0].parent}"
        if written
        else "stopped; nothing was written and no output folder changed"
    )


def _simulate(study: Study, workers: int) -> tuple[dict[str, xr.Dataset], float]:
    plan = next(iter(study.plans.values()))
    console.print(
        f"[bold]{escape(study.scenario.name)}[/] - {len(study.plans)} doctrine(s) for "
        f"{study.actor}, {plan.replicates} replicates x {plan.compiled.n_steps} steps, "
        f"seed {plan.seed}, record={study.record}, workers={workers}",
        highlight=False,
    )
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task("simulating", total=study.replicate_steps)
        results = run_study(study, workers, lambda n: bar.advance(task, n))
    return results, time.perf_counter() - started


def _save(
    verb: str,
    scenario: str,
    study: Study,
    results: dict[str, xr.Dataset],
    tables: dict[str, pd.DataFrame],
    store: Store,
    workers: int,
    elapsed: float,
    extra_args: list[str],
    finish: Callable[[Path], None] | None = None,
) -> list[Path]:
    resolved = study.scenario
    plan = next(iter(study.plans.values()))
    out_dir = store.path
    command = ["dualtrack", verb, scenario]
    command += [arg for name in study.plans for arg in ("--doctrine", name)]
    command += ["--actor", study.actor, "--replicates", str(plan.replicates)]
    command += ["--days", str(resolved.settings.horizon_days), "--seed", str(plan.seed)]
    command += ["--record", study.record, *extra_args, "--out", str(out_dir)]
    settings = {
        "doctrines": list(study.plans),
        "actor": study.actor,
        "replicates": plan.replicates,
        "days": resolved.settings.horizon_days,
        "step_days": resolved.settings.step_days,
        "record": study.record,
        "workers": workers,
        "elapsed_s": round(elapsed, 3),
    }
    return write_outputs(
        store, resolved, results, tables, manifest(resolved, settings, command), finish
    )


def _report_line(study: Study, elapsed: float, written: list[Path]) -> None:
    rate = study.replicate_steps / elapsed if elapsed > 0 else float("inf")
    folder = written[0].parent if written else "nothing"
    console.print(
        f"{study.replicate_steps:,} replicate-steps in {elapsed:.1f} s ({rate:,.0f}/s); "
        f"wrote {', '.join(p.name for p in written)} to {folder}",
        highlight=False,
    )


@app.command()
def run(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    doctrine: Annotated[
        list[str] | None,
        typer.Option("--doctrine", "-d", help="Doctrine(s) for the actor; default: all built-in."),
    ] = None,
    actor: ActorOpt = None,
    replicates: ReplicatesOpt = None,
    days: DaysOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    record: RecordOpt = "auto",
    workers: WorkersOpt = DEFAULT_WORKERS,
    overwrite: OverwriteOpt = False,
) -> None:
    """Run a scenario under one or more doctrines and write results to a folder."""
    chosen = list(doctrine) if doctrine else list(BUILTIN_DOCTRINES)
    written: list[Path] = []
    with stopped_by_signals(_left(written)):
        study = _plan(scenario, chosen, actor, replicates, days, seed, record)
        store = _store(scenario, study, out, overwrite)
        results, elapsed = _simulate(study, workers)
        summary = summary_table(results)
        written += _save(
            "run", scenario, study, results, {FILES.summary: summary}, store, workers, elapsed, []
        )
        plan = next(iter(study.plans.values()))
        dyad = plan.compiled.dyad_ids[plan.compiled.focus_dyad]
        print_summary(
            summary,
            f"{study.scenario.id}: outcomes for dyad {dyad}"
            f" (95% intervals; {plan.replicates} replicates)",
        )
        _report_line(study, elapsed, written)


@app.command()
def compare(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    doctrines: Annotated[
        str | None,
        typer.Option(help="Comma-separated doctrines; default: all built-in."),
    ] = None,
    actor: ActorOpt = None,
    reference: Annotated[
        str, typer.Option(help="Doctrine the others are compared with (paired).")
    ] = REFERENCE_DOCTRINE,
    replicates: ReplicatesOpt = None,
    days: DaysOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    record: RecordOpt = "auto",
    workers: WorkersOpt = DEFAULT_WORKERS,
    overwrite: OverwriteOpt = False,
) -> None:
    """Compare doctrines on common random numbers: paired differences and an HTML report."""
    chosen = (
        [d.strip() for d in doctrines.split(",") if d.strip()]
        if doctrines
        else list(BUILTIN_DOCTRINES)
    )
    if reference not in chosen:
        chosen = [reference, *chosen]
    written: list[Path] = []
    with stopped_by_signals(_left(written)):
        study = _plan(scenario, chosen, actor, replicates, days, seed, record)
        store = _store(scenario, study, out, overwrite)
        results, elapsed = _simulate(study, workers)
        summary = summary_table(results)
        differences = paired_differences(results, reference)
        tables = {FILES.summary: summary, FILES.comparison: differences}
        written += _save(
            "compare",
            scenario,
            study,
            results,
            tables,
            store,
            workers,
            elapsed,
            ["--reference", reference],
            finish=_render_report,
        )
        plan = next(iter(study.plans.values()))
        dyad = plan.compiled.dyad_ids[plan.compiled.focus_dyad]
        print_summary(
            summary,
            f"{study.scenario.id}: outcomes for dyad {dyad}"
            f" (95% intervals; {plan.replicates} replicates per doctrine, common random numbers)",
        )
        if len(results) > 1:
            print_differences(differences, reference)
        _report_line(study, elapsed, written)


def _render_report(folder: Path) -> None:
    from dualtrack.report import render_report  # the report layer sits above the study

    render_report(folder)
