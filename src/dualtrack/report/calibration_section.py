"""The calibration report: prior against posterior, marginals, pairs, predictive checks, page.

Figures are :class:`~dualtrack.report.figure_spec.FigureSpec` s drawn by both renderers (the
interactive one in ``report.html``, the static one as ``figures/*.png``):

- *marginals*: per parameter, the prior's and the posterior's probability per bin over the
  parameter's declared range (20 equal bins; the posterior weighted by its importance
  weights);
- *pairs*: per pair of parameters, the posterior particles (marker area proportional to the
  weight), at most :data:`MAX_PAIR_PARAMETERS` parameters (the most constrained ones);
- *predictive check*: per statistic, the observed value and the 5-95% (and 25-75%) range of
  one simulated run under the prior and under the posterior.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dualtrack._version import __version__
from dualtrack.analysis.calibration.folder import (
    INTERVAL_LEVEL,
    CalibrationFolder,
    load_calibration,
)
from dualtrack.experiments.store import FILES, write_text
from dualtrack.report import figure_spec as fs
from dualtrack.report import matplotlib_renderer, plotly_renderer
from dualtrack.report.html import Block, Section, figure_html, render_page, table_block
from dualtrack.report.palette import DOCTRINE_COLOURS, INK, KEY_GREY
from dualtrack.report.tables import Cell, Table, manifest_table, number
from dualtrack.scenario.uncertainty import UncertainParameter

BINS = 20
MAX_PAIR_PARAMETERS = 6
PRIOR = KEY_GREY
POSTERIOR = DOCTRINE_COLOURS[0]
OBSERVED = INK
GROUPS = (
    ("timing", "Timings (day after the scenario's start)"),
    ("tension", "Monthly tension index (Goldstein points)"),
    ("quad", "Events per CAMEO quad class"),
)


def _parameters(folder: CalibrationFolder) -> list[UncertainParameter]:
    described = folder.manifest.get("settings", {}).get("parameters", [])
    return [UncertainParameter.from_description(p) for p in described]


def marginals_figure(folder: CalibrationFolder) -> fs.FigureSpec:
    """Prior and posterior probability per bin of each parameter."""
    posterior = folder.posterior
    panels: list[fs.Panel] = []
    for j, parameter in enumerate(_parameters(folder)):
        edges = np.linspace(parameter.low, parameter.high, BINS + 1)
        centres = (edges[:-1] + edges[1:]) / 2
        grid = parameter.ppf((np.arange(20000) + 0.5) / 20000)
        prior = np.histogram(grid, bins=edges)[0] / grid.size
        column = posterior.values[:, posterior.parameters.index(parameter.path)]
        post = np.histogram(column, bins=edges, weights=posterior.weights)[0]
        panels.append(
            fs.Panel(
                [
                    fs.Line(centres, prior, PRIOR, name="prior", step=True, group="prior"),
                    fs.Line(
                        centres,
                        post,
                        POSTERIOR,
                        name="posterior",
                        step=True,
                        group="posterior",
                        width=2.0,
                    ),
                ],
                x=fs.Axis(parameter.path),
                y=fs.Axis("probability per bin" if j == 0 else "", from_zero=True),
            )
        )
    columns = min(3, len(panels))
    rows = [panels[i : i + columns] for i in range(0, len(panels), columns)]
    grid_rows: list[list[fs.Panel | None]] = [
        [*row, *([None] * (columns - len(row)))] for row in rows
    ]
    return fs.FigureSpec(
        grid_rows,
        size=(4.0 * columns, 2.8 * len(rows) + 0.6),
        keys=(fs.Key("prior", PRIOR), fs.Key("posterior", POSTERIOR)),
        spacing=(0.25, 0.45),
    )


def _pair_parameters(folder: CalibrationFolder) -> list[str]:
    table = folder.prior_posterior.sort_values("width_ratio", kind="stable")
    chosen = table["parameter"].tolist()[:MAX_PAIR_PARAMETERS]
    return [p for p in folder.posterior.parameters if p in chosen]


def pairs_figure(folder: CalibrationFolder) -> fs.FigureSpec | None:
    """Posterior particles for each pair of (at most six) parameters; None for one parameter."""
    names = _pair_parameters(folder)
    if len(names) < 2:
        return None
    posterior = folder.posterior
    ranges = {p.path: (p.low, p.high) for p in _parameters(folder)}
    sizes = 3.0 + 14.0 * np.sqrt(posterior.weights / posterior.weights.max())
    rows: list[list[fs.Panel | None]] = []
    for i in range(1, len(names)):
        row: list[fs.Panel | None] = []
        for j in range(len(names) - 1):
            if j >= i:
                row.append(None)
                continue
            x = posterior.values[:, posterior.parameters.index(names[j])]
            y = posterior.values[:, posterior.parameters.index(names[i])]
            hovers = tuple(
                f"{names[j]} {a:.4g}<br>{names[i]} {b:.4g}<br>weight {w:.3g}"
                for a, b, w in zip(x, y, posterior.weights, strict=True)
            )
            row.append(
                fs.Panel(
                    [
                        fs.Points(
                            np.column_stack([x, y]),
                            texts=("",) * len(x),
                            colour=POSTERIOR,
                            sizes=sizes[None, :],
                            hovers=(hovers,),
                            alpha=0.55,
                        )
                    ],
                    x=fs.Axis(names[j] if i == len(names) - 1 else "", limits=ranges[names[j]]),
                    y=fs.Axis(names[i] if j == 0 else "", limits=ranges[names[i]]),
                )
            )
        rows.append(row)
    side = len(names) - 1
    return fs.FigureSpec(rows, size=(2.6 * side + 1.0, 2.4 * side + 0.6), spacing=(0.3, 0.3))


def check_figure(folder: CalibrationFolder) -> fs.FigureSpec:
    """Per statistic: observed value, prior and posterior predictive 5-95% of one run."""
    check = folder.check
    panels: list[list[fs.Panel | None]] = []
    for prefix, title in GROUPS:
        rows = check[check["statistic"].str.split("/").str[-1].str.startswith(f"{prefix}.")]
        if rows.empty:
            continue
        categories: list[str] = []
        value, low, high, colours, filled, hovers = [], [], [], [], [], []
        for row in rows.itertuples():
            name = str(row.statistic)
            for label, colour in (("posterior", POSTERIOR), ("prior", PRIOR)):
                q = {k: getattr(row, f"{label}_q{k:02d}") for k in (5, 50, 95)}
                categories.append(f"{name} · {label}")
                value.append(q[50])
                low.append(q[5])
                high.append(q[95])
                colours.append(colour)
                filled.append(label == "posterior")
                hovers.append(
                    f"{name}, {label} predictive: median {q[50]:.3g}, 5-95% "
                    f"[{q[5]:.3g}, {q[95]:.3g}]; observed {row.observed:.3g}; "
                    f"tail p {getattr(row, f'{label}_p'):.2f}"
                )
            categories.append(f"{name} · observed")
            value.append(row.observed)
            low.append(row.observed)
            high.append(row.observed)
            colours.append(OBSERVED)
            filled.append(True)
            hovers.append(f"{name}: observed {row.observed:.3g}")
        panels.append(
            [
                fs.Panel(
                    [
                        fs.Intervals(
                            np.array(value, dtype=float),
                            np.array(low, dtype=float),
                            np.array(high, dtype=float),
                            tuple(colours),
                            tuple(filled),
                            tuple(hovers),
                        )
                    ],
                    x=fs.Axis(title),
                    y=fs.Axis(categories=tuple(categories)),
                    title=title,
                )
            ]
        )
    heights = sum(0.22 * len(p[0].y.categories) + 0.9 for p in panels if p[0] is not None)
    return fs.FigureSpec(
        panels,
        size=(10.0, heights),
        keys=(
            fs.Key("posterior predictive (5-95%)", POSTERIOR),
            fs.Key("prior predictive (5-95%)", PRIOR),
            fs.Key("observed", OBSERVED),
        ),
        margins=(3.2, 0.2, 0.45, 0.5),
        spacing=(0.08, 0.35),
    )


def _prior_posterior_table(folder: CalibrationFolder) -> Table:
    level = int(round(100 * INTERVAL_LEVEL))  # the level the folder's table is written at
    rows = [
        [
            Cell(str(row.parameter), code=True),
            Cell(str(row.distribution)),
            Cell(
                number(row.prior_mean),
                detail=f"[{number(row.prior_low)}, {number(row.prior_high)}]",
            ),
            Cell(
                number(row.posterior_mean),
                detail=f"[{number(row.posterior_low)}, {number(row.posterior_high)}]",
            ),
            Cell(
                f"{row.width_ratio:.2f}",
                detail=f"[{row.width_ratio_low:.2f}, {row.width_ratio_high:.2f}]",
            ),
        ]
        for row in folder.prior_posterior.itertuples()
    ]
    return Table(
        "Prior against posterior",
        [
            "parameter",
            "prior",
            f"prior mean [{level}%]",
            f"posterior mean [{level}%]",
            "width ratio",
        ],
        rows,
        note="Width ratio: the posterior's central interval over the prior's, with its 5-95% "
        "range over bootstrap resamples of the final population (Monte Carlo error). Near 1 the "
        "episodes do not constrain the parameter (the posterior is the prior); near 0 they "
        "pin it down. An ABC posterior is wider than the exact one when the tolerance is "
        "loose: read a ratio near 1 as 'not constrained at this tolerance'.",
        slug="prior-posterior",
    )


def _check_table(folder: CalibrationFolder) -> Table:
    rows = [
        [
            Cell(str(row.statistic), code=True),
            Cell(number(row.observed)),
            Cell(
                number(row.prior_q50),
                detail=f"[{number(row.prior_q05)}, {number(row.prior_q95)}]",
            ),
            Cell(
                number(row.posterior_q50),
                detail=f"[{number(row.posterior_q05)}, {number(row.posterior_q95)}]",
            ),
            Cell(f"{row.posterior_p:.2f}", badge="no" if row.in_tail else "yes"),
        ]
        for row in folder.check.itertuples()
    ]
    return Table(
        "Posterior predictive check",
        [
            "statistic",
            "observed",
            "prior predictive median [5-95%]",
            "posterior predictive median [5-95%]",
            "tail p",
        ],
        rows,
        note="One simulated run per row's distribution (every replicate of every predictive "
        "draw). Tail p = P(simulated < observed) + P(equal) / 2; below 0.05 or above 0.95 "
        "(marked) the observed value lies in a tail of what the fitted model produces.",
        slug="predictive-check",
    )


def _generations_table(folder: CalibrationFolder) -> Table:
    rows = [
        [
            Cell(str(int(row.t))),
            Cell(number(row.epsilon, 4)),
            Cell(f"{int(row.simulations):,}"),
            Cell(f"{row.acceptance_rate:.1%}"),
        ]
        for row in folder.generations.itertuples()
    ]
    return Table(
        "ABC-SMC generations",
        ["generation", "epsilon", "simulations", "acceptance"],
        rows,
        note="Epsilon: the distance (scaled Euclidean over the statistics) a particle must "
        "reach; each generation's is the weighted median of the previous one's distances.",
        slug="abc-generations",
    )


def calibration_section(
    folder: CalibrationFolder, rendered: Mapping[str, tuple[str, str]]
) -> Section:
    """The report section of a calibration: tables and the figures' two renderings."""
    settings = folder.manifest.get("settings", {})
    constrained = folder.prior_posterior[folder.prior_posterior["width_ratio"] < 0.5]
    tails = folder.check[folder.check["in_tail"].astype(bool)]
    section = Section(
        "calibration",
        "Calibration",
        intro=(
            f"ABC-SMC (pyabc) fit of {len(folder.posterior.parameters)} parameter(s) to the "
            f"episode(s) {', '.join(settings.get('episodes', []))}: "
            f"{settings.get('population', '?')} particles, {len(folder.generations)} "
            f"generations, {settings.get('replicates', '?')} replicates per particle, seed "
            f"{settings.get('seed', '?')}. Constrained (width ratio below 0.5): "
            + (", ".join(constrained["parameter"]) or "none")
            + f". Statistics in a predictive tail: {len(tails)} of {len(folder.check)}"
            + (f" ({', '.join(tails['statistic'])})" if len(tails) else "")
            + "."
        ),
    )
    section.blocks.append(table_block(_prior_posterior_table(folder)))
    captions = {
        "marginals": (
            "Marginals: prior and posterior",
            "Probability per bin of each "
            "parameter over its declared range; the posterior is weighted.",
        ),
        "pairs": (
            "Pairs: posterior particles",
            "Each point a particle of the final "
            "population, its area proportional to its weight; at most six parameters, "
            "the most constrained.",
        ),
        "check": (
            "Posterior predictive check",
            "Per statistic: the observed value (black) "
            "and the 5-95% range of one simulated run under the posterior (blue, filled) "
            "and the prior (grey, hollow).",
        ),
    }
    for slug, (html, png) in rendered.items():
        title, caption = captions[slug]
        section.blocks.append(
            Block(
                "figure",
                slug=f"calibration_{slug}",
                title=title,
                caption=caption,
                html=html,
                png=png,
            )
        )
    section.blocks.append(table_block(_check_table(folder), collapsed=True))
    section.blocks.append(table_block(_generations_table(folder), collapsed=True))
    return section


