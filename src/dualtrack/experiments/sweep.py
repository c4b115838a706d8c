"""Parameter sweeps: run a scenario at every point of a design, under several doctrines.

Each point gets its own seed, ``SeedSequence(seed, spawn_key=(point,))``, and every doctrine at
that point runs on it (common random numbers within a point); so a point's results depend
only on the sweep's seed, the point's values and its index, never on which worker ran it or
how many there were. Runs keep per-replicate summaries only (``record="summary"``) and are
reduced on the worker to one row per (point, doctrine): the parameter values and each outcome's
estimate with its interval, computed by a summariser that the caller supplies (the command
line passes :class:`dualtrack.analysis.exploration.PointEstimates`), so this floor never
imports the analysis floor.

A point whose values break a scenario rule (e.g. a sampled capacity below a sampled baseline)
is not altered: its rows are stored with ``feasible = False``, the located error, and missing
outcomes.
"""

from __future__ import annotations

import datetime as dt
import functools
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import xarray as xr

from dualtrack._version import __version__
from dualtrack.doctrines.base import make_doctrine
from dualtrack.engine import backends
from dualtrack.engine.run import simulate
from dualtrack.experiments.design import Design, design_from_tables, make_design
from dualtrack.experiments.executors import PointExecutor
from dualtrack.experiments.posterior import Posterior
from dualtrack.experiments.posterior_study import (
    PARAMETERS_KEY,
    blocks,
    parameters_label,
    plan_under_posterior,
    run_posterior_study,
)
from dualtrack.experiments.store import FILES, SWEEP_KIND
from dualtrack.experiments.sweep_store import SweepStore, points_schema
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.loading import dump_scenario, load_scenario, scenario_hash
from dualtrack.scenario.schema import Scenario
from dualtrack.scenario.uncertainty import UncertainParameter, apply_values, uncertain_parameters

PointProgress = Callable[[int], None]
"""Called with the number of points just finished."""
DEFAULT_BATCH_POINTS = 16
DEFAULT_FLUSH_SECONDS = 15.0


class Summariser(Protocol):
    """Reduces one run (a dataset of per-replicate summaries) to a flat row of numbers."""

    def columns(self) -> tuple[str, ...]:
        """Names of the numbers it returns, in order."""
        ...

    def describe(self) -> list[dict[str, Any]]:
        """What the numbers are (for the manifest)."""
        ...

    def __call__(self, ds: xr.Dataset) -> dict[str, float]:
        """The numbers of one run."""
        ...


def point_seed(seed: int, point: int) -> int:
    """The engine seed of one point: 63 bits from ``SeedSequence(seed, spawn_key=(point,))``."""
    words = np.random.SeedSequence(seed, spawn_key=(point,)).generate_state(2, dtype=np.uint32)
    return int((int(words[0]) << 31) ^ int(words[1]))


@dataclass(frozen=True)
class PointRunner:
    """Everything a worker needs to run any point: sent to each worker once."""

    scenario: Scenario
    paths: tuple[str, ...]
    doctrines: tuple[str, ...]
    actor: str
    replicates: int
    days: int | None
    seed: int
    summarise: Summariser
    posterior: Posterior | None = None
    """Draw the parameters outside the design from this posterior, one draw per block."""
    posterior_source: str = ""
    backend: str = "numpy"
    """Engine backend of every run (``engine.backends``)."""

    def __call__(self, point: int, values: Sequence[float]) -> list[dict[str, Any]]:
        """The rows (one per doctrine) of one point."""
        seed = point_seed(self.seed, point)
        sampled = dict(zip(self.paths, (float(v) for v in values), strict=True))
        keys = {"point": point, "seed": seed, "replicates": self.replicates}
        try:
            scenario = apply_values(self.scenario, sampled)
            runs = [self._planned(scenario, name, seed) for name in self.doctrines]
        except ScenarioError as error:
            missing = dict.fromkeys(self.summarise.columns(), float("nan"))
            return [
                {**keys, "doctrine": name, "feasible": False, "error": str(error), **sampled}
                | missing
                for name in self.doctrines
            ]
        return [
            {**keys, "doctrine": name, "feasible": True, "error": "", **sampled}
            | self.summarise(run())
            for name, run in zip(self.doctrines, runs, strict=True)
        ]

    def _planned(self, scenario: Scenario, doctrine: str, seed: int) -> Callable[[], xr.Dataset]:
        """One doctrine's run at a point, ready to start (the actor's own doctrine keeps its
        parameters); a posterior draw that breaks a scenario rule raises here."""
        if self.posterior is None:
            return functools.partial(
                simulate,
                scenario,
                doctrine,
                actor=self.actor,
                replicates=self.replicates,
                seed=seed,
                days=self.days,
                record="summary",
                backend=self.backend,
            )
        # the design's parameters come from the design, the rest from the posterior; every
        # doctrine of the point runs the same draws (they derive from the point's seed)
        planned = plan_under_posterior(
            scenario,
            doctrine,
            self.posterior,
            self.posterior_source,
            actor=self.actor,
            replicates=self.replicates,
            seed=seed,
            days=self.days,
            record="summary",
            exclude=self.paths,
            backend=self.backend,
        )
        return lambda: run_posterior_study(planned)[doctrine]

    @property
    def parameters(self) -> str:
        """Which values the runs use outside the design: nominal, or the posterior's."""
        if self.posterior is None:
            return parameters_label(None)
        draws = len(blocks(self.replicates))
        return f"{parameters_label(self.posterior_source, draws)} per point, design excluded"


