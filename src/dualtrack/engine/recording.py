"""What a run keeps, step by step and at the end, as the table of outputs says.

``full`` keeps every replicate's trajectory; ``mean`` keeps per-step means over replicates
(and the share of replicates on each rung) plus the trajectories of a fixed subsample (the
first 256 replicates, for fan charts), so memory grows with steps but not with
replicates x steps; ``summary`` keeps per-replicate values at the end only, so memory does
not grow with the number of steps. Pooled values are summed per random-number block and the
blocks are added in order at assembly, so means are bit-identical whatever the chunking.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dualtrack.engine import outputs
from dualtrack.engine.compiled import Compiled
from dualtrack.engine.outputs import TRACED_REPLICATES, RecordMode, kept_value
from dualtrack.engine.state import State

Arrays = dict[str, NDArray]


class Recorder:
    """Collects the per-step outputs a chunk run keeps (keys: variable names)."""

    def __init__(
        self,
        compiled: Compiled,
        mode: RecordMode,
        first_replicate: int,
        block_starts: NDArray[np.int64],
        traced: int = TRACED_REPLICATES,
    ) -> None:
        self.compiled = compiled
        self.block_starts = block_starts
        self.n_steps = compiled.n_steps
        self.series: Arrays = {}
        # a mean run also keeps the trajectories of the first `traced` replicates
        traced_rows = max(0, traced - first_replicate)
        self.kept = [
            (definition, reduction)
            for definition in outputs.OUTPUTS
            for reduction in definition.modes.get(mode, ())
            if reduction.each_step and (reduction.replicates != "traced" or traced_rows)
        ]
        self.traced_rows = traced_rows

    def record(self, t: int, state: State) -> None:
        """Keep what the mode asks for at step ``t``."""
        for definition, reduction in self.kept:
            value = kept_value(definition, reduction, definition.read(state, self.compiled))
            if reduction.replicates == "pooled":
                value = np.add.reduceat(value, self.block_starts, axis=0)
            elif reduction.replicates == "traced":
                value = value[: min(self.traced_rows, state.replicates)]
            key = reduction.prefix + definition.name
            if key not in self.series:
                shape = (value.shape[0], self.n_steps, *value.shape[1:])
                self.series[key] = np.zeros(shape, dtype=value.dtype)
            self.series[key][:, t] = value

    def result(self) -> Arrays:
        """Recorded series: per replicate (full), or per-block sums and traced rows (mean)."""
        return self.series


def summarise(state: State, compiled: Compiled, mode: RecordMode) -> Arrays:
    """Per-replicate values kept at the end of a run: tallies, and last values (summary)."""
    return {
        definition.name: kept_value(definition, reduction, definition.read(state, compiled))
        for definition in outputs.OUTPUTS
        for reduction in definition.modes.get(mode, ())
        if not reduction.each_step
    }
