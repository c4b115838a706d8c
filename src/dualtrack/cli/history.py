"""History commands: print the coded 2001-2024 timeline, validate the model against 2024."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from dualtrack.cli.app import JsonOpt, app, console, emit_json, fail, json_mode, progress_bar, say
from dualtrack.cli.options import BackendOpt

if TYPE_CHECKING:
    import pandas as pd

HALF_LIFE_HELP = (
    "Half-life of the tension index (days); default 30 (analysis.history.DEFAULT_HALF_LIFE_DAYS)."
)
REPLICATES_HELP = (
    "Replicates per doctrine; default 1000 (analysis.validation.DEFAULT_REPLICATES). With "
    "--holdout: per forecast run, default 1024 (4 posterior draws)."
)
HOLDOUT_HELP = (
    "Out-of-sample validation instead: fit on --fit episodes (or take --posterior), forecast "
    "the --predict episodes, score the forecasts (log, Brier, CRPS) against climatology and "
    "the nominal model."
)

_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?")


def parse_date(text: str, option: str, *, last: bool = False) -> dt.date:
    """A date given as YYYY, YYYY-MM or YYYY-MM-DD; a partial date is its first day, or its
    last day when ``last`` (so ``--to 2022`` keeps all of 2022)."""
    match = _PARTIAL_DATE.fullmatch(text.strip())
    if match is not None:
        year = int(match.group(1))
        month = int(match.group(2)) if match.group(2) else (12 if last else 1)
        try:
            if match.group(3):
                return dt.date(year, month, int(match.group(3)))
            day = calendar.monthrange(year, month)[1] if last else 1
            return dt.date(year, month, day)
        except (ValueError, calendar.IllegalMonthError):
            pass
    raise fail(f"{option}: expected a date YYYY-MM-DD (or YYYY-MM, YYYY), found {text!r}")


def _shown_date(date: pd.Timestamp, precision: str) -> str:
    if precision == "year":
        return f"{date.year}"
    if precision == "month":
        return f"{date.year}-{date.month:02d}"
    return date.date().isoformat()


@app.command()
def history(
    from_: Annotated[
        str | None, typer.Option("--from", help="First date shown (YYYY-MM-DD, YYYY-MM or YYYY).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last date shown (YYYY-MM-DD, YYYY-MM or YYYY).")
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the tension-index plot (PNG) to this file."),
    ] = None,
    half_life: Annotated[
        float | None, typer.Option("--half-life", min=0.1, help=HALF_LIFE_HELP)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the coded Belarus-Ukraine event timeline 2001-2024 (CAMEO, Goldstein, track)."""
    start = parse_date(from_, "--from") if from_ else None
    end = parse_date(to, "--to", last=True) if to else None
    if start and end and end < start:
        raise fail(f"--to: expected a date on or after --from ({start}), found {end}")
    from dualtrack.analysis.history import (
        DEFAULT_HALF_LIFE_DAYS,
        EventDataError,
        TensionIndex,
        filter_events,
        load_cameo,
        load_events,
    )

    json_mode(as_json)
    half_life = DEFAULT_HALF_LIFE_DAYS if half_life is None else half_life
    try:
        cameo = load_cameo()
        everything = load_events(cameo=cameo)
    except EventDataError as error:
        raise fail(str(error)) from None
    events = filter_events(everything, start=start, end=end)
    span = f"{start or 'start'} to {end or 'end'}"
    if as_json:
        labels = cameo.loc[events["cameo_code"], "label"].to_numpy()
        emit_json({"events": events.assign(cameo_label=labels)})
    table = Table(
        title=f"Coded Belarus-Ukraine events, {span} ({len(events)} of {len(everything)})",
        title_justify="left",
    )
    for column in ("id", "date", "actor > target", "CAMEO"):
        table.add_column(column)
    table.add_column("Goldstein", justify="right")
    table.add_column("track")
    table.add_column("event")
    colours = {"deterrence": "red", "dialogue": "green", "context": "blue"}
    for event in events.itertuples(index=False):
        label = str(cameo.loc[event.cameo_code, "label"])
        table.add_row(
            str(event.event_id),
            _shown_date(event.date, str(event.date_precision)),
            f"{event.actor} > {event.target}",
            escape(f"{event.cameo_code} {label}"),
            f"{event.goldstein:+.1f}",
            f"[{colours[str(event.track)]}]{event.track}[/]",
            escape(str(event.description)),
        )
    if not as_json:
        console.print(table)
    if plot is not None:
        if events.empty:
            raise fail("--plot: no events between --from and --to; nothing to plot")
        index = TensionIndex.from_events(
            everything,
            half_life_days=half_life,
            start=start or events["date"].min(),
            end=end or events["date"].max(),
        )
        try:
            index.plot(plot, events=events)
        except ImportError:
            raise fail("--plot needs matplotlib: pip install matplotlib") from None
        except OSError as error:
            raise fail(f"--plot: cannot write {plot}: {error.strerror}") from None
        say(
            f"wrote {plot} (tension index, half-life {half_life:g} days; "
            "deterrence and dialogue tracks)"
        )


