"""Study commands: ``run`` (doctrines side by side) and ``compare`` (paired, with a report)."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
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
    BackendOpt,
    DaysOpt,
    DoctrinesOpt,
    OutOpt,
    OverwriteOpt,
    PosteriorOpt,
    RecordOpt,
    ReplicatesOpt,
    ScenarioArg,
    SeedOpt,
    WorkersOpt,
    backend_args,
    check_backend,
    check_doctrines,
    check_posterior,
    parse_doctrines,
)

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from dualtrack.cli.budget import Estimate
    from dualtrack.experiments.posterior_study import PosteriorStudy
    from dualtrack.experiments.store import Store
    from dualtrack.experiments.study import Study

REFERENCE_DOCTRINE = "deterrence-only"
ReferenceOpt = Annotated[
    str, typer.Option(help="Doctrine the others are compared with (paired); added if missing.")
]


def _cell(estimate: float, low: float, high: float, unit: str) -> str:
    digits = {"1": 3, "count": 2}.get(unit, 1)  # counts as in the report's tables
    return f"{estimate:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def print_summary(summary: pd.DataFrame, title: str) -> None:
    """Outcome x doctrine table: estimate and 95% interval in each cell."""
    from dualtrack.analysis.outcomes import OUTCOMES

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
            escape(f"{row[0]['label']}{unit}"),  # the sides of the focus dyad named
            *(_cell(r["estimate"], r["low"], r["high"], outcome.unit) for r in row),
        )
    console.print(table)


def print_differences(differences: pd.DataFrame, reference: str) -> None:
    """Outcome x doctrine table of paired differences against the reference doctrine."""
    from dualtrack.analysis.outcomes import OUTCOMES

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
        table.add_row(escape(str(r["label"])), *texts)
    console.print(table)


def _plan(
    scenario: str,
    doctrines: list[str],
    actor: str | None,
    replicates: int | None,
    days: int | None,
    seed: int | None,
    record: str,
    workers: int,
    posterior: Path | None = None,
    backend: str | None = None,
) -> tuple[Study, list[str], PosteriorStudy | None]:
    """Check every input and plan the study; refuse work this machine cannot hold.

    Returns the study, the warnings about parts of the scenario that cannot have an
    effect on it (printed here, recorded in the manifest) and, with ``--posterior``, the
    study planned block by block on the posterior's draws."""
    from pydantic import ValidationError

    from dualtrack.cli import budget
    from dualtrack.engine.backends import BackendError
    from dualtrack.engine.run import plan_run
    from dualtrack.experiments.study import plan_study
    from dualtrack.scenario.loading import load_scenario
    from dualtrack.scenario.warnings import scenario_warnings

    check_doctrines(doctrines)
    check_backend(backend)
    loaded = load_scenario(scenario)
    actors = [a.id for a in loaded.actors]
    if actor is not None and actor not in actors:
        raise InputError(f"--actor: expected one of {', '.join(actors)}, found {actor!r}")
    chosen_posterior = check_posterior(posterior, loaded)
    try:
        # the tallies alone may not fit: say so before planning millions of chunks
        probe = plan_run(loaded, doctrines[0], actor=actor, replicates=1, days=days)
        if replicates is not None:
            least = budget.estimate(probe.compiled, replicates, None, len(doctrines), workers)
            _refuse_beyond_memory(least, replicates, probe.compiled.n_steps, doctrines, record)
        study = plan_study(
            loaded,
            doctrines,
            actor=actor,
            replicates=replicates,
            seed=seed,
            days=days,
            record=record,
            backend=backend,
        )
    except ValidationError:
        raise  # settings overridden by options: the app names the option
    except BackendError as error:
        raise InputError(backend_message(error)) from None
    except ValueError as error:
        raise InputError(str(error)) from None
    needs = budget.study_estimate(study, workers)
    plan = next(iter(study.plans.values()))
    _refuse_beyond_memory(needs, plan.replicates, plan.compiled.n_steps, doctrines, study.record)
    if needs.seconds > budget.LONG_SECONDS:
        say(f"estimate: {needs.describe()}")
    warnings = [str(w) for w in scenario_warnings(loaded, actor=actor, horizon_days=days)]
    for warning in warnings:
        warn(warning)
    pstudy = None
    if chosen_posterior is not None:
        from dualtrack.experiments.posterior_study import draws_for, under_posterior

        draws = draws_for(study, chosen_posterior, str(posterior))
        pstudy = under_posterior(study, draws)
    return study, warnings, pstudy


