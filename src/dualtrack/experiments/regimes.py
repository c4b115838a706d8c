"""A regime grid: doctrine studies at every cell of a two-parameter grid.

Two scenario numbers, named by their paths (``actors[1].p_opportunist``,
``relations[4].commitment``), span the grid. At each cell both values are written into the
scenario (:func:`~dualtrack.scenario.uncertainty.apply_values`, which validates the result)
and a doctrine study runs every doctrine on the same seed, so the doctrines of a cell share
their random numbers (common random numbers). Every cell uses the same seed too, so
neighbouring cells differ by their parameter values, not by their draws.

By default the grid sweeps the prior that the actor's adversary is an opportunist (the
adversary's ``p_opportunist``) against the credibility of deterrence, the commitment of the
actor's strongest ally relation. Every cell is planned (and so validated) before any runs.

The results are one dataset with dims ``(x, y, doctrine)`` and the per-replicate end-of-run
tallies of the engine's ``summary`` record (``max_rung``, ``cost``, ...), which is what a
paired comparison of doctrines needs; its attributes give the version, seed, scenario hash
and the command.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dualtrack._version import __version__
from dualtrack.doctrines import REGISTRY
from dualtrack.engine.outputs import RecordMode
from dualtrack.engine.run import Progress
from dualtrack.experiments.executors import PointExecutor
from dualtrack.experiments.posterior import Posterior
from dualtrack.experiments.posterior_study import (
    PosteriorStudy,
    label_of,
    posterior_draws,
    run_posterior_study,
    under_posterior,
)
from dualtrack.experiments.study import Study, plan_study, run_study
from dualtrack.experiments.study_store import combine
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.loading import load_scenario, scenario_hash
from dualtrack.scenario.schema import Scenario
from dualtrack.scenario.uncertainty import apply_values, number_at

DEFAULT_DOCTRINES: tuple[str, ...] = ("deterrence-only", "dialogue-only", "dual-track")
STUDY = "regimes"
"""The study a regimes output folder's manifest names (``settings.study``)."""
RECORD: RecordMode = "summary"
"""What each cell keeps: per-replicate end-of-run tallies, all a paired comparison needs."""
DEFAULT_GRID = 5
"""Values per axis when none are given: evenly over the parameter's declared range."""
OPPORTUNIST_FIELD = "p_opportunist"
"""The actor field holding the prior that the actor is an opportunist (the intent model)."""


class GridError(ValueError):
    """A grid that cannot be run, saying which option or path is wrong and why."""


@dataclass(frozen=True)
class GridAxis:
    """One axis of the grid: a scenario number's path and the values it takes."""

    path: str
    values: tuple[float, ...]

    def describe(self) -> dict[str, Any]:
        """Plain mapping of the axis (for manifests)."""
        return {"path": self.path, "values": list(self.values)}


def adversary_of(scenario: Scenario, actor: str) -> str:
    """The other side of the scenario's focus dyad from ``actor``."""
    focus = scenario.focus
    if actor not in focus:
        raise GridError(
            f"--actor {actor} is no side of the focus dyad {'-'.join(focus)}; give --adversary ID"
        )
    return focus[1] if focus[0] == actor else focus[0]


def opportunist_path(scenario: Scenario, adversary: str) -> str:
    """Path of the prior that ``adversary`` is an opportunist."""
    index = _actor_index(scenario, adversary, "--adversary")
    return f"actors[{index}].{OPPORTUNIST_FIELD}"


def strongest_ally_path(scenario: Scenario, actor: str) -> str:
    """Path of the commitment of ``actor``'s strongest ally relation (the first if tied)."""
    allied = [
        (k, relation)
        for k, relation in enumerate(scenario.relations)
        if relation.kind == "ally" and actor in relation.between
    ]
    if not allied:
        raise GridError(
            f"actor {actor} has no ally relation in scenario {scenario.id!r}, so deterrence has "
            "no default credibility axis; give --y PATH"
        )
    index, _ = max(allied, key=lambda item: (item[1].commitment.value, -item[0]))
    return f"relations[{index}].commitment"


def _actor_index(scenario: Scenario, actor: str, option: str) -> int:
    ids = [a.id for a in scenario.actors]
    if actor not in ids:
        raise GridError(f"{option}: unknown actor {actor!r}; actors are {', '.join(ids)}")
    return ids.index(actor)