def _timing(row: Mapping[str, Any]) -> str:
    if row["observed_day"] != row["observed_day"]:  # NaN: no observed timing
        return ""
    if row["median_day"] != row["median_day"]:
        return f"never (observed {row['observed_day']:.0f})"
    return (
        f"{row['median_day']:.0f} [{row['p5_day']:.0f}-{row['p95_day']:.0f}] "
        f"(observed {row['observed_day']:.0f})"
    )


@app.command("validate-history")
def validate_history_command(
    replicates: Annotated[
        int | None, typer.Option("--replicates", "-n", min=1, help=REPLICATES_HELP)
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Random seed; default: the scenario's.")
    ] = None,
    out: Annotated[
        Path,
        typer.Option(help="Folder for patterns.csv and patterns.png (holdout: holdout.csv)."),
    ] = Path("results") / "history-validation",
    holdout: Annotated[bool, typer.Option("--holdout", help=HOLDOUT_HELP)] = False,
    fit: Annotated[
        list[str] | None,
        typer.Option(
            "--fit",
            help="With --holdout: episode fitted (repeatable); default 2024-summer.",
            show_default=False,
        ),
    ] = None,
    predict: Annotated[
        list[str] | None,
        typer.Option(
            "--predict",
            help="With --holdout: held-out episode (repeatable); default every other.",
            show_default=False,
        ),
    ] = None,
    posterior: Annotated[
        Path | None,
        typer.Option(
            "--posterior",
            help="With --holdout: calibration folder to forecast with; no fit is made.",
            show_default=False,
        ),
    ] = None,
    parameters: Annotated[
        list[str] | None,
        typer.Option(
            "--parameters",
            "-p",
            help="With --holdout: parameters fitted (glob, repeatable); default four global "
            "mechanism numbers (analysis.calibration.holdout.DEFAULT_PARAMETERS).",
            show_default=False,
        ),
    ] = None,
    population: Annotated[
        int | None,
        typer.Option(min=2, help="With --holdout: ABC-SMC particles per generation; default 24."),
    ] = None,
    generations: Annotated[
        int | None, typer.Option(min=1, help="With --holdout: ABC-SMC generations; default 2.")
    ] = None,
    fit_replicates: Annotated[
        int | None,
        typer.Option(min=1, help="With --holdout: engine replicates per particle; default 10."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="With --holdout: worker processes of the fit; default 1."),
    ] = None,
    as_json: JsonOpt = False,
    backend: BackendOpt = None,
) -> None:
    """Check the built-in scenario against the observed 2024 patterns.

    Dual-track vs deterrence-only: the share of runs reproducing each pattern, with Wilson
    95% intervals. With --holdout, an out-of-sample validation on the coded episodes."""
    from dualtrack.analysis.files import save_csv

    holdout_only = {
        "--fit": fit,
        "--predict": predict,
        "--posterior": posterior,
        "--parameters": parameters,
        "--population": population,
        "--generations": generations,
        "--fit-replicates": fit_replicates,
        "--workers": workers,
    }
    if holdout:
        _holdout(
            fit=fit,
            predict=predict,
            posterior=posterior,
            parameters=parameters,
            population=population,
            generations=generations,
            fit_replicates=fit_replicates,
            workers=workers,
            replicates=replicates,
            seed=seed,
            out=out,
            as_json=as_json,
        )
        return
    given = [option for option, value in holdout_only.items() if value is not None]
    if given:
        raise fail(f"{given[0]}: only with --holdout (out-of-sample validation)")
    from dualtrack.analysis.history import EventDataError
    from dualtrack.analysis.validation import (
        DEFAULT_REPLICATES,
        DOCTRINES,
        SCENARIO_ID,
        replicate_steps,
        validate_history,
    )
    from dualtrack.cli.options import check_backend, check_out_dir

    json_mode(as_json)
    check_backend(backend)
    replicates = DEFAULT_REPLICATES if replicates is None else replicates
    check_out_dir(out)
    total = replicate_steps(SCENARIO_ID, DOCTRINES, replicates)
    say(
        f"[bold]{SCENARIO_ID}[/]: {', '.join(DOCTRINES)} for BLR, {replicates} replicates "
        "each, against the coded 2024 record"
    )
    try:
        with progress_bar() as bar:
            task = bar.add_task("simulating", total=total)
            result = validate_history(
                SCENARIO_ID,
                DOCTRINES,
                replicates=replicates,
                seed=seed,
                progress=lambda n: bar.advance(task, n),
                backend=backend,
            )
    except EventDataError as error:
        raise fail(str(error)) from None
    frame = result.table
    table = Table(
        title=(
            f"{SCENARIO_ID}: 2024 patterns reproduced (share of runs, Wilson 95%; "
            f"{replicates} replicates, seed {result.seed}); timing in days after 1 Jun 2024, "
            "median [5-95%]"
        ),
        title_justify="left",
    )
    for column in ("pattern", "doctrine", "share [95% CI]", "timing", "verdict"):
        table.add_column(column, justify="right" if column == "share [95% CI]" else "left")
    for row in frame.to_dict("records"):
        verdict = str(row["verdict"])
        style = "red" if ("NOT" in verdict or "OUTSIDE" in verdict) else "green"
        table.add_row(
            escape(str(row["label"])),
            str(row["doctrine"]),
            f"{row['share']:.3f} [{row['low']:.3f}, {row['high']:.3f}]",
            _timing(row),
            f"[{style}]{escape(verdict)}[/]",
        )
    if as_json:
        emit_json({"patterns": frame})
    else:
        console.print(table)
    try:
        out.mkdir(parents=True, exist_ok=True)
        csv_path, png_path = out / "patterns.csv", out / "patterns.png"
        save_csv(frame, csv_path)
        result.plot(png_path)
    except OSError as error:
        raise fail(f"--out: cannot write to {out}: {error.strerror}") from None
    say(f"wrote {csv_path}, {png_path}")


