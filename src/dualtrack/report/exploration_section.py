"""The report's exploration section: a sweep's spread of outcomes, sensitivity and discovery.

Shown when the output folder holds an exploration (``dualtrack explore ... --out
RESULTS/exploration``). It renders the typed results of
:func:`dualtrack.analysis.exploration.exploration_summary`, read back from the sweep folder,
and embeds their figures so that the page stays one offline file.
"""

from __future__ import annotations

import base64
from pathlib import Path

from dualtrack.analysis.discovery import PrimResult
from dualtrack.analysis.exploration import ExplorationSummary
from dualtrack.analysis.sensitivity import MEANINGS, SensitivityIndices
from dualtrack.report.html import Block, Section, table_block
from dualtrack.report.tables import Cell, Table, number

TOP_PARAMETERS = 8
"""Parameters listed per ranking."""


def _image(path: Path, title: str, caption: str) -> Block:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return Block("image", title=title, caption=caption, png=f"data:image/png;base64,{data}")


def _outcomes_table(summary: ExplorationSummary) -> Table:
    rows = [
        [
            Cell(spread.doctrine, code=True),
            Cell(summary.label(spread.outcome)),
            Cell(number(spread.median), detail=f"[{number(spread.p05)}, {number(spread.p95)}]"),
            Cell(number(spread.mean)),
        ]
        for spread in summary.spread
    ]
    return Table(
        "Outcomes across the sampled points",
        ["doctrine", "outcome", "median [5%, 95%] over points", "mean over points"],
        rows,
        note="Each point's outcome is itself an estimate from its replicates.",
        slug="exploration-outcomes",
    )


def _ranking_table(results: list[SensitivityIndices], outcome: str) -> Table | None:
    rows = []
    for result in results:
        measure = result.ranked_by
        ranked = result.ranking(TOP_PARAMETERS)
        for parameter in ranked["parameter"].to_numpy():
            row = ranked.sel(parameter=parameter)
            interval = (
                f"[{number(float(row[f'{measure}_low']))}, {number(float(row[f'{measure}_high']))}]"
            )
            rows.append(
                [
                    Cell(result.doctrine, code=True),
                    Cell(str(parameter), code=True),
                    Cell(number(float(row[measure])), detail=interval),
                ]
            )
    if not rows:
        return None
    method = results[0].method
    return Table(
        f"Most influential parameters on {outcome} ({method})",
        ["doctrine", "parameter", f"{MEANINGS[results[0].ranked_by]} [bootstrap interval]"],
        rows,
        slug=f"sensitivity-{outcome}",
    )


def _discovery_blocks(result: PrimResult) -> list[Block]:
    settings = result.settings
    rows = []
    for index, box in enumerate(result.boxes, start=1):
        step = box.chosen_step
        conditions = "; ".join(
            f"{limit.parameter} in [{number(limit.low)}, {number(limit.high)}]"
            for limit in box.limits
        )
        rows.append(
            [
                Cell(str(index)),
                Cell(number(step.coverage, 2)),
                Cell(number(step.density, 2)),
                Cell(number(step.mass, 2)),
                Cell(conditions or "(no restriction)"),
            ]
        )
    title = (
        f"Where {settings.doctrine} keeps {settings.outcome_label} {settings.relation} "
        f"{settings.threshold:g} (PRIM)"
    )
    blocks = [
        table_block(
            Table(
                title,
                ["box", "coverage", "density", "mass", "restricted dimensions"],
                rows,
                note=f"Base rate {number(settings.base_rate, 2)} of {settings.points} points; "
                "coverage = share of the cases of interest inside the box, density = share of "
                "the box's points that are cases.",
                slug=f"discovery-{result.name}",
            )
        )
    ]
    for figure, kind in (
        (result.tradeoff_figure, "peeling trajectory (coverage vs density)"),
        (result.boxes_figure, "the boxes' restricted ranges"),
    ):
        if figure is not None:
            blocks.append(_image(figure, f"{settings.doctrine}: {kind}", result.name))
    return blocks


def exploration_section(summary: ExplorationSummary, outcome: str | None = None) -> Section:
    """The section for one stored exploration.

    ``outcome`` is the outcome whose sensitivity is shown; by default the first the sweep's
    sensitivity analysis covers. Every discovery is shown, each with the outcome it explores.
    """
    section = Section(
        "exploration",
        "Exploration",
        intro=(
            f"A {summary.design} design of {summary.points} points over "
            f"{len(summary.parameters)} uncertain parameters, "
            f"{summary.facts.replicates} replicates x {summary.facts.days} days per point, "
            f"doctrines {', '.join(summary.doctrines)}, seed {summary.facts.seed}; "
            f"parameters outside the design: {summary.facts.parameters}; "
            f"{summary.infeasible_points} infeasible point(s)."
        ),
    )
    notices = [] if summary.complete else ["The sweep is incomplete: run it again with --resume."]
    section.notice = " ".join([*notices, *(f"Left out: {reason}" for reason in summary.unreadable)])
    if summary.spread:
        section.blocks.append(table_block(_outcomes_table(summary)))
    sensitivity = summary.sensitivity
    if sensitivity is not None and sensitivity.outcomes:
        shown = outcome or sensitivity.outcomes[0]
        results = sensitivity.for_outcome(shown)
        table = _ranking_table(results, shown)
        if table is not None:
            section.blocks.append(table_block(table))
        for result in results:
            if result.figure is not None:
                section.blocks.append(
                    _image(
                        result.figure,
                        f"Sensitivity of {summary.label(shown)} under {result.doctrine} "
                        f"({result.method})",
                        result.figure.name,
                    )
                )
    for discovery in summary.discoveries:
        section.blocks.extend(_discovery_blocks(discovery))
    return section
