"""Exploration commands: ``explore`` (parameter sweeps), ``sensitivity`` and ``discover``."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from dualtrack.cli.app import (
    InputError,
    JsonOpt,
    app,
    console,
    emit_json,
    fail,
    invocation,
    json_mode,
    progress_bar,
    say,
    stopped_by_signals,
    warn,
)
from dualtrack.cli.options import (
    DEFAULT_SCENARIO,
    DaskWorkersOpt,
    DoctrinesOpt,
    OverwriteOpt,
    PerPointBackendOpt,
    ProcessesOpt,
    SchedulerOpt,
    backend_args,
    check_doctrines,
    check_per_point_backend,
    check_posterior,
    parse_doctrines,
)

if TYPE_CHECKING:
    import pandas as pd

    from dualtrack.experiments.sweep import Sweep

DEFAULT_POINTS = 64
DEFAULT_REPLICATES = 200
BATCH_HELP = "Points stored per part file; default 16 (experiments.sweep.DEFAULT_BATCH_POINTS)."
EXPLORE_POSTERIOR_HELP = (
    "Calibration folder (`dualtrack calibrate --out DIR`): parameters in the design come from "
    "the design, the rest from this posterior (one draw per block of 256 replicates at each "
    "point, the same for every doctrine); default: the nominal values."
)

OutDirArg = Annotated[
    Path, typer.Argument(help="Sweep folder (or a results folder with an exploration folder).")
]


def _sweep_folder(path: Path) -> Path:
    from dualtrack.analysis.exploration import find_exploration

    found = find_exploration(path)
    if found is None:
        raise fail(f"{path}: no sweep found (expected the --out folder of `dualtrack explore`)")
    return found


def _print_parameters(scenario: str, patterns: list[str] | None, as_json: bool) -> None:
    from dualtrack.scenario.errors import ScenarioError
    from dualtrack.scenario.loading import load_scenario
    from dualtrack.scenario.uncertainty import uncertain_parameters

    try:
        loaded = load_scenario(scenario)
        parameters = uncertain_parameters(loaded, patterns)
    except (ScenarioError, KeyError) as error:
        raise fail(str(error).strip('"')) from None
    if as_json:
        emit_json({"parameters": [vars(p) for p in parameters]})
        return
    table = Table(
        "path", "low", "nominal", "high", "distribution", "source", box=None, title_justify="left"
    )
    table.title = f"{loaded.id}: {len(parameters)} uncertain parameters"
    for p in parameters:
        table.add_row(
            escape(p.path),
            f"{p.low:g}",
            f"{p.nominal:g}",
            f"{p.high:g}",
            p.distribution + (f" (sd {p.sd:g})" if p.sd is not None else ""),
            escape((p.source or "")[:70]),
        )
    console.print(table)


def _print_outcomes(points: pd.DataFrame, title: str, as_json: bool) -> None:
    from dualtrack.analysis.exploration import outcomes_across_points
    from dualtrack.analysis.outcomes import OUTCOMES

    names = [o.name for o in OUTCOMES if o.name in points.columns]
    spread = {(s.outcome, s.doctrine): s for s in outcomes_across_points(points, names)}
    if as_json:
        emit_json({"outcomes": list(spread.values())})
        return
    if not spread:
        return
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    doctrines = list(dict.fromkeys(doctrine for _, doctrine in spread))
    for name in doctrines:
        table.add_column(name, justify="right")
    for outcome in OUTCOMES:
        if outcome.name not in names:
            continue
        digits = 3 if outcome.unit == "1" else 1
        row = []
        for name in doctrines:
            s = spread[(outcome.name, name)]
            row.append(f"{s.median:.{digits}f} [{s.p05:.{digits}f}, {s.p95:.{digits}f}]")
        table.add_row(escape(outcome.label), *row)
    console.print(table)


def _check_sweep_budget(sweep: Sweep, points: int, workers: int | None) -> None:
    """Refuse a sweep whose points cannot fit in memory; say how long a long one will take."""
    from dualtrack.cli import budget
    from dualtrack.engine.run import plan_run

    runner = sweep.runner
    probe = plan_run(sweep.scenario, runner.doctrines[0], actor=runner.actor, days=sweep.days)
    point = budget.estimate(probe.compiled, runner.replicates, "summary", len(runner.doctrines), 1)
    if point.peak_bytes > budget.available_bytes():
        raise InputError(
            f"-n/--replicates {runner.replicates:,}: one point needs {point.describe()}; "
            f"this machine has {budget.format_bytes(budget.available_bytes())} available"
        )
    seconds = point.seconds * points / max(1, workers or os.cpu_count() or 1)
    if seconds > budget.LONG_SECONDS:
        say(f"estimate: about {budget.format_seconds(seconds)} for {points} points")


@app.command()
def explore(
    scenario: Annotated[
        str, typer.Argument(help="Built-in scenario id or scenario YAML file.")
    ] = DEFAULT_SCENARIO,
    design: Annotated[
        str | None, typer.Option(help="Design: lhs, sobol (Saltelli) or morris. Default lhs.")
    ] = None,
    points: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="lhs: points; sobol: base sample N (a power of two; N(D+2) points); morris: "
            f"trajectories (D+1 points each). Default {DEFAULT_POINTS}.",
        ),
    ] = None,
    replicates: Annotated[
        int | None,
        typer.Option(
            "--replicates",
            "-n",
            min=1,
            help=f"Replicates per point and doctrine (default {DEFAULT_REPLICATES}).",
        ),
    ] = None,
    doctrines: DoctrinesOpt = None,
    parameters: Annotated[
        list[str] | None,
        typer.Option(
            "--parameters",
            "-p",
            help="Sample only parameters whose path matches (glob: * and ?; repeatable), "
            "e.g. 'mechanisms.dialogue.*'. Default: every uncertain parameter.",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Sweep seed; default: the scenario's settings.seed.")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Horizon in days; default: the scenario's settings.horizon_days."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(help="Actor whose doctrine varies; default: the scenario's settings.subject."),
    ] = None,
    levels: Annotated[
        int | None, typer.Option(min=2, help="Morris grid levels (default 4).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder; default results/<scenario>/exploration.")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a stopped sweep in --out.")
    ] = False,
    overwrite: OverwriteOpt = False,
    workers: DaskWorkersOpt = None,
    scheduler: SchedulerOpt = None,
    processes: ProcessesOpt = None,
    batch: Annotated[int | None, typer.Option(min=1, help=BATCH_HELP)] = None,
    posterior: Annotated[
        Path | None,
        typer.Option("--posterior", help=EXPLORE_POSTERIOR_HELP, show_default=False),
    ] = None,
    list_parameters: Annotated[
        bool, typer.Option("--list-parameters", help="List the uncertain parameters and exit.")
    ] = False,
    as_json: JsonOpt = False,
    backend: PerPointBackendOpt = None,
) -> None:
    """Sweep the uncertain parameters: one row per point and doctrine, stored as it goes.

    The doctrines default to the subject's own doctrine."""
    from pydantic import ValidationError

    from dualtrack.analysis.exploration import EXPLORATION_DIR, PointEstimates
    from dualtrack.experiments.design import DESIGN_KINDS
    from dualtrack.experiments.executors import make_executor
    from dualtrack.experiments.store import OutputError
    from dualtrack.experiments.sweep import DEFAULT_BATCH_POINTS, plan_sweep, run_sweep
    from dualtrack.experiments.sweep_store import SweepStore, load_sweep
    from dualtrack.scenario.loading import load_scenario
    from dualtrack.scenario.warnings import scenario_warnings

    json_mode(as_json)
    check_per_point_backend(backend)
    if list_parameters:
        _print_parameters(scenario, parameters, as_json)
        return
    if workers is not None and scheduler is not None:
        raise fail("give --workers (a local Dask cluster) or --scheduler, not both")
    base = load_scenario(scenario)
    chosen_posterior = check_posterior(posterior, base)
    out_dir = out or Path("results") / base.id / EXPLORATION_DIR
    inputs = [Path(scenario)] if Path(scenario).is_file() else []
    store = SweepStore(out_dir, overwrite=overwrite, inputs=inputs)
    try:
        store.check(resume=resume)
    except OutputError as error:
        raise InputError(str(error)) from None
    stored: dict[str, Any] = store.read_manifest() if resume and store.exists() else {}
    chosen_doctrines = parse_doctrines(doctrines) or stored.get("doctrines")
    if chosen_doctrines:
        check_doctrines(chosen_doctrines)
    stored_design = stored.get("design", {})
    # a resumed sweep keeps its backend: one table, one backend
    stored_backend = stored.get("settings", {}).get("backend")
    chosen_backend = check_per_point_backend(backend or stored_backend)
    if stored_backend is not None and chosen_backend != stored_backend:
        raise fail(
            f"--backend: expected {stored_backend!r}, the backend of the sweep stored in "
            f"{out_dir}; found {chosen_backend!r}"
        )
    design_kind = design or stored_design.get("kind", "lhs")
    if design_kind not in DESIGN_KINDS:
        raise fail(f"--design: expected one of {', '.join(DESIGN_KINDS)}, found {design_kind!r}")
    try:
        sweep = plan_sweep(
            base,
            PointEstimates(),
            design=design_kind,
            points=points or stored_design.get("size", DEFAULT_POINTS),
            replicates=replicates or stored.get("replicates", DEFAULT_REPLICATES),
            doctrines=chosen_doctrines,
            parameters=parameters or stored.get("settings", {}).get("parameters"),
            seed=seed if seed is not None else stored.get("seed"),
            days=days or stored.get("days"),
            actor=actor or stored.get("actor"),
            levels=levels or stored_design.get("levels", 4),
            posterior=chosen_posterior,
            posterior_source=str(posterior) if posterior is not None else "",
            backend=chosen_backend,
        )
    except ValidationError:
        raise  # settings overridden by options: the app names the option
    except (KeyError, ValueError) as error:
        raise fail(str(error).strip('"')) from None
    for warning in scenario_warnings(base, actor=actor, horizon_days=sweep.days):
        warn(str(warning))
    runner = sweep.runner
    command = ["dualtrack", "explore", scenario, "--design", sweep.design.kind]
    command += ["--points", str(sweep.design.size), "--replicates", str(runner.replicates)]
    command += ["--doctrines", ",".join(sweep.doctrines), "--seed", str(runner.seed)]
    command += ["--days", str(sweep.days), "--actor", runner.actor]
    if sweep.design.kind == "morris":
        command += ["--levels", str(sweep.design.levels)]
    for pattern in parameters or []:
        command += ["--parameters", pattern]
    if posterior is not None:
        command += ["--posterior", str(posterior)]
    command += [*backend_args(runner.backend), "--out", str(out_dir)]

    def left() -> str:
        stored_now = len(store.finished_points()) if store.exists() else 0
        return (
            f"{stored_now} of {sweep.n_points} points are stored in {out_dir}; continue with "
            "the same command and --resume"
        )

    with stopped_by_signals(left):
        try:
            executor = make_executor(processes=processes, workers=workers, scheduler=scheduler)
        except (ValueError, ConnectionError, OSError) as error:
            raise fail(str(error)) from None
        done_before = (
            len(store.finished_points()) if store.exists() and not store.is_complete() else 0
        )
        _check_sweep_budget(sweep, sweep.n_points - done_before, processes or workers)
        say(
            f"[bold]{escape(base.name)}[/] - {sweep.design.kind} design: {sweep.n_points} "
            f"points over {len(sweep.design.parameters)} parameters x {len(sweep.doctrines)} "
            f"doctrine(s) ({', '.join(sweep.doctrines)}) x {runner.replicates} replicates x "
            f"{sweep.days} days; seed {runner.seed}; parameters: {escape(runner.parameters)}; "
            f"{executor.description}"
            + (f"; resuming with {done_before} points stored" if done_before else "")
        )
        started = time.perf_counter()
        try:
            with executor, progress_bar("points") as bar:
                task = bar.add_task("exploring", total=sweep.n_points, completed=done_before)
                result = run_sweep(
                    sweep,
                    out_dir,
                    executor,
                    resume=resume,
                    overwrite=overwrite,
                    inputs=inputs,
                    batch_points=batch or DEFAULT_BATCH_POINTS,
                    progress=lambda n: bar.advance(task, n),
                    command=command,
                )
        except ValueError as error:  # OutputError included
            raise fail(str(error)) from None
        elapsed = time.perf_counter() - started
        stored_sweep = load_sweep(result.folder)
        _print_outcomes(
            stored_sweep.points,
            f"{base.id}: outcomes over the {sweep.n_points} points (median [5%, 95%] of the "
            "per-point estimates)",
            as_json,
        )
        rate = result.ran / elapsed if elapsed > 0 else float("inf")
        say(
            f"ran {result.ran} points ({rate:.2f} points/s), {result.skipped} already stored, "
            f"{result.infeasible} infeasible; wrote {result.points_file}; "
            f"{invocation.elapsed():.1f} s in all"
        )


