"""What a run outputs, declared once: the table of outputs and the helpers that read them.

Each :class:`Output` names a variable of the results dataset: its dimensions, units and
meaning, how its value is read from the engine's :class:`~dualtrack.engine.state.State`,
and, for each record mode, how that mode reduces it (:class:`Reduction`). A variable keeps
its name in every mode; the reduction shows in its dimensions and in its ``reduction``
attribute:

- ``full``: every replicate at every step, dims ``(replicate, time, *dims)``;
- ``mean``: the mean over replicates at every step, dims ``(time, *dims)`` (``escalation``:
  the share of replicates on each rung, ``(time, dyad, rung)``), plus the trajectories of
  the first :data:`TRACED_REPLICATES` replicates as ``traced_<name>``,
  dims ``(traced, time, *dims)``;
- ``summary``: every replicate's value at the last step, dims ``(replicate, *dims)``.

End-of-run tallies (``max_rung``, ``cost``, ...) are kept per replicate in every mode.
Recording (engine/recording.py) and dataset assembly (engine/run.py) loop over
:data:`OUTPUTS`; readers (report, analysis) use the helpers at the end of this module
rather than guessing names from the record mode.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from dualtrack.engine.compiled import Compiled
from dualtrack.engine.state import State
from dualtrack.mechanisms import intent
from dualtrack.scenario.ladder import Rung

RecordMode = Literal["full", "mean", "summary"]
RECORD_MODES: tuple[RecordMode, ...] = ("full", "mean", "summary")

TRACED_REPLICATES = 256
"""Replicates whose full trajectories a ``mean`` run also keeps (for fan charts)."""
TRACED_PREFIX = "traced_"
"""Prefix of the traced trajectories a ``mean`` run keeps (``traced_forces``, ...)."""


@dataclass(frozen=True)
class Reduction:
    """How a record mode keeps an output."""

    label: str
    """The variable's ``reduction`` attribute."""
    each_step: bool
    """Kept at every step (a time series); otherwise once, at the end of the run."""
    replicates: Literal["each", "traced", "pooled"]
    """Kept for every replicate, for the first traced ones, or pooled over all of them."""
    levels: str | None = None
    """Pooled as the share of replicates on each value of this coordinate (``rung``)."""
    units: str | None = None
    """Units when the reduction changes them (a share); None: the output's own."""

    @property
    def prefix(self) -> str:
        """Prefix of the variable's name (the traced sample's)."""
        return TRACED_PREFIX if self.replicates == "traced" else ""


TRAJECTORY = Reduction("none", each_step=True, replicates="each")
TRACED = Reduction("first {traced} replicates", each_step=True, replicates="traced")
"""Label formatted with the number of traced replicates when the dataset is assembled."""
MEAN = Reduction("mean over replicates", each_step=True, replicates="pooled")
RUNG_SHARE = Reduction(
    "share of replicates on each rung",
    each_step=True,
    replicates="pooled",
    levels="rung",
    units="1",
)
LAST = Reduction("value at the last step", each_step=False, replicates="each")
TALLY = Reduction("tally over the run", each_step=False, replicates="each")

SERIES_MODES: Mapping[RecordMode, tuple[Reduction, ...]] = {
    "full": (TRAJECTORY,),
    "mean": (MEAN, TRACED),
    "summary": (LAST,),
}
"""How each record mode keeps a per-step series."""
TALLY_MODES: Mapping[RecordMode, tuple[Reduction, ...]] = {mode: (TALLY,) for mode in RECORD_MODES}
"""End-of-run tallies: kept per replicate in every mode."""

LEVELS: Mapping[str, int] = {"rung": len(Rung)}
"""Number of values of each coordinate a share is taken over."""

Reader = Callable[[State, Compiled], NDArray]


@dataclass(frozen=True)
class Output:
    """One output of a run: what it is, where it is read from, how each mode keeps it."""

    name: str
    dims: tuple[str, ...]
    """Dimensions of one replicate's value (``("actor", "category")``)."""
    units: str
    description: str
    read: Reader
    """The value for every replicate of a chunk, replicate axis first."""
    modes: Mapping[RecordMode, tuple[Reduction, ...]] = field(default_factory=lambda: SERIES_MODES)
    """Per record mode, the reductions it keeps (a mode not named keeps none)."""
    dtype: type[np.generic] | None = None
    """How per-step trajectories are stored (compactly); None: as read."""

    @property
    def per_step(self) -> bool:
        """True for a series read at every step, False for an end-of-run tally."""
        return any(r.each_step for reductions in self.modes.values() for r in reductions)


def _pulled_in(state: State, compiled: Compiled) -> NDArray[np.bool_]:
    pulled = np.zeros((state.replicates, len(compiled.actor_ids)), dtype=bool)
    for slot, ally in enumerate(compiled.slot_ally):
        pulled[:, ally] |= state.joined[:, slot]
    return pulled


