"""Tables of the report: headline estimates and paired differences, scenario, manifest.

Tables are plain data (:class:`Table` of :class:`Cell`) that the page template renders; cells
carry an optional tooltip (e.g. a parameter's source) and a CSS class.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dualtrack.analysis.outcomes import OUTCOMES
from dualtrack.doctrines import REGISTRY
from dualtrack.report.shocks import ShockMark
from dualtrack.scenario.parameters import Uncertain
from dualtrack.scenario.schema import Scenario

METHOD_NOTE = (
    "Intervals are 95% confidence intervals. Probabilities (shares of replicates) get Wilson "
    "score intervals (Wilson 1927); means get Student-t intervals; both treat replicates as "
    "independent draws, which they are (each has its own random stream). Differences from "
    "the reference doctrine are paired: every doctrine ran on the same random numbers "
    "(common random numbers), so replicate r of a doctrine is compared with replicate r of "
    "the reference and the mean difference gets a paired Student-t interval; a difference is "
    "distinguishable from zero when its interval excludes zero. The unpaired (Welch) interval, "
    "which ignores the pairing, is shown on hover."
)


@dataclass(frozen=True)
class Cell:
    """One table cell: plain text (escaped when rendered) with optional extras."""

    text: str
    detail: str | None = None
    """Secondary text shown small after the main text, e.g. an interval."""
    badge: str | None = None
    """``yes`` or ``no``: a distinguishable-from-zero mark."""
    note: str | None = None
    """Tooltip, e.g. a parameter's source."""
    css: str | None = None
    code: bool = False


@dataclass(frozen=True)
class Table:
    """A titled table with a header row."""

    title: str
    header: list[str]
    rows: list[list[Cell]]
    note: str | None = None
    slug: str = field(default="")


