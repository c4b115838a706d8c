"""ABC-SMC fit of uncertain parameters to coded episodes, with pyabc: seeded, resumable, on Dask.

The API the command line and the holdout validation call::

    calibrate(scenario, parameters, episodes, *, population=60, generations=4,
              replicates=20, seed=None, workdir=None, resume=False, executor=None,
              observed=None, pilot=None, half_life_days=30.0, progress=None,
              command="") -> CalibrationResult

``parameters`` are path patterns of :func:`~dualtrack.scenario.uncertainty.uncertain_parameters`
(``mechanisms.intent.*``); their documented ranges and distributions are the priors. Each
particle applies its values to each episode's scenario
(:func:`~dualtrack.scenario.uncertainty.apply_values`), runs the vectorised engine with
``replicates`` replicates over the episode's days, and is summarised by the mean over
replicates of the episode's statistics (:mod:`.statistics`); several episodes concatenate
their statistics (``EPISODE/NAME``). ``result.posterior`` is the final population as a
:class:`~dualtrack.experiments.posterior.Posterior`.

What pyabc does (Toni et al. 2009; Klinger, Rickert & Hasenauer 2018, *Bioinformatics*
34(20): 3591-3593): ABC-SMC with a multivariate normal perturbation kernel, importance
weights, an epsilon schedule at the weighted median (``QuantileEpsilon(alpha=0.5)``) of
the previous population's distances, and a SQLite history of every population from which
an interrupted run continues (``ABCSMC.load``). What we add, and why:

- **The distance** is pyabc's ``PNormDistance(p=2)`` with fixed weights ``1 / MAD`` of each
  statistic over a *prior predictive pilot* (``population`` prior draws, as pyabc's
  adaptive distance would compute from its calibration sample). The pilot is ours so that a
  resumed run uses the same scales as the run it continues; it is kept in ``workdir`` and
  is also the prior predictive of the report. Its median distance is the first epsilon.
- **The sampler** (:class:`SeededSampler`) is pyabc's ``MappingSampler`` with one change:
  each task of generation ``t`` seeds NumPy from ``SeedSequence([seed, t + 1])``, task by
  task, where ``MappingSampler`` reseeds from the operating system. Results are put back in
  task order, so the posterior is bit-identical for a seed whatever the executor (this
  process, local processes, a Dask cluster) and the number of workers, and a run resumed
  after generation ``t`` continues exactly as the uninterrupted run would have.

Simulation seeds come from ``SeedSequence([seed, episode, draw])`` with ``draw`` taken
from the task's seeded NumPy state.
"""

from __future__ import annotations

import json
import logging
import random
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cloudpickle
import numpy as np
import pandas as pd
import pyabc
import xarray as xr
from numpy.typing import NDArray
from pyabc.sampler import MappingSampler

from dualtrack._version import __version__
from dualtrack.analysis.calibration.episodes import Episode, load_episode
from dualtrack.analysis.calibration.folder import INTERVAL_LEVEL
from dualtrack.analysis.calibration.statistics import (
    observed_statistics,
    replicate_statistics,
    statistic_names,
)
from dualtrack.analysis.history.tension import DEFAULT_HALF_LIFE_DAYS
from dualtrack.engine import backends
from dualtrack.engine.run import simulate
from dualtrack.experiments.executors import InProcessExecutor, PointExecutor
from dualtrack.experiments.posterior import Posterior
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.loading import load_scenario, scenario_hash
from dualtrack.scenario.schema import Scenario
from dualtrack.scenario.uncertainty import (
    UncertainParameter,
    apply_values,
    uncertain_parameters,
    unit_to_values,
)

METHOD = "pyabc ABC-SMC"
DEFAULT_POPULATION = 60
DEFAULT_GENERATIONS = 4
DEFAULT_REPLICATES = 20
HISTORY_FILE = "history.db"
PILOT_FILE = "pilot.nc"
SETTINGS_FILE = "settings.json"
STATISTIC_GROUPS = ("timing", "tension", "quad")
"""The groups of statistics (:mod:`.statistics`): timings, monthly tension, quad counts."""
QUANTILE = 0.5
"""Each generation's epsilon: this weighted quantile of the previous population's distances."""

Progress = Callable[[str, int], None]
"""``progress(stage, particles)``: particles accepted (or pilot draws simulated) since last."""


