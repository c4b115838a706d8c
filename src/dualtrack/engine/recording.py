"""What a run keeps: full trajectories, per-step means, or per-replicate summaries only.

``full`` keeps every replicate's trajectory; ``mean`` keeps per-step means over replicates
(and the share of replicates on each rung) plus the trajectories of a fixed subsample (the
first 256 replicates, for fan charts), so memory grows with steps but not with
replicates x steps; ``summary`` keeps per-replicate outcome tallies only, so memory does not
grow with the number of steps. Means are summed per random-number block and the blocks are
added in order at the end, so they are bit-identical whatever the chunking.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from dualtrack.engine.compiled import Compiled
from dualtrack.engine.state import State
from dualtrack.scenario.ladder import Rung

RecordMode = Literal["full", "mean", "summary"]
RECORD_MODES: tuple[str, ...] = ("full", "mean", "summary")

Arrays = dict[str, NDArray]


def _trajectories(state: State) -> Arrays:
    return {
        "forces": state.forces.astype(np.float32),
        "perceived_threat": state.threat.astype(np.float32),
        "trust": state.trust.astype(np.float32),
        "escalation": state.rung,
        "agreement_in_force": state.active,
        "incidents": state.incidents.astype(np.int16),
    }


def _rung_counts(rung: NDArray[np.int8]) -> NDArray[np.float64]:
    return (rung[..., None] == np.arange(len(Rung), dtype=np.int8)).astype(np.float64)


TRACED_REPLICATES = 256
"""Replicates whose full trajectories a ``mean`` run also keeps (for fan charts)."""


class Recorder:
    """Collects what a chunk run keeps, step by step."""

    def __init__(
        self,
        compiled: Compiled,
        mode: RecordMode,
        first_replicate: int,
        block_starts: NDArray[np.int64],
        traced: int = TRACED_REPLICATES,
    ) -> None:
        self.mode = mode
        self.block_starts = block_starts
        self.n_steps = compiled.n_steps
        self.series: Arrays = {}
        # a mean run also keeps the trajectories of the first `traced` replicates
        self.traced_rows = max(0, traced - first_replicate) if mode == "mean" else 0

    def _store(self, t: int, values: Arrays, prefix: str = "") -> None:
        for name, value in values.items():
            key = prefix + name
            if key not in self.series:
                shape = (value.shape[0], self.n_steps, *value.shape[1:])
                self.series[key] = np.zeros(shape, dtype=value.dtype)
            self.series[key][:, t] = value

    def record(self, t: int, state: State) -> None:
        """Keep what the mode asks for at step ``t``."""
        if self.mode == "full":
            self._store(t, _trajectories(state))
        elif self.mode == "mean":
            sums = {
                "forces": state.forces,
                "perceived_threat": state.threat,
                "trust": state.trust,
                "rung_share": _rung_counts(state.rung),
                "agreement_share": state.active.astype(np.float64),
                "incidents": state.incidents,
            }
            self._store(
                t,
                {k: np.add.reduceat(v, self.block_starts, axis=0) for k, v in sums.items()},
            )
            if self.traced_rows:
                rows = slice(0, min(self.traced_rows, state.replicates))
                traced = {k: v[rows] for k, v in _trajectories(state).items()}
                self._store(t, traced, prefix="traced_")

    def result(self) -> Arrays:
        """Recorded series: per replicate (full), or per-block sums and traced rows (mean)."""
        return self.series


def summarise(state: State, compiled: Compiled) -> Arrays:
    """Per-replicate outcome tallies at the end of a run."""
    n_a = len(compiled.actor_ids)
    pulled = np.zeros((state.replicates, n_a), dtype=bool)
    for slot, ally in enumerate(compiled.slot_ally):
        pulled[:, ally] |= state.joined[:, slot]
    return {
        "max_rung": state.max_rung,
        "agreements": state.agreements,
        "agreements_kept": state.kept,
        "violations_detected": state.detected,
        "first_agreement_day": state.first_agreement_day,
        "first_war_day": state.first_war_day,
        "days_elevated": state.days_elevated,
        "cost": state.cost,
        "incidents_total": state.incidents_total.astype(np.int64),
        "pulled_in": pulled,
        "final_forces": state.forces,
    }
