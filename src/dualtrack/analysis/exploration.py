"""Exploration results: each sweep point's outcome estimates, and what a report shows of a
sweep folder (its design, the spread of outcomes across points, sensitivity and discovery)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dualtrack.analysis.discovery import PrimResult, discovery_folders, read_discovery
from dualtrack.analysis.outcomes import OUTCOME_NAMES, OUTCOMES, estimate
from dualtrack.analysis.sensitivity import SENSITIVITY_DIR, SensitivityResult, read_sensitivity
from dualtrack.analysis.sweep_facts import SweepFacts, sweep_facts
from dualtrack.experiments.store import FILES
from dualtrack.experiments.sweep_store import find_sweep, load_sweep
from dualtrack.scenario.uncertainty import UncertainParameter

EXPLORATION_DIR = FILES.exploration
"""Default sub-folder of a scenario's results folder that holds its sweep."""


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


@dataclass(frozen=True)
class OutcomeSpread:
    """How one outcome's estimate under one doctrine is spread over a sweep's feasible points."""

    doctrine: str
    outcome: str
    mean: float
    p05: float
    median: float
    p95: float
    min: float
    max: float
    points: int
    """Feasible points with a finite estimate."""


def outcomes_across_points(points: pd.DataFrame, outcomes: list[str]) -> list[OutcomeSpread]:
    """Per doctrine and outcome: how the estimate is spread over the feasible points."""
    spreads = []
    feasible = points[points["feasible"].astype(bool)]
    for doctrine, group in feasible.groupby("doctrine", sort=False):
        for name in outcomes:
            values = group[name].to_numpy(dtype=np.float64)
            values = values[np.isfinite(values)]
            if not len(values):
                continue
            q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
            spreads.append(
                OutcomeSpread(
                    doctrine=str(doctrine),
                    outcome=name,
                    mean=float(values.mean()),
                    p05=float(q05),
                    median=float(q50),
                    p95=float(q95),
                    min=float(values.min()),
                    max=float(values.max()),
                    points=int(len(values)),
                )
            )
    return spreads


@dataclass(frozen=True)
class ExplorationSummary:
    """What a report shows of a stored sweep: its design, outcomes, sensitivity and discovery."""

    folder: Path
    """The sweep folder."""
    facts: SweepFacts
    """Scenario, replicates, days, seed and outcome labels of the sweep."""
    design: str
    """Kind of design: lhs, sobol or morris."""
    points: int
    """Points of the design."""
    parameters: tuple[UncertainParameter, ...]
    doctrines: tuple[str, ...]
    complete: bool
    """False while the sweep is unfinished (its parts only)."""
    spread: tuple[OutcomeSpread, ...]
    infeasible_points: int
    sensitivity: SensitivityResult | None = None
    discoveries: tuple[PrimResult, ...] = field(default=())
    unreadable: tuple[str, ...] = field(default=())
    """Why stored results of the sweep could not be read (they are left out)."""

    def label(self, outcome: str) -> str:
        """An outcome's label (its name when the sweep gives none)."""
        return self.facts.label(outcome)


def exploration_summary(folder: Path | str) -> ExplorationSummary | None:
    """What a report shows of a sweep, read from its folder, or None when ``folder`` holds none.

    ``folder`` is a sweep folder or a results folder with an ``exploration`` sub-folder.
    """
    found = find_exploration(folder)
    if found is None:
        return None
    sweep = load_sweep(found, allow_partial=True)
    points = sweep.points
    unreadable = []
    try:
        sensitivity = read_sensitivity(found / SENSITIVITY_DIR)
    except ValueError as error:
        sensitivity = None
        unreadable.append(str(error))
    discoveries = []
    for case in discovery_folders(found):
        try:
            discoveries.append(read_discovery(case))
        except ValueError as error:
            unreadable.append(str(error))
    return ExplorationSummary(
        folder=found,
        facts=sweep_facts(sweep),
        design=sweep.design_kind,
        points=len(sweep.design),
        parameters=sweep.parameters,
        doctrines=tuple(sweep.doctrines),
        complete=sweep.complete,
        spread=tuple(outcomes_across_points(points, sweep.outcome_names)) if len(points) else (),
        infeasible_points=int(points.loc[~points["feasible"].astype(bool), "point"].nunique())
        if len(points)
        else 0,
        sensitivity=sensitivity,
        discoveries=tuple(discoveries),
        unreadable=tuple(unreadable),
    )
