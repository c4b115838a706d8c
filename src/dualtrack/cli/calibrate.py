"""The ``calibrate`` command: fit uncertain parameters to coded episodes by ABC-SMC (pyabc)."""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from dualtrack.cli.app import (
    JsonOpt,
    app,
    console,
    emit_json,
    fail,
    invocation,
    json_mode,
    progress_bar,
    say,
    stage,
    stopped_by_signals,
)
from dualtrack.cli.options import (
    DEFAULT_SCENARIO,
    DaskWorkersOpt,
    OverwriteOpt,
    PerPointBackendOpt,
    ProcessesOpt,
    ScenarioArg,
    SchedulerOpt,
    SeedOpt,
    backend_args,
    check_per_point_backend,
)

if TYPE_CHECKING:
    import pandas as pd

CALIBRATION_DIR = "calibration"
"""Default output folder inside ``results/<scenario id>``."""
DEFAULT_PREDICTIVE = 40


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def reproduce_command(
    scenario: str,
    parameters: list[str],
    episodes: list[str],
    numbers: dict[str, int],
    out_dir: Path,
) -> list[str]:
    """The command that re-runs the calibration bit-identically (executors do not matter)."""
    command = ["dualtrack", "calibrate", scenario]
    for pattern in parameters:
        command += ["--parameters", pattern]
    for episode in episodes:
        command += ["--episode", episode]
    for option, value in numbers.items():
        command += [f"--{option}", str(value)]
    return [*command, "--out", str(out_dir)]


def _print_table(table: pd.DataFrame, level: float) -> None:
    shown = Table(
        title=f"prior vs posterior ({int(level * 100)}% central intervals; width ratio = "
        "posterior width / prior width, [5-95% over resamples of the population]: near 1 the "
        "episodes do not constrain the parameter)",
        title_justify="left",
    )
    for column in ("parameter", "prior", "posterior mean", "posterior", "width ratio"):
        shown.add_column(column, justify="left" if column == "parameter" else "right")
    for row in table.itertuples():
        shown.add_row(
            escape(str(row.parameter)),
            f"[{row.prior_low:.4g}, {row.prior_high:.4g}]",
            f"{row.posterior_mean:.4g}",
            f"[{row.posterior_low:.4g}, {row.posterior_high:.4g}]",
            f"{row.width_ratio:.2f} [{row.width_ratio_low:.2f}, {row.width_ratio_high:.2f}]",
        )
    console.print(shown)