def _refuse_beyond_memory(
    needs: Estimate, replicates: int, steps: int, doctrines: list[str], record: str
) -> None:
    from dualtrack.cli import budget

    available = budget.available_bytes()
    if needs.peak_bytes <= available:
        return
    raise InputError(
        f"-n/--replicates {replicates:,} x {steps:,} steps x {len(doctrines)} doctrine(s) "
        f"under --record {record} needs {needs.describe()}; this machine has "
        f"{budget.format_bytes(available)} available. Use fewer replicates, fewer --days or "
        "--record summary"
    )


def output_store(scenario: str, study: Study, out: Path | None, overwrite: bool) -> Store:
    """The output folder, checked before any simulation starts."""
    from dualtrack.experiments.store import OutputError
    from dualtrack.experiments.study_store import study_store

    inputs = [Path(scenario)] if Path(scenario).is_file() else []
    store = study_store(
        out or Path("results") / study.scenario.id, overwrite=overwrite, inputs=inputs
    )
    try:
        store.check()
    except OutputError as error:
        raise InputError(str(error)) from None
    return store


def left_behind(written: list[Path]) -> Callable[[], str]:
    """What an interruption leaves, for the one-line message."""
    return lambda: (
        f"stopped after writing {written[0].parent}"
        if written
        else "stopped; nothing was written and no output folder changed"
    )


def _simulate(
    study: Study, workers: int, pstudy: PosteriorStudy | None = None
) -> tuple[dict[str, xr.Dataset], float]:
    from dualtrack.experiments.posterior_study import label_of, run_posterior_study
    from dualtrack.experiments.study import run_study

    plan = next(iter(study.plans.values()))
    say(
        f"[bold]{escape(study.scenario.name)}[/] - {len(study.plans)} doctrine(s) for "
        f"{study.actor}, {plan.replicates} replicates x {plan.compiled.n_steps} steps, "
        f"seed {plan.seed}, record={study.record}, workers={workers}, backend={plan.backend}; "
        f"parameters: {escape(label_of(pstudy))}"
    )
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task("simulating", total=study.replicate_steps)
        if pstudy is None:
            results = run_study(study, workers, lambda n: bar.advance(task, n))
        else:
            results = run_posterior_study(pstudy, workers, lambda n: bar.advance(task, n))
    return results, time.perf_counter() - started


def reproduce_command(
    verb: str, scenario: str, study: Study, out_dir: Path, extra_args: list[str]
) -> list[str]:
    """The command that re-runs a study bit-identically (the worker count does not matter)."""
    resolved = study.scenario
    plan = next(iter(study.plans.values()))
    command = ["dualtrack", verb, scenario, "--doctrines", ",".join(study.plans)]
    command += ["--actor", study.actor, "--replicates", str(plan.replicates)]
    command += ["--days", str(resolved.settings.horizon_days), "--seed", str(plan.seed)]
    command += ["--record", study.record, *backend_args(plan.backend)]
    return [*command, *extra_args, "--out", str(out_dir)]


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
    warnings: list[str],
    finish: Callable[[Path], None] | None = None,
    pstudy: PosteriorStudy | None = None,
) -> list[Path]:
    from dualtrack.experiments.posterior_study import manifest_entry
    from dualtrack.experiments.study_store import manifest, write_outputs

    resolved = study.scenario
    plan = next(iter(study.plans.values()))
    if pstudy is not None:
        extra_args = [*extra_args, "--posterior", pstudy.draws.source]
    command = reproduce_command(verb, scenario, study, store.path, extra_args)
    settings = {
        "doctrines": list(study.plans),
        "actor": study.actor,
        "replicates": plan.replicates,
        "days": resolved.settings.horizon_days,
        "step_days": resolved.settings.step_days,
        "record": study.record,
        "workers": workers,
        "elapsed_s": round(elapsed, 3),
        "warnings": warnings,
    }
    provenance = {
        **manifest(resolved, settings, [shlex.join(command)]),
        **manifest_entry(pstudy.draws if pstudy else None),
    }
    with stage("writing the results" + (" and the report" if finish else "")):
        return write_outputs(store, resolved, results, tables, provenance, finish)


def _report_line(study: Study, elapsed: float, written: list[Path]) -> None:
    rate = study.replicate_steps / elapsed if elapsed > 0 else float("inf")
    folder = written[0].parent if written else "nothing"
    say(
        f"{study.replicate_steps:,} replicate-steps simulated in {elapsed:.1f} s ({rate:,.0f}/s); "
        f"wrote {', '.join(p.name for p in written)} to {folder}; "
        f"{invocation.elapsed():.1f} s in all"
    )


