"""The ``adopt`` command: one doctrine adopted by several sets of actors, compared paired."""

from __future__ import annotations

import math
import shlex
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
    backend_message,
    console,
    emit_json,
    invocation,
    json_mode,
    progress_bar,
    say,
    stage,
    stopped_by_signals,
)
from dualtrack.cli.options import (
    DEFAULT_WORKERS,
    BackendOpt,
    DaysOpt,
    OutOpt,
    OverwriteOpt,
    ReplicatesOpt,
    SeedOpt,
    WorkersOpt,
    backend_args,
    check_backend,
    check_doctrines,
)
from dualtrack.cli.studies import left_behind, output_store

if TYPE_CHECKING:
    import pandas as pd

    from dualtrack.experiments.adoption import AdoptionStudy

NONE = "none"
"""The adoption set of no actor (experiments.adoption.NONE; repeated so --help imports little)."""

SUMMARY_FILE = "adoption.csv"
DIFFERENCES_FILE = "adoption_differences.csv"
ORIGINS_FILE = "cascade_origins.csv"
TOP_ORIGINS = 5


def _finite(value: float) -> float | None:
    """A JSON-safe number: NaN (e.g. a share of no cascades) becomes null."""
    return float(value) if math.isfinite(value) else None


def _cell(row: pd.Series, value: str, unit: str) -> str:
    digits = 3 if unit == "1" else 2
    return f"{row[value]:.{digits}f} [{row['low']:.{digits}f}, {row['high']:.{digits}f}]"


def _print_table(table: pd.DataFrame, value: str, title: str, marks: bool) -> None:
    from dualtrack.analysis.adoption import CONTINENTAL_OUTCOMES

    shown = Table(title=title, title_justify="left")
    shown.add_column("outcome")
    labels = list(dict.fromkeys(table["adopters"]))
    for label in labels:
        shown.add_column(escape(label), justify="right")
    cells = table.set_index(["outcome", "adopters"])
    for outcome in CONTINENTAL_OUTCOMES:
        texts = []
        for label in labels:
            row = cells.loc[(outcome.name, label)]
            mark = (" *" if row["distinguishable"] else "  ") if marks else ""
            texts.append(_cell(row, value, outcome.unit) + mark)
        shown.add_row(escape(outcome.label), *texts)
    console.print(shown)


def _print_origins(origins: pd.DataFrame, labels: list[str]) -> None:
    shown = Table(
        title=f"cascade origins (top {TOP_ORIGINS} per set; share of cascades, Wilson 95%)",
        title_justify="left",
    )
    for column in ("adoption set", "origin dyad", "origins", "cascades", "share [95% CI]"):
        shown.add_column(column)
    for label in labels:
        mine = origins[origins["adopters"] == label].head(TOP_ORIGINS)
        if mine.empty:
            shown.add_row(escape(label), "no cascade", "", "", "")
        for row in mine.itertuples():
            shown.add_row(
                escape(label),
                escape(str(row.dyad)),
                f"{row.origins:g}",
                str(row.cascades),
                f"{row.share:.3f} [{row.low:.3f}, {row.high:.3f}]",
            )
    console.print(shown)


def _as_json(
    adoption: AdoptionStudy,
    reference: str,
    summary: pd.DataFrame,
    differences: pd.DataFrame,
    origins: pd.DataFrame,
) -> dict[str, Any]:
    plan = next(iter(adoption.study.plans.values()))
    sets = []
    for label, members in adoption.adopters.items():
        rows = summary[summary["adopters"] == label]
        entry: dict[str, Any] = {
            "label": label,
            "adopters": list(members),
            "replaced": adoption.assignments[label],
            "outcomes": {
                r.outcome: {"estimate": r.estimate, "low": _finite(r.low), "high": _finite(r.high)}
                for r in rows.itertuples()
            },
        }
        if label != reference:
            mine = differences[differences["adopters"] == label]
            entry["difference_vs_reference"] = {
                r.outcome: {
                    "difference": r.difference,
                    "low": r.low,
                    "high": r.high,
                    "distinguishable": bool(r.distinguishable),
                }
                for r in mine.itertuples()
            }
        entry["cascade_origins"] = [
            {
                "dyad": r.dyad,
                "origins": r.origins,
                "share": _finite(r.share),
                "low": _finite(r.low),
                "high": _finite(r.high),
            }
            for r in origins[origins["adopters"] == label].itertuples()
        ]
        sets.append(entry)
    return {
        "scenario": adoption.study.scenario.id,
        "doctrine": adoption.doctrine,
        "fallback": adoption.fallback,
        "reference": reference,
        "replicates": plan.replicates,
        "days": adoption.study.scenario.settings.horizon_days,
        "seed": plan.seed,
        "confidence": 0.95,
        "sets": sets,
    }


