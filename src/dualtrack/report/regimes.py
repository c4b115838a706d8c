"""The regime map in the report: which doctrine wins where, per outcome, and its page.

The figure is one :class:`~dualtrack.report.figure_spec.FigureSpec`: a panel per outcome,
the grid's cells drawn as rectangles over the two swept parameters and filled with the
colour of the doctrine that wins the cell (its paired intervals against every other
doctrine exclude zero), or in grey where there is no clear winner. Hovering a cell gives
the best doctrine's paired difference from each other doctrine with its interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dualtrack._version import __version__
from dualtrack.analysis.regimes import (
    DEFAULT_OUTCOMES,
    NO_CLEAR_WINNER,
    RegimeMap,
    Verdict,
    analyse_regimes,
)
from dualtrack.experiments.regimes import STUDY
from dualtrack.experiments.store import FILES, Store, write_text
from dualtrack.experiments.study_store import load_results
from dualtrack.report import figure_spec as fs
from dualtrack.report import matplotlib_renderer, plotly_renderer
from dualtrack.report.html import Block, Section, figure_html, render_page, table_block
from dualtrack.report.palette import INK, doctrine_colour
from dualtrack.report.tables import Cell, Table, manifest_table, parameters_used

REGIMES_DIR = FILES.regimes
"""A regimes folder inside a results folder gets a section in that folder's report."""
REPORT_FILE = FILES.report
FIGURES_DIR = FILES.figures
NO_WINNER_FILL = "#d9d9d9"
"""Fill of a cell without a clear winner."""
CELL_EDGE = "#ffffff"
HOVER_MARKER_PT = 18.0
"""Diameter of the invisible marker at a cell's centre that shows its intervals on hover."""


def _edges(values: Sequence[float]) -> np.ndarray:
    """Cell boundaries: midpoints between values, the outer cells as wide as their neighbour."""
    centres = np.asarray(values, dtype=np.float64)
    if len(centres) == 1:
        half = 0.5 * max(abs(centres[0]), 1.0) * 0.1
        return np.array([centres[0] - half, centres[0] + half])
    middle = (centres[1:] + centres[:-1]) / 2.0
    first = centres[0] - (middle[0] - centres[0])
    last = centres[-1] + (centres[-1] - middle[-1])
    return np.concatenate([[first], middle, [last]])


def _hover(x_path: str, x: float, y_path: str, y: float, verdict: Verdict) -> str:
    lines = [f"{x_path} = {x:g}, {y_path} = {y:g}", f"{verdict.label}"]
    if verdict.winner is None:
        lines.append(f"cannot be told apart: {', '.join(verdict.indistinguishable)}")
    for interval in verdict.against:
        lines.append(
            f"{verdict.best} − {interval.other}: {interval.difference:+.3f} "
            f"[{interval.low:+.3f}, {interval.high:+.3f}]"
        )
    return "\n".join(lines)


def regime_map_figure(regime_map: RegimeMap) -> fs.FigureSpec:
    """Map of the regions each doctrine wins, one panel per outcome."""
    x_edges, y_edges = _edges(regime_map.x_values), _edges(regime_map.y_values)
    fills = {name: doctrine_colour(k) for k, name in enumerate(regime_map.doctrines)}
    fills[NO_CLEAR_WINNER] = NO_WINNER_FILL
    panels = []
    for outcome in regime_map.outcomes:
        rings, labels, colours, hovers = [], [], [], []
        for cell in regime_map.cells:
            verdict = cell.verdicts[outcome.name]
            x0, x1 = x_edges[cell.i], x_edges[cell.i + 1]
            y0, y1 = y_edges[cell.j], y_edges[cell.j + 1]
            rings.append((np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]),))
            labels.append(verdict.label)
            colours.append(fills[verdict.label])
            hovers.append(_hover(regime_map.x_path, cell.x, regime_map.y_path, cell.y, verdict))
        centres = np.array([[cell.x, cell.y] for cell in regime_map.cells])
        panels.append(
            fs.Panel(
                marks=[
                    fs.Areas(tuple(rings), tuple(labels), tuple(colours), edge=CELL_EDGE),
                    # invisible markers at the cell centres carry each cell's intervals on hover
                    fs.Points(
                        centres,
                        texts=tuple(labels),
                        colour=INK,
                        sizes=np.full((1, len(centres)), HOVER_MARKER_PT),
                        hovers=(tuple(hovers),),
                        alpha=0.0,
                    ),
                ],
                x=fs.Axis(regime_map.x_path, limits=(float(x_edges[0]), float(x_edges[-1]))),
                y=fs.Axis(regime_map.y_path, limits=(float(y_edges[0]), float(y_edges[-1]))),
                title=f"Lowest {outcome.label}",
            )
        )
    keys = [fs.Key(name, fills[name], kind="swatch") for name in regime_map.doctrines]
    keys.append(fs.Key(NO_CLEAR_WINNER, NO_WINNER_FILL, kind="swatch"))
    return fs.FigureSpec(
        panels=[panels],
        size=(4.2 * len(panels) + 0.6, 4.0),
        keys=keys,
        legend="bottom",
        margins=(0.9, 0.2, 0.45, 1.1),
        spacing=(0.35, 0.2),
        footnote=f"{regime_map.replicates:,} replicates per doctrine and cell; "
        f"{int(regime_map.confidence * 100)}% paired intervals.",
    )