def _per_pair(per_side: NDArray[np.integer], compiled: Compiled) -> NDArray[np.int64]:
    """A value kept per dyad side (the actor) as the pair (actor -> the other side)."""
    pairs = np.zeros((len(per_side), len(compiled.pair_ids)), dtype=np.int64)
    pairs[:, compiled.dyad_pairs] = per_side
    return pairs


OUTPUTS: tuple[Output, ...] = (
    Output(
        "forces",
        ("actor", "category"),
        "units",
        "Forces near the border",
        lambda s, c: s.forces,
        dtype=np.float32,
    ),
    Output(
        "perceived_threat",
        ("actor",),
        "threat points",
        "Total perceived threat",
        lambda s, c: s.threat,
        dtype=np.float32,
    ),
    Output(
        "trust",
        ("dyad",),
        "1",
        "Trust (0..1): mean over the dyad's two sides of 1 - belief",
        lambda s, c: s.trust,
        dtype=np.float32,
    ),
    Output(
        "belief",
        ("pair",),
        "1",
        "Belief of the pair's observer that its target is an opportunist",
        lambda s, c: intent.belief(s.log_odds),
        dtype=np.float32,
    ),
    Output(
        "escalation",
        ("dyad",),
        "rung",
        "Escalation rung (see rung_label)",
        lambda s, c: s.rung,
        modes={**SERIES_MODES, "mean": (RUNG_SHARE, TRACED)},
    ),
    Output(
        "deliberate_act",
        ("pair",),
        "1",
        "A deliberate probe or limited attack by the pair's observer against its target in "
        "the step (apart from the accidental incidents; the mean is the chance of an act)",
        lambda s, c: _per_pair((s.acts > 0).astype(np.int8), c),
        dtype=np.int8,
    ),
    Output(
        "agreement_in_force",
        ("dyad",),
        "1",
        "A withdrawal agreement is in force",
        lambda s, c: s.active,
    ),
    Output(
        "incidents",
        ("sector",),
        "count",
        "Incidents in the step (accidental and exogenous; deliberate acts are probes and attacks)",
        lambda s, c: s.incidents,
        dtype=np.int16,
    ),
    Output(
        "probes",
        ("pair",),
        "count",
        "Deliberate probes (raids, incursions, strikes) by the pair's observer against its "
        "target; apart from the accidental incidents",
        lambda s, c: _per_pair(s.probes, c),
        TALLY_MODES,
    ),
    Output(
        "attacks",
        ("pair",),
        "count",
        "Deliberate limited attacks by the pair's observer against its target",
        lambda s, c: _per_pair(s.attacks, c),
        TALLY_MODES,
    ),
    Output(
        "opportunist",
        ("actor",),
        "1",
        "The actor's private type in the replicate is opportunist (else security seeker)",
        lambda s, c: s.types,
        TALLY_MODES,
    ),
    Output(
        "max_rung",
        ("dyad",),
        "rung",
        "Highest rung reached",
        lambda s, c: s.max_rung,
        TALLY_MODES,
    ),
    Output(
        "agreements",
        ("dyad",),
        "count",
        "Agreements formed",
        lambda s, c: s.agreements,
        TALLY_MODES,
    ),
    Output(
        "agreements_kept",
        ("dyad",),
        "count",
        "Agreements kept to term",
        lambda s, c: s.agreements_kept,
        TALLY_MODES,
    ),
    Output(
        "violations_detected",
        ("dyad",),
        "count",
        "Violations detected by verification (each ends an agreement)",
        lambda s, c: s.violations_detected,
        TALLY_MODES,
    ),
    Output(
        "first_agreement_day",
        ("dyad",),
        "days",
        "Day the first agreement formed (NaN: none)",
        lambda s, c: s.first_agreement_day,
        TALLY_MODES,
    ),
    Output(
        "first_war_day",
        ("dyad",),
        "days",
        "Day the dyad first reached war or beyond (NaN: never)",
        lambda s, c: s.first_war_day,
        TALLY_MODES,
    ),
    Output(
        "days_elevated",
        ("actor",),
        "days",
        "Days with posture above the elevated threshold",
        lambda s, c: s.days_elevated,
        TALLY_MODES,
    ),
    Output(
        "cost",
        ("actor",),
        "cost units",
        "Cost of forces held above baseline over the horizon",
        lambda s, c: s.cost,
        TALLY_MODES,
    ),
    Output(
        "incidents_total",
        ("sector",),
        "count",
        "Incidents over the horizon",
        lambda s, c: s.incidents_total.astype(np.int64),
        TALLY_MODES,
    ),
    Output(
        "pulled_in",
        ("actor",),
        "1",
        "The actor joined a conflict as an ally",
        _pulled_in,
        TALLY_MODES,
    ),
)
"""Every output of a run, in the order of the results dataset."""


def dim_sizes(compiled: Compiled) -> dict[str, int]:
    """The length of every dimension an output may have, for one compiled scenario."""
    return {
        "actor": len(compiled.actor_ids),
        "category": len(compiled.category_ids),
        "dyad": len(compiled.dyad_ids),
        "sector": len(compiled.sector_ids),
        "pair": len(compiled.pair_ids),
    }