class CalibrationError(ValueError):
    """Settings that cannot be calibrated (the message names the option or the file)."""


# -- priors ----------------------------------------------------------------------------------


def prior_rv(parameter: UncertainParameter) -> Any:
    """The pyabc random variable of a parameter's documented distribution on its range.

    The same scipy distributions as :meth:`UncertainParameter.ppf` (a test checks that their
    quantiles agree).
    """
    low, high, width = parameter.low, parameter.high, parameter.high - parameter.low
    if parameter.distribution == "uniform":
        return pyabc.RV("uniform", low, width)
    if parameter.distribution == "triangular":
        return pyabc.RV("triang", (parameter.nominal - low) / width, low, width)
    if parameter.distribution == "loguniform":
        return pyabc.RV("loguniform", low, high)
    if parameter.distribution == "truncnormal":
        if parameter.sd is None:
            raise CalibrationError(f"{parameter.path}: a truncnormal range needs 'sd'")
        a, b = (low - parameter.nominal) / parameter.sd, (high - parameter.nominal) / parameter.sd
        return pyabc.RV("truncnorm", a, b, parameter.nominal, parameter.sd)
    raise CalibrationError(f"{parameter.path}: unknown distribution {parameter.distribution!r}")


# -- the model: one particle's statistics ----------------------------------------------------


@dataclass(frozen=True)
class EpisodeModel:
    """Simulates the episodes at given parameter values; picklable, so it runs on any worker."""

    parameters: tuple[str, ...]
    episodes: tuple[Episode, ...]
    scenarios: tuple[Scenario, ...]
    replicates: int
    seed: int
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    groups: tuple[str, ...] = STATISTIC_GROUPS
    """Which groups of statistics (``timing``, ``tension``, ``quad``) the fit uses."""
    backend: str = "numpy"
    """Engine backend of every particle's runs (``engine.backends``)."""

    def names(self) -> list[str]:
        """Names of the statistics vector, ``EPISODE/STATISTIC``."""
        return [
            f"{e.name}/{n}"
            for e in self.episodes
            for n in statistic_names(e)
            if n.split(".")[0] in self.groups
        ]

    def run(self, values: Sequence[float] | NDArray[np.float64], draw: int) -> pd.DataFrame:
        """Per replicate, every episode's statistics (columns :meth:`names`) at ``values``.

        A point that breaks a scenario rule gives a row of NaN (a particle never accepted).
        """
        frames = []
        point = dict(zip(self.parameters, (float(v) for v in values), strict=True))
        for k, (episode, scenario) in enumerate(zip(self.episodes, self.scenarios, strict=True)):
            seed = int(np.random.SeedSequence([self.seed, k, draw]).generate_state(1)[0])
            try:
                applied = apply_values(scenario, point)
            except ScenarioError:
                names = [n for n in self.names() if n.startswith(f"{episode.name}/")]
                frames.append(pd.DataFrame(np.nan, index=range(self.replicates), columns=names))
                continue
            ds = simulate(
                applied,
                replicates=self.replicates,
                seed=seed,
                record="full",
                days=episode.days,
                backend=self.backend,
            )
            stats = replicate_statistics(ds, episode, self.half_life_days).reset_index(drop=True)
            frames.append(stats.add_prefix(f"{episode.name}/"))
        return pd.concat(frames, axis=1).loc[:, self.names()]

    def __call__(self, parameter: Mapping[str, float]) -> dict[str, float]:
        """pyabc's model: the statistics' means over replicates at a particle's parameters."""
        draw = int(np.random.randint(0, 2**31 - 1))  # noqa: NPY002 - the task's seeded state
        values = [float(parameter[p]) for p in self.parameters]
        return {k: float(v) for k, v in self.run(values, draw).mean(axis=0).items()}


# -- the sampler -----------------------------------------------------------------------------


_UNPICKLED: list[Any] = [None, None]
"""The last payload a worker unpickled and what it held (a generation's tasks share one)."""


def _unpickled(payload: bytes) -> Any:
    if _UNPICKLED[0] is not payload and _UNPICKLED[0] != payload:
        _UNPICKLED[:] = [payload, cloudpickle.loads(payload)]
    return _UNPICKLED[1]


