"""Render the report of an output folder: ``report.html`` and ``figures/*.png`` beside it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from dualtrack._version import __version__
from dualtrack.analysis.exploration import exploration_summary
from dualtrack.engine.outputs import has_time_series, record_of
from dualtrack.experiments.store import FILES, write_text
from dualtrack.report import border_map as maps
from dualtrack.report import figures, matplotlib_renderer, plotly_renderer, regimes
from dualtrack.report.atlas import attribution
from dualtrack.report.distributions import (
    aggression,
    agreement_fates,
    first_agreement_curves,
    focus_sectors,
    max_rung_shares,
    opportunist_shares,
    outcome_tallies,
)
from dualtrack.report.exploration_section import exploration_section
from dualtrack.report.figure_spec import FigureSpec
from dualtrack.report.html import (
    Block,
    Section,
    figure_html,
    render_page,
    table_block,
    text_block,
)
from dualtrack.report.loading import OutputFolder, load_output_folder
from dualtrack.report.series import (
    acts_over_time,
    agreement_shares,
    agreement_spells,
    belief_fans,
    forces_fans,
    rung_shares,
    threat_fans,
    trajectories,
    trust_fan,
)
from dualtrack.report.shocks import ShockMark, axis_bands, shock_marks, throughout_note
from dualtrack.report.tables import (
    METHOD_NOTE,
    Cell,
    Table,
    difference_table,
    manifest_table,
    parameters_used,
    scenario_tables,
    summary_table,
)

REPORT_FILE = FILES.report
FIGURES_DIR = FILES.figures


class Figures:
    """Renders each figure spec twice: the page's interactive figure and ``figures/<slug>.png``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / FIGURES_DIR

    def png(self, spec: FigureSpec, slug: str) -> str:
        """Write the static PNG; returns its link relative to the page."""
        matplotlib_renderer.save_png(spec, self.folder / f"{slug}.png")
        return f"{FIGURES_DIR}/{slug}.png"

    def html(self, spec: FigureSpec, slug: str) -> str:
        """The interactive figure's HTML."""
        return figure_html(plotly_renderer.draw(spec), slug)

    def block(self, spec: FigureSpec, slug: str, title: str, caption: str) -> Block:
        """A figure block: both renderings of one spec."""
        return Block(
            "figure",
            slug=slug,
            title=title,
            caption=caption,
            html=self.html(spec, slug),
            png=self.png(spec, slug),
        )


def _days(results: xr.Dataset) -> np.ndarray:
    return results["time"].values.astype(np.float64)


def _shock_caption(marks: list[ShockMark]) -> str:
    if not marks:
        return ""
    return f"Grey bands and tags: the scenario's shocks (key above). {throughout_note(marks)}"


