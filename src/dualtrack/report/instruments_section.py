"""The report of an instruments study: what each instrument buys, the frontier, robustness.

Written by ``dualtrack instruments --out DIR`` into its folder (``report.html`` and
``figures/*.png``), from the saved tables only (``effects.csv``, ``frontier.csv``, and
``robustness.csv`` when the study ran over a sweep), with the catalogue entries of the
instruments it weighed, for a negotiator to read: the effect of each instrument with its
interval, which sets no other set beats on risk and intrusiveness, and how often each helps
across the uncertainty.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from dualtrack._version import __version__
from dualtrack.experiments.instruments import INSTRUMENTS_KIND
from dualtrack.experiments.store import FILES, Store, write_text
from dualtrack.report import matplotlib_renderer
from dualtrack.report.atlas import attribution
from dualtrack.report.figure_spec import (
    Axis,
    FigureSpec,
    Intervals,
    Key,
    Line,
    Panel,
    Points,
    RuleX,
)
from dualtrack.report.figures import differences_figure
from dualtrack.report.html import Section, render_page, table_block, text_block
from dualtrack.report.palette import DOCTRINE_COLOURS, RULE
from dualtrack.report.render import Figures
from dualtrack.report.tables import Cell, Table, manifest_table, parameters_used
from dualtrack.scenario.instruments import Instrument, available
from dualtrack.scenario.loading import load_scenario

EFFECTS_FILE = "effects.csv"
FRONTIER_FILE = "frontier.csv"
ROBUSTNESS_FILE = "robustness.csv"
MUTED = "#9e9e9e"


def _percent(value: float) -> str:
    return f"{100.0 * value:+.1f}"


def _value(value: float, unit: str) -> str:
    return _percent(value) if unit == "1" else f"{value:+.2f}"


def effects_figure(effects: pd.DataFrame, shown: list[str]) -> FigureSpec:
    """Paired effect of each shown set on each outcome, with 95% intervals (filled:
    distinguishable from zero)."""
    rows = effects[effects["instruments"].isin(shown)].rename(columns={"instruments": "doctrine"})
    spec = differences_figure(rows, shown)
    longest = max((len(name) for name in shown), default=10)
    left = max(spec.margins[0], 0.075 * longest + 0.2)  # room for the sets' names
    return dataclasses.replace(
        spec,
        title="Effect of each instrument vs none (95% paired-t intervals; filled: ≠ 0)",
        margins=(left, *spec.margins[1:]),
        size=(spec.size[0] + left - spec.margins[0], spec.size[1]),
    )


def frontier_figure(front: pd.DataFrame) -> FigureSpec:
    """Risk reduction against intrusiveness: every set, the frontier joined and named."""
    risk = str(front["outcome"].iloc[0])
    on = front[front["on_frontier"].astype(bool)]
    off = front[~front["on_frontier"].astype(bool)]

    def points(table: pd.DataFrame, colour: str, labelled: bool) -> Points:
        xy = np.column_stack(
            [table["intrusiveness"].to_numpy(float), 100.0 * table["reduction"].to_numpy(float)]
        )
        hovers = tuple(
            f"{r.instruments}\nintrusiveness {r.intrusiveness:g}\nreduction "
            f"{100 * r.reduction:.1f} pp [{100 * r.reduction_low:.1f}, "
            f"{100 * r.reduction_high:.1f}]"
            for r in table.itertuples()
        )
        return Points(
            xy,
            tuple(str(n) for n in table["instruments"]),
            colour,
            np.full((1, len(table)), 8.0 if labelled else 6.0),
            label_positions=("right",) * len(table) if labelled else (),
            hovers=(hovers,),
        )

    marks: list[Line | Points] = []
    if len(on):
        marks.append(
            Line(
                on["intrusiveness"].to_numpy(float),
                100.0 * on["reduction"].to_numpy(float),
                DOCTRINE_COLOURS[0],
                name="frontier",
                step=True,
            )
        )
    if len(off):
        marks.append(points(off, MUTED, False))
    marks.append(points(on, DOCTRINE_COLOURS[0], True))
    label = risk.replace("p_", "P(").replace("aggression", "deliberate aggression") + ")"
    return FigureSpec(
        [
            [
                Panel(
                    marks,
                    Axis("intrusiveness (sum of scores)", from_zero=True),
                    Axis(f"reduction of {label} (percentage points)"),
                )
            ]
        ],
        size=(9.0, 4.8),
        title=f"Frontier: reduction of {label} against intrusiveness",
        keys=(Key("on the frontier", DOCTRINE_COLOURS[0]), Key("dominated", MUTED, "swatch")),
        margins=(0.9, 1.6, 0.6, 0.6),
    )


def robustness_figure(robust: pd.DataFrame, outcome: str) -> FigureSpec:
    """Share of the points where each set helps on one outcome, with Wilson intervals."""
    rows = robust[robust["outcome"] == outcome]
    names = tuple(str(n) for n in rows["instruments"])
    colours = tuple(DOCTRINE_COLOURS[k % len(DOCTRINE_COLOURS)] for k in range(len(names)))
    hovers = tuple(
        f"{r.instruments}: helps at {r.share_helps:.0%} of {int(r.points)} points "
        f"[{r.share_low:.0%}, {r.share_high:.0%}]; mean effect {r.mean_effect:+.4f} "
        f"[{r.mean_low:+.4f}, {r.mean_high:+.4f}]"
        for r in rows.itertuples()
    )
    marks: list[RuleX | Intervals] = [
        RuleX(0.5, RULE),
        Intervals(
            rows["share_helps"].to_numpy(float),
            rows["share_low"].to_numpy(float),
            rows["share_high"].to_numpy(float),
            colours,
            tuple(bool(s > 0.5) for s in rows["share_low"]),
            hovers,
        ),
    ]
    label = str(rows["label"].iloc[0])
    return FigureSpec(
        [
            [
                Panel(
                    marks,
                    Axis("share of points where it helps", percent=True, limits=(0.0, 1.0)),
                    Axis(categories=names),
                )
            ]
        ],
        size=(9.0, 0.32 * len(names) + 1.4),
        title=f"Robustness: where each instrument lowers {label} (Wilson 95%; filled: most)",
        margins=(1.6, 0.2, 0.6, 0.6),
    )


def effects_table(effects: pd.DataFrame) -> Table:
    """Set x outcome: paired effect with its interval; probabilities in percentage points."""
    outcomes = list(
        dict.fromkeys(zip(effects["outcome"], effects["label"], effects["unit"], strict=True))
    )
    cells = effects.set_index(["instruments", "outcome"])
    rows = []
    for name in dict.fromkeys(effects["instruments"]):
        first = cells.loc[(name, outcomes[0][0])]
        row = [Cell(str(name), code=True), Cell(f"{float(first['intrusiveness']):g}", css="num")]
        for outcome, _, unit in outcomes:
            c = cells.loc[(name, outcome)]
            helps = str(c["helps"]).lower() in ("true", "1")
            distinct = str(c["distinguishable"]).lower() in ("true", "1")
            row.append(
                Cell(
                    _value(float(c["difference"]), unit),
                    detail=f"[{_value(float(c['low']), unit)}, {_value(float(c['high']), unit)}]",
                    badge="yes" if distinct else "no",
                    css="num distinct" if helps else "num",
                )
            )
        rows.append(row)
    header = ["instruments", "intrusiveness"] + [
        f"{label} ({'pp' if unit == '1' else unit})" for _, label, unit in outcomes
    ]
    replicates = int(effects["replicates"].iloc[0])
    return Table(
        "Effect of each instrument set vs none (paired difference, 95% interval)",
        header,
        rows,
        note=f"{replicates:,} replicates per set on common random numbers; ≠ 0: the interval "
        "excludes zero. Probabilities in percentage points.",
        slug="instrument-effects",
    )


def frontier_table(front: pd.DataFrame) -> Table:
    """The sets on the frontier, from the least intrusive."""
    rows = [
        [
            Cell(str(r.instruments), code=True),
            Cell(f"{r.intrusiveness:g}", css="num"),
            Cell(
                f"{100 * r.reduction:+.1f}",
                detail=f"[{100 * r.reduction_low:+.1f}, {100 * r.reduction_high:+.1f}]",
                css="num",
            ),
        ]
        for r in front[front["on_frontier"].astype(bool)].itertuples()
    ]
    return Table(
        "Frontier: no other set reduces the risk as much with no more intrusiveness",
        ["instruments", "intrusiveness", f"reduction of {front['outcome'].iloc[0]} (pp)"],
        rows,
        slug="instrument-frontier",
    )


def robustness_table(robust: pd.DataFrame) -> Table:
    """Per set and outcome: where it helps, and by how much on average."""
    rows = [
        [
            Cell(str(r.instruments), code=True),
            Cell(str(r.label)),
            Cell(f"{r.share_helps:.0%}", detail=f"[{r.share_low:.0%}, {r.share_high:.0%}]"),
            Cell(f"{r.share_helps_distinguishably:.0%}"),
            Cell(f"{r.mean_effect:+.4f}", detail=f"[{r.mean_low:+.4f}, {r.mean_high:+.4f}]"),
            Cell(f"{r.min_effect:+.4f} to {r.max_effect:+.4f}"),
        ]
        for r in robust.itertuples()
    ]
    return Table(
        "Robustness over the uncertainty",
        [
            "instruments",
            "outcome",
            "points where it helps",
            "… distinguishably",
            "mean effect over points",
            "range over points",
        ],
        rows,
        note="Helps: its estimate is better than without instruments at that point (lower, or "
        "higher for agreements). Wilson interval over points; Student-t for the mean.",
        slug="instrument-robustness",
    )


def catalogue_table(instruments: list[Instrument]) -> Table:
    """The instruments weighed: source, levers, what they reveal, what it takes to agree."""
    rows = []
    for i in instruments:
        levers = i.levers.model_dump(exclude_none=True, exclude_defaults=True)
        rows.append(
            [
                Cell(i.id, code=True, note=i.description),
                Cell(i.name),
                Cell(", ".join(f"{k} = {v}" for k, v in levers.items())),
                Cell(i.reveals),
                Cell(f"{i.intrusiveness:g} / {i.cost}"),
                Cell(f"{i.agreement.kind}: {i.agreement.parties}", note=i.agreement.status),
                Cell(i.source),
            ]
        )
    return Table(
        "The instruments weighed",
        [
            "id",
            "name",
            "levers",
            "what it reveals",
            "intrusiveness / cost",
            "who must agree",
            "source",
        ],
        rows,
        slug="instrument-catalogue",
    )


def is_instruments_folder(folder: Path | str) -> bool:
    """True when ``folder`` holds the output of ``dualtrack instruments``."""
    return Store(folder).kind() == INSTRUMENTS_KIND


def render_instruments_report(folder: Path | str) -> Path:
    """Write ``report.html`` and ``figures/*.png`` for an instruments study's folder."""
    folder = Path(folder)
    manifest = Store(folder).read_manifest(INSTRUMENTS_KIND)
    scenario = load_scenario(folder / FILES.scenario)
    effects = pd.read_csv(folder / EFFECTS_FILE)
    front = pd.read_csv(folder / FRONTIER_FILE)
    robust_path = folder / ROBUSTNESS_FILE
    robust = pd.read_csv(robust_path) if robust_path.is_file() else None
    settings = manifest.get("settings", {})
    singles = [str(n) for n in effects.loc[effects["members"] == 1, "instruments"].unique()]
    on_front = [str(n) for n in front.loc[front["on_frontier"].astype(bool), "instruments"]]
    shown = list(dict.fromkeys([*singles, *(n for n in on_front if n != "none")]))
    figs = Figures(folder)
    catalogue = available(scenario)
    with matplotlib_renderer.report_style():
        effects_section = Section(
            "effects",
            "What each instrument buys",
            intro="Each instrument set is the scenario with the set's levers moved on its dyad, "
            "run on the same random numbers as the scenario without instruments: the "
            "difference is the instrument's effect, nothing else.",
        )
        effects_section.blocks.append(table_block(effects_table(effects)))
        effects_section.blocks.append(
            figs.block(
                effects_figure(effects, shown),
                "instrument-effects",
                "Effect of each instrument",
                "Single instruments and the combinations on the frontier; filled markers: the "
                "interval excludes zero.",
            )
        )
        frontier_section = Section(
            "frontier",
            "Risk reduction against intrusiveness",
            intro="Intrusiveness scores are judgements (docs/instruments.md); a combination "
            "adds its members' scores. A set is on the frontier when no other set reduces the "
            "risk at least as much with no more intrusiveness.",
        )
        frontier_section.blocks.append(
            figs.block(frontier_figure(front), "instrument-frontier", "Frontier", "")
        )
        frontier_section.blocks.append(table_block(frontier_table(front)))
        sections = [effects_section, frontier_section]
        if robust is not None:
            risk = str(settings.get("risk", "p_crisis"))
            robust_section = Section(
                "robustness",
                "Robustness over the uncertainty",
                intro=f"The same sets at each point of {settings.get('robustness_from', '?')}, "
                "each point on its own random numbers shared by its sets.",
            )
            robust_section.blocks.append(
                figs.block(
                    robustness_figure(robust, risk),
                    "instrument-robustness",
                    "Where each instrument helps",
                    "",
                )
            )
            robust_section.blocks.append(table_block(robustness_table(robust)))
            sections.append(robust_section)
        weighed = [catalogue[n] for n in singles if n in catalogue]
        catalogue_section = Section("catalogue", "The instruments")
        catalogue_section.blocks.append(table_block(catalogue_table(weighed)))
        catalogue_section.blocks.append(
            text_block(
                "Levers and their equations: docs/model.md §7.16; the catalogue and "
                "its sources: docs/instruments.md."
            )
        )
        reproduce = Section(
            "reproduce",
            "Reproduce",
            intro="Running the command below with this dualtrack version gives bit-identical "
            "results.",
        )
        reproduce.blocks.append(table_block(manifest_table(manifest)))
        sections += [catalogue_section, reproduce]
    page = render_page(
        title=f"{scenario.name}: transparency and confidence-building instruments",
        description=scenario.description,
        facts=[
            ("scenario", scenario.id),
            ("focus dyad", "-".join(scenario.focus)),
            ("instrument sets", str(effects["instruments"].nunique() + 1)),
            ("replicates", f"{int(effects['replicates'].iloc[0]):,} per set"),
            ("horizon", f"{scenario.settings.horizon_days} days from {scenario.settings.start}"),
            ("seed", str(manifest.get("seed", "?"))),
            ("parameters", parameters_used(manifest)),
            *(
                [("robustness over", str(settings["robustness_from"]))]
                if settings.get("robustness_from")
                else []
            ),
        ],
        sections=sections,
        version=__version__,
        folder_files="scenario.yaml, manifest.json, results.nc and the CSV tables",
        attribution=attribution(),
    )
    write_text(folder / FILES.report, page)
    return folder / FILES.report