def _accept_one(payload: bytes, item: tuple[int, int]) -> tuple[int, Any, int]:
    """One task: seed NumPy and Python from the task's seed, simulate until one is accepted."""
    simulate_one, sample_factory = _unpickled(payload)
    index, seed = item
    np.random.seed(seed)  # noqa: NPY002 - pyabc proposes from the global generators
    random.seed(seed)
    sample = sample_factory()
    evaluations = 0
    while True:
        particle = simulate_one()
        evaluations += 1
        sample.append(particle)
        if particle.accepted:
            return index, sample, evaluations


class SeededSampler(MappingSampler):  # type: ignore[misc]
    """pyabc's MappingSampler, each task seeded from ``SeedSequence([seed, t + 1])``.

    Tasks run on a :class:`~dualtrack.experiments.executors.PointExecutor`; their results go
    back in task order, so the population depends on the seed only.
    """

    def __init__(self, executor: PointExecutor, seed: int, progress: Progress | None = None):
        super().__init__()
        self.executor = executor
        self.seed = seed
        self.progress = progress

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        """``n`` accepted particles of generation ``t`` (pyabc's sampler interface)."""
        payload = cloudpickle.dumps((simulate_one, self.sample_factory))
        seeds = np.random.SeedSequence([self.seed, t + 1]).generate_state(n)
        items = list(enumerate(int(s) for s in seeds))
        found: dict[int, Any] = {}
        evaluations = 0
        for index, sample, count in self.executor.imap_unordered(_accept_one, payload, items):
            found[index] = sample
            evaluations += count
            if self.progress is not None:
                self.progress("generation", 1)
        self.nr_evaluations_ = evaluations
        merged = self._create_empty_sample()
        for index in range(n):
            merged += found[index]
        return merged


# -- pilot: the prior predictive -------------------------------------------------------------


def _pilot_task(model: EpisodeModel, item: tuple[int, NDArray[np.float64]]) -> tuple[int, Any]:
    index, values = item
    return index, model.run(values, draw=index)


def prior_predictive(
    model: EpisodeModel,
    parameters: Sequence[UncertainParameter],
    draws: int,
    executor: PointExecutor,
    progress: Progress | None = None,
) -> xr.Dataset:
    """``draws`` prior draws (SeedSequence([seed, 0]) quantiles) and their statistics per replicate.

    Dataset: ``theta(draw, parameter)`` and ``statistics(draw, replicate, statistic)``.
    """
    rng = np.random.default_rng(np.random.SeedSequence([model.seed, 0]))
    unit = rng.random((draws, len(parameters)))
    values = unit_to_values(parameters, unit)
    found: dict[int, pd.DataFrame] = {}
    for index, frame in executor.imap_unordered(_pilot_task, model, list(enumerate(values))):
        found[index] = frame
        if progress is not None:
            progress("prior predictive", 1)
    stats = np.stack([found[i].to_numpy(dtype=np.float64) for i in range(draws)])
    return _predictive_dataset(values, stats, model)


def _predictive_dataset(
    values: NDArray[np.float64], stats: NDArray[np.float64], model: EpisodeModel
) -> xr.Dataset:
    return xr.Dataset(
        {
            "theta": (("draw", "parameter"), values),
            "statistics": (("draw", "replicate", "statistic"), stats),
        },
        coords={
            "parameter": np.array(model.parameters, dtype=object),
            "statistic": np.array(model.names(), dtype=object),
            "draw": np.arange(values.shape[0]),
            "replicate": np.arange(stats.shape[1]),
        },
    )


def posterior_predictive(
    result: CalibrationResult,
    draws: int,
    *,
    seed: int | None = None,
    executor: PointExecutor | None = None,
    progress: Progress | None = None,
) -> xr.Dataset:
    """``draws`` parameter vectors from the posterior and their statistics per replicate."""
    executor = executor or InProcessExecutor()
    chosen = result.seed if seed is None else seed
    values = result.posterior.draw(draws, seed=chosen)
    model = result.model
    found: dict[int, pd.DataFrame] = {}
    offset = 1_000_000  # simulation draws apart from the pilot's 0..N-1
    items = [(offset + i, v) for i, v in enumerate(values)]
    for index, frame in executor.imap_unordered(_pilot_task, model, items):
        found[index - offset] = frame
        if progress is not None:
            progress("posterior predictive", 1)
    stats = np.stack([found[i].to_numpy(dtype=np.float64) for i in range(draws)])
    return _predictive_dataset(values, stats, model)