def _headline(folder: OutputFolder, figs: Figures) -> Section:
    section = Section(
        "headline",
        "Headline",
        intro=(
            f"Outcomes for the dyad {folder.focus_dyad} when {folder.subject} follows each "
            f"doctrine; {folder.replicates:,} replicates per doctrine on common random numbers."
        ),
    )
    section.blocks.append(table_block(summary_table(folder.summary, folder.doctrines)))
    if folder.comparison is not None and not folder.comparison.empty:
        section.blocks.append(table_block(difference_table(folder.comparison)))
        section.blocks.append(
            text_block(f"Paired differences: {folder.comparison_source}.", css="note")
        )
        section.blocks.append(
            figs.block(
                figures.differences_figure(folder.comparison, folder.doctrines),
                "differences",
                f"Paired differences vs {folder.reference}",
                "Mean difference (doctrine minus reference) per outcome with its 95% paired-t "
                "interval; a filled marker means the interval excludes zero.",
            )
        )
    else:
        section.blocks.append(text_block(folder.comparison_source, css="note"))
    section.blocks.append(Block("method", text=METHOD_NOTE))
    return section


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def _distributions(folder: OutputFolder, figs: Figures) -> Section:
    results = folder.results
    labels = [str(v) for v in results["rung_label"].values]
    section = Section(
        "distributions",
        "Per-replicate outcomes",
        intro="Distributions over the replicates of the tallies every run keeps, whatever it "
        "recorded.",
    )
    shares = max_rung_shares(results)
    section.blocks.append(
        figs.block(
            figures.max_rung_figure(shares, folder.doctrines, labels),
            "max_rung",
            f"Highest escalation rung reached ({folder.focus_dyad})",
            f"Share of the {folder.replicates:,} runs per doctrine by the highest rung the "
            f"dyad {folder.focus_dyad} reached over the horizon.",
        )
    )
    acts = aggression(results, folder.scenario)
    sides = " and ".join(acts.sides)
    caption = (
        f"Left: deliberate probes (raids, incursions, strikes) and limited attacks per run by "
        f"{sides} against each other, each act counted for the side that chose it (only an "
        "opportunist initiates). "
    )
    if acts.incidents is not None:
        caption += (
            "Right, on its own scale: the accidental and exogenous incidents per run on the "
            f"sectors between them ({', '.join(acts.sectors)}), which count no deliberate act. "
        )
    acting = "; ".join(
        f"{doctrine}: {_percent(acts.acting[0][d])} of runs with an act by {acts.sides[0]}, "
        f"{_percent(acts.acting[1][d])} by {acts.sides[1]}"
        for d, doctrine in enumerate(folder.doctrines)
    )
    section.blocks.append(
        figs.block(
            figures.aggression_figure(acts, folder.doctrines),
            "aggression",
            f"Deliberate aggression apart from accidents ({folder.focus_dyad})",
            caption + f"Means over all {folder.replicates:,} runs per doctrine. {acting}.",
        )
    )
    tallies = outcome_tallies(results)
    section.blocks.append(
        figs.block(
            figures.tally_figure(tallies, folder.doctrines),
            "tallies",
            "Days elevated, cost and agreements per run",
            "Box: quartiles and median; whiskers: the most extreme runs within 1.5 "
            "interquartile ranges; dashed line: mean (the estimate in the headline table).",
        )
    )
    return section


def _time_series(folder: OutputFolder, figs: Figures, marks: list[ShockMark]) -> Section:
    results = folder.results
    section = Section(
        "time-series",
        "Over time",
        intro="How forces, perceived threat, trust, beliefs and escalation evolve day by day, "
        "per doctrine.",
    )
    source = trajectories(results)
    if not has_time_series(results) or source is None:
        section.notice = (
            "This run kept per-replicate summaries only (--record summary): time series need "
            "a run with --record full or --record mean."
        )
        return section
    days = _days(results)
    bands = axis_bands(marks, float(days[-1]))
    if marks:
        section.blocks.append(Block("shocks", marks=marks))
    shaded = (
        f"Line: median; shaded: 50% and 90% bands, over {source.describe()}; dotted: mean over "
        f"all {folder.replicates:,} replicates. {_shock_caption(marks)}"
    )
    fans = list(forces_fans(results, folder.scenario, source).values())
    section.blocks.append(
        figs.block(
            figures.fan_figure(fans, bands, "Threat-weighted forces near the border"),
            "forces",
            "Threat-weighted forces near the border",
            f"Forces near the {folder.focus_dyad} border of each side and of the forces "
            "stationed with them, summed over categories weighted by each category's threat "
            "weight (threat points = ground battalion-equivalents). " + shaded,
        )
    )
    perception = [*threat_fans(results, source).values(), trust_fan(results, source)]
    section.blocks.append(
        figs.block(
            figures.fan_figure(perception, bands, "Perceived threat and trust"),
            "perception",
            f"Perceived threat and trust ({folder.focus_dyad})",
            "Total threat each side of the focus dyad perceives (threat points) and the "
            "dyad's trust (0..1). " + shaded,
        )
    )
    beliefs = list(belief_fans(results, source).values())
    section.blocks.append(
        figs.block(
            figures.fan_figure(
                beliefs, bands, "What each side believes about the other", (0.0, 1.0)
            ),
            "beliefs",
            f"Beliefs about the other side ({folder.focus_dyad})",
            "Each side's belief (Bayes' rule on what it perceives) that the other side is an "
            "opportunist, which would use force when it expects to gain, rather than a "
            "security seeker; it starts at the other side's prior (table Actors, where the "
            "share of runs in which each actor is an opportunist is also shown). " + shaded,
        )
    )
    over_time = acts_over_time(results, focus_sectors(results, folder.scenario))
    caption = (
        f"Left: steps with a deliberate probe or attack by {over_time.sides[0]} (solid) and by "
        f"{over_time.sides[1]} (dotted) against the other, counted up to day t; mean over all "
        f"{folder.replicates:,} runs."
    )
    if over_time.incidents is not None:
        caption += (
            " Right, on its own scale: the accidental and exogenous incidents on the sectors "
            "between them, counted up the same way."
        )
    section.blocks.append(
        figs.block(
            figures.acts_time_figure(over_time, folder.doctrines, bands),
            "aggression_time",
            f"When deliberate aggression and accidents happen ({folder.focus_dyad})",
            f"{caption} {_shock_caption(marks)}",
        )
    )
    shares = rung_shares(results).values
    labels = [str(v) for v in results["rung_label"].values]
    basis = (
        "per-step rung shares kept by --record mean"
        if record_of(results, "escalation") == "mean"
        else "every replicate's trajectory"
    )
    section.blocks.append(
        figs.block(
            figures.rung_share_figure(shares, days, folder.doctrines, labels, bands),
            "escalation",
            f"Escalation ladder over time ({folder.focus_dyad})",
            f"Share of all {folder.replicates:,} runs on each rung of the escalation ladder, "
            f"day by day (from {basis}). Only rungs that occur are drawn. {_shock_caption(marks)}",
        )
    )
    return section


