"""An instruments study: the scenario with each instrument, and each combination, on one seed.

Each set of instruments (none, each alone, each combination of up to ``K``) is a variant of the
scenario (``scenario.instruments.apply_instruments``) planned on the same seed, so replicate
``r`` of every variant draws the same random numbers (common random numbers: the engine's
random layout depends on the scenario's structure, which instruments do not change) and the
per-replicate differences against the set without instruments are paired. Robustness runs the
same sets at points of a sweep's design, each point on its own seed (``sweep.point_seed``)
shared by its variants; under a posterior, each block of replicates runs one draw
(``experiments.posterior_study``) and the per-block paired effects say where each set helps.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xarray as xr

from dualtrack.engine.outputs import RecordMode
from dualtrack.engine.run import DEFAULT_CHUNK, RunPlan, plan_run
from dualtrack.experiments.posterior_study import (
    PosteriorDraws,
    PosteriorStudy,
    under_posterior,
)
from dualtrack.experiments.study import Study
from dualtrack.experiments.sweep import point_seed
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.instruments import Instrument, apply_instruments, available, intrusiveness
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.schema import Scenario
from dualtrack.scenario.uncertainty import apply_values

INSTRUMENTS_KIND = "dualtrack-instruments"
"""Kind of the manifest of an instruments study's folder."""
BASELINE = "none"
"""Name of the variant without any instrument (the reference of every paired effect)."""
JOIN = "+"
"""Joins the ids of a combination's members in its name (``hotline+incsea``)."""


@dataclass(frozen=True)
class InstrumentSet:
    """One variant of the study: the instruments applied together."""

    name: str
    members: tuple[Instrument, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """The members' ids."""
        return tuple(i.id for i in self.members)

    @property
    def intrusiveness(self) -> float:
        """Sum of the members' intrusiveness scores."""
        return intrusiveness(self.members)


def instrument_sets(
    scenario: Scenario, names: Sequence[str] | None = None, combinations: int = 1
) -> list[InstrumentSet]:
    """No instruments, each named one (default: all available), and each combination of 2 to
    ``combinations`` of them, in that order. An unknown name is a ``KeyError`` listing the
    known ones."""
    known = available(scenario)
    chosen = list(dict.fromkeys(names)) if names else list(known)
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise KeyError(
            f"unknown instrument {unknown[0]!r}; known instruments are {', '.join(known)}"
        )
    if combinations < 1:
        raise ValueError(f"expected combinations >= 1, found {combinations}")
    sets = [InstrumentSet(BASELINE, ())]
    for size in range(1, min(combinations, len(chosen)) + 1):
        for group in itertools.combinations(chosen, size):
            sets.append(InstrumentSet(JOIN.join(group), tuple(known[n] for n in group)))
    return sets


@dataclass(frozen=True)
class InstrumentStudy:
    """Plans of every instrument set on one seed, and the sets themselves."""

    study: Study
    sets: tuple[InstrumentSet, ...]

    @property
    def scenario(self) -> Scenario:
        """The scenario without instruments, overrides (replicates, seed, days) applied."""
        return self.study.scenario


def _plans(
    scenario: Scenario,
    sets: Sequence[InstrumentSet],
    *,
    replicates: int | None,
    seed: int | None,
    days: int | None,
    record: RecordMode,
    chunk_size: int,
    backend: str | None,
    prefix: str = "",
) -> dict[str, RunPlan]:
    return {
        prefix + s.name: plan_run(
            apply_instruments(scenario, s.members),
            replicates=replicates,
            seed=seed,
            days=days,
            record=record,
            chunk_size=chunk_size,
            backend=backend,
        )
        for s in sets
    }


def plan_instruments(
    scenario: Scenario | str | Path | Mapping[str, Any],
    names: Sequence[str] | None = None,
    *,
    combinations: int = 1,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    record: RecordMode = "summary",
    chunk_size: int = DEFAULT_CHUNK,
    backend: str | None = None,
) -> InstrumentStudy:
    """Plans of the scenario under each instrument set, all on one seed (paired), on the
    engine ``backend`` (``engine.backends``)."""
    loaded = load_scenario(scenario)
    sets = instrument_sets(loaded, names, combinations)
    plans = _plans(
        loaded,
        sets,
        replicates=replicates,
        seed=seed,
        days=days,
        record=record,
        chunk_size=chunk_size,
        backend=backend,
    )
    resolved = plans[BASELINE].scenario
    return InstrumentStudy(Study(resolved, resolved.subject, plans), tuple(sets))


def instruments_under_posterior(study: InstrumentStudy, draws: PosteriorDraws) -> PosteriorStudy:
    """The instrument study with block ``b`` of every set run on posterior draw ``b``
    (``experiments.posterior_study``: one draw per block of replicates, the nominal run's random
    streams, so the sets stay paired within each block).

    The draw is written into the scenario first and the set's instruments act on it, so an
    instrument's lever combines with the drawn value (a posterior over a lever does not undo
    the instrument). A draw that breaks a scenario rule is its located ``ScenarioError``.
    """
    members = {s.name: s.members for s in study.sets}
    return under_posterior(
        study.study, draws, lambda name, drawn: apply_instruments(drawn, members[name])
    )


@dataclass(frozen=True)
class RobustnessStudy:
    """The instrument sets at each feasible point of the uncertainty, one seed per point."""

    study: Study
    sets: tuple[InstrumentSet, ...]
    points: tuple[int, ...]
    """The feasible points, in order (their plans are named ``'<point>:<set>'``)."""
    values: tuple[Mapping[str, float], ...]
    """Parameter values of each feasible point."""
    infeasible: Mapping[int, str]
    """Points whose values break a rule of the scenario, with the reason."""
    origin: str
    """Where the points come from (``sweep DIR`` or ``posterior DIR (N draws)``)."""

    def results_at(self, results: Mapping[str, xr.Dataset], point: int) -> dict[str, xr.Dataset]:
        """The datasets of one point, keyed by set name."""
        return {s.name: results[f"{point}:{s.name}"] for s in self.sets}


def plan_robustness(
    scenario: Scenario | str | Path | Mapping[str, Any],
    sets: Sequence[InstrumentSet],
    points: Sequence[Mapping[str, float]],
    *,
    origin: str,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    backend: str | None = None,
) -> RobustnessStudy:
    """Plans of every instrument set at every point (``{path: value}``, as
    ``scenario.uncertainty.apply_values`` takes them); point ``p`` runs on
    ``point_seed(seed, p)``. A point that breaks a rule of the scenario is recorded as
    infeasible, not altered; a path that names no number is a ``KeyError``."""
    loaded = load_scenario(scenario)
    root = seed if seed is not None else loaded.settings.seed
    plans: dict[str, RunPlan] = {}
    feasible: list[int] = []
    values: list[Mapping[str, float]] = []
    infeasible: dict[int, str] = {}
    for point, sampled in enumerate(points):
        try:
            at_point = apply_values(loaded, sampled)
        except ScenarioError as error:
            infeasible[point] = str(error)
            continue
        plans |= _plans(
            at_point,
            sets,
            replicates=replicates,
            seed=point_seed(root, point),
            days=days,
            record="summary",
            chunk_size=chunk_size,
            backend=backend,
            prefix=f"{point}:",
        )
        feasible.append(point)
        values.append(dict(sampled))
    if not plans:
        raise ValueError(f"no feasible point among the {len(points)} of {origin}")
    first = next(iter(plans.values())).scenario
    return RobustnessStudy(
        Study(first, first.subject, plans),
        tuple(sets),
        tuple(feasible),
        tuple(values),
        infeasible,
        origin,
    )
