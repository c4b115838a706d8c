"""Exploration commands: ``explore`` (parameter sweeps), ``sensitivity`` and ``discover``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from dualtrack.analysis.discovery import discover as run_discovery
from dualtrack.analysis.exploration import (
    EXPLORATION_DIR,
    PointEstimates,
    find_exploration,
    outcomes_across_points,
)
from dualtrack.analysis.outcomes import OUTCOMES
from dualtrack.analysis.sensitivity import analyse_sensitivity
from dualtrack.cli.app import app, console, fail, progress_bar, stopped_by_signals
from dualtrack.experiments.design import DESIGN_KINDS
from dualtrack.experiments.executors import make_executor
from dualtrack.experiments.store import OutputError
from dualtrack.experiments.sweep import DEFAULT_BATCH_POINTS, plan_sweep, run_sweep
from dualtrack.experiments.sweep_store import SweepStore, load_sweep
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.uncertainty import uncertain_parameters

DEFAULT_SCENARIO = "belarus-ukraine-2024"
DEFAULT_POINTS = 64
DEFAULT_REPLICATES = 200

OutDirArg = Annotated[
    Path, typer.Argument(help="Sweep folder (or a results folder with an exploration folder).")
]


def _sweep_folder(path: Path) -> Path:
    found = find_exploration(path)
    if found is None:
        raise fail(f"{path}: no sweep found (expected the --out folder of `dualtrack explore`)")
    return found


def _print_parameters(scenario: str, patterns: list[str] | None) -> None:
    try:
        loaded = load_scenario(scenario)
        parameters = uncertain_parameters(loaded, patterns)
    except (ScenarioError, KeyError) as error:
        raise fail(str(error).strip('"')) from None
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


def _print_outcomes(points: pd.DataFrame, title: str) -> None:
    names = [o.name for o in OUTCOMES if o.name in points.columns]
    spread = outcomes_across_points(points, names)
    if spread.empty:
        return
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    doctrines = list(dict.fromkeys(spread["doctrine"]))
    for name in doctrines:
        table.add_column(name, justify="right")
    cells = spread.set_index(["outcome", "doctrine"])
    for outcome in OUTCOMES:
        if outcome.name not in names:
            continue
        digits = 3 if outcome.unit == "1" else 1
        row = []
        for name in doctrines:
            r = cells.loc[(outcome.name, name)]
            row.append(f"{r['median']:.{digits}f} [{r['p05']:.{digits}f}, {r['p95']:.{digits}f}]")
        table.add_row(escape(outcome.label), *row)
    console.print(table)


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
    doctrines: Annotated[
        str | None,
        typer.Option(help="Comma-separated doctrines; default: the subject's own doctrine."),
    ] = None,
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
        int | None, typer.Option(min=0, help="Sweep seed (default: scenario's).")
    ] = None,
    days: Annotated[int | None, typer.Option(min=1, help="Horizon in days.")] = None,
    actor: Annotated[
        str | None, typer.Option(help="Actor whose doctrine varies; default: the subject.")
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
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Replace the content of a non-empty --out folder, as a whole."
        ),
    ] = False,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Start a local Dask cluster of N worker processes.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run on an existing Dask cluster: tcp://HOST:PORT.")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1, help="Local worker processes without Dask (default: one per core; 1: no pool)."
        ),
    ] = None,
    batch: Annotated[
        int, typer.Option(min=1, help="Points stored per part file.")
    ] = DEFAULT_BATCH_POINTS,
    list_parameters: Annotated[
        bool, typer.Option("--list-parameters", help="List the uncertain parameters and exit.")
    ] = False,
) -> None:
    """Sweep the uncertain parameters: one row per point and doctrine, stored as it goes."""
    if list_parameters:
        _print_parameters(scenario, parameters)
        return
    if workers is not None and scheduler is not None:
        raise fail("give --workers (a local Dask cluster) or --scheduler, not both")
    try:
        base = load_scenario(scenario)
    except ScenarioError as error:
        raise fail(str(error)) from None
    out_dir = out or Path("results") / base.id / EXPLORATION_DIR
    inputs = [Path(scenario)] if Path(scenario).is_file() else []
    store = SweepStore(out_dir, overwrite=overwrite, inputs=inputs)
    try:
        store.check(resume=resume)
    except OutputError as error:
        raise fail(str(error)) from None
    stored: dict[str, Any] = store.read_manifest() if resume and store.exists() else {}
    chosen_doctrines = (
        [d.strip() for d in doctrines.split(",") if d.strip()]
        if doctrines
        else stored.get("doctrines")
    )
    stored_design = stored.get("design", {})
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
        )
    except (ScenarioError, KeyError, ValueError) as error:
        raise fail(str(error).strip('"')) from None
    runner = sweep.runner
    command = ["dualtrack", "explore", scenario, "--design", sweep.design.kind]
    command += ["--points", str(sweep.design.size), "--replicates", str(runner.replicates)]
    command += ["--doctrines", ",".join(sweep.doctrines), "--seed", str(runner.seed)]
    command += ["--days", str(sweep.days), "--actor", runner.actor]
    if sweep.design.kind == "morris":
        command += ["--levels", str(sweep.design.levels)]
    for pattern in parameters or []:
        command += ["--parameters", pattern]
    command += ["--out", str(out_dir)]

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
        console.print(
            f"[bold]{escape(base.name)}[/] - {sweep.design.kind} design: {sweep.n_points} "
            f"points over {len(sweep.design.parameters)} parameters x {len(sweep.doctrines)} "
            f"doctrine(s) ({', '.join(sweep.doctrines)}) x {runner.replicates} replicates x "
            f"{sweep.days} days; seed {runner.seed}; {executor.description}"
            + (f"; resuming with {done_before} points stored" if done_before else ""),
            highlight=False,
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
                    batch_points=batch,
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
        )
        rate = result.ran / elapsed if elapsed > 0 else float("inf")
        console.print(
            f"ran {result.ran} points ({rate:.2f} points/s), {result.skipped} already stored, "
            f"{result.infeasible} infeasible; wrote {result.points_file}",
            highlight=False,
        )


@app.command()
def sensitivity(
    out_dir: OutDirArg,
    outcome: Annotated[
        list[str] | None,
        typer.Option("--outcome", "-o", help="Outcome(s) to analyse (repeatable); default all."),
    ] = None,
    doctrine: Annotated[
        list[str] | None,
        typer.Option("--doctrine", "-d", help="Doctrine(s) to analyse (repeatable); default all."),
    ] = None,
    confidence: Annotated[float, typer.Option(min=0.5, max=0.999)] = 0.95,
    resamples: Annotated[int, typer.Option(min=10, help="Bootstrap resamples.")] = 1000,
    top: Annotated[int, typer.Option(min=1, help="Parameters shown per table.")] = 10,
) -> None:
    """Sobol' indices (sobol design) or Morris screening (morris design) of a stored sweep."""
    folder = _sweep_folder(out_dir)
    try:
        result = analyse_sensitivity(
            folder, outcome, doctrine, confidence=confidence, resamples=resamples
        )
    except (KeyError, ValueError, FileNotFoundError) as error:
        raise fail(str(error).strip('"')) from None
    for reason in result.skipped:
        console.print(f"[yellow]skipped[/] {escape(reason)}", highlight=False)
    table = result.table
    if table.empty:
        console.print("nothing varies: no indices to compute")
        return
    rank = "ST" if result.method == "sobol" else "mu_star"
    for (name, measure), group in table.groupby(["doctrine", "outcome"], sort=False):
        view = Table(
            title=f"{measure} under {name}: top {top} by {rank} "
            f"({int(confidence * 100)}% bootstrap intervals)",
            title_justify="left",
        )
        view.add_column("parameter")
        columns = ("S1", "ST") if result.method == "sobol" else ("mu_star", "sigma", "mu")
        for column in columns:
            view.add_column(column, justify="right")
        for _, row in group.sort_values(rank, ascending=False).head(top).iterrows():
            cells = []
            for column in columns:
                if f"{column}_low" in group.columns:
                    cells.append(
                        f"{row[column]:.3f} [{row[f'{column}_low']:.3f}, "
                        f"{row[f'{column}_high']:.3f}]"
                    )
                else:
                    cells.append(f"{row[column]:.3f}")
            view.add_row(escape(str(row["parameter"])), *cells)
        console.print(view)
    console.print(f"wrote {', '.join(p.name for p in result.files)} to {result.files[0].parent}")


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
) -> None:
    """PRIM scenario discovery: parameter ranges where a doctrine keeps an outcome below (or
    above) a threshold."""
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
    console.print(
        f"{name}: {s['cases_of_interest']} of {s['points']} points have {outcome} "
        f"{'>' if above else '<'} {threshold:g}"
        + (" (whole interval)" if conservative else "")
        + f" (base rate {s['base_rate']:.2f})",
        highlight=False,
    )
    if not result.boxes:
        console.print("no box found: no case of interest")
        return
    for index, box in enumerate(result.boxes, start=1):
        st = box.stats
        flag = "" if box.meets_threshold else f" [yellow](below density {density:g})[/]"
        view = Table(
            title=f"box {index}: coverage {st['coverage']:.2f}, density {st['density']:.2f}, "
            f"mass {st['mass']:.2f} ({int(st['n'])} points), {int(st['res_dim'])} restricted"
            f"{flag}",
            title_justify="left",
        )
        for column in ("parameter", "low", "high", "full range", "qp low", "qp high"):
            view.add_column(column, justify="left" if column == "parameter" else "right")
        for _, row in box.restricted().iterrows():
            view.add_row(
                escape(str(row["parameter"])),
                f"{row['low']:.4g}",
                f"{row['high']:.4g}",
                f"[{row['full_low']:.4g}, {row['full_high']:.4g}]",
                "" if pd.isna(row["qp_low"]) else f"{row['qp_low']:.2g}",
                "" if pd.isna(row["qp_high"]) else f"{row['qp_high']:.2g}",
            )
        console.print(view)
    console.print(
        f"wrote {', '.join(p.name for p in result.files)} to {result.folder}", highlight=False
    )