def run_point(runner: PointRunner, item: tuple[int, tuple[float, ...]]) -> list[dict[str, Any]]:
    """Task function of the executors: the rows of one (point, values) item."""
    point, values = item
    return runner(point, values)


@dataclass(frozen=True)
class Sweep:
    """A planned sweep: the base scenario, the design and how each point runs."""

    scenario: Scenario
    design: Design
    runner: PointRunner

    @property
    def doctrines(self) -> tuple[str, ...]:
        """Doctrines run at every point."""
        return self.runner.doctrines

    @property
    def n_points(self) -> int:
        """Points of the design."""
        return self.design.n_points

    @property
    def days(self) -> int:
        """Horizon in days."""
        return self.runner.days or self.scenario.settings.horizon_days

    @property
    def replicate_steps(self) -> int:
        """Total work in replicate-steps (one step a day assumed for display)."""
        steps = int(np.ceil(self.days / self.scenario.settings.step_days))
        return self.n_points * len(self.doctrines) * self.runner.replicates * steps

    def settings(self) -> dict[str, Any]:
        """What must match for a stored sweep to be resumed by this one."""
        return {
            "scenario_hash": scenario_hash(self.scenario),
            "design": self.design.settings(),
            "parameters": list(self.design.paths),
            "doctrines": list(self.doctrines),
            "actor": self.runner.actor,
            "replicates": self.runner.replicates,
            "days": self.days,
            "seed": self.runner.seed,
            "columns": list(self.runner.summarise.columns()),
            "backend": self.runner.backend,
        } | ({"parameters_from": self.runner.parameters} if self.runner.posterior else {})


def plan_sweep(
    scenario: Scenario | str | Path | Mapping[str, Any],
    summarise: Summariser,
    *,
    design: str = "lhs",
    points: int = 64,
    replicates: int = 200,
    doctrines: Sequence[str] | None = None,
    parameters: Sequence[str] | None = None,
    seed: int | None = None,
    days: int | None = None,
    actor: str | None = None,
    levels: int = 4,
    second_order: bool = False,
    posterior: Posterior | None = None,
    posterior_source: str = "",
    backend: str | None = None,
) -> Sweep:
    """Choose the parameters, draw the design and set up the runs of a sweep.

    ``doctrines`` default to the subject's own doctrine; ``parameters`` are path patterns
    (default: every uncertain parameter); ``seed`` defaults to the scenario's. With
    ``posterior``, the parameters outside the design are drawn from it, one draw per block
    of replicates at every point (``posterior_source`` names it in the manifest). ``backend``
    defaults to numpy (``engine.backends.resolve_per_point``: compiling a program per point
    costs more than it saves).
    """
    base = load_scenario(scenario)
    actor = actor or base.subject
    if actor not in {a.id for a in base.actors}:
        raise ValueError(
            f"unknown actor {actor!r}; actors are {', '.join(a.id for a in base.actors)}"
        )
    if replicates < 1:
        raise ValueError(f"expected at least one replicate, found {replicates}")
    chosen = list(doctrines) if doctrines else [_own_doctrine(base, actor)]
    for name in chosen:
        make_doctrine(name)  # unknown names fail here, with the known ones listed
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"doctrines are listed twice: {', '.join(chosen)}")
    sampled = uncertain_parameters(base, parameters)
    seed = base.settings.seed if seed is None else int(seed)
    drawn = make_design(design, sampled, points, seed, levels=levels, second_order=second_order)
    runner = PointRunner(
        scenario=base,
        paths=drawn.paths,
        doctrines=tuple(chosen),
        actor=actor,
        replicates=int(replicates),
        days=days,
        seed=seed,
        summarise=summarise,
        posterior=posterior,
        posterior_source=posterior_source,
        backend=backends.resolve_per_point(backend),
    )
    return Sweep(base, drawn, runner)


def _own_doctrine(scenario: Scenario, actor: str) -> str:
    return next(a for a in scenario.actors if a.id == actor).doctrine.name