def distance_scales(pilot: xr.Dataset) -> pd.Series:
    """Scale of each statistic: its MAD over the pilot's draws (std, then 1, where that is 0)."""
    means = pilot["statistics"].mean("replicate").to_numpy()
    median = np.nanmedian(means, axis=0)
    mad = 1.4826 * np.nanmedian(np.abs(means - median), axis=0)
    std = np.nanstd(means, axis=0)
    scale = np.where(mad > 0, mad, np.where(std > 0, std, 1.0))
    return pd.Series(scale, index=[str(s) for s in pilot["statistic"].values], name="scale")


# -- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generation:
    """One ABC-SMC population: its epsilon, simulations and acceptance rate."""

    t: int
    epsilon: float
    samples: int
    particles: int

    @property
    def acceptance_rate(self) -> float:
        """Accepted particles per simulation."""
        return self.particles / self.samples if self.samples else float("nan")


@dataclass(frozen=True)
class CalibrationResult:
    """A finished calibration: posterior, priors, observed statistics, pilot, generations."""

    posterior: Posterior
    parameters: tuple[UncertainParameter, ...]
    episodes: tuple[Episode, ...]
    observed: pd.Series
    scales: pd.Series
    pilot: xr.Dataset
    generations: tuple[Generation, ...]
    model: EpisodeModel
    seed: int
    population: int
    replicates: int
    settings: Mapping[str, Any] = field(default_factory=dict)

    def prior_posterior_table(
        self, level: float = INTERVAL_LEVEL, resamples: int = 400
    ) -> pd.DataFrame:
        """Per parameter: prior and posterior mean and central interval, and the width ratio.

        ``width_ratio`` = posterior interval width / prior interval width: near 1 the data do
        not constrain the parameter, near 0 they pin it down. ``width_ratio_low``/``_high``
        are its 5-95% range over ``resamples`` bootstrap resamples of the final population
        (drawn by weight, ``SeedSequence([seed, 3])``): the Monte Carlo error of a population
        of this size, not the ABC tolerance's.
        """
        tails = np.array([(1 - level) / 2, (1 + level) / 2])
        post = self.posterior.quantiles(tails)
        post_mean = self.posterior.mean()
        grid = (np.arange(4000) + 0.5) / 4000
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 3]))
        n = self.posterior.samples
        picks = rng.choice(n, size=(resamples, n), p=self.posterior.weights)
        boot = np.quantile(  # (2, resamples, P); the inverse CDF, as Posterior.quantiles
            self.posterior.values[picks], tails, axis=1, method="inverted_cdf"
        )
        rows = []
        for j, parameter in enumerate(self.parameters):
            low, high = parameter.ppf(tails)
            width = float(high - low)
            ratios = (boot[1, :, j] - boot[0, :, j]) / width if width > 0 else np.nan
            rows.append(
                {
                    "parameter": parameter.path,
                    "distribution": parameter.distribution,
                    "nominal": parameter.nominal,
                    "prior_mean": float(np.mean(parameter.ppf(grid))),
                    "prior_low": float(low),
                    "prior_high": float(high),
                    "posterior_mean": float(post_mean[j]),
                    "posterior_low": float(post[0, j]),
                    "posterior_high": float(post[1, j]),
                    "width_ratio": float((post[1, j] - post[0, j]) / width)
                    if width > 0
                    else float("nan"),
                    "width_ratio_low": float(np.quantile(ratios, 0.05)),
                    "width_ratio_high": float(np.quantile(ratios, 0.95)),
                }
            )
        table = pd.DataFrame(rows)
        table.attrs = {"level": level}
        return table


# -- calibrate -------------------------------------------------------------------------------


def _settings(
    scenario: Scenario,
    parameters: Sequence[UncertainParameter],
    episodes: Sequence[Episode],
    population: int,
    replicates: int,
    seed: int,
    half_life_days: float,
    observed: pd.Series,
) -> dict[str, Any]:
    return {
        "scenario": scenario.id,
        "scenario_hash": scenario_hash(scenario),
        "parameters": [p.describe() for p in parameters],
        "episodes": [e.name for e in episodes],
        "episode_scenarios": {e.name: scenario_hash(e.scenario) for e in episodes},
        "population": population,
        "replicates": replicates,
        "seed": seed,
        "half_life_days": half_life_days,
        "observed": {k: float(v) for k, v in observed.items()},
        "quantile": QUANTILE,
        "method": METHOD,
        "dualtrack_version": __version__,
    }


