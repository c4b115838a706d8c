"""Global sensitivity of sweep outcomes to the uncertain parameters: Sobol' indices or Morris.

Works on a stored sweep only (design tables and ``points.parquet``), never on the model.

- Sobol' (Sobol' 1993; Saltelli et al. 2010), for ``--design sobol``: first-order ``S1`` (share
  of the outcome's variance due to the parameter alone) and total ``ST`` (including all its
  interactions), by SALib's ``sobol.analyze`` with bootstrap confidence intervals. Indices
  are computed in the unit hypercube the design was drawn in, so they hold whatever the
  parameters' distributions.
- Morris (1991) elementary effects (Campolongo, Cariboni & Saltelli 2007), for
  ``--design morris``: ``mu_star`` (mean absolute effect of moving a parameter across
  ``delta`` of its range: importance), ``sigma`` (spread of the effects: non-linearity or
  interactions) and ``mu`` by SALib's ``morris.analyze``; bootstrap intervals for ``mu_star``
  (SALib) and for ``sigma`` (here, resampling the same elementary effects).

Each outcome is the per-point estimate (a mean over the point's replicates), so replicate noise
adds variance no parameter explains: with few replicates, ``S1`` sum well below one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from dualtrack.analysis.exploration import SENSITIVITY_DIR
from dualtrack.analysis.files import save_csv, save_figure, slug
from dualtrack.experiments.design import unit_problem
from dualtrack.experiments.sweep_store import StoredSweep, load_sweep

SENSITIVITY_DESIGNS = ("sobol", "morris")
TOP_PARAMETERS = 15
"""Parameters shown in a plot (by total index or mu*)."""


def _outcome_values(sweep: StoredSweep, doctrine: str, outcome: str) -> NDArray[np.float64]:
    """The outcome at every design point, in point order; every point must be feasible."""
    if outcome not in sweep.points.columns:
        known = ", ".join(sweep.outcome_names) or "none"
        raise KeyError(f"no outcome {outcome!r} in the sweep; outcomes are {known}")
    rows = sweep.rows(doctrine)
    n_points = len(sweep.unit)
    if len(rows) != n_points or not np.array_equal(rows["point"].to_numpy(), np.arange(n_points)):
        raise ValueError(
            f"{doctrine}: expected a row for each of the {n_points} design points, found "
            f"{len(rows)}; finish the sweep with --resume first"
        )
    values = rows[outcome].to_numpy(dtype=np.float64)
    missing = rows.loc[~np.isfinite(values), "point"].tolist()
    if missing:
        raise ValueError(
            f"{doctrine}: {len(missing)} point(s) have no {outcome} (infeasible values, e.g. "
            f"point {missing[0]}); Sobol' and Morris estimators need every point of the design, "
            "so narrow the ranges that conflict and run the sweep again"
        )
    return values


def _salib_seed(seed: int) -> int:
    """SALib skips seeding for a zero seed (``if seed:``), so 0 is used as 1: bootstrap
    intervals are always reproducible."""
    return int(seed) if seed else 1


def _unit(sweep: StoredSweep) -> NDArray[np.float64]:
    return sweep.unit.sort_values("point")[sweep.paths].to_numpy(dtype=np.float64)


def sobol_indices(
    sweep: StoredSweep,
    outcome: str,
    doctrine: str,
    *,
    confidence: float = 0.95,
    resamples: int = 1000,
    seed: int = 1,
) -> pd.DataFrame:
    """First-order and total Sobol' indices of one outcome under one doctrine.

    Columns: doctrine, outcome, parameter, S1, S1_conf, S1_low, S1_high, ST, ST_conf, ST_low,
    ST_high (``_conf`` is the half-width of the bootstrap interval).
    """
    if sweep.design_kind != "sobol":
        raise ValueError(
            f"Sobol' indices need a sobol design; this sweep used {sweep.design_kind!r}"
        )
    y = _outcome_values(sweep, doctrine, outcome)
    base = {"doctrine": doctrine, "outcome": outcome}
    if np.ptp(y) == 0.0:  # constant outcome: no variance to apportion
        nan = float("nan")
        return pd.DataFrame(
            [
                {**base, "parameter": p, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
                for p in sweep.paths
            ]
        ).pipe(_with_bounds, ("S1", "ST"))
    from SALib.analyze import sobol

    second_order = bool(sweep.manifest["design"].get("second_order", False))
    result = sobol.analyze(
        unit_problem(sweep.paths),
        y,
        calc_second_order=second_order,
        num_resamples=resamples,
        conf_level=confidence,
        print_to_console=False,
        seed=_salib_seed(seed),
    )
    table = pd.DataFrame(
        {
            **{key: [value] * len(sweep.paths) for key, value in base.items()},
            "parameter": sweep.paths,
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    )
    return _with_bounds(table, ("S1", "ST"))


def _with_bounds(table: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    for name in names:
        table[f"{name}_low"] = table[name] - table[f"{name}_conf"]
        table[f"{name}_high"] = table[name] + table[f"{name}_conf"]
    order = [c for c in table.columns if not c.startswith(tuple(names))]
    for name in names:
        order += [name, f"{name}_conf", f"{name}_low", f"{name}_high"]
    return table[order]


def elementary_effects(unit: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Elementary effects per trajectory and parameter (trajectories x parameters).

    Consecutive points of a Morris trajectory differ in one parameter; its effect is the change
    of the outcome divided by the change of that parameter (in units of its range).
    """
    n_rows, dimensions = unit.shape
    steps = dimensions + 1
    if n_rows % steps:
        raise ValueError(f"expected trajectories of {steps} points, found {n_rows} rows")
    x = unit.reshape(-1, steps, dimensions)
    values = y.reshape(-1, steps)
    dx = np.diff(x, axis=1)  # trajectories x D x D
    moved = np.argmax(np.abs(dx), axis=2)  # which parameter each step moves
    effects = np.full((x.shape[0], dimensions), np.nan)
    dy = np.diff(values, axis=1)
    for t in range(x.shape[0]):
        for k in range(dimensions):
            j = moved[t, k]
            effects[t, j] = dy[t, k] / dx[t, k, j]
    return effects


