"""Studies under a calibration's posterior: each block of replicates runs one posterior draw.

A study under the posterior (``dualtrack compare/run/explore/regimes --posterior DIR``) does not
run every replicate with the nominal values. Its replicates are split into the engine's
random-number blocks (:data:`~dualtrack.engine.streams.BLOCK_SIZE` replicates each); block
``b`` runs with draw ``b`` of the posterior, written into the scenario with
:func:`~dualtrack.scenario.uncertainty.apply_values`. The draws are resampled by weight
(:meth:`~dualtrack.experiments.posterior.Posterior.draw`) from a seed derived from the run's
engine seed, ``SeedSequence(seed, spawn_key=DRAW_SPAWN_KEY)``, so

- the same seed gives the same draws and the same bits, whatever the workers or chunking
  (a chunk is always one block, and a block's random streams are the nominal run's);
- every doctrine of a study runs the same draw on the same block with the same streams:
  common random numbers hold across doctrines, as in a nominal study;
- a study of ``R`` replicates integrates over ``ceil(R / BLOCK_SIZE)`` draws (4 for 1000
  replicates): more replicates, more draws.

Parameters that a study sets itself (an exploration's design, a regime map's axes) are left
out of the draws (``exclude``): they come from the study, the rest from the posterior.
A draw that breaks a scenario rule together with the study's own values raises the located
:class:`~dualtrack.scenario.errors.ScenarioError` of ``apply_values`` while planning, before
anything runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from dualtrack.engine.run import Progress, RunPlan, assemble, plan_run
from dualtrack.engine.streams import BLOCK_SIZE
from dualtrack.experiments.executors import PointExecutor
from dualtrack.experiments.posterior import Posterior
from dualtrack.experiments.study import Study, run_chunks
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.schema import Scenario
from dualtrack.scenario.uncertainty import apply_values

NOMINAL = "nominal"
"""What a study without a posterior says about its parameters."""
PARAMETERS_KEY = "parameters_used"
"""The manifest's one (top-level) key saying which parameter values the results ran with."""
DRAW_SPAWN_KEY = (0, 0, 0x504F5354)
"""Spawn key of the posterior-draw seed (no engine stream or sweep point uses a 3-tuple)."""


def draw_seed(seed: int) -> int:
    """The seed of a run's posterior draws: 63 bits of ``SeedSequence(seed, DRAW_SPAWN_KEY)``."""
    words = np.random.SeedSequence(seed, spawn_key=DRAW_SPAWN_KEY).generate_state(
        2, dtype=np.uint32
    )
    return int((int(words[0]) << 31) ^ int(words[1]))


def blocks(replicates: int) -> tuple[tuple[int, int], ...]:
    """The ``(first replicate, count)`` of each random-number block of a run."""
    return tuple(
        (start, min(BLOCK_SIZE, replicates - start)) for start in range(0, replicates, BLOCK_SIZE)
    )


@dataclass(frozen=True)
class PosteriorDraws:
    """The posterior draws of one run: one row of values per block of replicates."""

    source: str
    """The posterior folder as the user named it."""
    parameters: tuple[str, ...]
    values: NDArray[np.float64]
    """``(blocks, parameters)``."""
    seed: int
    """The engine seed the draws derive from."""
    excluded: tuple[str, ...] = ()
    """Posterior parameters left to the study (its design or grid axes)."""

    @property
    def n_draws(self) -> int:
        """Number of draws (= blocks of replicates)."""
        return int(self.values.shape[0])

    def block(self, index: int) -> dict[str, float]:
        """The ``{path: value}`` of block ``index``."""
        return {p: float(v) for p, v in zip(self.parameters, self.values[index], strict=True)}

    def describe(self) -> dict[str, Any]:
        """The draws for a manifest: folder, parameters, seed, and each block's values."""
        return {
            "folder": self.source,
            "parameters": list(self.parameters),
            "excluded": list(self.excluded),
            "draw_seed": draw_seed(self.seed),
            "block_size": BLOCK_SIZE,
            "draws": [self.block(b) for b in range(self.n_draws)],
        }


def posterior_draws(
    posterior: Posterior,
    source: str,
    replicates: int,
    seed: int,
    exclude: Sequence[str] = (),
) -> PosteriorDraws:
    """One draw per block of ``replicates``, seeded from ``seed``; ``exclude`` paths dropped."""
    n = len(blocks(replicates))
    drawn = posterior.draw(n, draw_seed(seed))
    keep = [j for j, path in enumerate(posterior.parameters) if path not in set(exclude)]
    return PosteriorDraws(
        source=source,
        parameters=tuple(posterior.parameters[j] for j in keep),
        values=np.ascontiguousarray(drawn[:, keep]),
        seed=int(seed),
        excluded=tuple(p for p in posterior.parameters if p in set(exclude)),
    )


def parameters_label(source: str | None, draws: int | None = None) -> str:
    """``"nominal"``, or ``"posterior DIR (N draws)"`` (N omitted when it varies by point)."""
    if source is None:
        return NOMINAL
    count = "" if draws is None else f" ({draws} draws)"
    return f"posterior {source}{count}"


@dataclass(frozen=True)
class PosteriorStudy:
    """A study whose every variant runs block by block, one posterior draw per block."""

    study: Study
    """The nominal study: names, seed, record, and the plans the results are assembled with."""
    draws: PosteriorDraws
    blocks: dict[str, tuple[RunPlan, ...]]
    """Per variant, one plan per block; each plan's only chunk is its block."""

    @property
    def replicate_steps(self) -> int:
        """Total work in replicate-steps (as the nominal study)."""
        return self.study.replicate_steps

    @property
    def label(self) -> str:
        """``posterior DIR (N draws)``."""
        return parameters_label(self.draws.source, self.draws.n_draws)