def _holdout(
    *,
    fit: list[str] | None,
    predict: list[str] | None,
    posterior: Path | None,
    parameters: list[str] | None,
    population: int | None,
    generations: int | None,
    fit_replicates: int | None,
    workers: int | None,
    replicates: int | None,
    seed: int | None,
    out: Path,
    as_json: bool,
) -> None:
    """``validate-history --holdout``: fit, forecast the held-out episodes, print the scores."""
    try:
        from dualtrack.analysis.calibration import holdout as ho
    except ImportError as error:
        raise fail(f"--holdout needs {error.name}: pip install 'dualtrack[validation]'") from None
    from dualtrack.analysis.files import save_csv
    from dualtrack.cli.options import check_out_dir
    from dualtrack.experiments.executors import make_executor
    from dualtrack.experiments.posterior import PosteriorError, load_posterior

    json_mode(as_json)
    check_out_dir(out)
    if posterior is not None and (fit or parameters or population or generations):
        raise fail("--posterior: no fit is made with a posterior; drop --fit and its budget")
    chosen = None
    if posterior is not None:
        try:
            chosen = load_posterior(posterior)
        except PosteriorError as error:
            raise fail(f"--posterior: {error}") from None
    fitted = list(fit or ([] if posterior is not None else ho.DEFAULT_FIT))
    executor = make_executor(processes=workers or 1)
    try:
        with executor:
            result = ho.holdout(
                fitted,
                predict,
                posterior=chosen,
                posterior_source=str(posterior) if posterior is not None else "",
                parameters=parameters or ho.DEFAULT_PARAMETERS,
                population=population or ho.DEFAULT_POPULATION,
                generations=generations or ho.DEFAULT_GENERATIONS,
                fit_replicates=fit_replicates or ho.DEFAULT_FIT_REPLICATES,
                replicates=replicates or ho.DEFAULT_REPLICATES,
                seed=seed,
                executor=executor,
                progress=lambda text: say(f"[dim]{escape(text)}[/]"),
            )
    except (ho.HoldoutError, ValueError) as error:  # CalibrationError included
        raise fail(str(error).strip('"')) from None
    except ImportError as error:  # the fit's library
        raise fail(
            f"--holdout: fitting needs {error.name} (the calibration's extra); or give "
            "--posterior DIR"
        ) from None
    failures = ho.failures(result)
    fitted = ho.posterior_table(result.posterior)
    if as_json:
        emit_json(
            {
                "holdout": result.table,
                "summary": result.summary,
                "posterior": fitted,
                "failures": failures,
            }
        )
    else:
        say(
            f"parameters ({escape(result.posterior_source)}): "
            + "; ".join(
                f"{row.parameter} {row.mean:.3g} [{row.p5:.3g}, {row.p95:.3g}]"
                for row in fitted.itertuples()
            )
            + " (weighted mean [5%, 95%])"
        )
        _print_holdout(result, failures)
    try:
        out.mkdir(parents=True, exist_ok=True)
        save_csv(result.table, out / "holdout.csv")
        save_csv(result.summary, out / "holdout_summary.csv")
        save_csv(fitted, out / "holdout_posterior.csv")
    except OSError as error:
        raise fail(f"--out: cannot write to {out}: {error.strerror}") from None
    say(f"wrote holdout.csv, holdout_summary.csv and holdout_posterior.csv to {out}")