@app.command()
def calibrate(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    parameters: Annotated[
        list[str] | None,
        typer.Option(
            "--parameters",
            "-p",
            help="Parameters to fit: path patterns (glob: * and ?; repeatable or "
            "comma-separated), e.g. 'mechanisms.intent.*'. Their declared ranges and "
            "distributions are the priors.",
            show_default=False,
        ),
    ] = None,
    episode: Annotated[
        list[str] | None,
        typer.Option(
            "--episode",
            "-e",
            help="Coded episode(s) to fit: a built-in name (e.g. 2024-summer) or an episode "
            "YAML file; repeatable.",
            show_default=False,
        ),
    ] = None,
    population: Annotated[
        int, typer.Option(min=2, help="Particles per ABC-SMC generation (and prior pilot draws).")
    ] = 60,
    generations: Annotated[
        int, typer.Option(min=1, help="ABC-SMC generations (a --resume continues up to this).")
    ] = 4,
    replicates: Annotated[
        int, typer.Option("--replicates", "-n", min=1, help="Engine replicates per particle.")
    ] = 20,
    predictive: Annotated[
        int, typer.Option(min=1, help="Posterior predictive draws (each runs --replicates).")
    ] = DEFAULT_PREDICTIVE,
    statistics: Annotated[
        str,
        typer.Option(
            help="Groups of statistics the fit uses, comma-separated: timing (the episode's "
            "timings), tension (monthly tension index), quad (events per CAMEO quad class).",
        ),
    ] = "timing,tension,quad",
    seed: SeedOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(help=f"Output folder; default results/<scenario id>/{CALIBRATION_DIR}."),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue the calibration in --out from its last finished generation "
            "(same settings; --generations may grow).",
        ),
    ] = False,
    overwrite: OverwriteOpt = False,
    workers: DaskWorkersOpt = None,
    scheduler: SchedulerOpt = None,
    processes: ProcessesOpt = None,
    as_json: JsonOpt = False,
    backend: PerPointBackendOpt = None,
) -> None:
    """Fit uncertain parameters to coded episodes by ABC-SMC; write the posterior and a report.

    The same seed gives the same posterior, bit for bit, with any --processes, --workers or
    --scheduler. Under --json, stdout holds the prior/posterior table, the generations and
    the posterior predictive check."""
    from dualtrack.analysis.calibration.episodes import load_episode
    from dualtrack.analysis.calibration.folder import CALIBRATION_KIND, WORK_DIR
    from dualtrack.analysis.calibration.inference import HISTORY_FILE
    from dualtrack.experiments.executors import make_executor
    from dualtrack.experiments.store import OutputError, Store
    from dualtrack.scenario.loading import load_scenario
    from dualtrack.scenario.uncertainty import uncertain_parameters

    json_mode(as_json)
    patterns = _split(parameters)
    names = _split(episode)
    if not patterns:
        raise fail("--parameters: give at least one path pattern, e.g. 'mechanisms.intent.*'")
    if not names:
        from dualtrack.analysis.calibration.episodes import builtin_episodes

        known = ", ".join(builtin_episodes())
        raise fail(f"--episode: give at least one episode; built-in episodes: {known}")
    if workers is not None and scheduler is not None:
        raise fail("give --workers (a local Dask cluster) or --scheduler, not both")
    chosen_backend = check_per_point_backend(backend)
    base = load_scenario(scenario)
    try:
        uncertain_parameters(base, patterns)
    except KeyError as error:
        raise fail(f"--parameters: {str(error).strip(chr(34))}") from None
    loaded = [load_episode(name) for name in names]  # a located error exits 2 here
    chosen_seed = base.settings.seed if seed is None else seed
    out_dir = out or Path("results") / base.id / CALIBRATION_DIR
    inputs = [Path(p) for p in (scenario, *names) if Path(p).is_file()]
    store = Store(out_dir, overwrite=overwrite or resume, inputs=inputs, keep=(WORK_DIR,))
    work = out_dir / WORK_DIR
    try:
        store.check(replace=not resume)
    except OutputError as error:
        raise fail(str(error)) from None
    if resume and not (work / HISTORY_FILE).is_file():
        raise fail(f"--resume: {out_dir} holds no calibration to continue; run without --resume")
    if not resume and not overwrite and (work / HISTORY_FILE).is_file():
        raise fail(
            f"--out: {out_dir} holds the history of a calibration ({work / HISTORY_FILE}); add "
            "--resume to continue it, or --overwrite to start again"
        )
    numbers = {
        "population": population,
        "generations": generations,
        "replicates": replicates,
        "predictive": predictive,
        "seed": chosen_seed,
    }
    groups = _split([statistics])
    words = reproduce_command(scenario, patterns, names, numbers, store.path)
    command = shlex.join(
        [*words[:-2], "--statistics", ",".join(groups), *backend_args(chosen_backend), *words[-2:]]
    )

    def left() -> str:
        return (
            f"the finished generations are kept in {work}; continue with the same command "
            "and --resume"
            if (work / HISTORY_FILE).is_file()
            else "stopped; nothing was written and no output folder changed"
        )

    with stopped_by_signals(left):
        try:
            executor = make_executor(processes=processes, workers=workers, scheduler=scheduler)
        except (ValueError, ConnectionError, OSError) as error:
            raise fail(str(error)) from None
        say(
            f"[bold]{escape(base.name)}[/] - fitting {escape(', '.join(patterns))} to "
            f"{escape(', '.join(names))}: ABC-SMC, {population} particles x {generations} "
            f"generations x {replicates} replicates; seed {chosen_seed}; {executor.description}"
        )
        started = time.perf_counter()
        with executor:
            result, predictive_draws = _fit(
                base,
                patterns,
                loaded,
                numbers,
                groups,
                work,
                resume,
                executor,
                command,
                chosen_backend,
            )
        elapsed = time.perf_counter() - started
        written = _save(
            store, base, result, predictive_draws, command, numbers, elapsed, executor.description
        )
    table = result.prior_posterior_table()
    if as_json:
        emit_json(
            {
                "parameters": table,
                "generations": [
                    {"t": g.t, "epsilon": g.epsilon, "simulations": g.samples}
                    for g in result.generations
                ],
                "kind": CALIBRATION_KIND,
            }
        )
    else:
        _print_table(table, float(table.attrs["level"]))
    simulations = sum(g.samples for g in result.generations)
    say(
        f"{simulations:,} ABC simulations in {len(result.generations)} generations "
        f"({elapsed:.1f} s); wrote {', '.join(p.name for p in written)} to {store.path}; "
        f"{invocation.elapsed():.1f} s in all"
    )


