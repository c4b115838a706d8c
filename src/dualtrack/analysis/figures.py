"""Static figures of exploration results: PRIM's trade-off and boxes, Sobol' and Morris charts.

Each takes the typed result it shows (:class:`~dualtrack.analysis.prim.PrimBox`, a
sensitivity ``indices`` dataset) and writes one PNG through
:func:`dualtrack.analysis.files.save_figure`; the report embeds the PNGs as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from dualtrack.analysis.files import save_figure
from dualtrack.analysis.prim import PrimBox

TOP_PARAMETERS = 15
"""Parameters shown in a Sobol' chart (by total index)."""
LABELLED_PARAMETERS = 8
"""Parameters named in a Morris chart (by mu*)."""


def plot_tradeoff(boxes: Sequence[PrimBox], title: str, path: Path) -> Path:
    """Coverage against density along each box's peeling trajectory, coloured by res_dim."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.0, 5.0), layout="constrained")
    axes = figure.subplots()
    markers = "os^Dv"
    scatter = None
    top = max([max(s.res_dim for s in b.trajectory) for b in boxes] + [1])
    for index, box in enumerate(boxes):
        coverage = [s.coverage for s in box.trajectory]
        density = [s.density for s in box.trajectory]
        axes.plot(coverage, density, color="lightgrey", linewidth=0.8, zorder=1)
        scatter = axes.scatter(
            coverage,
            density,
            c=[s.res_dim for s in box.trajectory],
            cmap="viridis",
            vmin=0,
            vmax=top,
            marker=markers[index % len(markers)],
            s=22,
            zorder=2,
            label=f"box {index + 1}",
        )
        chosen = box.chosen_step
        axes.scatter(
            [chosen.coverage],
            [chosen.density],
            s=160,
            facecolors="none",
            edgecolors="red",
            linewidths=1.5,
            zorder=3,
        )
        axes.annotate(
            f"box {index + 1}",
            (chosen.coverage, chosen.density),
            xytext=(6, -12),
            textcoords="offset points",
            fontsize=8,
            color="red",
        )
    if scatter is not None:
        figure.colorbar(scatter, ax=axes, label="restricted dimensions")
    axes.set_xlabel("coverage (share of cases of interest inside the box)")
    axes.set_ylabel("density (share of the box that are cases of interest)")
    axes.set_xlim(-0.02, 1.02)
    axes.set_ylim(-0.02, 1.02)
    axes.set_title(title, fontsize=10)
    if len(boxes) > 1:
        axes.legend(fontsize=8, loc="lower left")
    save_figure(figure, path)
    return path


def plot_boxes(boxes: Sequence[PrimBox], title: str, path: Path) -> Path:
    """Each chosen box's restricted limits as bars on the parameters' full ranges."""
    from matplotlib.figure import Figure

    rows = max(1, sum(max(1, len(box.limits)) for box in boxes))
    figure = Figure(figsize=(8.0, 0.5 * rows + 1.3 * len(boxes) + 0.6), layout="constrained")
    axes_list = figure.subplots(
        len(boxes), 1, squeeze=False, height_ratios=[max(1, len(box.limits)) for box in boxes]
    )[:, 0]
    for index, (box, axes) in enumerate(zip(boxes, axes_list, strict=True)):
        s = box.chosen_step
        axes.set_title(
            f"box {index + 1}: coverage {s.coverage:.2f}, density {s.density:.2f}, "
            f"mass {s.mass:.2f}",
            fontsize=9,
        )
        axes.set_xlim(0.0, 1.0)
        if not box.limits:
            axes.text(0.5, 0.5, "no restriction", ha="center", va="center")
            axes.set_yticks([])
            continue
        start = np.array([(r.low - r.full_low) / (r.full_high - r.full_low) for r in box.limits])
        end = np.array([(r.high - r.full_low) / (r.full_high - r.full_low) for r in box.limits])
        positions = np.arange(len(box.limits))[::-1]
        axes.barh(positions, end - start, left=start, color="#55a868", height=0.5)
        axes.barh(positions, 1.0, left=0.0, color="none", edgecolor="grey", height=0.5)
        for position, limit, s0, e0 in zip(positions, box.limits, start, end, strict=True):
            axes.text(s0, position + 0.3, f"{limit.low:.3g}", fontsize=7, ha="left")
            axes.text(e0, position + 0.3, f"{limit.high:.3g}", fontsize=7, ha="right")
        axes.set_yticks(positions, [r.parameter for r in box.limits], fontsize=8)
    axes_list[-1].set_xlabel("position in the parameter's full range (0 = low, 1 = high)")
    figure.suptitle(title, fontsize=10)
    save_figure(figure, path)
    return path


def plot_sobol(indices: xr.Dataset, title: str, path: Path, top: int = TOP_PARAMETERS) -> Path:
    """Bar chart of S1 and ST with their intervals, parameters ranked by ST."""
    from matplotlib.figure import Figure

    order = np.argsort(-indices["ST"].to_numpy(), kind="stable")[:top][::-1]
    shown = indices.isel(parameter=order)
    positions = np.arange(shown.sizes["parameter"])
    figure = Figure(figsize=(8.0, 0.38 * len(positions) + 1.6), layout="constrained")
    axes = figure.subplots()
    height = 0.38
    axes.barh(
        positions + height / 2,
        shown["ST"].to_numpy(),
        height,
        xerr=shown["ST_conf"].to_numpy(),
        label="total (ST)",
        color="#4c72b0",
        capsize=2,
    )
    axes.barh(
        positions - height / 2,
        shown["S1"].to_numpy(),
        height,
        xerr=shown["S1_conf"].to_numpy(),
        label="first order (S1)",
        color="#dd8452",
        capsize=2,
    )
    axes.set_yticks(positions, [str(p) for p in shown["parameter"].to_numpy()], fontsize=8)
    axes.axvline(0.0, color="black", linewidth=0.6)
    axes.set_xlabel("Sobol' index (share of variance)")
    axes.set_title(title, fontsize=10)
    axes.legend(loc="lower right", fontsize=8)
    save_figure(figure, path)
    return path


def plot_morris(
    indices: xr.Dataset, title: str, path: Path, top: int = LABELLED_PARAMETERS
) -> Path:
    """mu* against sigma with mu* intervals; the most influential parameters labelled."""
    from matplotlib.figure import Figure

    mu_star, sigma = indices["mu_star"].to_numpy(), indices["sigma"].to_numpy()
    figure = Figure(figsize=(7.5, 5.5), layout="constrained")
    axes = figure.subplots()
    axes.errorbar(
        mu_star,
        sigma,
        xerr=indices["mu_star_conf"].to_numpy(),
        fmt="o",
        markersize=4,
        color="#4c72b0",
        ecolor="#9fb4d6",
        capsize=2,
    )
    names = indices["parameter"].to_numpy()
    for j in np.argsort(-mu_star, kind="stable")[:top]:
        axes.annotate(
            str(names[j]).removeprefix("mechanisms."),
            (mu_star[j], sigma[j]),
            fontsize=7,
            xytext=(4, 3),
            textcoords="offset points",
        )
    limit = float(np.nanmax(np.r_[mu_star, sigma, 0.0]))
    if limit > 0:
        axes.plot([0, limit], [0, limit], linestyle=":", color="grey", linewidth=0.8)
    axes.set_xlabel("mu* (mean |elementary effect|, per full range)")
    axes.set_ylabel("sigma (spread of effects)")
    axes.set_title(title, fontsize=10)
    save_figure(figure, path)
    return path