def _fates_table(folder: OutputFolder) -> Table:
    fates = agreement_fates(folder.results)
    detected_share = fates.detected_share()
    rows = []
    for d, doctrine in enumerate(folder.doctrines):
        formed = fates.formed[d]

        def share(value: float, formed: float = formed) -> Cell:
            return Cell(f"{100 * value / formed:.1f}%" if formed > 0 else "–", css="num")

        rows.append(
            [
                Cell(doctrine, code=True),
                Cell(f"{100 * fates.runs_with_agreement[d]:.1f}%", css="num"),
                Cell(f"{formed:.2f}", css="num"),
                share(fates.kept[d]),
                Cell(
                    f"{100 * detected_share[d]:.1f}%" if np.isfinite(detected_share[d]) else "–",
                    css="num",
                ),
                share(fates.running[d]),
                Cell(f"{100 * fates.runs_with_detection[d]:.1f}%", css="num"),
            ]
        )
    return Table(
        "What became of the agreements",
        [
            "doctrine",
            "runs with an agreement",
            "agreements per run",
            "kept to term",
            "ended by a detected violation",
            "in force at the horizon",
            "runs with a detected violation",
        ],
        rows,
        note="Shares of the agreements formed. A violation is detected by the verification "
        "regime (inspections) or national technical means; each detection ends the agreement.",
        slug="agreement-fates",
    )


def _agreements(folder: OutputFolder, figs: Figures, marks: list[ShockMark]) -> Section:
    results = folder.results
    section = Section(
        "agreements",
        "Agreements",
        intro=f"When withdrawal agreements form in the dyad {folder.focus_dyad}, how long they "
        "last, and how often verification catches a violation.",
    )
    timed = has_time_series(results)
    days = _days(results) if timed else np.zeros(0)
    horizon = float(results.attrs.get("horizon_days", folder.scenario.settings.horizon_days))
    curve_days = np.arange(0.0, horizon + 1.0)
    curves = first_agreement_curves(results, curve_days)
    in_force = agreement_shares(results).values if timed else None
    bands = axis_bands(marks, horizon)
    if marks and not timed:  # the key is otherwise shown with the time series
        section.blocks.append(Block("shocks", marks=marks))
    caption = (
        f"{'Left: s' if in_force is not None else 'S'}hare of the {folder.replicates:,} runs "
        "whose first agreement had formed by "
        "day t; where a curve ends is the share of runs with any agreement (from the "
        "per-replicate first-agreement day)."
    )
    if in_force is not None:
        caption += " Right: share of all runs with an agreement in force on day t."
    else:
        caption += " The share with an agreement in force over time needs --record full or mean."
    caption += f" {_shock_caption(marks)}"
    section.blocks.append(
        figs.block(
            figures.agreement_time_figure(
                curves, curve_days, in_force, days, folder.doctrines, bands
            ),
            "agreements_time",
            "When agreements form",
            caption,
        )
    )
    source = trajectories(results) if timed else None
    spells = agreement_spells(results, source) if source is not None else None
    fates = agreement_fates(results)
    caption = (
        f"{'Left: m' if spells is not None else 'M'}ean agreements per run, split by how they "
        "ended: kept to their term, ended by "
        "a detected violation, or still in force at the horizon."
    )
    if spells is not None and source is not None:
        caption += (
            f" Right: duration of every spell with an agreement in force in {source.describe()}; "
            "spells still running at the horizon are counted up to it (censored). Whiskers: "
            "shortest and longest."
        )
    else:
        caption += " Durations need per-replicate trajectories (--record full or mean)."
    section.blocks.append(
        figs.block(
            figures.agreement_fate_figure(fates, spells, folder.doctrines),
            "agreement_fates",
            "How agreements end and how long they last",
            caption,
        )
    )
    section.blocks.append(table_block(_fates_table(folder)))
    return section