@app.command()
def sensitivity(
    out_dir: OutDirArg,
    outcome: Annotated[
        list[str] | None,
        typer.Option("--outcome", "-o", help="Outcome(s) to analyse (repeatable); default all."),
    ] = None,
    doctrines: DoctrinesOpt = None,
    confidence: Annotated[float, typer.Option(min=0.5, max=0.999)] = 0.95,
    resamples: Annotated[int, typer.Option(min=10, help="Bootstrap resamples.")] = 1000,
    top: Annotated[int, typer.Option(min=1, help="Parameters shown per table.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Sobol' indices (sobol design) or Morris screening (morris design) of a stored sweep.

    Every outcome and doctrine unless chosen."""
    from dualtrack.analysis.sensitivity import (
        INTERVALS,
        MEASURES,
        SENSITIVITY_DIR,
        analyse_sensitivity,
        table_file,
    )

    json_mode(as_json)
    folder = _sweep_folder(out_dir)
    try:
        result = analyse_sensitivity(
            folder,
            outcome,
            parse_doctrines(doctrines),
            confidence=confidence,
            resamples=resamples,
        )
    except (KeyError, ValueError, FileNotFoundError) as error:
        raise fail(str(error).strip('"')) from None
    for reason in result.skipped:
        say(f"[yellow]skipped[/] {escape(reason)}")
    if as_json:
        emit_json({"method": result.method, "indices": result.table()})
        return
    if not result.results:
        say("nothing varies: no indices to compute")
        return
    measures = MEASURES[result.method]
    for indices in result.results:
        view = Table(
            title=f"{indices.outcome} under {indices.doctrine}: top {top} by "
            f"{indices.ranked_by} ({int(confidence * 100)}% bootstrap intervals)",
            title_justify="left",
        )
        view.add_column("parameter")
        for measure in measures:
            view.add_column(measure, justify="right")
        ranked = indices.ranking(top)
        for parameter in ranked["parameter"].to_numpy():
            row = ranked.sel(parameter=parameter)
            cells = []
            for measure in measures:
                if measure in INTERVALS[result.method]:
                    cells.append(
                        f"{float(row[measure]):.3f} [{float(row[f'{measure}_low']):.3f}, "
                        f"{float(row[f'{measure}_high']):.3f}]"
                    )
                else:
                    cells.append(f"{float(row[measure]):.3f}")
            view.add_row(escape(str(parameter)), *cells)
        console.print(view)
    files = [folder / SENSITIVITY_DIR / table_file(result.method), *result.figures]
    say(f"wrote {', '.join(p.name for p in files)} to {files[0].parent}")


@app.command()
def discover(
    out_dir: OutDirArg,
    outcome: Annotated[str, typer.Option("--outcome", "-o", help="Outcome to threshold.")] = (
        "p_crisis"
    ),
    threshold: Annotated[float, typer.Option(help="Threshold on the outcome.")] = 0.1,
    doctrine: Annotated[
        str | None, typer.Option("--doctrine", "-d", help="Doctrine; default the sweep's first.")
    ] = None,
    above: Annotated[
        bool, typer.Option("--above", help="Cases of interest are above the threshold.")
    ] = False,
    conservative: Annotated[
        bool,
        typer.Option(
            "--conservative", help="Count a point only if its whole interval is on that side."
        ),
    ] = False,
    density: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Density a box must reach to be chosen.")
    ] = 0.8,
    peel_alpha: Annotated[float, typer.Option(help="Share of a box peeled per step.")] = 0.05,
    paste_alpha: Annotated[float, typer.Option(help="Share of a box pasted per step.")] = 0.05,
    mass_min: Annotated[float, typer.Option(help="Smallest box, as a share of points.")] = 0.05,
    boxes: Annotated[int, typer.Option(min=1, help="Most boxes (covering).")] = 3,
    significance: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Drop restrictions whose quasi-p-value exceeds this (default 1: keep all).",
        ),
    ] = 1.0,
    inputs: Annotated[
        int | None,
        typer.Option(min=1, help="Give PRIM only the N parameters of largest feature score."),
    ] = None,
    parameters: Annotated[
        list[str] | None,
        typer.Option("--parameters", "-p", help="Give PRIM only parameters matching (glob)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """PRIM scenario discovery: where a doctrine keeps an outcome below (or above) a threshold.

    Boxes of parameter ranges, with coverage, density and quasi-p-values."""
    from dualtrack.analysis.discovery import discover as run_discovery
    from dualtrack.experiments.sweep_store import load_sweep

    json_mode(as_json)
    folder = _sweep_folder(out_dir)
    try:
        name = doctrine or load_sweep(folder).doctrines[0]
        result = run_discovery(
            folder,
            outcome,
            threshold,
            name,
            below=not above,
            conservative=conservative,
            peel_alpha=peel_alpha,
            paste_alpha=paste_alpha,
            mass_min=mass_min,
            density=density,
            max_boxes=boxes,
            significance=None if significance >= 1.0 else significance,
            inputs=inputs,
            parameters=parameters,
        )
    except (KeyError, ValueError, FileNotFoundError) as error:
        raise fail(str(error).strip('"')) from None
    s = result.settings
    say(
        f"{name}: {s.cases_of_interest} of {s.points} points have {outcome} "
        f"{s.sign} {threshold:g}"
        + (" (whole interval)" if conservative else "")
        + f" (base rate {s.base_rate:.2f})"
    )
    if as_json:
        emit_json(
            {
                "settings": s,
                "boxes": [
                    {
                        "chosen_step": box.chosen_step,
                        "meets_threshold": box.meets_threshold,
                        "limits": box.limits,
                    }
                    for box in result.boxes
                ],
            }
        )
        return
    if not result.boxes:
        say("no box found: no case of interest")
        return
    for index, box in enumerate(result.boxes, start=1):
        st = box.chosen_step
        flag = "" if box.meets_threshold else f" [yellow](below density {density:g})[/]"
        view = Table(
            title=f"box {index}: coverage {st.coverage:.2f}, density {st.density:.2f}, "
            f"mass {st.mass:.2f} ({st.n} points), {st.res_dim} restricted"
            f"{flag}",
            title_justify="left",
        )
        for column in ("parameter", "low", "high", "full range", "qp low", "qp high"):
            view.add_column(column, justify="left" if column == "parameter" else "right")
        for limit in box.limits:
            view.add_row(
                escape(limit.parameter),
                f"{limit.low:.4g}",
                f"{limit.high:.4g}",
                f"[{limit.full_low:.4g}, {limit.full_high:.4g}]",
                "" if limit.qp_low is None else f"{limit.qp_low:.2g}",
                "" if limit.qp_high is None else f"{limit.qp_high:.2g}",
            )
        console.print(view)
    say(f"wrote {', '.join(p.name for p in result.files)} to {result.folder}")