def _manifest(sweep: Sweep, command: Sequence[str] | None, batch_points: int) -> dict[str, Any]:
    import pandas as pd
    import pyarrow
    import scipy

    return {
        "kind": SWEEP_KIND,
        "dualtrack_version": __version__,
        "scenario_id": sweep.scenario.id,
        "scenario_hash": scenario_hash(sweep.scenario),
        "command": " ".join(command if command is not None else sys.argv),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "settings": sweep.settings(),
        "design": sweep.design.settings(),
        "doctrines": list(sweep.doctrines),
        "actor": sweep.runner.actor,
        "replicates": sweep.runner.replicates,
        "days": sweep.days,
        "seed": sweep.runner.seed,
        "seeding": "point seed = SeedSequence(seed, spawn_key=(point,)), 63 bits",
        PARAMETERS_KEY: sweep.runner.parameters,
        "record": "summary",
        "batch_points": batch_points,
        "parameters": [p.describe() for p in sweep.design.parameters],
        "outcomes": sweep.runner.summarise.describe(),
        "columns": list(sweep.runner.summarise.columns()),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "pyarrow": pyarrow.__version__,
            "scipy": scipy.__version__,
        },
    }


@dataclass(frozen=True)
class SweepResult:
    """What a call of :func:`run_sweep` did."""

    folder: Path
    points_file: Path
    n_points: int
    ran: int
    """Points run by this call."""
    skipped: int
    """Points already stored (resumed)."""
    infeasible: int
    """Points of this call whose sampled values broke a scenario rule."""
    elapsed_s: float
    executor: str


def _check_resumable(store: SweepStore, sweep: Sweep) -> Design:
    """The stored design, when the stored sweep is the same as the planned one."""
    import pandas as pd

    stored = store.read_manifest()
    # sweeps stored before their settings named the backend ran numpy
    wanted, found = sweep.settings(), {"backend": backends.NUMPY} | stored.get("settings", {})
    differences = [
        f"{key}: stored {found.get(key)!r}, now {value!r}"
        for key, value in wanted.items()
        if found.get(key) != value
    ]
    if differences:
        raise ValueError(
            f"{store.folder} holds another sweep; cannot resume it with these settings ("
            + "; ".join(differences)
            + ")"
        )
    parameters = [UncertainParameter.from_description(p) for p in stored["parameters"]]
    return design_from_tables(
        stored["design"],
        parameters,
        pd.read_parquet(store.folder / FILES.design),
        pd.read_parquet(store.folder / FILES.design_unit),
    )


def run_sweep(
    sweep: Sweep,
    out_dir: Path | str,
    executor: PointExecutor,
    *,
    resume: bool = False,
    overwrite: bool = False,
    inputs: Sequence[Path | str] = (),
    batch_points: int = DEFAULT_BATCH_POINTS,
    flush_seconds: float = DEFAULT_FLUSH_SECONDS,
    progress: PointProgress | None = None,
    command: Sequence[str] | None = None,
) -> SweepResult:
    """Run every point not yet stored and assemble ``points.parquet``.

    Without ``resume`` the folder must be empty, or ``overwrite`` given (its content is then
    replaced as a whole). With it, a stored sweep with the same settings continues where it
    stopped (an empty folder starts afresh; a folder holding anything else is refused).
    ``inputs`` are files no output may replace. Every check raises
    :class:`~dualtrack.experiments.store.OutputError` before any point runs. Finished points
    are stored every ``batch_points`` points or ``flush_seconds`` seconds, whichever first.
    """
    store = SweepStore(out_dir, overwrite=overwrite, inputs=inputs)
    store.check(resume=resume)
    started = time.perf_counter()
    design = sweep.design
    if store.exists() and resume:
        design = _check_resumable(store, sweep)
    else:
        values, unit = design.frames()
        store.initialise(
            _manifest(sweep, command, batch_points), values, unit, dump_scenario(sweep.scenario)
        )
    schema = points_schema(design.paths, sweep.runner.summarise.columns())
    if store.is_complete():
        return SweepResult(
            store.folder,
            store.folder / FILES.points,
            design.n_points,
            0,
            design.n_points,
            0,
            time.perf_counter() - started,
            executor.description,
        )
    done = store.finished_points()
    todo = [
        (point, tuple(float(v) for v in design.values[point]))
        for point in range(design.n_points)
        if point not in done
    ]
    buffer: list[dict[str, Any]] = []
    buffered_points = 0
    infeasible = 0
    last_flush = time.monotonic()
    for rows in executor.imap_unordered(run_point, sweep.runner, todo):
        buffer.extend(rows)
        buffered_points += 1
        infeasible += int(not rows[0]["feasible"])
        if buffered_points >= batch_points or time.monotonic() - last_flush >= flush_seconds:
            store.write_part(buffer, schema)
            buffer, buffered_points, last_flush = [], 0, time.monotonic()
        if progress is not None:
            progress(1)
    if buffer:
        store.write_part(buffer, schema)
    points_file = store.finalise(schema, sweep.doctrines, design.n_points)
    return SweepResult(
        store.folder,
        points_file,
        design.n_points,
        len(todo),
        len(done),
        infeasible,
        time.perf_counter() - started,
        executor.description,
    )