def number(value: float | None, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits; a dash when missing or NaN."""
    if value is None or math.isnan(value):
        return "–"
    return f"{float(value):.{digits}g}"


def _cells(values: Iterable[Any]) -> list[Cell]:
    return [v if isinstance(v, Cell) else Cell(str(v)) for v in values]


@dataclass(frozen=True)
class OutcomeRow:
    """An outcome as a table row: its key, label and unit (as stored in the CSV)."""

    name: str
    label: str
    unit: str


def table_outcomes(table: pd.DataFrame) -> list[OutcomeRow]:
    """The outcomes a stored table holds: known ones in the usual order, then any others."""
    stored = table.drop_duplicates("outcome").set_index("outcome")
    order = [o.name for o in OUTCOMES if o.name in stored.index]
    order += [name for name in stored.index if name not in order]
    return [
        OutcomeRow(str(name), str(stored.loc[name, "label"]), str(stored.loc[name, "unit"]))
        for name in order
    ]


def _is_probability(outcome: OutcomeRow) -> bool:
    return outcome.unit == "1"


def format_value(value: float, outcome: OutcomeRow, difference: bool = False) -> str:
    """An estimate as text: probabilities in percent (points for differences)."""
    if not math.isfinite(value):
        return "–"
    if _is_probability(outcome):
        return f"{100 * value:+.1f}" if difference else f"{100 * value:.1f}%"
    digits = 2 if outcome.unit == "count" else 1
    return f"{value:+.{digits}f}" if difference else f"{value:.{digits}f}"


def _interval(low: float, high: float, outcome: OutcomeRow) -> str:
    if _is_probability(outcome):
        return f"[{100 * low:.1f}, {100 * high:.1f}]"
    digits = 2 if outcome.unit == "count" else 1
    return f"[{low:.{digits}f}, {high:.{digits}f}]"


def _outcome_label(outcome: OutcomeRow, difference: bool = False) -> str:
    if _is_probability(outcome):
        return f"{outcome.label} ({'percentage points' if difference else '%'})"
    return f"{outcome.label} ({outcome.unit})"


def is_distinguishable(value: object) -> bool:
    """Read the ``distinguishable`` column whether it was parsed as bool or kept as text."""
    return str(value).strip().lower() in ("true", "1", "yes")


def difference_panel_title(outcome: OutcomeRow) -> str:
    """Title of an outcome's panel in the differences chart, with its unit."""
    return f"{outcome.label} ({'pp' if _is_probability(outcome) else outcome.unit})"


def difference_on_scale(row: pd.Series, outcome: OutcomeRow) -> tuple[float, float, float, bool]:
    """Difference, low, high (probabilities in percentage points) and distinguishability."""
    scale = 100.0 if _is_probability(outcome) else 1.0
    return (
        scale * float(row["difference"]),
        scale * float(row["low"]),
        scale * float(row["high"]),
        is_distinguishable(row["distinguishable"]),
    )


def summary_table(summary: pd.DataFrame, doctrines: list[str]) -> Table:
    """Outcome x doctrine: estimate with its 95% interval."""
    cells = summary.set_index(["outcome", "doctrine"])
    rows = []
    for outcome in table_outcomes(summary):
        row = [Cell(_outcome_label(outcome), css="label")]
        for doctrine in doctrines:
            if (outcome.name, doctrine) not in cells.index:
                row.append(Cell("–"))
                continue
            c = cells.loc[(outcome.name, doctrine)]
            method = "Wilson score" if _is_probability(outcome) else "Student-t"
            row.append(
                Cell(
                    format_value(c["estimate"], outcome),
                    detail=_interval(c["low"], c["high"], outcome),
                    note=f"{method} 95% interval, {int(c['replicates']):,} replicates",
                    css="num",
                )
            )
        rows.append(row)
    replicates = int(summary["replicates"].iloc[0]) if "replicates" in summary else 0
    return Table(
        title="Outcomes per doctrine (estimate and 95% interval)",
        header=["outcome", *doctrines],
        rows=rows,
        note=f"{replicates:,} replicates per doctrine.",
        slug="summary",
    )


def difference_table(comparison: pd.DataFrame) -> Table:
    """Outcome x doctrine: paired difference vs the reference, interval, distinguishable."""
    reference = str(comparison["reference"].iloc[0])
    doctrines = list(dict.fromkeys(comparison["doctrine"]))
    cells = comparison.set_index(["outcome", "doctrine"])
    rows = []
    for outcome in table_outcomes(comparison):
        row = [Cell(_outcome_label(outcome, difference=True), css="label")]
        for doctrine in doctrines:
            if (outcome.name, doctrine) not in cells.index:
                row.append(Cell("–"))
                continue
            c = cells.loc[(outcome.name, doctrine)]
            distinct = is_distinguishable(c["distinguishable"])
            row.append(
                Cell(
                    format_value(c["difference"], outcome, difference=True),
                    detail=_interval(c["low"], c["high"], outcome),
                    badge="yes" if distinct else "no",
                    note=(
                        f"paired-t 95% interval; unpaired (Welch) "
                        f"{_interval(c['unpaired_low'], c['unpaired_high'], outcome)}"
                    ),
                    css="num distinct" if distinct else "num",
                )
            )
        rows.append(row)
    return Table(
        title=f"Paired difference vs {reference} (doctrine minus reference, 95% interval)",
        header=["outcome", *(f"{d} − {reference}" for d in doctrines)],
        rows=rows,
        note="≠ 0: the interval excludes zero (distinguishable); ~ 0: it does not.",
        slug="differences",
    )


def _number(value: float) -> str:
    return f"{value:g}"


def uncertain(param: Uncertain | None) -> Cell:
    """A parameter as '0.3 (0.1–0.6)' with its source as tooltip."""
    if param is None:
        return Cell("–")
    detail = ""
    if param.low is not None and param.high is not None and param.high > param.low:
        detail = f"({_number(param.low)}–{_number(param.high)})"
    if param.calibrated:
        detail += " calibrated"
    return Cell(_number(param.value), detail=detail.strip() or None, note=param.source, css="num")


def _params(params: Mapping[str, Any]) -> str:
    parts = []
    for name, value in params.items():
        if isinstance(value, Mapping) and "value" in value:
            value = value["value"]
        parts.append(f"{name}={value}")
    return ", ".join(parts)


def scenario_tables(
    scenario: Scenario,
    doctrines_run: list[str],
    subject: str,
    marks: list[ShockMark],
    sector_lengths_km: Mapping[str, float],
    opportunists: Mapping[str, float],
) -> list[Table]:
    """Compact tables of the scenario's parameters, one per section.

    ``opportunists``: per actor, the share of the runs in which it was an opportunist.
    """
    s = scenario.settings
    tables = [
        Table(
            "Settings",
            ["start", "horizon", "step", "seed", "focus dyad", "subject", "elevated threshold"],
            [
                _cells(
                    [
                        s.start.isoformat(),
                        f"{s.horizon_days} days",
                        f"{s.step_days:g} day(s)",
                        s.seed,
                        "-".join(scenario.focus),
                        subject,
                        uncertain(s.elevated_threshold),
                    ]
                )
            ],
            slug="settings",
        ),
        Table(
            "Force categories",
            ["id", "name", "unit", "threat weight", "unit cost"],
            [
                _cells(
                    [
                        Cell(c.id, code=True),
                        c.name,
                        c.unit,
                        uncertain(c.threat_weight),
                        uncertain(c.unit_cost),
                    ]
                )
                for c in scenario.categories
            ],
            slug="categories",
        ),
    ]
    actor_rows = []
    for a in scenario.actors:
        doctrine = a.doctrine.name + (
            f" ({_params(a.doctrine.params)})" if a.doctrine.params else ""
        )
        if a.id == subject:
            doctrine += " — varied by the study"
        weights = ", ".join(f"{k} {v.value:g}" for k, v in a.sector_weights.items()) or "–"
        actor_rows.append(
            _cells(
                [
                    Cell(a.id, code=True),
                    a.name,
                    a.kind,
                    "yes" if a.nuclear else "no",
                    uncertain(a.resolve),
                    uncertain(a.threat_inflation),
                    uncertain(a.p_opportunist),
                    Cell(f"{100 * opportunists[a.id]:.1f}%", css="num")
                    if a.id in opportunists
                    else Cell("–"),
                    a.stationed_with or "–",
                    doctrine,
                    weights,
                ]
            )
        )
    tables.append(
        Table(
            "Actors",
            [
                "id",
                "name",
                "kind",
                "nuclear",
                "resolve",
                "threat inflation",
                "P(opportunist)",
                "opportunist in runs",
                "stationed with",
                "doctrine",
                "sector weights",
            ],
            actor_rows,
            note="P(opportunist): the prior that the actor would use force when it expects to "
            "gain (else a security seeker), every observer's starting belief; opportunist in "
            "runs: the share of the replicates whose draw made it one (the same draws for "
            "every doctrine).",
            slug="actors",
        )
    )
    force_rows = []
    for a in scenario.actors:
        for category, spec in a.forces.items():
            force_rows.append(
                _cells(
                    [
                        Cell(a.id, code=True),
                        category,
                        uncertain(spec.baseline),
                        uncertain(spec.initial) if spec.initial is not None else Cell("= baseline"),
                        uncertain(spec.capacity) if spec.capacity is not None else Cell("∞"),
                        uncertain(spec.deployment_rate),
                        uncertain(spec.response_share),
                    ]
                )
            )
    tables.append(
        Table(
            "Forces near the border (units)",
            [
                "actor",
                "category",
                "baseline",
                "initial",
                "capacity",
                "deployment rate (1/day)",
                "response share",
            ],
            force_rows,
            note="Values in brackets are uncertainty ranges; hover a value for its source.",
            slug="forces",
        )
    )
    doctrine_rows = []
    for name in doctrines_run:
        cls = REGISTRY.get(name)
        if cls is None:
            doctrine_rows.append(_cells([Cell(name, code=True), "–", "not registered here", "–"]))
            continue
        summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        doctrine_rows.append(
            _cells(
                [
                    Cell(name, code=True),
                    ", ".join(sorted(cls.classifier.get("tracks", ()))),
                    summary,
                    cls.source,
                ]
            )
        )
    tables.append(
        Table(
            f"Doctrines compared (for {subject})",
            ["doctrine", "tracks", "rule", "source"],
            doctrine_rows,
            note="The study runs the subject under each doctrine with its default parameters; "
            "the other actors keep the doctrines the scenario gives them (table Actors).",
            slug="doctrines",
        )
    )
    tables.append(
        Table(
            "Relations",
            ["between", "kind", "commitment", "source"],
            [
                _cells(
                    [
                        " – ".join(r.between),
                        r.kind,
                        uncertain(r.commitment) if r.kind == "ally" else Cell("–"),
                        r.source or "–",
                    ]
                )
                for r in scenario.relations
            ],
            slug="relations",
        )
    )
    tables.append(
        Table(
            "Border sectors",
            ["id", "name", "between", "length (km)", "drawn line (km)", "exogenous incidents/day"],
            [
                _cells(
                    [
                        Cell(sector.id, code=True),
                        sector.name,
                        " – ".join(sector.between),
                        uncertain(sector.length_km),
                        f"{sector_lengths_km[sector.id]:.1f}"
                        if sector.id in sector_lengths_km
                        else "–",
                        ", ".join(f"{k} {v.value:g}" for k, v in sector.exogenous_rate.items())
                        or "–",
                    ]
                )
                for sector in scenario.sectors
            ],
            note="Drawn line: geodesic length of the sector on the vendored Natural Earth 1:10m "
            "geometry.",
            slug="sectors",
        )
    )
    channel_rows = []
    for dyad in scenario.dyads:
        name = "-".join(dyad.between)
        for channel, state in dyad.channels.items():
            channel_rows.append(
                _cells(
                    [
                        name,
                        str(channel),
                        Cell("open", css="yes") if state.open else Cell("closed", css="no"),
                        uncertain(state.quality),
                    ]
                )
            )
        v = dyad.verification
        channel_rows.append(
            _cells(
                [
                    name,
                    "verification",
                    f"transparency {v.transparency.value:g}",
                    Cell(
                        f"detection {v.detection_rate.value:g}/day, inspection transparency "
                        f"{v.inspection_transparency.value:g}",
                        note=v.detection_rate.source,
                    ),
                ]
            )
        )
        channel_rows.append(
            _cells(
                [
                    name,
                    "starting point",
                    f"rung {dyad.initial_rung.label}",
                    "trust 1 - belief (priors: actors' p_opportunist)",
                ]
            )
        )
    tables.append(
        Table(
            "Channels and verification",
            ["dyad", "channel", "state", "quality"],
            channel_rows,
            slug="channels",
        )
    )
    tables.append(
        Table(
            "Shocks",
            ["tag", "kind", "label", "from", "until", "days", "what", "source"],
            [
                _cells(
                    [
                        Cell(m.tag, code=True),
                        m.kind,
                        m.label,
                        Cell(m.begins.isoformat(), css="nowrap"),
                        Cell(m.ends.isoformat() if m.ends else "–", css="nowrap"),
                        f"{m.start_day:g} to {m.end_day:g}"
                        if m.end_day is not None
                        else f"from {m.start_day:g}",
                        m.detail,
                        shock.source or "–",
                    ]
                )
                for m, shock in zip(marks, scenario.shocks, strict=True)
            ],
            note=f"Days are counted from the start date {s.start.isoformat()}.",
            slug="shocks",
        )
    )
    mechanism_rows = []
    for mechanism, params in scenario.mechanisms:
        for name, value in params:
            if isinstance(value, Uncertain):
                mechanism_rows.append(_cells([mechanism, Cell(name, code=True), uncertain(value)]))
    tables.append(
        Table(
            "Mechanism parameters",
            ["mechanism", "parameter", "value (range)"],
            mechanism_rows,
            slug="mechanisms",
        )
    )
    return tables


def parameters_used(manifest: Mapping[str, Any]) -> str:
    """Which values the results ran with: ``nominal`` or ``posterior DIR (N draws)``."""
    from dualtrack.experiments.posterior_study import NOMINAL, PARAMETERS_KEY

    return str(manifest.get(PARAMETERS_KEY, NOMINAL))


def _records_parameters(manifest: Mapping[str, Any]) -> bool:
    """Whether the manifest says which parameter values its results ran with."""
    from dualtrack.experiments.posterior_study import PARAMETERS_KEY

    return PARAMETERS_KEY in manifest


def manifest_table(manifest: Mapping[str, Any]) -> Table:
    """Provenance of the results: version, seed, scenario hash, command, settings, files."""
    settings = manifest.get("settings", {})
    rows = [
        ["dualtrack version", manifest.get("dualtrack_version", "?")],
        [
            "scenario",
            f"{manifest.get('scenario_id', '?')} (hash {manifest.get('scenario_hash', '?')})",
        ],
        ["seed", manifest.get("seed", "?")],
        *([["parameters", parameters_used(manifest)]] if _records_parameters(manifest) else []),
        ["command", Cell(str(manifest.get("command", "?")), code=True, css="wrap")],
        ["created (UTC)", manifest.get("created_utc", "?")],
        [
            "software",
            f"Python {manifest.get('python', '?')}, numpy {manifest.get('numpy', '?')}, "
            f"xarray {manifest.get('xarray', '?')}",
        ],
    ]
    for key in ("replicates", "days", "step_days", "record", "actor", "workers", "elapsed_s"):
        if key in settings:
            rows.append([key.replace("_", " "), settings[key]])
    for name, digest in manifest.get("files", {}).items():
        rows.append([f"sha256 {name}", Cell(str(digest), code=True, css="wrap")])
    return Table("Manifest", ["field", "value"], [_cells(r) for r in rows], slug="manifest")