def _fit(
    base: Any,
    patterns: list[str],
    episodes: list[Any],
    numbers: dict[str, int],
    groups: list[str],
    work: Path,
    resume: bool,
    executor: Any,
    command: str,
    backend: str,
) -> tuple[Any, Any]:
    from dualtrack.analysis.calibration.inference import (
        CalibrationError,
        calibrate,
        posterior_predictive,
    )

    population, generations = numbers["population"], numbers["generations"]
    total = population * (generations + 1) + numbers["predictive"]
    with progress_bar("particles") as bar:
        task = bar.add_task("calibrating", total=total)
        try:
            result = calibrate(
                base,
                patterns,
                episodes,
                population=population,
                generations=generations,
                replicates=numbers["replicates"],
                seed=numbers["seed"],
                workdir=work,
                resume=resume,
                statistics=groups,
                executor=executor,
                progress=lambda _stage, n: bar.advance(task, n),
                command=command,
                backend=backend,
            )
        except CalibrationError as error:
            raise fail(str(error)) from None
        bar.update(task, completed=population * (generations + 1))
        draws = posterior_predictive(
            result,
            numbers["predictive"],
            executor=executor,
            progress=lambda _stage, n: bar.advance(task, n),
        )
    return result, draws


def _save(
    store: Any,
    scenario: Any,
    result: Any,
    predictive: Any,
    command: str,
    numbers: dict[str, int],
    elapsed: float,
    executor: str,
) -> list[Path]:
    from dualtrack.analysis.calibration.episodes import episode_summary
    from dualtrack.analysis.calibration.folder import CALIBRATION_KIND, write_calibration
    from dualtrack.experiments.store import FILES, checksums, write_text
    from dualtrack.experiments.study_store import manifest
    from dualtrack.report.calibration_section import render_calibration_report
    from dualtrack.scenario.loading import dump_scenario

    settings = {
        **dict(result.settings),
        **numbers,
        "episode_details": [episode_summary(e) for e in result.episodes],
        "executor": executor,
        "elapsed_s": round(elapsed, 3),
    }
    record = manifest(scenario, settings, [command])
    record["kind"] = CALIBRATION_KIND
    record["seed"] = numbers["seed"]
    with stage("writing the posterior and the report"), store.writing() as staging:
        written = write_calibration(staging, result, predictive)
        write_text(staging / FILES.scenario, dump_scenario(scenario))
        record["files"] = checksums(staging, [p.name for p in written])
        store.write_manifest(record, staging)
        written.append(render_calibration_report(staging))
    return [store.path / p.name for p in written]
