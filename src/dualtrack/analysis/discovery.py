"""Scenario discovery: which parameter ranges keep an outcome on the right side of a threshold.

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), as used for scenario
discovery by Bryant & Lempert (2010) and the EMA Workbench (Kwakkel 2017), run on a stored
sweep: the cases of interest are the feasible points where a doctrine keeps an outcome below
(or above) a threshold, and PRIM looks for boxes (a range per parameter) where such cases are
dense.

- Peeling: from the box of the parameters' full ranges, repeatedly remove the slice of
  ``peel_alpha`` of the box's points at the low or high end of one parameter, choosing the
  peel that most raises the density of cases of interest per point removed (the criterion
  Friedman & Fisher give for peels of unequal size), while the box keeps at least
  ``mass_min`` of all points. Each step is a box on the peeling trajectory, trading coverage
  (share of all cases of interest inside) for density (share of the box's points that are
  cases of interest).
- Selection: the box of highest coverage with density >= ``threshold``, the denser of equal
  coverage (or, if none reaches it, the densest box, and the search stops after it).
- Pasting: the chosen box's restricted limits are widened by slices of ``paste_alpha`` of its
  points while that does not lower its density.
- Pruning: restricted limits whose quasi-p-value (below) exceeds ``significance`` are
  dropped one at a time, the least supported first (Bryant & Lempert 2010 advise keeping only
  restrictions the data support; with many inputs and few points peeling otherwise picks up
  spurious ones). Off by default (``significance=None``), as in the EMA Workbench, where the
  quasi-p-values are reported for the analyst to judge.
- Covering: the points in a chosen box are removed and the search repeats, up to
  ``max_boxes`` boxes.
- Quasi-p-values (as in the EMA Workbench): for each restricted limit, the one-sided binomial
  probability of the box's density if that limit were dropped; large values mean the
  restriction is not supported by the data.

Implemented here rather than taken from ``ema_workbench.analysis.prim``: ema-workbench 2.5.3
installs but does not work cleanly with this project's pandas 3 (under copy-on-write its
``boxes_to_dataframe`` silently returns all-zero limits through chained assignment, and it
emits deprecation warnings), and it would pull in scikit-learn, statsmodels, seaborn and
platypus for one algorithm. The peeling/pasting rules above follow Friedman & Fisher (1999).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from dualtrack.analysis.exploration import DISCOVERY_DIR
from dualtrack.analysis.files import save_csv, save_figure, slug
from dualtrack.experiments.store import write_json
from dualtrack.experiments.sweep_store import load_sweep
from dualtrack.scenario.uncertainty import UncertainParameter, path_pattern

Mask = NDArray[np.bool_]
LIMIT_COLUMNS = (
    "parameter",
    "low",
    "high",
    "full_low",
    "full_high",
    "share_of_range",
    "qp_low",
    "qp_high",
)


@dataclass
class PrimBox:
    """One box found by PRIM: its peeling trajectory, the chosen limits and their statistics."""

    names: list[str]
    trajectory: pd.DataFrame
    """One row per step: step, kind (peel, paste or prune), coverage, density, mass, n, k,
    res_dim."""
    limits: list[tuple[NDArray[np.float64], NDArray[np.float64]]]
    """Lower and upper limits of every step's box."""
    chosen: int
    """Row of the trajectory chosen as this box (after pasting and pruning)."""
    full_low: NDArray[np.float64]
    full_high: NDArray[np.float64]
    qp: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Quasi-p-value of each restricted limit of the chosen box."""

    @property
    def stats(self) -> dict[str, float]:
        """Coverage, density, mass, n, k and res_dim of the chosen box."""
        row = self.trajectory.iloc[self.chosen]
        return {k: float(row[k]) for k in ("coverage", "density", "mass", "n", "k", "res_dim")}

    @property
    def meets_threshold(self) -> bool:
        """Whether the chosen box reached the density threshold."""
        return bool(self.trajectory.iloc[self.chosen].get("meets_threshold", True))

    def restricted(self) -> pd.DataFrame:
        """Restricted dimensions of the chosen box: parameter, low, high, full range, qp."""
        low, high = self.limits[self.chosen]
        rows = []
        for j, name in enumerate(self.names):
            if low[j] > self.full_low[j] or high[j] < self.full_high[j]:
                qp = self.qp.set_index("parameter").loc[name] if len(self.qp) else None
                rows.append(
                    {
                        "parameter": name,
                        "low": float(low[j]),
                        "high": float(high[j]),
                        "full_low": float(self.full_low[j]),
                        "full_high": float(self.full_high[j]),
                        "share_of_range": float(
                            (high[j] - low[j]) / (self.full_high[j] - self.full_low[j])
                        ),
                        "qp_low": float(qp["qp_low"]) if qp is not None else math.nan,
                        "qp_high": float(qp["qp_high"]) if qp is not None else math.nan,
                    }
                )
        return pd.DataFrame(rows, columns=list(LIMIT_COLUMNS))


def _inside(x: NDArray[np.float64], low: NDArray[np.float64], high: NDArray[np.float64]) -> Mask:
    return np.all((x >= low) & (x <= high), axis=1)


def _step(
    y: Mask, box: Mask, total_interest: int, total: int, low: NDArray, high: NDArray, full: tuple
) -> dict[str, float]:
    n = int(box.sum())
    k = int(y[box].sum())
    restricted = int(np.sum((low > full[0]) | (high < full[1])))
    return {
        "coverage": k / total_interest if total_interest else math.nan,
        "density": k / n if n else math.nan,
        "mass": n / total,
        "n": n,
        "k": k,
        "res_dim": restricted,
    }


class Prim:
    """PRIM on a table of inputs and a boolean of cases of interest (see the module docstring).

    ``bounds`` are each input's full range (default: the data's range); mass, coverage and
    ``mass_min`` are shares of all points and cases of interest, also in later boxes.
    """

    def __init__(
        self,
        x: pd.DataFrame,
        y: Sequence[bool] | NDArray[np.bool_],
        *,
        bounds: tuple[Sequence[float], Sequence[float]] | None = None,
        peel_alpha: float = 0.05,
        paste_alpha: float = 0.05,
        mass_min: float = 0.05,
        threshold: float = 0.8,
        significance: float | None = None,
    ) -> None:
        if not 0.0 < peel_alpha < 0.5 or not 0.0 < paste_alpha < 0.5:
            raise ValueError("expected 0 < peel_alpha, paste_alpha < 0.5")
        if not 0.0 < mass_min < 1.0:
            raise ValueError("expected 0 < mass_min < 1")
        self.names = [str(c) for c in x.columns]
        self.x = x.to_numpy(dtype=np.float64)
        self.y = np.asarray(y, dtype=bool)
        if self.x.shape[0] != self.y.shape[0]:
            raise ValueError(f"expected one case per row: {self.x.shape[0]} rows, {len(self.y)}")
        if not np.isfinite(self.x).all():
            raise ValueError("inputs must be finite (drop infeasible points first)")
        if bounds is None:
            low, high = self.x.min(axis=0), self.x.max(axis=0)
        else:
            low, high = np.asarray(bounds[0], float), np.asarray(bounds[1], float)
        self.full_low, self.full_high = low, high
        self.peel_alpha, self.paste_alpha = peel_alpha, paste_alpha
        self.mass_min, self.threshold = mass_min, threshold
        self.significance = significance
        self.total = len(self.y)
        self.total_interest = int(self.y.sum())
        self.remaining = np.ones(self.total, dtype=bool)
        self.boxes: list[PrimBox] = []

    @property
    def full(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Full range of every input."""
        return self.full_low, self.full_high

    def _peels(self, box: Mask, low: NDArray, high: NDArray) -> list[tuple[Mask, NDArray, NDArray]]:
        """Candidate boxes after one peel at either end of each input."""
        candidates = []
        n_box = int(box.sum())
        for j in range(self.x.shape[1]):
            values = self.x[box, j]
            distinct = np.unique(values)
            if len(distinct) < 2:
                continue
            for side in ("low", "high"):
                q = float(
                    np.quantile(values, self.peel_alpha if side == "low" else 1 - self.peel_alpha)
                )
                if side == "low":
                    keep = self.x[:, j] >= q
                    if np.all(keep[box]):  # ties at the edge: peel the edge value itself
                        q = float(distinct[1])
                        keep = self.x[:, j] >= q
                else:
                    keep = self.x[:, j] <= q
                    if np.all(keep[box]):
                        q = float(distinct[-2])
                        keep = self.x[:, j] <= q
                new_box = box & keep
                n_new = int(new_box.sum())
                if n_new == 0 or n_new == n_box or n_new / self.total < self.mass_min:
                    continue
                new_low, new_high = low.copy(), high.copy()
                if side == "low":
                    new_low[j] = q
                else:
                    new_high[j] = q
                candidates.append((new_box, new_low, new_high))
        return candidates

    def _paste(self, box: Mask, low: NDArray, high: NDArray) -> tuple[Mask, NDArray, NDArray]:
        """Widen restricted limits while the density does not fall (Friedman & Fisher 1999)."""
        y, x = self.y, self.x
        while True:
            n_box = int(box.sum())
            density = y[box].mean()
            best: tuple[float, int, Mask, NDArray, NDArray] | None = None
            size = max(1, math.ceil(self.paste_alpha * n_box))
            for j in range(x.shape[1]):
                others = np.ones(self.total, dtype=bool)
                for i in range(x.shape[1]):
                    if i != j:
                        others &= (x[:, i] >= low[i]) & (x[:, i] <= high[i])
                others &= self.remaining
                for side in ("low", "high"):
                    if side == "low" and low[j] <= self.full_low[j]:
                        continue
                    if side == "high" and high[j] >= self.full_high[j]:
                        continue
                    outside = others & (
                        (x[:, j] < low[j]) if side == "low" else (x[:, j] > high[j])
                    )
                    if not outside.any():
                        continue
                    candidates = np.sort(x[outside, j])
                    if side == "low":
                        limit = candidates[::-1][min(size, len(candidates)) - 1]
                    else:
                        limit = candidates[min(size, len(candidates)) - 1]
                    new_low, new_high = low.copy(), high.copy()
                    if side == "low":
                        new_low[j] = limit if limit > candidates[0] else self.full_low[j]
                    else:
                        new_high[j] = limit if limit < candidates[-1] else self.full_high[j]
                    new_box = self.remaining & _inside(x, new_low, new_high)
                    added = int(new_box.sum()) - n_box
                    if added <= 0:
                        continue
                    new_density = y[new_box].mean()
                    if new_density < density:
                        continue
                    key = (float(new_density), added)
                    if best is None or key > (best[0], best[1]):
                        best = (key[0], key[1], new_box, new_low, new_high)
            if best is None:
                return box, low, high
            box, low, high = best[2], best[3], best[4]

    def _quasi_p_values(self, low: NDArray, high: NDArray) -> pd.DataFrame:
        """One-sided binomial p-value of each restricted limit (dropping it, density falls)."""
        box = self.remaining & _inside(self.x, low, high)
        n, k = int(box.sum()), int(self.y[box].sum())
        rows = []
        for j, name in enumerate(self.names):
            values = {"parameter": name, "qp_low": math.nan, "qp_high": math.nan}
            for side, limit, full in (
                ("qp_low", low, self.full_low),
                ("qp_high", high, self.full_high),
            ):
                if limit[j] == full[j]:
                    continue
                wider_low, wider_high = low.copy(), high.copy()
                (wider_low if side == "qp_low" else wider_high)[j] = full[j]
                wider = self.remaining & _inside(self.x, wider_low, wider_high)
                base_rate = self.y[wider].mean() if wider.any() else 0.0
                if n:
                    values[side] = float(
                        stats.binomtest(k, n, min(max(base_rate, 0.0), 1.0), "greater").pvalue
                    )
            rows.append(values)
        return pd.DataFrame(rows)

    def _prune(self, low: NDArray, high: NDArray) -> tuple[NDArray, NDArray]:
        """Drop, one at a time, the restricted limit with the largest quasi-p-value above the
        significance level (Bryant & Lempert 2010: keep only restrictions the data support)."""
        low, high = low.copy(), high.copy()
        assert self.significance is not None
        while True:
            qp = self._quasi_p_values(low, high).set_index("parameter")
            stacked = qp[["qp_low", "qp_high"]].stack().dropna()
            if stacked.empty or float(stacked.max()) <= self.significance:
                return low, high
            name, side = stacked.idxmax()
            j = self.names.index(str(name))
            if side == "qp_low":
                low[j] = self.full_low[j]
            else:
                high[j] = self.full_high[j]

    def find_box(self) -> PrimBox | None:
        """Peel, choose and paste the next box among the points not yet in a box."""
        box = self.remaining.copy()
        if not box.any() or not self.y[box].any():
            return None
        low, high = self.full_low.copy(), self.full_high.copy()
        steps = [
            {
                "kind": "peel",
                **_step(self.y, box, self.total_interest, self.total, low, high, self.full),
            }
        ]
        limits = [(low.copy(), high.copy())]
        masks = [box.copy()]
        while True:
            candidates = self._peels(box, low, high)
            if not candidates:
                break
            n_box, mean_box = int(box.sum()), float(self.y[box].mean())
            # density gained per point removed (Friedman & Fisher 1999, for peels of unequal size)
            scores = [
                (
                    (float(self.y[new_box].mean()) - mean_box) / (n_box - int(new_box.sum())),
                    int(new_box.sum()),
                )
                for new_box, _, _ in candidates
            ]
            box, low, high = candidates[max(range(len(candidates)), key=scores.__getitem__)]
            steps.append(
                {
                    "kind": "peel",
                    **_step(self.y, box, self.total_interest, self.total, low, high, self.full),
                }
            )
            limits.append((low.copy(), high.copy()))
            masks.append(box.copy())
        trajectory = pd.DataFrame(steps)
        dense = trajectory.index[trajectory["density"] >= self.threshold]
        if len(dense):
            ranked = trajectory.loc[dense].sort_values(["coverage", "density"], kind="stable")
            selected = int(ranked.index[-1])
            meets = True
        else:
            selected = int(trajectory["density"].idxmax())
            meets = False
        sel_low, sel_high = limits[selected]
        pasted, paste_low, paste_high = self._paste(
            masks[selected], sel_low.copy(), sel_high.copy()
        )
        chosen = selected
        if int(pasted.sum()) > int(masks[selected].sum()):
            row = {
                "kind": "paste",
                **_step(
                    self.y,
                    pasted,
                    self.total_interest,
                    self.total,
                    paste_low,
                    paste_high,
                    self.full,
                ),
            }
            trajectory = pd.concat([trajectory, pd.DataFrame([row])], ignore_index=True)
            limits.append((paste_low, paste_high))
            chosen = len(trajectory) - 1
        if self.significance is not None:
            pruned_low, pruned_high = self._prune(*limits[chosen])
            if not (
                np.array_equal(pruned_low, limits[chosen][0])
                and np.array_equal(pruned_high, limits[chosen][1])
            ):
                pruned = self.remaining & _inside(self.x, pruned_low, pruned_high)
                row = {
                    "kind": "prune",
                    **_step(
                        self.y,
                        pruned,
                        self.total_interest,
                        self.total,
                        pruned_low,
                        pruned_high,
                        self.full,
                    ),
                }
                trajectory = pd.concat([trajectory, pd.DataFrame([row])], ignore_index=True)
                limits.append((pruned_low, pruned_high))
                chosen = len(trajectory) - 1
        trajectory.insert(0, "step", np.arange(len(trajectory)))
        trajectory["chosen"] = trajectory["step"] == chosen
        trajectory["meets_threshold"] = meets
        final_low, final_high = limits[chosen]
        result = PrimBox(
            names=self.names,
            trajectory=trajectory,
            limits=limits,
            chosen=chosen,
            full_low=self.full_low,
            full_high=self.full_high,
            qp=self._quasi_p_values(final_low, final_high),
        )
        self.boxes.append(result)
        self.remaining &= ~_inside(self.x, final_low, final_high)
        return result

    def find_boxes(self, max_boxes: int = 3) -> list[PrimBox]:
        """Boxes by covering: each search ignores points in earlier boxes; stops at a box that
        misses the density threshold (kept, flagged) or when no case of interest is left."""
        found = []
        for _ in range(max_boxes):
            box = self.find_box()
            if box is None:
                break
            found.append(box)
            if not box.meets_threshold:
                break
        return found