def _winners_table(regime_map: RegimeMap) -> Table:
    rows = []
    for cell in regime_map.cells:
        for verdict in cell.verdicts.values():
            intervals = "; ".join(
                f"vs {i.other}: {i.difference:+.3f} [{i.low:+.3f}, {i.high:+.3f}]"
                for i in verdict.against
            )
            rows.append(
                [
                    Cell(f"{cell.x:g}", css="num"),
                    Cell(f"{cell.y:g}", css="num"),
                    Cell(verdict.outcome, code=True),
                    Cell(verdict.label, code=verdict.winner is not None),
                    Cell(verdict.best, code=True, detail=intervals),
                    Cell(", ".join(verdict.indistinguishable) or "–"),
                ]
            )
    return Table(
        "Winner of each cell",
        [
            regime_map.x_path,
            regime_map.y_path,
            "outcome",
            "winner",
            "lowest mean (best minus other, paired interval)",
            "not distinguishable",
        ],
        rows,
        note="A doctrine wins a cell when its paired interval against every other doctrine "
        "lies below zero; otherwise the cell has no clear winner.",
        slug="regime-winners",
    )


def regimes_section(regime_map: RegimeMap, html: str, png: str) -> Section:
    """The report section of a regime map, with the figure's two renderings."""
    counts = "; ".join(
        f"{outcome.label}: "
        + ", ".join(
            f"{name} {count}" for name, count in regime_map.region_counts(outcome.name).items()
        )
        for outcome in regime_map.outcomes
    )
    section = Section(
        "regimes",
        "Regime map",
        intro=f"Which doctrine minimises each outcome over a grid of {regime_map.x_path} "
        f"({len(regime_map.x_values)} values) and {regime_map.y_path} "
        f"({len(regime_map.y_values)} values); every doctrine of a cell ran on the same "
        f"random numbers. Cells won: {counts}.",
    )
    section.blocks.append(
        Block(
            "figure",
            slug="regime_map",
            title="Where each doctrine wins",
            caption="Each cell is filled with the colour of the doctrine with the lowest "
            "outcome when its paired intervals against every other doctrine exclude zero, "
            f"and grey ({NO_CLEAR_WINNER}) otherwise. Hover a cell for its intervals.",
            html=html,
            png=png,
        )
    )
    section.blocks.append(table_block(_winners_table(regime_map)))
    return section


def is_regimes_folder(folder: Path | str) -> bool:
    """True when ``folder`` holds the output of ``dualtrack regimes``."""
    try:
        stored = Store(folder).read_manifest()
    except (OSError, ValueError):
        return False
    settings = stored.get("settings", {})
    return isinstance(settings, dict) and settings.get("study") == STUDY


def _manifest(folder: Path) -> dict[str, Any]:
    return Store(folder).read_manifest()


def load_regime_map(folder: Path | str) -> RegimeMap:
    """The regime map of a regimes output folder, from its stored results and settings."""
    folder = Path(folder)
    settings = _manifest(folder).get("settings", {})
    return analyse_regimes(
        load_results(folder),
        settings.get("outcomes", list(DEFAULT_OUTCOMES)),
        settings.get("confidence", 0.95),
    )


def render_regimes_report(folder: Path | str) -> Path:
    """Write ``report.html`` and ``figures/regime_map.png`` into a regimes output folder."""
    folder = Path(folder)
    manifest = _manifest(folder)
    settings = manifest.get("settings", {})
    regime_map = load_regime_map(folder)
    spec = regime_map_figure(regime_map)
    with matplotlib_renderer.report_style():
        matplotlib_renderer.save_png(spec, folder / FIGURES_DIR / "regime_map.png")
    html = figure_html(plotly_renderer.draw(spec), "regime_map")
    reproduce = Section("reproduce", "Reproduce", intro="Provenance of these results.")
    reproduce.blocks.append(table_block(manifest_table(manifest)))
    page = render_page(
        title=f"Regime map: {manifest.get('scenario_id', '?')}",
        description=f"Doctrines of {settings.get('actor', '?')} compared cell by cell.",
        facts=[
            ("scenario", str(manifest.get("scenario_id", "?"))),
            ("actor", str(settings.get("actor", "?"))),
            ("doctrines", ", ".join(regime_map.doctrines)),
            ("replicates", f"{regime_map.replicates:,} per doctrine and cell"),
            ("seed", str(manifest.get("seed", "?"))),
            ("parameters", parameters_used(manifest)),
        ],
        sections=[
            regimes_section(regime_map, html, f"{FIGURES_DIR}/regime_map.png"),
            reproduce,
        ],
        version=__version__,
        folder_files="scenario.yaml, manifest.json, results.nc and the CSV tables",
        attribution="",
    )
    target = folder / REPORT_FILE
    write_text(target, page)
    return target
