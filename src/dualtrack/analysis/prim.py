"""PRIM, the Patient Rule Induction Method: boxes of inputs where cases of interest are dense.

Friedman & Fisher (1999), as used for scenario discovery by Bryant & Lempert (2010) and the
EMA Workbench (Kwakkel 2017). It works on a table of inputs and a boolean of cases of
interest (:mod:`dualtrack.analysis.discovery` poses the question on a stored sweep), and looks
for boxes (a range per input) where such cases are dense.

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
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

Mask = NDArray[np.bool_]
StepKind = Literal["peel", "paste", "prune"]


@dataclass(frozen=True)
class PeelingStep:
    """One box on a peeling trajectory: how much of the cases of interest it holds, how densely."""

    step: int
    kind: StepKind
    """peel (one slice removed), paste (the chosen box widened) or prune (a limit dropped)."""
    coverage: float
    """Share of all cases of interest inside the box."""
    density: float
    """Share of the box's points that are cases of interest."""
    mass: float
    """Share of all points inside the box."""
    n: int
    """Points inside the box."""
    k: int
    """Cases of interest inside the box."""
    res_dim: int
    """Inputs the box restricts."""


@dataclass(frozen=True)
class Restriction:
    """A restricted input of a box: its limits, its full range and their quasi-p-values."""

    parameter: str
    low: float
    high: float
    full_low: float
    full_high: float
    qp_low: float | None
    """Quasi-p-value of the lower limit; None when the box keeps the input's full low end."""
    qp_high: float | None
    """Quasi-p-value of the upper limit; None when the box keeps the input's full high end."""

    @property
    def share_of_range(self) -> float:
        """Width of the limits as a share of the input's full range."""
        return (self.high - self.low) / (self.full_high - self.full_low)


@dataclass(frozen=True)
class PrimBox:
    """One box found by PRIM: its peeling trajectory, and the chosen box's limits."""

    trajectory: tuple[PeelingStep, ...]
    chosen: int
    """Step of the trajectory chosen as this box (after pasting and pruning)."""
    meets_threshold: bool
    """Whether the chosen box reached the density threshold."""
    limits: tuple[Restriction, ...]
    """The inputs the chosen box restricts, in input order; the others keep their full range."""

    @property
    def chosen_step(self) -> PeelingStep:
        """Coverage, density, mass, n, k and res_dim of the chosen box."""
        return self.trajectory[self.chosen]


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _inside(x: NDArray[np.float64], low: NDArray[np.float64], high: NDArray[np.float64]) -> Mask:
    return np.all((x >= low) & (x <= high), axis=1)


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

    def _step(
        self, kind: StepKind, index: int, box: Mask, low: NDArray, high: NDArray
    ) -> PeelingStep:
        n = int(box.sum())
        k = int(self.y[box].sum())
        return PeelingStep(
            step=index,
            kind=kind,
            coverage=k / self.total_interest if self.total_interest else math.nan,
            density=k / n if n else math.nan,
            mass=n / self.total,
            n=n,
            k=k,
            res_dim=int(np.sum((low > self.full_low) | (high < self.full_high))),
        )

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
        steps = [self._step("peel", 0, box, low, high)]
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
            steps.append(self._step("peel", len(steps), box, low, high))
            limits.append((low.copy(), high.copy()))
            masks.append(box.copy())
        table = pd.DataFrame(steps)
        dense = table.index[table["density"] >= self.threshold]
        if len(dense):
            ranked = table.loc[dense].sort_values(["coverage", "density"], kind="stable")
            selected = int(ranked.index[-1])
            meets = True
        else:
            selected = int(table["density"].idxmax())
            meets = False
        sel_low, sel_high = limits[selected]
        pasted, paste_low, paste_high = self._paste(
            masks[selected], sel_low.copy(), sel_high.copy()
        )
        chosen = selected
        if int(pasted.sum()) > int(masks[selected].sum()):
            steps.append(self._step("paste", len(steps), pasted, paste_low, paste_high))
            limits.append((paste_low, paste_high))
            chosen = len(steps) - 1
        if self.significance is not None:
            pruned_low, pruned_high = self._prune(*limits[chosen])
            if not (
                np.array_equal(pruned_low, limits[chosen][0])
                and np.array_equal(pruned_high, limits[chosen][1])
            ):
                pruned = self.remaining & _inside(self.x, pruned_low, pruned_high)
                steps.append(self._step("prune", len(steps), pruned, pruned_low, pruned_high))
                limits.append((pruned_low, pruned_high))
                chosen = len(steps) - 1
        final_low, final_high = limits[chosen]
        result = PrimBox(
            trajectory=tuple(steps),
            chosen=chosen,
            meets_threshold=meets,
            limits=self._restrictions(final_low, final_high),
        )
        self.boxes.append(result)
        self.remaining &= ~_inside(self.x, final_low, final_high)
        return result

    def _restrictions(self, low: NDArray, high: NDArray) -> tuple[Restriction, ...]:
        """The restricted limits of a box, with their quasi-p-values."""
        qp = self._quasi_p_values(low, high).set_index("parameter")
        return tuple(
            Restriction(
                parameter=name,
                low=float(low[j]),
                high=float(high[j]),
                full_low=float(self.full_low[j]),
                full_high=float(self.full_high[j]),
                qp_low=_optional(qp.loc[name, "qp_low"]),
                qp_high=_optional(qp.loc[name, "qp_high"]),
            )
            for j, name in enumerate(self.names)
            if low[j] > self.full_low[j] or high[j] < self.full_high[j]
        )

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