def _score(row: Mapping[str, Any], rule: str) -> str:
    value = row[rule]
    if value != value:  # NaN: the rule does not apply
        return ""
    low, high = row[f"{rule}_low"], row[f"{rule}_high"]
    interval = f" [{low:.4f}, {high:.4f}]" if low == low else ""
    return f"{value:.4f}{interval}"


def _print_holdout(result: Any, failures: list[str]) -> None:
    source = result.posterior_source
    table = Table(
        title=(
            f"Out-of-sample: {source}; forecasts of {', '.join(result.predict)} "
            f"({result.settings['replicates']} replicates; lower is better, 95% bootstrap "
            "intervals over replicates)"
        ),
        title_justify="left",
    )
    for column in ("episode", "target", "observed", "model", "forecast", "log", "Brier", "CRPS"):
        table.add_column(column, justify="left" if column in ("episode", "target") else "right")
    for row in result.table.to_dict("records"):
        observed = row["observed"]
        shown = (
            f"{row['forecast']:.3f}" if row["kind"] == "outcome" else f"day {row['forecast']:.0f}"
        )
        table.add_row(
            escape(str(row["episode"])),
            escape(f"{row['target']} ({row['kind']})"),
            str(observed).lower() if row["kind"] == "outcome" else f"day {observed:.0f}",
            str(row["model"]),
            shown,
            _score(row, "log"),
            _score(row, "brier"),
            _score(row, "crps"),
        )
    console.print(table)
    summary = Table(
        title="Mean score over the held-out targets (skill: 1 - score / climatology's)",
        title_justify="left",
    )
    for column in ("model", "rule", "targets", "mean [95%]", "skill"):
        summary.add_column(column, justify="left" if column in ("model", "rule") else "right")
    for row in result.summary.to_dict("records"):
        interval = f" [{row['low']:.3f}, {row['high']:.3f}]" if row["low"] == row["low"] else ""
        summary.add_row(
            str(row["model"]),
            str(row["rule"]),
            str(row["targets"]),
            f"{row['mean']:.3f}{interval}",
            f"{row['skill_vs_climatology']:+.2f}",
        )
    console.print(summary)
    if failures:
        say("[bold]where the calibrated model scores worse[/]:")
        for line in failures:
            say(f"  {escape(line)}")
    else:
        say(
            "the calibrated model scores no worse than climatology and the nominal model on "
            "every held-out target"
        )