def _map(folder: OutputFolder, figs: Figures, border_map: maps.BorderMap | None) -> Section:
    section = Section(
        "border-map",
        "Border map",
        intro="Mean deployment intensity per sector: threat-weighted forces per 100 km of the "
        "sector. Each actor's forces are spread over the sectors on its side of the border "
        "(stationed forces on their host's side) in proportion to length × the actor's sector "
        "weight, as the engine does.",
    )
    if border_map is None:
        section.notice = (
            "No vendored geometry matches this scenario's sectors: a sector is drawn when it "
            "lies between two countries of the vendored Natural Earth geometry, named by their "
            "ISO 3166-1 alpha-3 codes (such as DEU or POL), that share a land border there."
        )
        return section
    spec = maps.map_figure(border_map)
    rows = []
    for s, sector in enumerate(border_map.sectors):
        rows.append(
            [
                Cell(sector.id, code=True),
                Cell(f"{sector.scenario_km:.1f}", css="num"),
                Cell(f"{sector.line.length_km:.1f}", css="num"),
                *(
                    Cell(f"{border_map.intensity[d, s]:.2f}", css="num")
                    for d in range(len(border_map.doctrines))
                ),
            ]
        )
    table = Table(
        "Mean threat-weighted forces per 100 km",
        ["sector", "length (km)", "drawn (km)", *border_map.doctrines],
        rows,
        note=f"Mean {border_map.basis}; both sides of the border together.",
        slug="sector-intensity",
    )
    caption = (
        f"Sector lines coloured by mean deployment intensity (threat points per 100 km, "
        f"mean {border_map.basis}) on one colour scale for all doctrines. Choose the "
        f"doctrine of {folder.subject} with the menu; shown first, and in the static "
        f"PNG: {border_map.default_doctrine} ({_default_reason(folder, border_map)}). "
        "Hover a sector for each actor's part."
    )
    if border_map.origins is not None:
        caption += (
            " Purple circles: where cascades began (the dyad that reached war first in each "
            "replicate where war spread); a circle's area is its share of the doctrine's "
            "cascades."
        )
        if border_map.origins.off_map:
            off_map = ", ".join(border_map.origins.off_map)
            caption += f" Origins between non-country actors, not drawn: {off_map}."
    if border_map.off_map:
        caption += f" Actors not drawn as countries on this map: {', '.join(border_map.off_map)}."
    if border_map.unmapped:
        caption += f" Sectors with no line in the geometry: {', '.join(border_map.unmapped)}."
    measured = border_map.measured_borders()
    border = measured[0] if len(measured) == 1 else None
    section.blocks.append(
        Block(
            "map",
            slug="border_map",
            html=figs.html(spec, "border_map"),
            png=figs.png(spec, "border_map"),
            caption=caption,
            table=table,
            border_km=f"{border.length_km:,.0f}" if border else "",
            official_km=f"{border.notes['official_length_km']:,.0f}" if border else "",
            length_note=(
                f"Measured geodesically on the WGS84 ellipsoid (pyproj) along the Natural "
                f"Earth border line: {border.length_km:.1f} km; the official "
                f"{border.notes['official_length_km']:,.0f} km is "
                f"{border.notes['official_source']}. " + border.notes.get("length_note", "")
                if border
                else "Drawn lengths: measured geodesically on the WGS84 ellipsoid (pyproj) "
                "along the Natural Earth border lines."
            ),
            attribution=attribution(),
        )
    )
    return section