def feature_scores(x: pd.DataFrame, values: NDArray[np.float64]) -> pd.DataFrame:
    """|Spearman rank correlation| of each input with the outcome, largest first.

    A quick screen of which parameters matter, used to hand PRIM few inputs when there are
    many (it is blind to effects that are not monotonic; Morris or Sobol' designs are not).
    """
    ranks = x.rank().to_numpy(dtype=np.float64, copy=True)
    target = stats.rankdata(values)
    ranks -= ranks.mean(axis=0)
    target -= target.mean()
    spread = np.sqrt((ranks**2).sum(axis=0) * (target**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(spread > 0, (ranks * target[:, None]).sum(axis=0) / spread, 0.0)
    table = pd.DataFrame({"parameter": list(x.columns), "spearman": rho, "score": np.abs(rho)})
    return table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def uncertain_subset(
    parameters: Sequence[UncertainParameter], patterns: Sequence[str]
) -> list[UncertainParameter]:
    """The parameters whose paths match one of the patterns (``*``, ``?``; a miss is an error)."""
    matched = [
        p
        for p in parameters
        if any(path_pattern(pattern).fullmatch(p.path) for pattern in patterns)
    ]
    missing = [
        pattern
        for pattern in patterns
        if not any(path_pattern(pattern).fullmatch(p.path) for p in parameters)
    ]
    if missing:
        raise KeyError(f"no parameter of the sweep matches {', '.join(map(repr, missing))}")
    return matched


@dataclass(frozen=True)
class DiscoveryResult:
    """The boxes found for one question, and where their tables and plots were written."""

    folder: Path
    settings: dict[str, Any]
    boxes: list[PrimBox]
    box_table: pd.DataFrame
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    files: list[Path]


def plot_tradeoff(boxes: Sequence[PrimBox], title: str, path: Path) -> Path:
    """Coverage against density along each box's peeling trajectory, coloured by res_dim."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.0, 5.0), layout="constrained")
    axes = figure.subplots()
    markers = "os^Dv"
    scatter = None
    top = max([int(b.trajectory["res_dim"].max()) for b in boxes] + [1])
    for index, box in enumerate(boxes):
        t = box.trajectory
        axes.plot(t["coverage"], t["density"], color="lightgrey", linewidth=0.8, zorder=1)
        scatter = axes.scatter(
            t["coverage"],
            t["density"],
            c=t["res_dim"],
            cmap="viridis",
            vmin=0,
            vmax=top,
            marker=markers[index % len(markers)],
            s=22,
            zorder=2,
            label=f"box {index + 1}",
        )
        chosen = t.iloc[box.chosen]
        axes.scatter(
            [chosen["coverage"]],
            [chosen["density"]],
            s=160,
            facecolors="none",
            edgecolors="red",
            linewidths=1.5,
            zorder=3,
        )
        axes.annotate(
            f"box {index + 1}",
            (chosen["coverage"], chosen["density"]),
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

    tables = [box.restricted() for box in boxes]
    rows = max(1, sum(max(1, len(t)) for t in tables))
    figure = Figure(figsize=(8.0, 0.5 * rows + 1.3 * len(boxes) + 0.6), layout="constrained")
    axes_list = figure.subplots(
        len(boxes), 1, squeeze=False, height_ratios=[max(1, len(t)) for t in tables]
    )[:, 0]
    for index, (box, table, axes) in enumerate(zip(boxes, tables, axes_list, strict=True)):
        s = box.stats
        axes.set_title(
            f"box {index + 1}: coverage {s['coverage']:.2f}, density {s['density']:.2f}, "
            f"mass {s['mass']:.2f}",
            fontsize=9,
        )
        axes.set_xlim(0.0, 1.0)
        if table.empty:
            axes.text(0.5, 0.5, "no restriction", ha="center", va="center")
            axes.set_yticks([])
            continue
        width = table["full_high"] - table["full_low"]
        start = (table["low"] - table["full_low"]) / width
        end = (table["high"] - table["full_low"]) / width
        positions = np.arange(len(table))[::-1]
        axes.barh(positions, end - start, left=start, color="#55a868", height=0.5)
        axes.barh(positions, 1.0, left=0.0, color="none", edgecolor="grey", height=0.5)
        for position, (_, row), s0, e0 in zip(positions, table.iterrows(), start, end, strict=True):
            axes.text(s0, position + 0.3, f"{row['low']:.3g}", fontsize=7, ha="left")
            axes.text(e0, position + 0.3, f"{row['high']:.3g}", fontsize=7, ha="right")
        axes.set_yticks(positions, table["parameter"], fontsize=8)
    axes_list[-1].set_xlabel("position in the parameter's full range (0 = low, 1 = high)")
    figure.suptitle(title, fontsize=10)
    save_figure(figure, path)
    return path


def discover(
    folder: Path | str,
    outcome: str,
    threshold: float,
    doctrine: str,
    *,
    below: bool = True,
    conservative: bool = False,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    density: float = 0.8,
    max_boxes: int = 3,
    significance: float | None = None,
    inputs: int | None = None,
    parameters: Sequence[str] | None = None,
    plots: bool = True,
) -> DiscoveryResult:
    """PRIM boxes of the points where ``doctrine`` keeps ``outcome`` below (or above)
    ``threshold``, written as tables and plots under ``discovery/`` in the sweep folder.

    With ``conservative`` a point counts only if its whole interval is on the right side
    (upper bound below, or lower bound above, the threshold). Infeasible points are left out.
    PRIM sees the parameters matching ``parameters`` (path patterns; default all), and of
    those only the ``inputs`` with the largest feature scores (|Spearman rank correlation|
    with the outcome) when given; every score is written to ``inputs.csv``.
    """
    sweep = load_sweep(folder)
    if outcome not in sweep.points.columns:
        known = ", ".join(sweep.outcome_names)
        raise KeyError(f"no outcome {outcome!r} in the sweep; outcomes are {known}")
    rows = sweep.rows(doctrine)
    rows = rows[rows["feasible"].astype(bool)]
    if rows.empty:
        raise ValueError(f"{doctrine}: no feasible points to analyse")
    column = outcome
    if conservative:
        column = f"{outcome}_high" if below else f"{outcome}_low"
        if column not in rows.columns:
            raise KeyError(f"no interval column {column!r} for {outcome!r}")
    values = rows[column].to_numpy(dtype=np.float64)
    interest = values < threshold if below else values > threshold
    candidates = list(sweep.parameters)
    if parameters:
        chosen_paths = {p.path for p in uncertain_subset(candidates, parameters)}
        candidates = [p for p in candidates if p.path in chosen_paths]
    scores = feature_scores(rows[[p.path for p in candidates]], values)
    if inputs is not None:
        keep = set(scores["parameter"].head(inputs))
        candidates = [p for p in candidates if p.path in keep]
    scores["used"] = scores["parameter"].isin({p.path for p in candidates})
    prim = Prim(
        rows[[p.path for p in candidates]],
        interest,
        bounds=([p.low for p in candidates], [p.high for p in candidates]),
        peel_alpha=peel_alpha,
        paste_alpha=paste_alpha,
        mass_min=mass_min,
        threshold=density,
        significance=significance,
    )
    boxes = prim.find_boxes(max_boxes)
    relation = "below" if below else "above"
    name = slug(f"{doctrine}__{outcome}_{relation}_{threshold:g}")
    out = sweep.folder / DISCOVERY_DIR / name
    out.mkdir(parents=True, exist_ok=True)
    settings = {
        "doctrine": doctrine,
        "outcome": outcome,
        "threshold": threshold,
        "relation": relation,
        "conservative": conservative,
        "column": column,
        "points": int(len(rows)),
        "cases_of_interest": int(interest.sum()),
        "base_rate": float(interest.mean()),
        "peel_alpha": peel_alpha,
        "paste_alpha": paste_alpha,
        "mass_min": mass_min,
        "density_threshold": density,
        "max_boxes": max_boxes,
        "significance": significance,
        "inputs": [p.path for p in candidates],
        "design": sweep.manifest.get("design"),
        "replicates": sweep.manifest.get("replicates"),
    }
    trajectory = pd.concat(
        [b.trajectory.assign(box=i + 1) for i, b in enumerate(boxes)], ignore_index=True
    )
    if not trajectory.empty:
        trajectory = trajectory[["box", *[c for c in trajectory.columns if c != "box"]]]
    box_table = pd.DataFrame(
        [
            {"box": i + 1, **b.stats, "meets_threshold": b.meets_threshold}
            for i, b in enumerate(boxes)
        ]
    )
    limits = pd.concat(
        [b.restricted().assign(box=i + 1) for i, b in enumerate(boxes)], ignore_index=True
    )
    if not limits.empty:
        limits = limits[["box", *[c for c in limits.columns if c != "box"]]]
    files = []
    for table, file_name in (
        (scores, "inputs.csv"),
        (trajectory, "trajectory.csv"),
        (box_table, "boxes.csv"),
        (limits, "limits.csv"),
    ):
        save_csv(table, out / file_name)
        files.append(out / file_name)
    settings_path = out / "settings.json"
    write_json(settings_path, settings)
    files.append(settings_path)
    if plots and boxes:
        label = next(
            (o["label"] for o in sweep.manifest.get("outcomes", []) if o["name"] == outcome),
            outcome,
        )
        sign = "<" if below else ">"
        title = (
            f"{doctrine}: {label} {sign} {threshold:g} ({int(interest.sum())}/{len(rows)} points)"
        )
        files.append(plot_tradeoff(boxes, f"Peeling trajectory - {title}", out / "tradeoff.png"))
        files.append(plot_boxes(boxes, f"Boxes - {title}", out / "boxes.png"))
    return DiscoveryResult(out, settings, boxes, box_table, limits, trajectory, files)
