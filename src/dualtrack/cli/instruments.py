"""The ``instruments`` command: what each transparency and confidence-building instrument buys.

Every instrument set (each instrument alone, each combination of up to ``--combinations``) is a
variant of the scenario run on the same seed as the scenario without instruments, so its
effects are paired (common random numbers). ``--sweep`` repeats the study at points of an
exploration's design, ``--posterior`` at draws of a calibration's posterior, to show where each
instrument helps.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from dualtrack.cli.app import (
    InputError,
    JsonOpt,
    app,
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
    DaysOpt,
    OverwriteOpt,
    PerPointBackendOpt,
    PosteriorOpt,
    ReplicatesOpt,
    ScenarioArg,
    SeedOpt,
    WorkersOpt,
    backend_args,
    check_out_dir,
    check_per_point_backend,
    check_posterior,
    parse_doctrines,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd
    import xarray as xr

    from dualtrack.experiments.instruments import InstrumentSet
    from dualtrack.experiments.posterior_study import PosteriorDraws, PosteriorStudy
    from dualtrack.experiments.study import Study
    from dualtrack.scenario.schema import Scenario

DEFAULT_POINTS = 20

InstrumentsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--instruments",
        "-i",
        help="Instruments to weigh, comma-separated or repeated; default: the whole catalogue "
        "and the scenario's own.",
        show_default=False,
    ),
]
CombinationsOpt = Annotated[
    int,
    typer.Option(min=1, help="Also run every combination of up to this many instruments."),
]
RiskOpt = Annotated[
    Literal["p_crisis", "p_aggression", "p_war"],
    typer.Option(help="Risk that the frontier trades against intrusiveness."),
]
SweepOpt = Annotated[
    Path | None,
    typer.Option(
        help="An exploration folder (`dualtrack explore --out`): robustness over its points."
    ),
]
PointsOpt = Annotated[
    int,
    typer.Option(
        min=1,
        help="Points of the sweep (its first ones) to run at (under --posterior, one draw "
        "per block of 256 replicates: raise -n for more draws).",
    ),
]
OutDirOpt = Annotated[
    Path | None,
    typer.Option(help="Write the report, CSV tables, results.nc and manifest to this folder."),
]
ListOpt = Annotated[
    bool, typer.Option("--list", help="List the instruments (catalogue and scenario) and exit.")
]


def _digits(unit: str) -> int:
    return {"1": 3, "count": 2}.get(unit, 1)


def print_catalogue(scenario: Scenario) -> None:
    """The instruments available to the scenario: levers, intrusiveness, who must agree."""
    from dualtrack.scenario.instruments import available, catalogue

    table = Table(title=f"instruments for {scenario.id}", title_justify="left")
    for column in ("id", "name", "levers", "intrusiveness", "cost", "agreement", "from"):
        table.add_column(column)
    built_in = catalogue()
    for instrument in available(scenario).values():
        levers = instrument.levers.model_dump(exclude_none=True, exclude_defaults=True)
        table.add_row(
            instrument.id,
            escape(instrument.name),
            escape(", ".join(f"{k}={v}" for k, v in levers.items())),
            f"{instrument.intrusiveness:g}",
            instrument.cost,
            escape(f"{instrument.agreement.kind}: {instrument.agreement.parties}"),
            "catalogue" if instrument.id in built_in else "scenario",
        )
    console.print(table)


def print_effects(effects: pd.DataFrame, replicates: int) -> None:
    """Instrument set x outcome table of paired effects vs no instrument."""
    from dualtrack.analysis.instruments import EFFECT_OUTCOMES

    table = Table(
        title=f"paired effect vs no instrument (95% paired-t interval; * = helps, "
        f"distinguishably; {replicates:,} replicates per set, common random numbers)",
        title_justify="left",
    )
    table.add_column("instruments")
    table.add_column("intrusiveness", justify="right")
    for outcome in EFFECT_OUTCOMES:
        table.add_column(escape(str(effects.loc[effects.outcome == outcome.name, "label"].iloc[0])))
    cells = effects.set_index(["instruments", "outcome"])
    for name in dict.fromkeys(effects["instruments"]):
        texts = []
        for outcome in EFFECT_OUTCOMES:
            r = cells.loc[(name, outcome.name)]
            d = _digits(outcome.unit)
            mark = " *" if r["helps"] else "  "
            texts.append(f"{r['difference']:+.{d}f} [{r['low']:+.{d}f}, {r['high']:+.{d}f}]{mark}")
        table.add_row(escape(name), f"{cells.loc[(name, 'p_crisis'), 'intrusiveness']:g}", *texts)
    console.print(table)


def print_frontier(front: pd.DataFrame) -> None:
    """The sets on the frontier of risk reduction against intrusiveness."""
    risk = str(front["outcome"].iloc[0])
    table = Table(
        title=f"frontier: reduction of {risk} against intrusiveness (Pareto set)",
        title_justify="left",
    )
    for column in ("instruments", "intrusiveness", "reduction [95% interval]"):
        table.add_column(column, justify="left" if column == "instruments" else "right")
    for _, row in front[front["on_frontier"]].iterrows():
        table.add_row(
            escape(str(row["instruments"])),
            f"{row['intrusiveness']:g}",
            f"{row['reduction']:+.3f} [{row['reduction_low']:+.3f}, {row['reduction_high']:+.3f}]",
        )
    console.print(table)


def print_robustness(robust: pd.DataFrame, origin: str) -> None:
    """Per set and outcome: share of points where it helps and the mean effect over points."""
    table = Table(
        title=f"robustness over {origin}: share of points where the set helps [Wilson 95%], "
        "mean effect over points [t 95%]",
        title_justify="left",
    )
    for column in ("instruments", "outcome", "points", "share helps", "mean effect"):
        table.add_column(
            column, justify="left" if column in ("instruments", "outcome") else "right"
        )
    for _, r in robust.iterrows():
        table.add_row(
            escape(str(r["instruments"])),
            escape(str(r["label"])),
            str(int(r["points"])),
            f"{r['share_helps']:.2f} [{r['share_low']:.2f}, {r['share_high']:.2f}]",
            f"{r['mean_effect']:+.3f} [{r['mean_low']:+.3f}, {r['mean_high']:+.3f}]",
        )
    console.print(table)


def _sweep_points(folder: Path, scenario: Scenario, points: int) -> list[dict[str, float]]:
    """The first ``points`` points of a stored sweep of this scenario, as ``{path: value}``."""
    from dualtrack.experiments.sweep_store import find_sweep, load_sweep
    from dualtrack.scenario.uncertainty import number_at

    found = find_sweep(folder)
    if found is None:
        raise InputError(
            f"--sweep: {folder}: not an exploration folder (no sweep manifest there or in its "
            "exploration sub-folder); expected the --out folder of `dualtrack explore`"
        )
    try:
        stored = load_sweep(found, allow_partial=True)
    except (OSError, ValueError, KeyError) as error:
        raise InputError(f"--sweep: {found}: {error}") from None
    if stored.manifest.get("scenario_id") != scenario.id:
        raise InputError(
            f"--sweep: {found}: a sweep of scenario {stored.manifest.get('scenario_id')!r}; "
            f"expected one of {scenario.id!r}"
        )
    for path in stored.paths:
        try:
            number_at(scenario, path)
        except (KeyError, ValueError) as error:
            raise InputError(f"--sweep: {found}: {error}") from None
    design = stored.design[stored.paths].head(points)
    return [{p: float(v) for p, v in row.items()} for _, row in design.iterrows()]


def _check_names(scenario: Scenario, names: list[str] | None, combinations: int) -> None:
    from dualtrack.experiments.instruments import instrument_sets

    try:
        instrument_sets(scenario, names, combinations)
    except KeyError as error:
        raise InputError(f"--instruments: {error.args[0]}") from None


def _simulate(
    study: Study,
    workers: int,
    what: str,
    under: PosteriorStudy | None = None,
) -> tuple[dict[str, xr.Dataset], float]:
    """Run the study's plans (or, ``under`` a posterior, its blocks) with a progress bar."""
    from dualtrack.experiments.posterior_study import run_posterior_study
    from dualtrack.experiments.study import run_study

    plan = next(iter(study.plans.values()))
    say(
        f"[bold]{escape(study.scenario.name)}[/] - {what}: {len(study.plans)} run(s) of "
        f"{plan.replicates} replicates x {plan.compiled.n_steps} steps, "
        + (f"parameters: {under.label}, " if under is not None else "")
        + f"workers={workers}, backend={plan.backend}"
    )
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task(what, total=study.replicate_steps)

        def advance(steps: int) -> None:
            bar.advance(task, steps)

        if under is None:
            results = run_study(study, workers, advance)
        else:
            results = run_posterior_study(under, workers, advance)
    return results, time.perf_counter() - started