@app.command()
def adopt(
    scenario: Annotated[
        str, typer.Argument(help="Built-in scenario id or scenario YAML file.")
    ] = "europe",
    doctrine: Annotated[
        str, typer.Option("--doctrine", "-d", help="The doctrine the adoption sets take.")
    ] = "dual-track",
    adopters: Annotated[
        list[str] | None,
        typer.Option(
            "--adopters",
            "-a",
            help="An adoption set: comma-separated actor ids, 'all', or 'none' (the "
            "scenario's doctrines, with --fallback applied); repeat the option to compare "
            "sets. Default: none, the scenario's subject, all.",
        ),
    ] = None,
    fallback: Annotated[
        str | None,
        typer.Option(
            help="Doctrine for actors outside a set that the scenario gives the adopted "
            "doctrine (so that only the set holds it); default: they keep it."
        ),
    ] = None,
    reference: Annotated[
        str, typer.Option(help="Adoption set the others are compared with (paired).")
    ] = NONE,
    replicates: ReplicatesOpt = None,
    days: DaysOpt = None,
    seed: SeedOpt = None,
    out: OutOpt = None,
    record: Annotated[
        str,
        typer.Option(
            help="What to keep: summary (end-of-run tallies: all the analysis needs; tied "
            "cascade origins split their credit), auto, full or mean."
        ),
    ] = "summary",
    workers: WorkersOpt = DEFAULT_WORKERS,
    overwrite: OverwriteOpt = False,
    as_json: JsonOpt = False,
    backend: BackendOpt = None,
) -> None:
    """Compare sets of actors adopting a doctrine on common random numbers: continental
    P(war), P(horizontal escalation), P(cascade) and cascade origins, paired intervals."""
    from dualtrack.analysis.adoption import (
        adoption_origins,
        continental_differences,
        continental_summary,
    )
    from dualtrack.engine.backends import BackendError
    from dualtrack.experiments import adoption as adoption_sets
    from dualtrack.experiments.study import run_study
    from dualtrack.experiments.study_store import manifest, write_outputs
    from dualtrack.scenario.loading import load_scenario

    json_mode(as_json)
    check_backend(backend)
    check_doctrines([doctrine], "--doctrine")
    if fallback is not None:
        check_doctrines([fallback], "--fallback")
    if record not in ("auto", "full", "mean", "summary"):
        raise InputError(f"--record: expected auto, full, mean or summary, found {record!r}")
    written: list[Path] = []
    with stopped_by_signals(left_behind(written)):
        loaded = load_scenario(scenario)
        actor_ids = [a.id for a in loaded.actors]
        try:
            texts = list(adopters) if adopters else [NONE, loaded.subject, "all"]
            sets = [adoption_sets.parse_adopters(text, actor_ids) for text in texts]
            reference_set = adoption_sets.parse_adopters(reference, actor_ids)
            reference_label = adoption_sets.adoption_label(reference_set, actor_ids)
            labels = [adoption_sets.adoption_label(members, actor_ids) for members in sets]
            if reference_label not in labels:
                sets.insert(0, reference_set)
            adoption = adoption_sets.plan_adoption(
                loaded,
                doctrine,
                sets,
                fallback=fallback,
                replicates=replicates,
                seed=seed,
                days=days,
                record=record,
                backend=backend,
            )
        except BackendError as error:
            raise InputError(backend_message(error)) from None
        except ValueError as error:
            raise InputError(str(error)) from None
        study = adoption.study
        plan = next(iter(study.plans.values()))
        out_dir = out or Path("results") / f"{study.scenario.id}-adopt"
        store = output_store(scenario, study, out_dir, overwrite)
        say(
            f"[bold]{escape(study.scenario.name)}[/] - {doctrine} adopted by "
            f"{', '.join(study.plans)} (fallback {fallback or 'none'}), {plan.replicates} "
            f"replicates x {plan.compiled.n_steps} steps, seed {plan.seed}, "
            f"record={study.record}, workers={workers}, backend={plan.backend}"
        )
        started = time.perf_counter()
        with progress_bar() as bar:
            task = bar.add_task("simulating", total=study.replicate_steps)
            results = run_study(study, workers, lambda n: bar.advance(task, n))
        elapsed = time.perf_counter() - started
        summary = continental_summary(results)
        differences = continental_differences(results, reference_label)
        origins = adoption_origins(results)
        command = ["dualtrack", "adopt", scenario, "--doctrine", doctrine]
        command += [arg for label in study.plans for arg in ("--adopters", label.replace("+", ","))]
        command += ["--fallback", fallback] if fallback else []
        command += ["--reference", reference_label, "--replicates", str(plan.replicates)]
        command += ["--days", str(study.scenario.settings.horizon_days), "--seed", str(plan.seed)]
        command += ["--record", study.record, "--out", str(out_dir)]
        command += backend_args(plan.backend)
        settings = {
            "doctrine": doctrine,
            "adoption_sets": {label: list(m) for label, m in adoption.adopters.items()},
            "replaced": adoption.assignments,
            "fallback": fallback,
            "reference": reference_label,
            "replicates": plan.replicates,
            "days": study.scenario.settings.horizon_days,
            "step_days": study.scenario.settings.step_days,
            "record": study.record,
            "workers": workers,
            "elapsed_s": round(elapsed, 3),
        }
        tables = {SUMMARY_FILE: summary, DIFFERENCES_FILE: differences, ORIGINS_FILE: origins}
        provenance = manifest(study.scenario, settings, [shlex.join(command)])
        with stage("writing the results"):
            written += write_outputs(store, study.scenario, results, tables, provenance)
        if as_json:
            emit_json(_as_json(adoption, reference_label, summary, differences, origins))
            return
        _print_table(
            summary,
            "estimate",
            f"{study.scenario.id}: continental outcomes by adoption set of {doctrine} "
            f"(95% intervals; {plan.replicates} replicates per set, common random numbers)",
            marks=False,
        )
        if len(results) > 1:
            _print_table(
                differences,
                "difference",
                f"paired difference vs {reference_label} (95% paired-t interval; * = "
                "distinguishable from zero)",
                marks=True,
            )
        _print_origins(origins, list(study.plans))
        rate = study.replicate_steps / elapsed if elapsed > 0 else float("inf")
        say(
            f"{study.replicate_steps:,} replicate-steps in {elapsed:.1f} s ({rate:,.0f}/s); "
            f"wrote {', '.join(p.name for p in written)} to {out_dir}; "
            f"{invocation.elapsed():.1f} s in all"
        )