def grid_axis(
    scenario: Scenario,
    option: str,
    path: str,
    values: Sequence[float] | None,
    points: int | None,
) -> GridAxis:
    """The axis at ``path``: the given values, or ``points`` values over the declared range.

    Given values may lie beyond the declared range (a regime map looks past the uncertainty),
    within the bounds of the field, which validating each cell's scenario enforces.

    Raises :class:`GridError` naming the option when the path names no number of the
    scenario, or when values are needed from a range the number does not declare.
    """
    try:
        number = number_at(scenario, path)
    except (KeyError, ValueError) as error:
        raise GridError(f"{option}: {str(error).strip(chr(34))}") from None
    if values is not None:
        chosen = tuple(float(v) for v in values)
        if not chosen:
            raise GridError(f"{option}-values: expected at least one value")
        if len(set(chosen)) != len(chosen):
            raise GridError(f"{option}-values: expected distinct values, found {list(chosen)}")
    else:
        if number.low is None or number.high is None or not number.has_range:
            raise GridError(
                f"{option} {path}: the scenario declares no range for this number "
                f"(value {number.value:g}); give {option}-values"
            )
        count = points or DEFAULT_GRID
        chosen = tuple(float(v) for v in np.linspace(number.low, number.high, count))
    return GridAxis(path, chosen)


@dataclass(frozen=True)
class RegimeGrid:
    """Planned doctrine studies for every cell of the grid, ready to run."""

    scenario: Scenario
    """The base scenario (replicates, seed and horizon overrides applied)."""
    actor: str
    adversary: str | None
    doctrines: tuple[str, ...]
    x: GridAxis
    y: GridAxis
    studies: dict[tuple[int, int], Study]
    """The study of each cell, keyed by (x index, y index)."""
    posterior: PosteriorStudy | None = None
    """The cells' studies planned block by block on posterior draws (axes excluded)."""

    @property
    def replicate_steps(self) -> int:
        """Total work in replicate-steps."""
        return sum(study.replicate_steps for study in self.studies.values())

    @property
    def replicates(self) -> int:
        """Replicates per doctrine and cell."""
        return self.scenario.settings.replicates

    @property
    def seed(self) -> int:
        """The seed every cell runs on."""
        return self.scenario.settings.seed


def plan_grid(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    actor: str | None = None,
    adversary: str | None = None,
    doctrines: Sequence[str] | None = None,
    x: str | None = None,
    y: str | None = None,
    x_values: Sequence[float] | None = None,
    y_values: Sequence[float] | None = None,
    grid: int | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    posterior: Posterior | None = None,
    posterior_source: str = "",
    backend: str | None = None,
) -> RegimeGrid:
    """Plan every cell; bad axes, values or doctrines raise before anything runs.

    With ``posterior``, every parameter but the two axes is drawn from it, one draw per block
    of replicates, the same draws in every cell and for every doctrine. ``backend`` names the
    engine backend of every cell's plans (``engine.backends``).

    ``x`` defaults to the prior that the adversary (``adversary``, or the other side of the
    focus dyad) is an opportunist, ``y`` to the commitment of the actor's strongest ally
    relation. Raises :class:`GridError` for a bad option and
    :class:`~dualtrack.scenario.errors.ScenarioError` for a cell whose values break a
    scenario rule (such as a probability above 1).
    """
    base = load_scenario(scenario)
    actor = actor or base.subject
    _actor_index(base, actor, "--actor")
    doctrines = tuple(dict.fromkeys(DEFAULT_DOCTRINES if doctrines is None else doctrines))
    unknown = [name for name in doctrines if name not in REGISTRY]
    if unknown or len(doctrines) < 2:
        found = f"found {unknown[0]!r}" if unknown else f"found {', '.join(doctrines) or 'none'}"
        raise GridError(
            f"--doctrines: expected two or more registered doctrines "
            f"({', '.join(sorted(REGISTRY))}), {found}"
        )
    # the base scenario with the replicates, seed and horizon overrides (no cell values)
    resolved = plan_study(
        base,
        list(doctrines[:1]),
        actor=actor,
        replicates=replicates,
        seed=seed,
        days=days,
        record=RECORD,
        backend=backend,
    ).scenario
    if x is None:
        adversary = adversary or adversary_of(base, actor)
        x = opportunist_path(base, adversary)
        try:
            number_at(base, x)
        except KeyError:
            raise GridError(
                f"--x (default: the prior that {adversary} is an opportunist, {x}): no such "
                f"number in scenario {base.id!r}; give --x PATH"
            ) from None
    elif adversary is not None:
        _actor_index(base, adversary, "--adversary")
    y = y or strongest_ally_path(base, actor)
    if x == y:
        raise GridError(f"--x and --y name the same number {x}")
    x_axis = grid_axis(base, "--x", x, x_values, grid)
    y_axis = grid_axis(base, "--y", y, y_values, grid)
    studies: dict[tuple[int, int], Study] = {}
    for i, x_value in enumerate(x_axis.values):
        for j, y_value in enumerate(y_axis.values):
            try:
                cell = apply_values(
                    resolved, {x_axis.path: x_value, y_axis.path: y_value}, widen_ranges=True
                )
            except ScenarioError as error:
                raise ScenarioError(
                    error.problems,
                    f"{base.id} (cell {x_axis.path}={x_value:g}, {y_axis.path}={y_value:g})",
                ) from None
            studies[(i, j)] = plan_study(
                cell, list(doctrines), actor=actor, record=RECORD, backend=backend
            )
    planned = RegimeGrid(resolved, actor, adversary, doctrines, x_axis, y_axis, studies)
    if posterior is None:
        return planned
    settings = resolved.settings
    draws = posterior_draws(
        posterior,
        posterior_source,
        settings.replicates,
        settings.seed,
        exclude=(x_axis.path, y_axis.path),
    )
    together, _ = _together(planned)
    return dataclasses.replace(planned, posterior=under_posterior(together, draws))


