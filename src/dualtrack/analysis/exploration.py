"""Exploration results as tables: each sweep point's outcome estimates, and the summary a report
shows of a sweep folder (its design, outcomes across points, sensitivity and discovery)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dualtrack.analysis.outcomes import OUTCOME_NAMES, OUTCOMES, estimate
from dualtrack.experiments.store import FILES
from dualtrack.experiments.sweep_store import find_sweep, load_sweep

EXPLORATION_DIR = FILES.exploration
"""Default sub-folder of a scenario's results folder that holds its sweep."""
SENSITIVITY_DIR = "sensitivity"
DISCOVERY_DIR = "discovery"


@dataclass(frozen=True)
class PointEstimates:
    """The row of one sweep run: each outcome's estimate and interval (see analysis.outcomes).

    Columns are ``<outcome>``, ``<outcome>_low``, ``<outcome>_high`` for every outcome in
    :data:`~dualtrack.analysis.outcomes.OUTCOMES`: Wilson intervals for probabilities,
    Student-t intervals for means.
    """

    confidence: float = 0.95
    outcomes: tuple[str, ...] = field(default=OUTCOME_NAMES)

    def _chosen(self) -> list[Any]:
        known = {o.name: o for o in OUTCOMES}
        unknown = [name for name in self.outcomes if name not in known]
        if unknown:
            raise KeyError(f"unknown outcome {unknown[0]!r}; outcomes are {', '.join(known)}")
        return [known[name] for name in self.outcomes]

    def columns(self) -> tuple[str, ...]:
        """Estimate, lower and upper bound columns of every outcome."""
        return tuple(
            f"{o.name}{suffix}" for o in self._chosen() for suffix in ("", "_low", "_high")
        )

    def describe(self) -> list[dict[str, Any]]:
        """Each outcome's name, label, kind, unit, interval method and confidence."""
        return [
            {
                "name": o.name,
                "label": o.label,
                "kind": o.kind,
                "unit": o.unit,
                "interval": "wilson" if o.kind == "probability" else "student-t",
                "confidence": self.confidence,
            }
            for o in self._chosen()
        ]

    def __call__(self, ds: xr.Dataset) -> dict[str, float]:
        """Estimates and intervals of one run."""
        row: dict[str, float] = {}
        for outcome in self._chosen():
            result = estimate(outcome, ds, self.confidence)
            row[outcome.name] = result["estimate"]
            row[f"{outcome.name}_low"] = result["low"]
            row[f"{outcome.name}_high"] = result["high"]
        return row


def find_exploration(folder: Path | str) -> Path | None:
    """The sweep folder at ``folder`` or in its ``exploration`` sub-folder, if there is one."""
    return find_sweep(folder)


def outcomes_across_points(points: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """Per doctrine and outcome: how the estimate is spread over the feasible points."""
    rows = []
    feasible = points[points["feasible"]]
    for doctrine, group in feasible.groupby("doctrine", sort=False):
        for name in outcomes:
            values = group[name].to_numpy(dtype=np.float64)
            values = values[np.isfinite(values)]
            if not len(values):
                continue
            q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
            rows.append(
                {
                    "doctrine": doctrine,
                    "outcome": name,
                    "mean": float(values.mean()),
                    "p05": float(q05),
                    "median": float(q50),
                    "p95": float(q95),
                    "min": float(values.min()),
                    "max": float(values.max()),
                    "points": int(len(values)),
                }
            )
    return pd.DataFrame(rows)


def _read_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


def exploration_summary(folder: Path | str) -> dict[str, Any] | None:
    """What a report shows of a sweep, or None when ``folder`` holds none.

    ``folder`` is a sweep folder or a results folder with an ``exploration`` sub-folder. The
    result is plain data: ``folder``, ``scenario_id``, ``design`` (kind, points, seed, ...),
    ``doctrines``, ``replicates``, ``days``, ``complete``, ``parameters`` (table: path,
    nominal, low, high, distribution, source), ``outcomes`` (table: doctrine, outcome, mean,
    p05, median, p95 over points), ``infeasible_points``, ``sensitivity`` (``None`` or
    ``{"method", "table", "figures"}``) and ``discovery`` (a list of ``{"name", "settings",
    "trajectory", "boxes", "limits", "figures"}``); figures are PNG paths.
    """
    found = find_exploration(folder)
    if found is None:
        return None
    sweep = load_sweep(found, allow_partial=True)
    points = sweep.points
    summary: dict[str, Any] = {
        "folder": found,
        "scenario_id": sweep.manifest.get("scenario_id"),
        "design": sweep.manifest.get("design"),
        "doctrines": sweep.doctrines,
        "replicates": sweep.manifest.get("replicates"),
        "days": sweep.manifest.get("days"),
        "seed": sweep.manifest.get("seed"),
        "complete": sweep.complete,
        "parameters": pd.DataFrame([p.describe() for p in sweep.parameters]),
        "outcome_labels": {o["name"]: o["label"] for o in sweep.manifest.get("outcomes", [])},
        "outcomes": outcomes_across_points(points, sweep.outcome_names)
        if len(points)
        else pd.DataFrame(),
        "infeasible_points": int(points.loc[~points["feasible"].astype(bool), "point"].nunique())
        if len(points)
        else 0,
        "sensitivity": None,
        "discovery": [],
    }
    sensitivity = found / SENSITIVITY_DIR
    for method in ("sobol", "morris"):
        table = _read_csv(sensitivity / f"{method}.csv")
        if table is not None:
            summary["sensitivity"] = {
                "method": method,
                "table": table,
                "figures": sorted(sensitivity.glob("*.png")),
            }
    discovery = found / DISCOVERY_DIR
    if discovery.is_dir():
        for case in sorted(p for p in discovery.iterdir() if p.is_dir()):
            settings_file = case / "settings.json"
            if not settings_file.is_file():
                continue
            summary["discovery"].append(
                {
                    "name": case.name,
                    "settings": json.loads(settings_file.read_text(encoding="utf-8")),
                    "trajectory": _read_csv(case / "trajectory.csv"),
                    "boxes": _read_csv(case / "boxes.csv"),
                    "limits": _read_csv(case / "limits.csv"),
                    "figures": sorted(case.glob("*.png")),
                }
            )
    return summary