def _exploration(folder: OutputFolder) -> list[Section]:
    summary = exploration_summary(folder.path)
    return [] if summary is None else [exploration_section(summary)]


def _regimes(folder: OutputFolder, figs: Figures) -> list[Section]:
    stored = folder.path / regimes.REGIMES_DIR
    if not regimes.is_regimes_folder(stored):
        return []
    regime_map = regimes.load_regime_map(stored)
    spec = regimes.regime_map_figure(regime_map)
    slug = "regime_map"
    return [regimes.regimes_section(regime_map, figs.html(spec, slug), figs.png(spec, slug))]


def _default_reason(folder: OutputFolder, border_map: maps.BorderMap) -> str:
    declared = next(a.doctrine.name for a in folder.scenario.actors if a.id == folder.subject)
    if border_map.default_doctrine == declared:
        return f"the doctrine the scenario gives {folder.subject}"
    return "the first doctrine run"


def _scenario(
    folder: OutputFolder, marks: list[ShockMark], border_map: maps.BorderMap | None
) -> Section:
    sectors = [] if border_map is None else border_map.sectors
    lengths = {sector.id: sector.line.length_km for sector in sectors}
    tables = scenario_tables(
        folder.scenario,
        folder.doctrines,
        folder.subject,
        marks,
        lengths,
        opportunist_shares(folder.results),
    )
    section = Section(
        "scenario",
        "Scenario",
        intro=f"{folder.scenario.name} ({folder.scenario.id}): the resolved scenario the results "
        "were computed from (scenario.yaml in the output folder). Hover a value for its source.",
    )
    for table in tables:
        section.blocks.append(table_block(table, collapsed=table.slug == "mechanisms"))
    return section


def _reproduce(folder: OutputFolder) -> Section:
    section = Section(
        "reproduce",
        "Reproduce",
        intro="Running the command below with this dualtrack version gives bit-identical "
        "results (same seed, same scenario hash).",
    )
    section.blocks.append(table_block(manifest_table(folder.manifest)))
    return section


def _facts(folder: OutputFolder) -> list[tuple[str, str]]:
    results = folder.results
    return [
        ("scenario", folder.scenario.id),
        ("subject", folder.subject),
        ("focus dyad", folder.focus_dyad),
        ("doctrines", ", ".join(folder.doctrines)),
        ("replicates", f"{folder.replicates:,} per doctrine"),
        (
            "horizon",
            f"{results.attrs.get('horizon_days', '?')} days from "
            f"{results.attrs.get('start_date', folder.scenario.settings.start)}",
        ),
        ("record", folder.record),
        ("seed", str(folder.manifest.get("seed", results.attrs.get("seed", "?")))),
        ("parameters", parameters_used(folder.manifest)),
    ]


def render_report(results_dir: Path | str) -> Path:
    """Write ``report.html`` and ``figures/*.png`` into an output folder; returns the page.

    Reads only the saved results (nothing is re-run). Raises
    :class:`~dualtrack.report.loading.NotAnOutputFolder` when the folder is not one.
    """
    folder = load_output_folder(results_dir)
    marks = shock_marks(folder.scenario)
    figs = Figures(folder.path)
    border_map = maps.build_border_map(folder.results, folder.scenario)
    with matplotlib_renderer.report_style():
        sections = [
            _headline(folder, figs),
            _distributions(folder, figs),
            _time_series(folder, figs, marks),
            _agreements(folder, figs, marks),
            _map(folder, figs, border_map),
            *_exploration(folder),
            *_regimes(folder, figs),
            _scenario(folder, marks, border_map),
            _reproduce(folder),
        ]
    page = render_page(
        title=folder.scenario.name,
        description=folder.scenario.description,
        facts=_facts(folder),
        sections=sections,
        version=__version__,
        folder_files="scenario.yaml, manifest.json, results.nc and the CSV tables",
        attribution=attribution(),
    )
    target = folder.path / REPORT_FILE
    write_text(target, page)  # whole: a reader never sees half a page
    return target
