"""The report's charts, each defined once as a :class:`~dualtrack.report.figure_spec.FigureSpec`.

Every time axis carries the scenario's shocks as grey bands (or lines) tagged ``S1``, ``S2``...
which the page's shock key explains. The renderers (``plotly_renderer``,
``matplotlib_renderer``) draw these specs as the interactive figure and the static PNG.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from dualtrack.report.distributions import Aggression, AgreementFates, BoxStats, Tally
from dualtrack.report.figure_spec import (
    Axis,
    Band,
    Boxes,
    FigureSpec,
    Intervals,
    Key,
    Layer,
    Line,
    Mark,
    Panel,
    RuleX,
    StackedAreas,
    StackedBars,
)
from dualtrack.report.palette import (
    ACCIDENT,
    ACT_COLOURS,
    FATE_COLOURS,
    INK,
    KEY_GREY,
    RULE,
    doctrine_colour,
    rung_colour,
)
from dualtrack.report.series import ActsOverTime, Fan
from dualtrack.report.shocks import AxisBand
from dualtrack.report.tables import difference_on_scale, difference_panel_title, table_outcomes

FAN_BANDS: tuple[tuple[int, int, float, str], ...] = (
    (0, 4, 0.18, "90% band"),
    (1, 3, 0.38, "50% band"),
)
"""Fan bands: (low quantile, high quantile, opacity, legend name), indices into the quantiles."""
DAY = Axis("day")
SHARE = Axis("share of runs", percent=True, limits=(0.0, 1.0))


def fan_figure(
    fans: Sequence[Fan],
    bands: Sequence[AxisBand],
    title: str,
    limits: tuple[float, float] | None = None,
) -> FigureSpec:
    """Rows: quantities; columns: doctrines. Median, 50% and 90% bands, and the mean.

    ``limits``: one y range for every row (e.g. 0..1 for probabilities); None: each row's own.
    """
    doctrines = fans[0].doctrines
    rows = []
    for r, fan in enumerate(fans):
        row = []
        for d, doctrine in enumerate(doctrines):
            colour = doctrine_colour(d)
            q = fan.quantiles[d]
            marks: list[Mark] = [
                Band(fan.days, q[low], q[high], colour, alpha) for low, high, alpha, _ in FAN_BANDS
            ]
            marks.append(Line(fan.days, q[2], colour, f"{doctrine} median", width=1.6))
            if fan.mean is not None:
                marks.append(Line(fan.days, fan.mean[d], INK, f"{doctrine} mean", 0.9, True))
            row.append(
                Panel(
                    marks,
                    x=DAY if r == len(fans) - 1 else Axis(),
                    y=Axis(f"{fan.title}\n({fan.unit})" if d == 0 else "", limits=limits),
                    title=doctrine if r == 0 else "",
                    shocks=bands,
                    tag_shocks=r == 0,
                )
            )
        rows.append(row)
    keys = [Key("median", KEY_GREY)]
    keys += [Key(name, KEY_GREY, "swatch", alpha + 0.05) for _, _, alpha, name in FAN_BANDS[::-1]]
    keys.append(Key("mean, all replicates", INK, "dotted"))
    return FigureSpec(
        rows,
        size=(2.4 * len(doctrines) + 1.15, 1.8 * len(fans) + 1.0),
        title=title,
        keys=keys,
        share_x=True,
        share_y=True,
        margins=(1.0, 0.15, 0.75, 0.45),
        spacing=(0.08, 0.15),
    )


def acts_time_figure(
    acts: ActsOverTime, doctrines: Sequence[str], bands: Sequence[AxisBand]
) -> FigureSpec:
    """Left: steps with a deliberate act by each side, counted up; right: accidents, counted up."""
    names = [f"by {acts.sides[s]} on {acts.sides[1 - s]}" for s in range(2)]
    lines: list[Mark] = [
        Line(
            acts.days,
            acts.acts[side, d],
            doctrine_colour(d),
            f"{doctrine} {names[side]}",
            1.6,
            dotted=side == 1,
            group=doctrine,
        )
        for d, doctrine in enumerate(doctrines)
        for side in range(2)
    ]
    count = Axis("mean per run, by day t", from_zero=True)
    panels = [Panel(lines, DAY, count, "steps with a deliberate act", bands, True)]
    if acts.incidents is not None:
        accidents: list[Mark] = [
            Line(acts.days, acts.incidents[d], doctrine_colour(d), doctrine, 1.6, group=doctrine)
            for d, doctrine in enumerate(doctrines)
        ]
        panels.append(
            Panel(accidents, DAY, count, "accidental and exogenous incidents", bands, True)
        )
    keys = [Key(doctrine, doctrine_colour(d)) for d, doctrine in enumerate(doctrines)]
    keys += [Key(names[0], KEY_GREY), Key(names[1], KEY_GREY, "dotted")]
    return FigureSpec(
        [panels],
        size=(4.6 * len(panels) + 2.4, 3.6),
        keys=keys,
        legend="right",
        margins=(0.7, 1.9, 0.45, 0.5),
        spacing=(0.22, 0.2),
    )


def rung_share_figure(
    shares: NDArray[np.float64],
    days: NDArray[np.float64],
    doctrines: Sequence[str],
    labels: Sequence[str],
    bands: Sequence[AxisBand],
) -> FigureSpec:
    """Stacked areas: share of replicates on each rung over time, one panel per doctrine."""
    used = np.flatnonzero(shares.max(axis=(0, 1)) > 0).tolist()
    panels = [
        Panel(
            [
                StackedAreas(
                    days,
                    tuple(Layer(labels[r], shares[d, :, r], rung_colour(r)) for r in used),
                )
            ],
            x=DAY,
            y=SHARE if d == 0 else Axis(percent=True, limits=(0.0, 1.0)),
            title=doctrine,
            shocks=bands,
            tag_shocks=True,
        )
        for d, doctrine in enumerate(doctrines)
    ]
    return FigureSpec(
        [panels],
        size=(2.4 * len(doctrines) + 0.95, 3.5),
        title="Escalation rung of the focus dyad over time",
        keys=[Key(labels[r], rung_colour(r), "swatch") for r in used],
        legend="bottom",
        share_y=True,
        margins=(0.75, 0.15, 0.62, 1.0),
    )


def agreement_time_figure(
    first_curves: NDArray[np.float64],
    curve_days: NDArray[np.float64],
    in_force: NDArray[np.float64] | None,
    days: NDArray[np.float64],
    doctrines: Sequence[str],
    bands: Sequence[AxisBand],
) -> FigureSpec:
    """Left: share of runs with a first agreement by each day; right: share with one in force."""
    share = Axis("share of runs", percent=True, from_zero=True)
    first: list[Mark] = [
        Line(curve_days, first_curves[d], doctrine_colour(d), name, 1.6, step=True, group=name)
        for d, name in enumerate(doctrines)
    ]
    panels = [
        Panel(
            first,
            DAY,
            share,
            "first agreement formed by day t",
            bands,
            True,
        )
    ]
    if in_force is not None:
        lines: list[Mark] = [
            Line(days, in_force[d], doctrine_colour(d), doctrine, 1.6, group=doctrine)
            for d, doctrine in enumerate(doctrines)
        ]
        panels.append(Panel(lines, DAY, share, "agreement in force on day t", bands, True))
    return FigureSpec(
        [panels],
        size=(4.6 * len(panels) + 2.4, 3.6),
        keys=[Key(doctrine, doctrine_colour(d)) for d, doctrine in enumerate(doctrines)],
        legend="right",
        margins=(0.7, 1.9, 0.45, 0.5),
        spacing=(0.22, 0.2),
    )


def agreement_fate_figure(
    fates: AgreementFates,
    spells: dict[str, tuple[NDArray[np.float64], NDArray[np.bool_]]] | None,
    doctrines: Sequence[str],
) -> FigureSpec:
    """Left: what became of the agreements (per run); right: how long they lasted."""
    categories = Axis(categories=tuple(doctrines))
    parts = (fates.kept, fates.detected, fates.running)
    layers = tuple(
        Layer(name, values, colour)
        for (name, colour), values in zip(FATE_COLOURS, parts, strict=True)
    )
    panels = [
        Panel(
            [StackedBars(layers, hover_unit="per run")],
            Axis("mean agreements per run", from_zero=True),
            categories,
            "agreements per run, by how they ended",
        )
    ]
    if spells is not None:
        boxes: list[BoxStats | None] = []
        for doctrine in doctrines:
            lengths = spells[doctrine][0]
            if lengths.size == 0:
                boxes.append(None)
                continue
            q1, median, q3 = (float(v) for v in np.quantile(lengths, (0.25, 0.5, 0.75)))
            boxes.append(
                BoxStats(
                    q1,
                    median,
                    q3,
                    float(lengths.min()),
                    float(lengths.max()),
                    float(lengths.mean()),
                )
            )
        colours = tuple(doctrine_colour(d) for d in range(len(doctrines)))
        panels.append(
            Panel(
                [Boxes(tuple(boxes), colours)],
                Axis("days with the agreement in force"),
                categories,
                "how long agreements lasted",
            )
        )
    return FigureSpec(
        [panels],
        size=(5.0 * len(panels) + 1.6, 0.42 * len(doctrines) + 1.9),
        keys=[Key(name, colour, "swatch") for name, colour in FATE_COLOURS],
        legend="bottom",
        margins=(1.2, 0.2, 0.4, 0.9),
        spacing=(0.45, 0.2),
    )


def max_rung_figure(
    shares: NDArray[np.float64], doctrines: Sequence[str], labels: Sequence[str]
) -> FigureSpec:
    """Share of runs by the highest rung the focus dyad reached, stacked per doctrine."""
    used = np.flatnonzero(shares.max(axis=0) > 0).tolist()
    layers = tuple(Layer(labels[r], shares[:, r], rung_colour(r)) for r in used)
    panel = Panel(
        [StackedBars(layers, hover_format=".1%")],
        SHARE,
        Axis(categories=tuple(doctrines)),
        "Highest escalation rung reached by the focus dyad",
    )
    return FigureSpec(
        [[panel]],
        size=(8.5, 0.42 * len(doctrines) + 1.3),
        keys=[Key(labels[r], rung_colour(r), "swatch") for r in used],
        legend="right",
        margins=(1.2, 1.9, 0.4, 0.5),
    )


def aggression_figure(acts: Aggression, doctrines: Sequence[str]) -> FigureSpec:
    """Left: deliberate probes and attacks per run by initiator; right: accidental incidents."""
    categories = Axis(categories=tuple(doctrines))
    layers = []
    for side, (probe_colour, attack_colour) in enumerate(ACT_COLOURS):
        who = f"{acts.sides[side]} on {acts.sides[1 - side]}"
        layers.append(Layer(f"probes by {who}", acts.probes[side], probe_colour))
        layers.append(Layer(f"attacks by {who}", acts.attacks[side], attack_colour))
    panels = [
        Panel(
            [StackedBars(tuple(layers), hover_format=".3f", hover_unit="per run")],
            Axis("mean deliberate acts per run", from_zero=True),
            categories,
            "deliberate aggression, by initiator",
        )
    ]
    keys = [Key(layer.name, layer.colour, "swatch") for layer in layers]
    if acts.incidents is not None:
        accident = Layer("accidental and exogenous incidents", acts.incidents, ACCIDENT)
        panels.append(
            Panel(
                [StackedBars((accident,), hover_format=".1f", hover_unit="per run")],
                Axis("mean incidents per run", from_zero=True),
                categories,
                "accidents on the border",
            )
        )
        keys.append(Key(accident.name, ACCIDENT, "swatch"))
    return FigureSpec(
        [panels],
        size=(4.6 * len(panels) + 1.6, 0.42 * len(doctrines) + 2.1),
        keys=keys,
        legend="bottom",
        margins=(1.2, 0.2, 0.4, 1.1),
        spacing=(0.45, 0.2),
    )


def tally_figure(tallies: Sequence[Tally], doctrines: Sequence[str]) -> FigureSpec:
    """Box plots of per-replicate tallies, one panel per tally."""
    colours = tuple(doctrine_colour(d) for d in range(len(doctrines)))
    categories = Axis(categories=tuple(doctrines))
    panels = [
        Panel(
            [
                Boxes(
                    tuple(s if np.isfinite(s.median) else None for s in tally.stats),
                    colours,
                )
            ],
            Axis(tally.unit),
            categories,
            tally.title,
        )
        for tally in tallies
    ]
    return FigureSpec(
        [panels],
        size=(3.1 * len(tallies) + 1.3, 0.42 * len(doctrines) + 1.3),
        share_y=True,
        margins=(1.2, 0.2, 0.4, 0.5),
    )


def differences_figure(comparison: pd.DataFrame, study_order: Sequence[str]) -> FigureSpec:
    """Paired difference vs the reference per outcome, with intervals; filled = distinguishable.

    ``study_order`` lists every doctrine run, so each keeps its colour from the other figures.
    """
    outcomes = table_outcomes(comparison)
    doctrines = list(dict.fromkeys(comparison["doctrine"]))
    reference = str(comparison["reference"].iloc[0])
    colours = tuple(doctrine_colour(list(study_order).index(d)) for d in doctrines)
    cells = comparison.set_index(["outcome", "doctrine"])
    cols = 4
    panels: list[Panel | None] = []
    for outcome in outcomes:
        values = [difference_on_scale(cells.loc[(outcome.name, d)], outcome) for d in doctrines]
        value, low, high = (np.array([v[k] for v in values], dtype=np.float64) for k in range(3))
        filled = tuple(bool(v[3]) for v in values)
        hovers = tuple(
            f"{d} − {reference}\n{outcome.label}: {v:.4g} [{lo:.4g}, {hi:.4g}]"
            + (" (distinguishable from 0)" if f else "")
            for d, v, lo, hi, f in zip(doctrines, value, low, high, filled, strict=True)
        )
        panels.append(
            Panel(
                [RuleX(0.0, RULE), Intervals(value, low, high, colours, filled, hovers)],
                Axis(),
                Axis(categories=tuple(doctrines)),
                difference_panel_title(outcome),
            )
        )
    panels += [None] * (-len(panels) % cols)
    rows = [panels[k : k + cols] for k in range(0, len(panels), cols)]
    return FigureSpec(
        rows,
        size=(11.0, len(rows) * (0.32 * len(doctrines) + 0.95) + 0.7),
        title=f"Paired difference vs {reference} (95% paired-t intervals)",
        share_y=True,
        margins=(1.2, 0.2, 0.65, 0.35),
        spacing=(0.08, 0.5),
    )