def values_per_replicate(compiled: Compiled, per_step: bool) -> int:
    """Values one replicate's outputs hold: per step (series) or at the end (tallies)."""
    sizes = dim_sizes(compiled)
    return sum(math.prod(sizes[d] for d in o.dims) for o in OUTPUTS if o.per_step == per_step)


def output(name: str) -> Output:
    """The definition of the output called ``name`` (KeyError naming the known ones)."""
    for candidate in OUTPUTS:
        if candidate.name == name:
            return candidate
    known = ", ".join(o.name for o in OUTPUTS)
    raise KeyError(f"unknown output {name!r}; outputs are {known}")


def kept_value(definition: Output, reduction: Reduction, value: NDArray) -> NDArray:
    """What ``reduction`` keeps of one chunk's ``value`` (before pooling over replicates).

    Trajectories are stored in the output's compact dtype; pooled values as float64 (or,
    with levels, as float64 indicators of each level, whose mean is the share).
    """
    if reduction.replicates == "pooled":
        if reduction.levels is not None:
            levels = np.arange(LEVELS[reduction.levels], dtype=value.dtype)
            return (value[..., None] == levels).astype(np.float64)
        return value.astype(np.float64, copy=False)
    if reduction.each_step and definition.dtype is not None:
        return value.astype(definition.dtype)
    return value


def as_variable(
    definition: Output, reduction: Reduction, value: NDArray, replicates: int, traced: int
) -> xr.Variable:
    """The dataset variable of ``definition`` as ``reduction`` keeps it.

    ``value`` is the chunks' arrays concatenated (pooled: per-block sums, which become the
    mean over ``replicates``); ``traced`` is the number of traced replicates.
    """
    lead = {"each": ("replicate",), "traced": ("traced",), "pooled": ()}[reduction.replicates]
    time = ("time",) if reduction.each_step else ()
    levels = () if reduction.levels is None else (reduction.levels,)
    if reduction.replicates == "pooled":
        value = value.sum(axis=0) / float(replicates)
    label = reduction.label.format(traced=traced)
    description = definition.description
    if reduction not in (TRAJECTORY, TALLY):
        description = f"{description} ({label})"
    attrs = {
        "units": reduction.units or definition.units,
        "description": description,
        "reduction": label,
    }
    if reduction.prefix:
        attrs["output"] = definition.name
    return xr.Variable((*lead, *time, *definition.dims, *levels), value, attrs)


# --- reading a results dataset ------------------------------------------------------------


def record_of(results: xr.Dataset, name: str) -> RecordMode | None:
    """The record mode that kept output ``name`` in ``results`` (None: not there).

    Read from the variable's dimensions, so it holds for a study's dataset (with a
    ``doctrine`` dimension) as for one run's.
    """
    if name not in results:
        return None
    dims = results[name].dims
    if "time" in dims:
        return "full" if "replicate" in dims else "mean"
    return "summary" if output(name).per_step else None


def has_time_series(results: xr.Dataset) -> bool:
    """True when the run kept per-step series (record full or mean)."""
    return any(record_of(results, o.name) in ("full", "mean") for o in OUTPUTS if o.per_step)


def full_trajectories(results: xr.Dataset, name: str) -> xr.DataArray | None:
    """Every replicate's trajectory of ``name``, dims (..., replicate, time, *dims).

    None unless the run kept them (record full).
    """
    return results[name] if record_of(results, name) == "full" else None


def trajectories(results: xr.Dataset, name: str) -> xr.DataArray | None:
    """Per-replicate trajectories of ``name``, the replicate axis named ``member``.

    Every replicate's (record full) or the traced first replicates' (record mean); None for
    a summary run.
    """
    mode = record_of(results, name)
    if mode == "full":
        return results[name].rename(replicate="member")
    traced = TRACED_PREFIX + name
    if mode == "mean" and traced in results:
        return results[traced].rename(traced="member")
    return None


def per_step_mean(results: xr.Dataset, name: str) -> xr.DataArray | None:
    """Per step, the mean of ``name`` over all replicates, dims (..., time, *dims).

    As a ``mean`` run keeps it: for ``escalation``, the share of replicates on each rung,
    dims (..., time, dyad, rung). Taken over the trajectories of a ``full`` run; None for a
    summary run.
    """
    mode = record_of(results, name)
    if mode == "mean":
        return results[name]
    if mode != "full":
        return None
    values = results[name]
    pooled = next(r for r in output(name).modes["mean"] if r.replicates == "pooled")
    if pooled.levels is not None:
        values = (values == results[pooled.levels]).transpose(*values.dims, pooled.levels)
    return values.mean("replicate", skipna=False, dtype=np.float64)


def final_values(results: xr.Dataset, name: str) -> xr.DataArray | None:
    """Every replicate's value of ``name`` at the last step, dims (..., replicate, *dims).

    From a summary run, or the last step of a full run; None for a mean run (which keeps
    per-replicate values for the traced replicates only).
    """
    mode = record_of(results, name)
    if mode == "summary":
        return results[name]
    if mode == "full":
        return results[name].isel(time=-1, drop=True)
    return None