def _figures(folder: CalibrationFolder) -> dict[str, fs.FigureSpec]:
    specs: dict[str, fs.FigureSpec | None] = {
        "marginals": marginals_figure(folder),
        "pairs": pairs_figure(folder),
        "check": check_figure(folder),
    }
    return {slug: spec for slug, spec in specs.items() if spec is not None}


def render_calibration_report(folder: Path | str) -> Path:
    """Write ``report.html`` and ``figures/calibration_*.png`` into a calibration folder."""
    folder = Path(folder)
    loaded = load_calibration(folder)
    rendered: dict[str, tuple[str, str]] = {}
    with matplotlib_renderer.report_style():
        for slug, spec in _figures(loaded).items():
            png = f"{FILES.figures}/calibration_{slug}.png"
            matplotlib_renderer.save_png(spec, folder / png)
            rendered[slug] = (figure_html(plotly_renderer.draw(spec), f"calibration_{slug}"), png)
    manifest = loaded.manifest
    settings: Mapping[str, Any] = manifest.get("settings", {})
    reproduce = Section("reproduce", "Reproduce", intro="Provenance of these results.")
    reproduce.blocks.append(table_block(manifest_table(manifest)))
    facts: Sequence[tuple[str, str]] = [
        ("scenario", str(manifest.get("scenario_id", "?"))),
        ("episodes", ", ".join(settings.get("episodes", []))),
        ("parameters", f"{len(loaded.posterior.parameters)}"),
        ("particles", f"{loaded.posterior.samples} (final population)"),
        ("seed", str(manifest.get("seed", "?"))),
    ]
    page = render_page(
        title=f"Calibration: {manifest.get('scenario_id', '?')}",
        description="Uncertain parameters fitted to coded episodes by ABC-SMC.",
        facts=facts,
        sections=[calibration_section(loaded, rendered), reproduce],
        version=__version__,
        folder_files="posterior.nc, the predictive draws, manifest.json and the CSV tables",
        attribution="",
    )
    target = folder / FILES.report
    write_text(target, page)
    return target