def under_posterior(
    study: Study,
    draws: PosteriorDraws,
    scenario_for: Callable[[str, Scenario], Scenario] | None = None,
) -> PosteriorStudy:
    """The study with block ``b`` of every variant planned on draw ``b``.

    Each variant is re-planned on its own (overridden) scenario with the draw applied, for
    the study's actor, doctrine and record; the seed and replicate count stay the study's, so
    a block's random streams are those of the nominal run. With ``scenario_for``, the draw is
    written into the study's scenario first and ``scenario_for(variant, drawn)`` makes the
    variant from it (an instrument study: the instruments act on the drawn values). Raises the
    located :class:`ScenarioError` of a draw that breaks a scenario rule.
    """
    planned: dict[str, tuple[RunPlan, ...]] = {}
    applied: dict[tuple[int, int], Scenario] = {}

    def drawn(scenario: Scenario, b: int) -> Scenario:
        key = (id(scenario), b)
        if key not in applied:
            try:
                applied[key] = apply_values(scenario, draws.block(b))
            except ScenarioError as error:
                raise ScenarioError(
                    error.problems, f"{draws.source} (posterior draw {b})"
                ) from None
        return applied[key]

    for name, plan in study.plans.items():
        chunks = blocks(plan.replicates)
        if len(chunks) != draws.n_draws:
            raise ValueError(
                f"expected {len(chunks)} posterior draws for {plan.replicates} replicates, "
                f"found {draws.n_draws}"
            )
        per_block = []
        for b, chunk in enumerate(chunks):
            scenario = (
                drawn(plan.scenario, b)
                if scenario_for is None
                else scenario_for(name, drawn(study.scenario, b))
            )
            block_plan = plan_run(
                scenario,
                plan.doctrine,
                actor=study.actor,
                replicates=plan.replicates,
                seed=plan.seed,
                record=plan.record,
                backend=plan.backend,
            )
            per_block.append(dataclasses.replace(block_plan, chunks=(chunk,)))
        planned[name] = tuple(per_block)
    return PosteriorStudy(study, draws, planned)


def run_posterior_study(
    pstudy: PosteriorStudy,
    workers: int | PointExecutor = 1,
    progress: Progress | None = None,
) -> dict[str, xr.Dataset]:
    """Run every block of every variant; one dataset per variant, as :func:`run_study`.

    Each dataset is assembled with the nominal plan (labels, scenario id and hash) and its
    attrs say which parameters were used: ``parameters`` (``posterior DIR (N draws)``),
    ``posterior``, ``posterior_draws`` and ``posterior_draw_seed``.
    """
    names = list(pstudy.study.plans)
    plans = [plan for name in names for plan in pstudy.blocks[name]]
    tasks = [(index, plan.chunks[0]) for index, plan in enumerate(plans)]
    arrays = run_chunks(plans, tasks, workers, progress)
    results: dict[str, xr.Dataset] = {}
    position = 0
    for name in names:
        count = len(pstudy.blocks[name])
        ds = assemble(pstudy.study.plans[name], arrays[position : position + count])
        position += count
        ds.attrs.update(posterior_attrs(pstudy.draws))
        results[name] = ds
    return results


def posterior_attrs(draws: PosteriorDraws) -> dict[str, Any]:
    """The attrs a results dataset carries when it ran under these draws."""
    return {
        "parameters": parameters_label(draws.source, draws.n_draws),
        "posterior": draws.source,
        "posterior_draws": draws.n_draws,
        "posterior_draw_seed": draw_seed(draws.seed),
    }


def plan_under_posterior(
    scenario: Scenario,
    doctrine: str,
    posterior: Posterior,
    source: str,
    *,
    actor: str | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    record: str = "summary",
    exclude: Sequence[str] = (),
    backend: str | None = None,
) -> PosteriorStudy:
    """One run of ``doctrine`` under the posterior, planned (a sweep point's run).

    Raises the located :class:`ScenarioError` of a draw that breaks a scenario rule.
    """
    from dualtrack.experiments.study import plan_study

    study = plan_study(
        scenario,
        [doctrine],
        actor=actor,
        replicates=replicates,
        seed=seed,
        days=days,
        record=record,
        backend=backend,
    )
    return under_posterior(study, draws_for(study, posterior, source, exclude))


def simulate_under_posterior(
    scenario: Scenario, doctrine: str, posterior: Posterior, source: str, **options: Any
) -> xr.Dataset:
    """One run of ``doctrine`` under the posterior, in this process (``options`` as
    :func:`plan_under_posterior` takes them)."""
    planned = plan_under_posterior(scenario, doctrine, posterior, source, **options)
    return run_posterior_study(planned)[doctrine]


def draws_for(
    study: Study, posterior: Posterior, source: str, exclude: Sequence[str] = ()
) -> PosteriorDraws:
    """The draws of a study (from its seed and replicate count)."""
    plan = next(iter(study.plans.values()))
    return posterior_draws(posterior, source, plan.replicates, plan.seed, exclude)


def label_of(pstudy: PosteriorStudy | None) -> str:
    """Which values a study runs with: ``nominal`` or ``posterior DIR (N draws)``."""
    return pstudy.label if pstudy is not None else NOMINAL


def manifest_entry(draws: PosteriorDraws | None) -> Mapping[str, Any]:
    """The top-level manifest entries saying which parameter values the results ran with.

    :data:`PARAMETERS_KEY` holds ``nominal`` or ``posterior DIR (N draws)``; under a
    posterior, ``posterior`` describes the draws.
    """
    if draws is None:
        return {PARAMETERS_KEY: NOMINAL}
    return {
        PARAMETERS_KEY: parameters_label(draws.source, draws.n_draws),
        "posterior": draws.describe(),
    }