def _check_resume(work: Path, settings: Mapping[str, Any]) -> None:
    path = work / SETTINGS_FILE
    if not (work / HISTORY_FILE).is_file() or not path.is_file():
        raise CalibrationError(
            f"--resume: {work} holds no calibration to continue (no {HISTORY_FILE}); "
            "run without --resume"
        )
    stored = json.loads(path.read_text(encoding="utf-8"))
    changed = [k for k, v in settings.items() if k != "dualtrack_version" and stored.get(k) != v]
    if changed:
        raise CalibrationError(
            f"--resume: {path}: the calibration there was run with other settings "
            f"({', '.join(changed)} differ); run it with the same ones, or start again"
        )


@contextmanager
def _quiet_pyabc() -> Iterator[None]:
    logger = logging.getLogger("ABC")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _numpy_state_kept() -> Iterator[None]:
    """pyabc draws from NumPy's and Python's global generators: leave them as they were."""
    state, python_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002
        random.setstate(python_state)


def resolve_episodes(
    episodes: Sequence[str | Path | Episode], scenario: Scenario
) -> tuple[tuple[Episode, ...], tuple[Scenario, ...]]:
    """Loaded episodes and the scenario each runs: ``scenario`` where its id is the
    episode's scenario (so an edited copy of a built-in scenario is what runs), otherwise
    the episode's own."""
    loaded = tuple(e if isinstance(e, Episode) else load_episode(e) for e in episodes)
    if not loaded:
        raise CalibrationError("--episode: expected at least one episode")
    names = [e.name for e in loaded]
    if len(set(names)) != len(names):
        raise CalibrationError(f"--episode: expected distinct episodes, found {names}")
    runs = tuple(scenario if e.scenario.id == scenario.id else e.scenario for e in loaded)
    return loaded, runs