def _command(
    scenario: str,
    sets: tuple[InstrumentSet, ...],
    combinations: int,
    risk: str,
    replicates: int,
    days: int,
    seed: int,
    uncertainty: tuple[str, Path, int] | None,
    backend: str,
    out: Path,
) -> str:
    """The command that re-runs the study bit-identically (the worker count does not matter)."""
    names = [s.name for s in sets if len(s.members) == 1]
    command = ["dualtrack", "instruments", scenario, "--instruments", ",".join(names)]
    command += ["--combinations", str(combinations), "--risk", risk]
    command += ["--replicates", str(replicates), "--days", str(days), "--seed", str(seed)]
    if uncertainty is not None:
        option, folder, points = uncertainty
        command += [option, str(folder), "--points", str(points)]
    return shlex.join([*command, *backend_args(backend), "--out", str(out)])


def _write(
    out: Path,
    overwrite: bool,
    scenario_arg: str,
    scenario: Scenario,
    results: Mapping[str, xr.Dataset],
    tables: Mapping[str, pd.DataFrame],
    settings: Mapping[str, object],
    command: str,
    draws: PosteriorDraws | None,
) -> list[Path]:
    from dualtrack.experiments.instruments import INSTRUMENTS_KIND
    from dualtrack.experiments.posterior_study import manifest_entry
    from dualtrack.experiments.study_store import manifest, study_store, write_outputs
    from dualtrack.report.instruments_section import render_instruments_report

    inputs = [Path(scenario_arg)] if Path(scenario_arg).is_file() else []
    store = study_store(out, overwrite=overwrite, inputs=inputs)
    provenance = {
        **manifest(scenario, settings, [command]),
        "kind": INSTRUMENTS_KIND,
        **manifest_entry(draws),
    }
    with stage("writing the results and the report"):
        return write_outputs(
            store,
            scenario,
            results,
            tables,
            provenance,
            render_instruments_report,
            dim="instruments",
        )