def _together(grid: RegimeGrid) -> tuple[Study, dict[tuple[tuple[int, int], str], str]]:
    """Every cell's doctrines as one study (labels ``i,j:doctrine``) and the labels."""
    plans = {
        (key, name): plan
        for key, study in grid.studies.items()
        for name, plan in study.plans.items()
    }
    labels = {(key, name): f"{key[0]},{key[1]}:{name}" for key, name in plans}
    together = Study(
        grid.scenario, grid.actor, {labels[item]: plan for item, plan in plans.items()}
    )
    return together, labels


def run_grid(
    grid: RegimeGrid,
    workers: int | PointExecutor = 1,
    progress: Progress | None = None,
    command: str = "",
) -> xr.Dataset:
    """Run every cell's doctrines; one dataset with dims ``(x, y, doctrine)``.

    The plans of every cell and doctrine run as one study, so workers stay busy across cells;
    results do not depend on the executor or the number of workers.
    """
    together, labels = _together(grid)
    if grid.posterior is None:
        results = run_study(together, workers, progress)
    else:
        results = run_posterior_study(grid.posterior, workers, progress)
    by_cell = {
        key: combine({name: results[labels[(key, name)]] for name in study.plans})
        for key, study in grid.studies.items()
    }
    columns = [
        xr.concat(
            [by_cell[(i, j)] for j in range(len(grid.y.values))],
            dim=pd.Index(grid.y.values, name="y"),
            combine_attrs="drop_conflicts",
        )
        for i in range(len(grid.x.values))
    ]
    dataset = xr.concat(
        columns, dim=pd.Index(grid.x.values, name="x"), combine_attrs="drop_conflicts"
    )
    dataset = dataset.transpose("x", "y", "doctrine", ...)
    dataset["x"].attrs["path"] = grid.x.path
    dataset["y"].attrs["path"] = grid.y.path
    dataset.attrs.update(
        {
            "dualtrack_version": __version__,
            "study": STUDY,
            "scenario_id": grid.scenario.id,
            "scenario_hash": scenario_hash(grid.scenario),
            "seed": grid.seed,
            "subject": grid.actor,
            "x_path": grid.x.path,
            "y_path": grid.y.path,
            "doctrines": ", ".join(grid.doctrines),
            "command": command,
            "parameters": label_of(grid.posterior),
        }
    )
    if grid.adversary is not None:
        dataset.attrs["adversary"] = grid.adversary
    return dataset