def morris_indices(
    sweep: StoredSweep,
    outcome: str,
    doctrine: str,
    *,
    confidence: float = 0.95,
    resamples: int = 1000,
    seed: int = 1,
) -> pd.DataFrame:
    """Morris screening measures of one outcome under one doctrine.

    Columns: doctrine, outcome, parameter, mu, mu_star, mu_star_conf, mu_star_low,
    mu_star_high, sigma, sigma_conf, sigma_low, sigma_high.
    """
    if sweep.design_kind != "morris":
        raise ValueError(
            f"Morris measures need a morris design; this sweep used {sweep.design_kind!r}"
        )
    from SALib.analyze import morris

    y = _outcome_values(sweep, doctrine, outcome)
    unit = _unit(sweep)
    levels = int(sweep.manifest["design"].get("levels", 4))
    result = morris.analyze(
        unit_problem(sweep.paths),
        unit,
        y,
        num_resamples=resamples,
        conf_level=confidence,
        print_to_console=False,
        num_levels=levels,
        seed=_salib_seed(seed),
    )
    effects = elementary_effects(unit, y)
    rng = np.random.default_rng(seed)
    trajectories = effects.shape[0]
    draws = rng.integers(0, trajectories, size=(resamples, trajectories))
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    sigma_conf = np.array(
        [
            z * float(np.std(np.std(effects[draws, j], axis=1, ddof=1), ddof=1))
            for j in range(effects.shape[1])
        ]
    )
    table = pd.DataFrame(
        {
            "doctrine": doctrine,
            "outcome": outcome,
            "parameter": sweep.paths,
            "mu": np.asarray(result["mu"], dtype=np.float64),
            "mu_star": np.asarray(result["mu_star"], dtype=np.float64),
            "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=np.float64),
            "sigma": np.asarray(result["sigma"], dtype=np.float64),
            "sigma_conf": sigma_conf,
        }
    )
    return _with_bounds(table, ("mu_star", "sigma"))


@dataclass(frozen=True)
class SensitivityResult:
    """Indices of every (doctrine, outcome) analysed, and the files written."""

    method: str
    table: pd.DataFrame
    files: list[Path]
    skipped: list[str]
    """(doctrine, outcome) pairs left out, with the reason."""