@app.command()
def instruments(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    names: InstrumentsOpt = None,
    combinations: CombinationsOpt = 1,
    risk: RiskOpt = "p_crisis",
    sweep: SweepOpt = None,
    posterior: PosteriorOpt = None,
    points: PointsOpt = DEFAULT_POINTS,
    replicates: ReplicatesOpt = None,
    days: DaysOpt = None,
    seed: SeedOpt = None,
    out: OutDirOpt = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    overwrite: OverwriteOpt = False,
    list_only: ListOpt = False,
    as_json: JsonOpt = False,
    backend: PerPointBackendOpt = None,
) -> None:
    """Weigh transparency and confidence-building instruments, alone and combined.

    Paired effects (common random numbers) of each instrument set on P(crisis), P(deliberate
    aggression), P(war), expected agreements and cost, with 95% intervals; the frontier of risk
    reduction against intrusiveness; with --sweep or --posterior, the share of the uncertainty
    in which each set helps. The backend defaults to numpy whatever is installed: every
    instrument set is its own program to compile."""
    from dualtrack.analysis.instruments import draw_effects, effects_table, frontier, point_effects
    from dualtrack.analysis.instruments import robustness_table as robustness_summary
    from dualtrack.analysis.outcomes import summary_table
    from dualtrack.experiments.instruments import (
        instruments_under_posterior,
        plan_instruments,
        plan_robustness,
    )
    from dualtrack.experiments.posterior_study import blocks, draws_for, parameters_label
    from dualtrack.scenario.loading import load_scenario

    json_mode(as_json)
    loaded = load_scenario(scenario)
    if list_only:
        if as_json:
            from dualtrack.scenario.instruments import available

            emit_json(
                {"instruments": [i.model_dump(mode="json") for i in available(loaded).values()]}
            )
        else:
            print_catalogue(loaded)
        return
    chosen_backend = check_per_point_backend(backend)
    chosen = parse_doctrines(names)  # the same comma-or-repeat syntax
    _check_names(loaded, chosen, combinations)
    if sweep is not None and posterior is not None:
        raise InputError("--sweep and --posterior: give one source of uncertainty, not both")
    if out is not None:
        check_out_dir(out)
    uncertain_points, origin = None, None
    uncertainty: tuple[str, Path, int] | None = None  # the option, its folder, --points
    if sweep is not None:
        uncertain_points = _sweep_points(sweep, loaded, points)
        origin = f"sweep {sweep} ({len(uncertain_points)} points)"
        uncertainty = ("--sweep", sweep, points)
    drawn = check_posterior(posterior, loaded)
    written: list[Path] = []
    with stopped_by_signals(
        lambda: (
            "stopped; nothing was written and no output folder changed"
            if not written
            else f"stopped after writing {written[0].parent}"
        )
    ):
        try:
            planned = plan_instruments(
                loaded,
                chosen,
                combinations=combinations,
                replicates=replicates,
                seed=seed,
                days=days,
                backend=chosen_backend,
            )
        except ValueError as error:  # a backend that cannot run the doctrines among them
            raise InputError(str(error)) from None
        resolved = planned.scenario
        singles = sum(len(s.members) == 1 for s in planned.sets)
        if combinations > singles:
            warn(f"--combinations {combinations}: there are only {singles} instrument(s)")
        plan = planned.study.plans["none"]
        draws = None
        if drawn is not None and posterior is not None:
            draws = draws_for(planned.study, drawn, str(posterior))
            origin = parameters_label(draws.source, draws.n_draws)
            uncertainty = ("--posterior", posterior, points)
            under = instruments_under_posterior(planned, draws)
            results, elapsed = _simulate(planned.study, workers, "instrument sets", under)
        else:
            results, elapsed = _simulate(planned.study, workers, "instrument sets")
        effects = effects_table(results, planned.sets)
        front = frontier(effects, risk)
        summary = summary_table(results).rename(columns={"doctrine": "instruments"})
        tables: dict[str, pd.DataFrame] = {
            "effects.csv": effects,
            "frontier.csv": front,
            "summary.csv": summary,
        }
        if draws is not None:
            per_draw = draw_effects(results, planned.sets, blocks(plan.replicates))
            tables["robustness_points.csv"] = per_draw
            tables["robustness.csv"] = robustness_summary(per_draw)
        elif uncertain_points is not None and origin is not None:
            robust = plan_robustness(
                loaded,
                planned.sets,
                uncertain_points,
                origin=origin,
                replicates=plan.replicates,
                seed=plan.seed,
                days=days,
                backend=chosen_backend,
            )
            for point, reason in robust.infeasible.items():
                warn(f"--sweep: point {point} is infeasible and left out: {reason}")
            point_results, more = _simulate(robust.study, workers, "robustness")
            elapsed += more
            per_point = point_effects(robust, point_results)
            tables["robustness_points.csv"] = per_point
            tables["robustness.csv"] = robustness_summary(per_point)
            origin = robust.origin
        if as_json:
            emit_json({k.removesuffix(".csv"): v for k, v in tables.items()})
        else:
            print_effects(effects, plan.replicates)
            print_frontier(front)
            if origin is not None:
                print_robustness(tables["robustness.csv"], origin)
        if out is not None:
            settings = {
                "instruments": [s.name for s in planned.sets if len(s.members) == 1],
                "combinations": combinations,
                "risk": risk,
                "replicates": plan.replicates,
                "days": resolved.settings.horizon_days,
                "robustness_from": origin,
                "points": len(uncertain_points or []),
                "workers": workers,
                "elapsed_s": round(elapsed, 3),
            }
            command = _command(
                scenario,
                planned.sets,
                combinations,
                risk,
                plan.replicates,
                resolved.settings.horizon_days,
                plan.seed,
                uncertainty,
                chosen_backend,
                out,
            )
            written += _write(
                out, overwrite, scenario, resolved, results, tables, settings, command, draws
            )
        say(
            f"{planned.study.replicate_steps:,} replicate-steps (and the robustness runs) in "
            f"{elapsed:.1f} s; "
            + (f"wrote {len(written)} files to {out}; " if written else "")
            + f"{invocation.elapsed():.1f} s in all"
        )
