"""The report's exploration section: a sweep's spread of outcomes, sensitivity and discovery.

Shown when the output folder holds an exploration (``dualtrack explore ... --out
RESULTS/exploration``); everything comes from the stored tables and figures that
:func:`dualtrack.analysis.exploration.exploration_summary` collects, and the figures are
embedded so that the page stays one offline file.
"""

from __future__ import annotations

import base64
import math
from pathlib import Path
from typing import Any

import pandas as pd

from dualtrack.report.html import Block, Section, table_block
from dualtrack.report.tables import Cell, Table

TOP_PARAMETERS = 8
"""Parameters listed per ranking."""

RANKING = {
    "morris": ("mu_star", "mu_star_low", "mu_star_high", "mu* (mean |elementary effect|)"),
    "sobol": ("ST", "ST_low", "ST_high", "total-order index ST"),
}


def _number(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):.{digits}g}"


def _image(path: Path, title: str, caption: str) -> Block:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return Block("image", title=title, caption=caption, png=f"data:image/png;base64,{data}")


def _outcomes_table(summary: dict[str, Any]) -> Table:
    labels = summary["outcome_labels"]
    rows = [
        [
            Cell(row["doctrine"], code=True),
            Cell(labels.get(row["outcome"], row["outcome"])),
            Cell(_number(row["median"]), detail=f"[{_number(row['p05'])}, {_number(row['p95'])}]"),
            Cell(_number(row["mean"])),
        ]
        for _, row in summary["outcomes"].iterrows()
    ]
    return Table(
        "Outcomes across the sampled points",
        ["doctrine", "outcome", "median [5%, 95%] over points", "mean over points"],
        rows,
        note="Each point's outcome is itself an estimate from its replicates.",
        slug="exploration-outcomes",
    )


def _ranking_table(table: pd.DataFrame, method: str, outcome: str) -> Table | None:
    if method not in RANKING:
        return None
    value, low, high, meaning = RANKING[method]
    rows = []
    for doctrine, part in table[table["outcome"] == outcome].groupby("doctrine", sort=False):
        ranked = part.sort_values(value, ascending=False).head(TOP_PARAMETERS)
        for _, row in ranked.iterrows():
            interval = f"[{_number(row.get(low))}, {_number(row.get(high))}]"
            rows.append(
                [
                    Cell(str(doctrine), code=True),
                    Cell(row["parameter"], code=True),
                    Cell(_number(row[value]), detail=interval),
                ]
            )
    if not rows:
        return None
    return Table(
        f"Most influential parameters on {outcome} ({method})",
        ["doctrine", "parameter", f"{meaning} [95% interval]"],
        rows,
        slug=f"sensitivity-{outcome}",
    )


def _discovery_blocks(case: dict[str, Any]) -> list[Block]:
    settings = case["settings"]
    boxes: pd.DataFrame = case["boxes"]
    limits: pd.DataFrame = case["limits"]
    rows = []
    for _, box in boxes.iterrows():
        restricted = limits[limits["box"] == box["box"]]
        conditions = "; ".join(
            f"{r['parameter']} in [{_number(r['low'])}, {_number(r['high'])}]"
            for _, r in restricted.iterrows()
        )
        rows.append(
            [
                Cell(str(int(box["box"]))),
                Cell(_number(box["coverage"], 2)),
                Cell(_number(box["density"], 2)),
                Cell(_number(box["mass"], 2)),
                Cell(conditions or "(no restriction)"),
            ]
        )
    relation = settings.get("relation", "below")
    title = (
        f"Where {settings['doctrine']} keeps {settings['outcome']} {relation} "
        f"{settings['threshold']} (PRIM)"
    )
    blocks = [
        table_block(
            Table(
                title,
                ["box", "coverage", "density", "mass", "restricted dimensions"],
                rows,
                note=f"Base rate {_number(settings.get('base_rate'), 2)} of "
                f"{settings.get('points')} points; coverage = share of the cases of interest "
                "inside the box, density = share of the box's points that are cases.",
                slug=f"discovery-{case['name']}",
            )
        )
    ]
    for figure in case["figures"]:
        kind = (
            "peeling trajectory (coverage vs density)"
            if "tradeoff" in figure.name
            else ("the boxes' restricted ranges")
        )
        blocks.append(_image(figure, f"{settings['doctrine']}: {kind}", f"{case['name']}"))
    return blocks


def exploration_section(summary: dict[str, Any]) -> Section:
    """The section for one stored exploration (see ``exploration_summary``)."""
    design = summary.get("design") or {}
    section = Section(
        "exploration",
        "Exploration",
        intro=(
            f"A {design.get('kind', '?')} design of {design.get('points', '?')} points over "
            f"{len(summary['parameters'])} uncertain parameters, "
            f"{summary.get('replicates')} replicates x {summary.get('days')} days per point, "
            f"doctrines {', '.join(summary['doctrines'])}, seed {summary.get('seed')}; "
            f"{summary['infeasible_points']} infeasible point(s)."
        ),
    )
    if not summary.get("complete", True):
        section.notice = "The sweep is incomplete: run it again with --resume."
    if len(summary["outcomes"]):
        section.blocks.append(table_block(_outcomes_table(summary)))
    sensitivity = summary.get("sensitivity")
    if sensitivity:
        table = _ranking_table(sensitivity["table"], sensitivity["method"], "p_crisis")
        if table is not None:
            section.blocks.append(table_block(table))
        for figure in sensitivity["figures"]:
            if "p_crisis" in figure.name:
                section.blocks.append(
                    _image(
                        figure, f"Sensitivity of P(crisis) ({sensitivity['method']})", figure.name
                    )
                )
    for case in summary.get("discovery") or []:
        section.blocks.extend(_discovery_blocks(case))
    return section
