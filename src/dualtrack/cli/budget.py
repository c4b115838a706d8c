"""Memory and time a study needs, checked against this machine before any simulation starts.

Memory counts what the record mode keeps for every doctrine (see ``engine.recording``):

- ``full``: every trajectory value per replicate and step (float32 or smaller: 4 bytes);
- ``mean``: per block of 256 replicates and step, float64 sums (the escalation rung as one
  share per rung), plus the full trajectories of the first 256 replicates;
- ``summary``: the last step's values per replicate;

and in every mode the end-of-run tallies per replicate (8 bytes each). Assembling the
per-doctrine datasets into one and writing it holds about twice that at the peak.

Time comes from the engine's throughput measured by ``benchmarks/bench_engine.py`` on the
2-core development machine: 390,000 replicate-steps/s per process on the built-in scenario
(intent model, December 2026), whose full record holds 47 values per replicate-step
(``engine.outputs.values_per_replicate``); the engine's work grows with those values, so a
process is taken to advance about 18 million values per second.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import psutil

from dualtrack.engine.compiled import Compiled
from dualtrack.engine.outputs import values_per_replicate
from dualtrack.engine.recording import TRACED_REPLICATES
from dualtrack.engine.run import DEFAULT_CHUNK
from dualtrack.engine.streams import BLOCK_SIZE
from dualtrack.experiments.study import Study
from dualtrack.scenario.ladder import Rung

VALUES_PER_SECOND = 390_000 * 47
"""Trajectory values one process advances per second (bench_engine.py, built-in scenario)."""

PEAK_FACTOR = 2.0
"""Peak memory over what is kept: the per-doctrine results and their combined copy."""

LONG_SECONDS = 10.0
"""Work expected to take longer than this prints its estimate before it starts."""


@dataclass(frozen=True)
class Estimate:
    """Bytes a study keeps, its peak memory and its expected duration."""

    kept_bytes: float
    seconds: float

    @property
    def peak_bytes(self) -> float:
        """Memory the command holds at its peak."""
        return self.kept_bytes * PEAK_FACTOR

    def describe(self) -> str:
        """'about 1.2 GiB of memory and about 3 min'."""
        memory = format_bytes(self.peak_bytes)
        return f"about {memory} of memory and about {format_seconds(self.seconds)}"


def kept_bytes(compiled: Compiled, replicates: int, record: str | None) -> float:
    """Bytes one doctrine's results keep under a record mode (None: the tallies alone, the
    least any mode keeps)."""
    steps = compiled.n_steps
    values = values_per_replicate(compiled, per_step=True)
    tallies = replicates * values_per_replicate(compiled, per_step=False) * 8.0
    if record is None:
        return tallies
    if record == "full":
        return tallies + replicates * steps * values * 4.0
    if record == "mean":
        n_dyads = len(compiled.dyad_ids)
        sums = values + n_dyads * (len(Rung) - 1)
        blocks = math.ceil(replicates / BLOCK_SIZE)
        traced = min(replicates, TRACED_REPLICATES) * steps * values * 4.0
        return tallies + blocks * steps * sums * 8.0 + traced
    return tallies + replicates * values * 4.0


def estimate(
    compiled: Compiled, replicates: int, record: str | None, doctrines: int, workers: int
) -> Estimate:
    """Memory and time of ``doctrines`` runs of a compiled scenario with ``workers`` processes."""
    chunks = doctrines * math.ceil(replicates / DEFAULT_CHUNK)
    processes = max(1, min(workers, os.cpu_count() or 1, chunks))
    value_steps = (
        doctrines * replicates * compiled.n_steps * values_per_replicate(compiled, per_step=True)
    )
    kept = doctrines * kept_bytes(compiled, replicates, record)
    return Estimate(kept, value_steps / VALUES_PER_SECOND / processes)


def study_estimate(study: Study, workers: int) -> Estimate:
    """Memory and time of a planned study."""
    plan = next(iter(study.plans.values()))
    return estimate(plan.compiled, plan.replicates, study.record, len(study.plans), workers)


def available_bytes() -> int:
    """Memory this machine can give without swapping."""
    return int(psutil.virtual_memory().available)


def format_bytes(size: float) -> str:
    """A size in the largest binary unit that keeps it at or above 1."""
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    power = min(len(units) - 1, int(math.log(max(size, 1.0), 1024)))
    return f"{size / 1024**power:,.1f} {units[power]}"


def format_seconds(seconds: float) -> str:
    """A duration rounded to the unit a person would use."""
    if seconds < 60:
        return f"{max(seconds, 0.1):.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:,.0f} days"