def _dyad_title(study: Study) -> str:
    compiled = next(iter(study.plans.values())).compiled
    return f"{study.scenario.id}: outcomes for dyad {compiled.dyad_ids[compiled.focus_dyad]}"


@app.command()
def run(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    doctrines: DoctrinesOpt = None,
    actor: ActorOpt = None,
    replicates: ReplicatesOpt = None,
    days: DaysOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    record: RecordOpt = "auto",
    workers: WorkersOpt = DEFAULT_WORKERS,
    overwrite: OverwriteOpt = False,
    posterior: PosteriorOpt = None,
    as_json: JsonOpt = False,
    backend: BackendOpt = None,
) -> None:
    """Run a scenario under one or more doctrines and write the results to a folder.

    The doctrines default to every built-in doctrine."""
    from dualtrack.analysis.outcomes import summary_table
    from dualtrack.doctrines import BUILTIN_DOCTRINES
    from dualtrack.experiments.posterior_study import label_of
    from dualtrack.experiments.store import FILES

    json_mode(as_json)
    chosen = parse_doctrines(doctrines) or list(BUILTIN_DOCTRINES)
    written: list[Path] = []
    with stopped_by_signals(left_behind(written)):
        study, warnings, pstudy = _plan(
            scenario, chosen, actor, replicates, days, seed, record, workers, posterior, backend
        )
        store = output_store(scenario, study, out, overwrite)
        results, elapsed = _simulate(study, workers, pstudy)
        summary = summary_table(results)
        tables = {FILES.summary: summary}
        written += _save(
            "run",
            scenario,
            study,
            results,
            tables,
            store,
            workers,
            elapsed,
            [],
            warnings,
            pstudy=pstudy,
        )
        plan = next(iter(study.plans.values()))
        if as_json:
            emit_json({"summary": summary})
        else:
            print_summary(
                summary,
                f"{_dyad_title(study)} (95% intervals; {plan.replicates} replicates; "
                f"parameters: {escape(label_of(pstudy))})",
            )
        _report_line(study, elapsed, written)


@app.command()
def compare(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    doctrines: DoctrinesOpt = None,
    actor: ActorOpt = None,
    reference: ReferenceOpt = REFERENCE_DOCTRINE,
    replicates: ReplicatesOpt = None,
    days: DaysOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    record: RecordOpt = "auto",
    workers: WorkersOpt = DEFAULT_WORKERS,
    overwrite: OverwriteOpt = False,
    posterior: PosteriorOpt = None,
    as_json: JsonOpt = False,
    backend: BackendOpt = None,
) -> None:
    """Compare doctrines on common random numbers: paired differences and an HTML report.

    The doctrines default to every built-in doctrine; the reference is added if missing."""
    from dualtrack.analysis.comparison import paired_differences
    from dualtrack.analysis.outcomes import summary_table
    from dualtrack.doctrines import BUILTIN_DOCTRINES
    from dualtrack.experiments.posterior_study import label_of
    from dualtrack.experiments.store import FILES

    json_mode(as_json)
    chosen = parse_doctrines(doctrines) or list(BUILTIN_DOCTRINES)
    check_doctrines([reference], "--reference")
    others = [name for name in chosen if name != reference]
    if not others:
        raise InputError(
            f"--reference: {reference!r} is the only doctrine in --doctrines; "
            "give at least one other doctrine to compare with it"
        )
    chosen = [reference, *others] if reference not in chosen else chosen
    written: list[Path] = []
    with stopped_by_signals(left_behind(written)):
        study, warnings, pstudy = _plan(
            scenario, chosen, actor, replicates, days, seed, record, workers, posterior, backend
        )
        store = output_store(scenario, study, out, overwrite)
        results, elapsed = _simulate(study, workers, pstudy)
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
            warnings,
            finish=_render_report,
            pstudy=pstudy,
        )
        plan = next(iter(study.plans.values()))
        if as_json:
            emit_json({"summary": summary, "differences": differences})
        else:
            print_summary(
                summary,
                f"{_dyad_title(study)} (95% intervals; {plan.replicates} replicates per doctrine, "
                f"common random numbers; parameters: {escape(label_of(pstudy))})",
            )
            print_differences(differences, reference)
        _report_line(study, elapsed, written)


def _render_report(folder: Path) -> None:
    from dualtrack.report import render_report  # the report layer sits above the study

    render_report(folder)