def plot_sobol(table: pd.DataFrame, title: str, path: Path, top: int = TOP_PARAMETERS) -> Path:
    """Bar chart of S1 and ST with their intervals, parameters ranked by ST."""
    from matplotlib.figure import Figure

    shown = table.sort_values("ST", ascending=False).head(top).iloc[::-1]
    positions = np.arange(len(shown))
    figure = Figure(figsize=(8.0, 0.38 * len(shown) + 1.6), layout="constrained")
    axes = figure.subplots()
    height = 0.38
    axes.barh(
        positions + height / 2,
        shown["ST"],
        height,
        xerr=shown["ST_conf"],
        label="total (ST)",
        color="#4c72b0",
        capsize=2,
    )
    axes.barh(
        positions - height / 2,
        shown["S1"],
        height,
        xerr=shown["S1_conf"],
        label="first order (S1)",
        color="#dd8452",
        capsize=2,
    )
    axes.set_yticks(positions, shown["parameter"], fontsize=8)
    axes.axvline(0.0, color="black", linewidth=0.6)
    axes.set_xlabel("Sobol' index (share of variance)")
    axes.set_title(title, fontsize=10)
    axes.legend(loc="lower right", fontsize=8)
    save_figure(figure, path)
    return path


def plot_morris(table: pd.DataFrame, title: str, path: Path, top: int = 8) -> Path:
    """mu* against sigma with mu* intervals; the most influential parameters labelled."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 5.5), layout="constrained")
    axes = figure.subplots()
    axes.errorbar(
        table["mu_star"],
        table["sigma"],
        xerr=table["mu_star_conf"],
        fmt="o",
        markersize=4,
        color="#4c72b0",
        ecolor="#9fb4d6",
        capsize=2,
    )
    for _, row in table.sort_values("mu_star", ascending=False).head(top).iterrows():
        axes.annotate(
            str(row["parameter"]).removeprefix("mechanisms."),
            (row["mu_star"], row["sigma"]),
            fontsize=7,
            xytext=(4, 3),
            textcoords="offset points",
        )
    limit = float(np.nanmax(np.r_[table["mu_star"], table["sigma"], 0.0]))
    if limit > 0:
        axes.plot([0, limit], [0, limit], linestyle=":", color="grey", linewidth=0.8)
    axes.set_xlabel("mu* (mean |elementary effect|, per full range)")
    axes.set_ylabel("sigma (spread of effects)")
    axes.set_title(title, fontsize=10)
    save_figure(figure, path)
    return path


def analyse_sensitivity(
    folder: Path | str,
    outcomes: Sequence[str] | None = None,
    doctrines: Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
    resamples: int = 1000,
    seed: int = 1,
    plots: bool = True,
) -> SensitivityResult:
    """Indices of each outcome under each doctrine of a stored sweep, written as CSV and PNG.

    Writes ``sensitivity/sobol.csv`` or ``sensitivity/morris.csv`` (one row per doctrine,
    outcome and parameter) and one plot per doctrine and outcome into the sweep folder.
    Outcomes that do not vary over the design are skipped (nothing to apportion).
    """
    sweep = load_sweep(folder)
    method = sweep.design_kind
    if method not in SENSITIVITY_DESIGNS:
        raise ValueError(
            f"sensitivity indices need a sobol or morris design; {sweep.folder} holds an "
            f"{method} design (use `dualtrack discover` on it, or run `dualtrack explore "
            "--design sobol` or `--design morris`)"
        )
    chosen_outcomes = list(outcomes) if outcomes else sweep.outcome_names
    chosen_doctrines = list(doctrines) if doctrines else sweep.doctrines
    labels = {o["name"]: o["label"] for o in sweep.manifest.get("outcomes", [])}
    compute = sobol_indices if method == "sobol" else morris_indices
    out = sweep.folder / SENSITIVITY_DIR
    out.mkdir(exist_ok=True)
    tables, files, skipped = [], [], []
    for doctrine in chosen_doctrines:
        for outcome in chosen_outcomes:
            values = _outcome_values(sweep, doctrine, outcome)
            if np.ptp(values) == 0.0:
                skipped.append(f"{doctrine}/{outcome}: constant ({values[0]:g}) over the design")
                continue
            table = compute(
                sweep, outcome, doctrine, confidence=confidence, resamples=resamples, seed=seed
            )
            tables.append(table)
            if plots:
                title = (
                    f"{labels.get(outcome, outcome)} under {doctrine}: "
                    f"{'Sobol indices' if method == 'sobol' else 'Morris screening'} "
                    f"({len(sweep.unit)} points, {sweep.manifest.get('replicates')} replicates)"
                )
                path = out / f"{method}_{slug(doctrine)}_{slug(outcome)}.png"
                plot = plot_sobol if method == "sobol" else plot_morris
                files.append(plot(table, title, path))
    combined = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    csv = out / f"{method}.csv"
    save_csv(combined, csv)
    return SensitivityResult(method, combined, [csv, *files], skipped)
