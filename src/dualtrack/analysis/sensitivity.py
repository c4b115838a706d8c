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
import xarray as xr
from numpy.typing import NDArray
from scipy import stats

from dualtrack.analysis.figures import plot_morris, plot_sobol
from dualtrack.analysis.files import save_csv, slug
from dualtrack.analysis.sweep_facts import sweep_facts
from dualtrack.experiments.design import unit_problem
from dualtrack.experiments.sweep_store import StoredSweep, load_sweep

SENSITIVITY_DIR = "sensitivity"
"""Sub-folder of a sweep folder that holds its sensitivity indices and charts."""
SENSITIVITY_DESIGNS = ("sobol", "morris")
MEASURES: dict[str, tuple[str, ...]] = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma", "mu")}
"""Measures of each method, the ranking measure first."""
INTERVALS: dict[str, tuple[str, ...]] = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma")}
"""Measures that carry a bootstrap interval: ``<m>_conf`` (half-width), ``<m>_low``,
``<m>_high``."""
MEANINGS = {
    "S1": "first-order index S1",
    "ST": "total-order index ST",
    "mu": "mu (mean elementary effect)",
    "mu_star": "mu* (mean |elementary effect|)",
    "sigma": "sigma (spread of elementary effects)",
}
KEYS = ("doctrine", "outcome", "parameter")


def columns(method: str) -> list[str]:
    """Columns of a method's table: keys, measures without interval, then each measure's block."""
    plain = [m for m in MEASURES[method] if m not in INTERVALS[method]]
    blocks = [f"{m}{s}" for m in INTERVALS[method] for s in ("", "_conf", "_low", "_high")]
    return [*KEYS, *plain, *blocks]


def table_file(method: str) -> str:
    """File name of a method's table in the sensitivity folder."""
    return f"{method}.csv"


def figure_file(method: str, doctrine: str, outcome: str) -> str:
    """File name of the chart of one doctrine and outcome in the sensitivity folder."""
    return f"{method}_{slug(doctrine)}_{slug(outcome)}.png"


@dataclass(frozen=True, eq=False)
class SensitivityIndices:
    """Sensitivity indices of one outcome under one doctrine, labelled by parameter."""

    method: str
    """sobol or morris."""
    doctrine: str
    outcome: str
    """The outcome whose sensitivity the indices measure."""
    indices: xr.Dataset
    """Dimension ``parameter``; one variable per measure of :data:`MEASURES`, and for those of
    :data:`INTERVALS` their ``_conf``, ``_low`` and ``_high`` bounds."""
    figure: Path | None = None
    """The chart of these indices, when one was drawn."""

    @property
    def ranked_by(self) -> str:
        """The measure that ranks parameters by importance: ST or mu*."""
        return MEASURES[self.method][0]

    def ranking(self, top: int | None = None) -> xr.Dataset:
        """The indices of the ``top`` most influential parameters, most influential first."""
        order = np.argsort(-self.indices[self.ranked_by].to_numpy(), kind="stable")
        return self.indices.isel(parameter=order[:top])

    def frame(self) -> pd.DataFrame:
        """One row per parameter: doctrine, outcome, parameter and every measure's columns."""
        table = self.indices.to_dataframe().reset_index()
        table.insert(0, "outcome", self.outcome)
        table.insert(0, "doctrine", self.doctrine)
        return table[columns(self.method)]

    @classmethod
    def from_frame(
        cls, method: str, table: pd.DataFrame, figure: Path | None = None
    ) -> SensitivityIndices:
        """The indices of a table with one row per parameter (one doctrine and outcome)."""
        names = [c for c in columns(method) if c not in KEYS]
        indices = xr.Dataset(
            {name: ("parameter", table[name].to_numpy(dtype=np.float64)) for name in names},
            coords={"parameter": [str(p) for p in table["parameter"]]},
        )
        doctrine, outcome = (str(table[key].iloc[0]) for key in ("doctrine", "outcome"))
        return cls(method, doctrine, outcome, indices, figure)


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """Indices of every (doctrine, outcome) analysed in a sweep by one method."""

    method: str
    results: tuple[SensitivityIndices, ...]
    skipped: tuple[str, ...] = ()
    """(doctrine, outcome) pairs left out, with the reason: a note of the run, not stored."""

    @property
    def outcomes(self) -> list[str]:
        """Outcomes analysed, in order."""
        return list(dict.fromkeys(r.outcome for r in self.results))

    def for_outcome(self, outcome: str) -> list[SensitivityIndices]:
        """The indices of one outcome, one per doctrine."""
        return [r for r in self.results if r.outcome == outcome]

    def table(self) -> pd.DataFrame:
        """Every result as one table, one row per doctrine, outcome and parameter."""
        if not self.results:
            return pd.DataFrame(columns=columns(self.method))
        return pd.concat([r.frame() for r in self.results], ignore_index=True)

    @property
    def figures(self) -> list[Path]:
        """The charts drawn, in result order."""
        return [r.figure for r in self.results if r.figure is not None]