def calibrate(
    scenario: Scenario | str | Path,
    parameters: Sequence[str],
    episodes: Sequence[str | Path | Episode],
    *,
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = None,
    workdir: str | Path | None = None,
    resume: bool = False,
    executor: PointExecutor | None = None,
    observed: pd.Series | None = None,
    pilot: xr.Dataset | None = None,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    statistics: Sequence[str] = STATISTIC_GROUPS,
    progress: Progress | None = None,
    command: str = "",
    backend: str | None = None,
) -> CalibrationResult:
    """Fit ``parameters`` (path patterns) of ``scenario`` to ``episodes`` by ABC-SMC.

    ``population`` particles per generation, ``generations`` populations in all (a resumed
    run continues up to that many), ``replicates`` engine replicates per particle; ``seed``
    defaults to the scenario's. ``workdir`` keeps pyabc's history, the pilot and the
    settings (a temporary folder when None: then nothing can be resumed). ``observed``
    replaces the episodes' observed statistics (synthetic data, for simulation-based
    calibration); ``pilot`` reuses a prior predictive computed with the same model;
    ``statistics`` chooses the groups of statistics the distance uses. ``backend`` defaults
    to numpy whatever is installed (every particle is its own program to compile).
    Same arguments, same seed: the same posterior, bit for bit, on any executor.
    """
    resolved = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    try:
        chosen = uncertain_parameters(resolved, parameters)
    except KeyError as error:
        raise CalibrationError(f"--parameters: {str(error).strip(chr(39) + chr(34))}") from None
    for name, value, least in (
        ("--population", population, 2),
        ("--generations", generations, 1),
        ("--replicates", replicates, 1),
    ):
        if value < least:
            raise CalibrationError(f"{name}: expected at least {least}, found {value}")
    loaded, runs = resolve_episodes(episodes, resolved)
    unknown = [g for g in statistics if g not in STATISTIC_GROUPS]
    if unknown or not statistics:
        raise CalibrationError(
            f"--statistics: expected some of {', '.join(STATISTIC_GROUPS)}, found "
            f"{', '.join(statistics) or 'none'}"
        )
    chosen_seed = resolved.settings.seed if seed is None else int(seed)
    model = EpisodeModel(
        parameters=tuple(p.path for p in chosen),
        episodes=loaded,
        scenarios=runs,
        replicates=replicates,
        seed=chosen_seed,
        half_life_days=half_life_days,
        groups=tuple(g for g in STATISTIC_GROUPS if g in statistics),
        backend=backends.resolve_per_point(backend),
    )
    names = model.names()
    if observed is None:
        observed = pd.concat(
            [observed_statistics(e, half_life_days).add_prefix(f"{e.name}/") for e in loaded]
        )
    observed = observed.loc[names].astype(float)
    settings = _settings(
        resolved, chosen, loaded, population, replicates, chosen_seed, half_life_days, observed
    )
    settings["statistics"] = list(model.groups)
    executor = executor or InProcessExecutor()
    temporary = None
    if workdir is None:
        temporary = tempfile.TemporaryDirectory(prefix="dualtrack-calibrate-")
        work = Path(temporary.name)
    else:
        work = Path(workdir)
        work.mkdir(parents=True, exist_ok=True)
    try:
        if resume:
            _check_resume(work, settings)
        else:
            for name in (HISTORY_FILE, PILOT_FILE, SETTINGS_FILE):
                (work / name).unlink(missing_ok=True)
        if pilot is None and (work / PILOT_FILE).is_file():
            with xr.open_dataset(work / PILOT_FILE) as opened:
                pilot = opened.load()
        if pilot is None:
            pilot = prior_predictive(model, chosen, population, executor, progress)
            pilot.to_netcdf(work / PILOT_FILE)
        (work / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", "utf-8")
        scales = distance_scales(pilot)
        weights = {name: 1.0 / float(scales[name]) for name in names}
        distance = pyabc.PNormDistance(p=2, fixed_weights=weights)
        prior = pyabc.Distribution(**{p.path: prior_rv(p) for p in chosen})
        sampler = SeededSampler(executor, chosen_seed, progress)
        db = f"sqlite:///{(work / HISTORY_FILE).resolve()}"
        with _quiet_pyabc(), _numpy_state_kept():
            if resume:
                epsilon = pyabc.QuantileEpsilon(initial_epsilon="from_sample", alpha=QUANTILE)
                abc = pyabc.ABCSMC(
                    model, prior, distance, population_size=population, sampler=sampler, eps=epsilon
                )
                history = abc.load(db, 1, observed_sum_stat=dict(observed.items()))
                done = history.max_t + 1
            else:
                means = pilot["statistics"].sel(statistic=names).mean("replicate").to_numpy()
                gaps = (means - observed.to_numpy()[None, :]) / scales.loc[names].to_numpy()
                first = float(np.nanmedian(np.sqrt(np.nansum(gaps**2, axis=1))))
                epsilon = pyabc.QuantileEpsilon(initial_epsilon=first, alpha=QUANTILE)
                abc = pyabc.ABCSMC(
                    model, prior, distance, population_size=population, sampler=sampler, eps=epsilon
                )
                history = abc.new(db, dict(observed.items()))
                done = 0
            if generations > done:
                abc.run(max_nr_populations=generations - done)
            fitted, generations_done = _fitted(history, chosen)
    finally:
        if temporary is not None:
            temporary.cleanup()
    attrs = {
        "scenario": resolved.id,
        "scenario_hash": scenario_hash(resolved),
        "episodes": ",".join(e.name for e in loaded),
        "dualtrack_version": __version__,
        "seed": str(chosen_seed),
        "method": METHOD,
        "command": command,
    }
    return CalibrationResult(
        posterior=Posterior(fitted.parameters, fitted.values, fitted.weights, attrs),
        parameters=tuple(chosen),
        episodes=loaded,
        observed=observed,
        scales=scales,
        pilot=pilot,
        generations=generations_done,
        model=model,
        seed=chosen_seed,
        population=population,
        replicates=replicates,
        settings=settings,
    )


def _fitted(
    history: Any, chosen: Sequence[UncertainParameter]
) -> tuple[Posterior, tuple[Generation, ...]]:
    """The final population of pyabc's history and a summary of every generation."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    paths = [p.path for p in chosen]
    values = frame.loc[:, paths].to_numpy(dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    populations = history.get_all_populations()
    generations = tuple(
        Generation(
            t=int(row["t"]),
            epsilon=float(row["epsilon"]),
            samples=int(row["samples"]),
            particles=int(row["particles"]),
        )
        for _, row in populations.iterrows()
        if int(row["t"]) >= 0
    )
    return Posterior(tuple(paths), values, weights / weights.sum()), generations
