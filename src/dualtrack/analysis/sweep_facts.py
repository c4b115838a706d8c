"""What the analyses read from a stored sweep beyond its tables, gathered in one place.

The sweep's manifest is written and read by :mod:`dualtrack.experiments.sweep_store`; the
facts below are the only keys of it the analysis floor looks at, so that when the store
exposes them itself this module is the one place to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from dualtrack.experiments.posterior_study import NOMINAL, PARAMETERS_KEY
from dualtrack.experiments.sweep_store import StoredSweep


@dataclass(frozen=True)
class SweepFacts:
    """Settings of a stored sweep that analyses and reports show or need."""

    scenario_id: str | None
    replicates: int | None
    """Replicates per point and doctrine."""
    days: int | None
    seed: int | None
    outcome_labels: dict[str, str]
    """Label of every outcome estimated, in the sweep's order."""
    second_order: bool
    """Whether a Saltelli design holds the points for second-order indices."""
    levels: int
    """Grid levels of a Morris design."""
    parameters: str = NOMINAL
    """Values outside the design: ``nominal``, or the posterior the points drew them from."""

    def label(self, outcome: str) -> str:
        """An outcome's label (its name when the sweep gives none)."""
        return self.outcome_labels.get(outcome, outcome)


def sweep_facts(sweep: StoredSweep) -> SweepFacts:
    """The facts of a stored sweep (see :class:`SweepFacts`)."""
    manifest = sweep.manifest
    design = manifest["design"]
    return SweepFacts(
        scenario_id=manifest.get("scenario_id"),
        replicates=manifest.get("replicates"),
        days=manifest.get("days"),
        seed=manifest.get("seed"),
        outcome_labels={o["name"]: o["label"] for o in manifest.get("outcomes", [])},
        second_order=bool(design.get("second_order", False)),
        levels=int(design.get("levels", 4)),
        parameters=str(manifest.get(PARAMETERS_KEY, NOMINAL)),
    )