def save_sensitivity(result: SensitivityResult, folder: Path) -> Path:
    """Write the result's table into ``folder`` (a sensitivity folder); returns its path."""
    folder.mkdir(exist_ok=True)
    path = folder / table_file(result.method)
    save_csv(result.table(), path)
    return path


def read_sensitivity(folder: Path) -> SensitivityResult | None:
    """The result stored in a sensitivity folder, or None when it holds none.

    Raises ValueError naming the file when it cannot be read as this version writes it.
    """
    for method in SENSITIVITY_DESIGNS:
        path = folder / table_file(method)
        if not path.is_file():
            continue
        try:
            table = pd.read_csv(path, dtype={key: str for key in KEYS})
            missing = [c for c in columns(method) if c not in table.columns]
            if missing:
                raise KeyError(f"missing columns {', '.join(missing)}")
            results = []
            for (doctrine, outcome), part in table.groupby(["doctrine", "outcome"], sort=False):
                figure = folder / figure_file(method, str(doctrine), str(outcome))
                results.append(
                    SensitivityIndices.from_frame(
                        method, part.reset_index(drop=True), figure if figure.is_file() else None
                    )
                )
        except (OSError, KeyError, ValueError) as error:
            raise ValueError(
                f"{path}: cannot read these indices ({error}); run `dualtrack sensitivity` again"
            ) from error
        return SensitivityResult(method, tuple(results))
    return None


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
) -> SensitivityIndices:
    """First-order and total Sobol' indices of one outcome under one doctrine."""
    if sweep.design_kind != "sobol":
        raise ValueError(
            f"Sobol' indices need a sobol design; this sweep used {sweep.design_kind!r}"
        )
    y = _outcome_values(sweep, doctrine, outcome)
    base = {"doctrine": doctrine, "outcome": outcome}
    if np.ptp(y) == 0.0:  # constant outcome: no variance to apportion
        nan = float("nan")
        table = pd.DataFrame(
            [
                {**base, "parameter": p, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
                for p in sweep.paths
            ]
        )
        return SensitivityIndices.from_frame("sobol", _with_bounds(table, ("S1", "ST")))
    from SALib.analyze import sobol

    second_order = sweep_facts(sweep).second_order
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
    return SensitivityIndices.from_frame("sobol", _with_bounds(table, ("S1", "ST")))


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
) -> SensitivityIndices:
    """Morris screening measures of one outcome under one doctrine."""
    if sweep.design_kind != "morris":
        raise ValueError(
            f"Morris measures need a morris design; this sweep used {sweep.design_kind!r}"
        )
    from SALib.analyze import morris

    y = _outcome_values(sweep, doctrine, outcome)
    unit = _unit(sweep)
    levels = sweep_facts(sweep).levels
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
    return SensitivityIndices.from_frame("morris", _with_bounds(table, ("mu_star", "sigma")))


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
    outcome and parameter; :func:`read_sensitivity` reads it back) and one chart per doctrine
    and outcome into the sweep folder. Outcomes that do not vary over the design are skipped
    (nothing to apportion).
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
    facts = sweep_facts(sweep)
    compute = sobol_indices if method == "sobol" else morris_indices
    out = sweep.folder / SENSITIVITY_DIR
    out.mkdir(exist_ok=True)
    results, skipped = [], []
    for doctrine in chosen_doctrines:
        for outcome in chosen_outcomes:
            values = _outcome_values(sweep, doctrine, outcome)
            if np.ptp(values) == 0.0:
                skipped.append(f"{doctrine}/{outcome}: constant ({values[0]:g}) over the design")
                continue
            indices = compute(
                sweep, outcome, doctrine, confidence=confidence, resamples=resamples, seed=seed
            )
            if plots:
                title = (
                    f"{facts.label(outcome)} under {doctrine}: "
                    f"{'Sobol indices' if method == 'sobol' else 'Morris screening'} "
                    f"({len(sweep.unit)} points, {facts.replicates} replicates)"
                )
                plot = plot_sobol if method == "sobol" else plot_morris
                figure = plot(indices.indices, title, out / figure_file(method, doctrine, outcome))
                indices = SensitivityIndices(method, doctrine, outcome, indices.indices, figure)
            results.append(indices)
    result = SensitivityResult(method, tuple(results), tuple(skipped))
    save_sensitivity(result, out)
    return result
