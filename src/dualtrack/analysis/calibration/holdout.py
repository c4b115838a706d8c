"""Out-of-sample validation: fit on some episodes, predict the held-out ones, score the forecasts.

The pattern validation of :mod:`dualtrack.analysis.validation` is in-sample: the 2024 record
both set the ``calibrated`` parameters and judges them. Here the model is fitted
(:func:`~dualtrack.analysis.calibration.inference.calibrate`, ABC-SMC) on one or two coded
episodes and asked to forecast the others, which the fit never saw; or a posterior folder
(``dualtrack calibrate --out DIR``) is given and no fit is made. Three forecasters are scored
on each held-out episode's observed outcomes and timings
(``data/episodes/*.yaml``):

- **calibrated**: the episode's scenario under the posterior, one draw per block of 256
  replicates (:mod:`dualtrack.experiments.posterior_study`);
- **nominal**: the same scenario at its nominal (hand-set) values, same seed;
- **climatology**: the base rates of the coded events (``data/history/events.csv``). Each
  measure has an event-data proxy on the episode's dyad (:data:`PROXIES`: a deployment is
  a CAMEO 154 by the subject towards the other side, an agreement a 0356 or 057, a deliberate
  act CAMEO 18-20, a war 19-20). Proxy events are a Poisson process whose rate is the count
  ``k`` over the reference period 2014-2024 *outside* the held-out window, with Jeffreys'
  prior, ``(k + 1/2) / T``; a binary outcome's probability is that of at least one proxy event
  in the measure's window, and a timing's forecast is the day of the first one (censored at
  the episode's end, as the simulated timings are).

**Scores** (lower is better; all are proper, Gneiting & Raftery 2007, *JASA* 102: 359-378):

- binary outcome ``y`` with forecast probability ``p``: the Brier score ``(p - y)^2`` and the
  log score ``-log p(y)``; a model's ``p`` is its share of runs with Jeffreys' smoothing,
  ``(k + 1/2) / (n + 1)``, so that an outcome no run shows does not score infinity;
- timing (observed day ``d``): the CRPS of the forecast distribution of days, and the log
  score of the observed :data:`DAY_BIN`-day bin (a run without the event falls in a last,
  censored bin), with the same smoothing over bins, ``(k + 1/2) / (n + B/2)``.

The scoring rules are ``scoringrules``' (Zanetti et al.). Intervals are 95% bootstrap
percentile intervals over the replicates of each run (:data:`BOOTSTRAP` resamples);
climatology has none (it is not sampled). Replicates within one block share a posterior
draw, so the bootstrap understates the calibrated model's uncertainty about the posterior:
with 1024 replicates the forecast integrates over only 4 draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scoringrules as sr
from numpy.typing import NDArray

from dualtrack.analysis.calibration.episodes import Episode, EpisodeError, load_episode
from dualtrack.analysis.calibration.statistics import (
    replicate_statistics,
    simulated_outcomes,
)
from dualtrack.analysis.validation import DEPLOY_WINDOW_DAYS, REDEPLOY_WINDOW, observed_record
from dualtrack.engine.run import simulate
from dualtrack.experiments.posterior import Posterior, PosteriorError
from dualtrack.experiments.posterior_study import simulate_under_posterior
from dualtrack.scenario.errors import Problem
from dualtrack.scenario.uncertainty import number_at

DEFAULT_FIT: tuple[str, ...] = ("2024-summer",)
"""Episodes fitted when none are named: the one the scenario was built around."""
DEFAULT_PARAMETERS: tuple[str, ...] = (
    "mechanisms.dialogue.talk_rate",
    "mechanisms.escalation.up_rate",
    "mechanisms.escalation.threat_coef",
    "mechanisms.incidents.contact_rate",
)
"""Parameters fitted by default: global mechanism numbers that every episode's scenario has,
so a posterior fitted on one episode applies to the others."""
DEFAULT_POPULATION = 24
DEFAULT_GENERATIONS = 2
DEFAULT_FIT_REPLICATES = 10
"""The small default fitting budget (a few minutes on two cores); raise it for a real fit."""
DEFAULT_REPLICATES = 1024
"""Replicates of each forecast run (4 posterior draws)."""
DAY_BIN = 7
"""Width in days of the bins of the timing log score."""
BOOTSTRAP = 500
CONFIDENCE = 0.95
CLIMATOLOGY_ENSEMBLE = 4096
"""Quantiles of the climatological timing distribution that stand for it in the CRPS."""
REFERENCE_PERIOD = (dt.date(2014, 1, 1), dt.date(2024, 12, 31))
"""Where the base rates are counted: the coded timeline is dense from 2014 (one row before)."""
MODELS: tuple[str, ...] = ("calibrated", "nominal", "climatology")
RULES: tuple[str, ...] = ("log", "brier", "crps")
COLUMNS: tuple[str, ...] = (
    "episode",
    "kind",
    "target",
    "model",
    "observed",
    "forecast",
    *(f"{rule}{end}" for rule in RULES for end in ("", "_low", "_high")),
)
"""Columns of the holdout table: a rule that does not apply to a row (Brier to a timing) is
empty."""

Progress = Callable[[str], None]


class HoldoutError(ValueError):
    """A bad holdout request (episodes, parameters), located by option."""


@dataclass(frozen=True)
class Proxy:
    """Which coded events on the episode's dyad stand for a measure in the base rates."""

    prefixes: tuple[str, ...]
    """CAMEO codes (or their roots) that count."""
    by_subject: bool
    """Only events by the scenario's subject towards the other side (else either way)."""


PROXIES: Mapping[str, Proxy] = {
    "deployment": Proxy(("154",), True),
    "redeployment": Proxy(("154",), True),
    "agreement": Proxy(("0356", "057"), False),
    "any_agreement": Proxy(("0356", "057"), False),
    "war": Proxy(("19", "20"), False),
    "deliberate_act": Proxy(("18", "19", "20"), False),
}
"""Event-data proxy of each measure (``sequence`` is the product of its three patterns)."""
SEQUENCE_PARTS = ("deployment", "agreement", "redeployment")
WINDOWED_TIMINGS = frozenset({"redeployment"})
"""Timing measures dated only inside their window (validation pattern (c))."""


# -- scoring rules ---------------------------------------------------------------------------


def smoothed_share(hits: NDArray[np.float64] | float, n: int) -> NDArray[np.float64]:
    """Jeffreys' predictive probability ``(k + 1/2) / (n + 1)`` of ``k`` hits in ``n`` runs."""
    return np.asarray((np.asarray(hits, dtype=np.float64) + 0.5) / (n + 1.0))


def brier(observed: bool, p: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Brier score ``(p - y)^2`` of forecast probabilities ``p`` for outcome ``y``."""
    p = np.asarray(p, dtype=np.float64)
    return np.asarray(sr.brier_score(np.full(p.shape, float(observed)), p), dtype=np.float64)


def log_score(observed: bool, p: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Log score ``-log p(y)`` of forecast probabilities ``p`` for outcome ``y``."""
    p = np.asarray(p, dtype=np.float64)
    return np.asarray(sr.log_score(np.full(p.shape, float(observed)), p), dtype=np.float64)


def crps(observed: float, ensembles: NDArray[np.float64]) -> NDArray[np.float64]:
    """CRPS of each ensemble (rows: forecasts, columns: members) for the observed value."""
    ensembles = np.atleast_2d(np.asarray(ensembles, dtype=np.float64))
    obs = np.full(ensembles.shape[0], float(observed))
    return np.asarray(sr.crps_ensemble(obs, ensembles, m_axis=-1), dtype=np.float64)


def bin_log_score(
    observed: float, ensembles: NDArray[np.float64], last_day: float, width: int = DAY_BIN
) -> NDArray[np.float64]:
    """Log score of the observed day's bin: bins of ``width`` days up to ``last_day`` (the
    censored value, which has a bin of its own), Jeffreys-smoothed over the bins."""
    ensembles = np.atleast_2d(np.asarray(ensembles, dtype=np.float64))
    edges = np.arange(0.0, last_day, width)
    n_bins = len(edges) + 1  # the last bin holds the censored runs

    def which(days: NDArray[np.float64]) -> NDArray[np.int64]:
        index = np.searchsorted(edges, days, side="right") - 1
        return np.where(days >= last_day, n_bins - 1, np.clip(index, 0, n_bins - 2))

    target = int(which(np.array([observed]))[0])
    hits = (which(ensembles) == target).sum(axis=1)
    n = ensembles.shape[1]
    return np.asarray(-np.log((hits + 0.5) / (n + 0.5 * n_bins)), dtype=np.float64)


# -- forecasts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    """One forecaster's forecast of one episode: per replicate (or ensemble member) values."""

    model: str
    episode: str
    outcomes: pd.DataFrame
    """Bool per replicate and outcome (climatology: one row of probabilities)."""
    timings: pd.DataFrame
    """Day per replicate and timing, censored at the episode's days."""
    sampled: bool = True
    """False for climatology: exact probabilities and a quantile ensemble, no resampling."""


def _timing_frame(ds: Any, episode: Episode) -> pd.DataFrame:
    stats = replicate_statistics(ds, episode)
    return pd.DataFrame(
        {t.name: stats[f"timing.{t.name}"].to_numpy() for t in episode.spec.timings},
        index=stats.index,
    )


def model_forecast(
    episode: Episode,
    *,
    posterior: Posterior | None,
    source: str,
    replicates: int,
    seed: int | None,
) -> Forecast:
    """The episode's scenario simulated over its days, nominal or under the posterior."""
    scenario = episode.scenario
    if posterior is None:
        ds = simulate(scenario, replicates=replicates, seed=seed, days=episode.days, record="full")
        model = "nominal"
    else:
        ds = simulate_under_posterior(
            scenario,
            next(a.doctrine.name for a in scenario.actors if a.id == scenario.subject),
            posterior,
            source,
            replicates=replicates,
            seed=seed,
            days=episode.days,
            record="full",
        )
        model = "calibrated"
    outcomes = simulated_outcomes(ds, episode)
    return Forecast(model, episode.name, outcomes, _timing_frame(ds, episode))


def _proxy_events(episode: Episode, proxy: Proxy) -> pd.DataFrame:
    events = episode.events
    sides = episode.pair
    subject = episode.scenario.subject
    mask = (events["dyad"] == episode.dyad) & events["cameo_code"].map(
        lambda code: any(str(code).startswith(p) for p in proxy.prefixes)
    )
    if proxy.by_subject:
        other = next(side for side in sides if side != subject)
        mask &= (events["actor"] == subject) & (events["target"] == other)
    return events.loc[mask]


def base_rate(episode: Episode, measure: str) -> float:
    """Daily rate of the measure's proxy events in the reference period outside the episode."""
    proxy = PROXIES[measure]
    start, end = REFERENCE_PERIOD
    window = episode.spec.window
    found = _proxy_events(episode, proxy)
    inside_reference = (found["date"] >= pd.Timestamp(start)) & (found["date"] <= pd.Timestamp(end))
    held_out = (found["date_end"] >= pd.Timestamp(window.start)) & (
        found["date"] <= pd.Timestamp(window.end)
    )
    count = int((inside_reference & ~held_out).sum())
    overlap = max(0, (min(end, window.end) - max(start, window.start)).days + 1)
    exposure = (end - start).days + 1 - overlap
    return (count + 0.5) / exposure


def _measure_windows(episode: Episode) -> dict[str, tuple[float, float]]:
    """Days ``[first, last)`` in which each measure's event counts (as the measures define)."""
    observed = observed_record(episode.scenario, episode.events)
    end = float(episode.days)
    begin = float(episode.day(episode.spec.window.start))
    build_up = float(observed.day(observed.build_up))
    windows = {
        "deployment": (0.0, build_up + DEPLOY_WINDOW_DAYS + 1),
        "agreement": (build_up, float(observed.day(observed.drones))),
        "redeployment": tuple(float(observed.day(d)) for d in REDEPLOY_WINDOW),
        "any_agreement": (begin, end),
        "war": (begin, end),
        "deliberate_act": (begin, end),
    }
    first, last = windows["redeployment"]
    windows["redeployment"] = (first, last + 1)
    return {k: (min(a, end), min(b, end)) for k, (a, b) in windows.items()}


def climatology_forecast(episode: Episode) -> Forecast:
    """Base-rate forecast: at least one proxy event in each measure's window (Poisson), and
    the day of the first one (a quantile ensemble, censored at the episode's end)."""
    windows = _measure_windows(episode)

    def chance(measure: str) -> float:
        if measure == "sequence":
            return float(np.prod([chance(part) for part in SEQUENCE_PARTS]))
        first, last = windows[measure]
        return float(1.0 - np.exp(-base_rate(episode, measure) * max(0.0, last - first)))

    outcomes = pd.DataFrame({name: [chance(name)] for name in episode.spec.outcomes})
    quantiles = (np.arange(CLIMATOLOGY_ENSEMBLE) + 0.5) / CLIMATOLOGY_ENSEMBLE
    censored = float(episode.days)
    timings = {}
    for timing in episode.spec.timings:
        first, last = windows[timing.measure]
        # only the redeployment measure is confined to its window; the others date the first
        # event of the whole run
        end = last if timing.measure in WINDOWED_TIMINGS else censored
        days = first - np.log1p(-quantiles) / base_rate(episode, timing.measure)
        timings[timing.name] = np.where(days < end, days, censored)
    return Forecast("climatology", episode.name, outcomes, pd.DataFrame(timings), sampled=False)


# -- scoring a forecast ----------------------------------------------------------------------


def _interval(values: NDArray[np.float64]) -> tuple[float, float]:
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)


def score_forecast(
    forecast: Forecast, episode: Episode, rng: np.random.Generator
) -> tuple[pd.DataFrame, dict[str, NDArray[np.float64]]]:
    """One row per outcome and timing (scores with intervals) and the bootstrap draws of each
    score (key ``kind/target/rule``) for the summary."""
    rows: list[dict[str, Any]] = []
    draws: dict[str, NDArray[np.float64]] = {}
    n = len(forecast.outcomes) if forecast.sampled else 1
    picks = rng.integers(0, n, size=(BOOTSTRAP, n)) if forecast.sampled else np.zeros((1, 1), int)
    censored = float(episode.days)

    def add(kind: str, target: str, observed: Any, shown: float, scores: dict[str, Any]) -> None:
        row: dict[str, Any] = {
            "episode": episode.name,
            "kind": kind,
            "target": target,
            "model": forecast.model,
            "observed": observed,
            "forecast": shown,
        }
        for rule, (point, boot) in scores.items():
            row[rule] = float(point)
            low, high = _interval(boot) if forecast.sampled else (float("nan"), float("nan"))
            row[f"{rule}_low"], row[f"{rule}_high"] = low, high
            draws[f"{kind}/{target}/{rule}"] = np.asarray(boot if forecast.sampled else [point])
        rows.append(row)

    for name, observed in episode.spec.outcomes.items():
        column = forecast.outcomes[name].to_numpy()
        if forecast.sampled:
            hits = column.astype(np.float64)
            p = float(smoothed_share(hits.sum(), n))
            boot = smoothed_share(hits[picks].sum(axis=1), n)
        else:
            p = float(column[0])
            boot = np.array([p])
        add(
            "outcome",
            name,
            bool(observed),
            p,
            {
                "log": (log_score(observed, p), log_score(observed, boot)),
                "brier": (brier(observed, p), brier(observed, boot)),
            },
        )
    days = episode.observed_days()
    for timing in episode.spec.timings:
        members = forecast.timings[timing.name].to_numpy(dtype=np.float64)
        observed_day = float(days[timing.name])
        ensembles = members[picks] if forecast.sampled else members[None, :]
        add(
            "timing",
            timing.name,
            observed_day,
            float(np.median(members)),
            {
                "log": (
                    bin_log_score(observed_day, members[None, :], censored)[0],
                    bin_log_score(observed_day, ensembles, censored),
                ),
                "crps": (crps(observed_day, members[None, :])[0], crps(observed_day, ensembles)),
            },
        )
    return pd.DataFrame(rows), draws


# -- the holdout -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldoutResult:
    """Scores of every forecaster on every held-out outcome and timing, and their summary."""

    table: pd.DataFrame
    summary: pd.DataFrame
    fit: tuple[str, ...]
    predict: tuple[str, ...]
    posterior: Posterior
    posterior_source: str
    settings: dict[str, Any] = field(default_factory=dict)


def _summary(
    tables: pd.DataFrame, draws: dict[str, dict[str, NDArray[np.float64]]]
) -> pd.DataFrame:
    """Per model and rule: the mean score over the held-out targets, its bootstrap interval,
    and the skill against climatology, ``1 - score / climatology's``."""
    rows = []
    for model in dict.fromkeys(tables["model"]):
        mine = draws[model]  # keys: episode/kind/target/rule
        for rule in RULES:
            keys = [k for k in mine if k.rsplit("/", 1)[1] == rule]
            if not keys:
                continue
            chosen = tables[tables["model"] == model]
            point = float(chosen[rule].dropna().mean())
            stacked = np.vstack([np.broadcast_to(mine[k], (BOOTSTRAP,)) for k in keys])
            low, high = _interval(stacked.mean(axis=0))
            if model == "climatology":
                low = high = float("nan")
            rows.append(
                {
                    "model": model,
                    "rule": rule,
                    "targets": len(keys),
                    "mean": point,
                    "low": low,
                    "high": high,
                }
            )
    summary = pd.DataFrame(rows)
    reference = summary[summary["model"] == "climatology"].set_index("rule")["mean"]
    summary["skill_vs_climatology"] = [
        1.0 - row["mean"] / reference[row["rule"]] if reference.get(row["rule"], 0) else np.nan
        for _, row in summary.iterrows()
    ]
    return summary


def posterior_table(posterior: Posterior) -> pd.DataFrame:
    """Per parameter: the posterior's weighted mean and central 90% interval."""
    low, high = posterior.quantiles([0.05, 0.95])
    return pd.DataFrame(
        {
            "parameter": list(posterior.parameters),
            "mean": posterior.mean(),
            "p5": low,
            "p95": high,
        }
    )


def check_applies(posterior: Posterior, episodes: Sequence[Episode], option: str) -> None:
    """Every posterior parameter exists in every episode's scenario, or a located error."""
    problems = []
    for episode in episodes:
        for path in posterior.parameters:
            try:
                number_at(episode.scenario, path)
            except (KeyError, ValueError):
                problems.append(
                    Problem(
                        f"parameter {path}",
                        f"not a number of scenario {episode.scenario.id!r} "
                        f"(episode {episode.name})",
                    )
                )
    if problems:
        raise PosteriorError(problems, option)


def _episode(name: str | Path, option: str) -> Episode:
    """The episode, or its located error attributed to the option that named it."""
    try:
        return load_episode(name)
    except EpisodeError as error:
        where = error.source or str(name)
        if where.startswith("--episode "):
            where = f"{option} {where.removeprefix('--episode ')}"
        raise EpisodeError(error.problems, where) from None


def _check_fittable(
    fitted: Sequence[Episode], held: Sequence[Episode], parameters: Sequence[str]
) -> None:
    """Before any fit: the patterns match parameters of the fitted scenario, and every one of
    them is a number of every episode's scenario (a posterior that transfers)."""
    from dualtrack.scenario.uncertainty import uncertain_parameters

    if not fitted:
        raise HoldoutError("--fit: expected at least one episode to fit, found none")
    try:
        chosen = uncertain_parameters(fitted[0].scenario, parameters)
    except KeyError as error:
        raise HoldoutError(f"--parameters: {str(error).strip(chr(34))}") from None
    problems = [
        f"{p.path} is not a number of scenario {e.scenario.id!r} (episode {e.name})"
        for e in (*fitted, *held)
        for p in chosen
        if not _has_number(e, p.path)
    ]
    if problems:
        raise HoldoutError(
            "--parameters: expected parameters every episode's scenario has; " + "; ".join(problems)
        )


def _has_number(episode: Episode, path: str) -> bool:
    try:
        number_at(episode.scenario, path)
    except (KeyError, ValueError):
        return False
    return True


def holdout(
    fit: Sequence[str | Path] = DEFAULT_FIT,
    predict: Sequence[str | Path] | None = None,
    *,
    posterior: Posterior | None = None,
    posterior_source: str = "",
    parameters: Sequence[str] = DEFAULT_PARAMETERS,
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    fit_replicates: int = DEFAULT_FIT_REPLICATES,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = None,
    executor: Any = None,
    progress: Progress | None = None,
) -> HoldoutResult:
    """Fit on ``fit`` (unless ``posterior`` is given), forecast and score ``predict``.

    ``predict`` defaults to every built-in episode not fitted. Episodes named in both are
    refused (a holdout must not see what it predicts). The forecasts run ``replicates``
    replicates each, on ``seed`` (default: each scenario's).
    """
    from dualtrack.analysis.calibration.episodes import builtin_episodes

    fitted = tuple(_episode(name, "--fit") for name in fit)
    names = {e.name for e in fitted}
    if predict is None:
        predict = [name for name in builtin_episodes() if name not in names]
    held = tuple(_episode(name, "--predict") for name in predict)
    overlap = sorted(names & {e.name for e in held})
    if overlap:
        raise HoldoutError(
            f"--predict: expected episodes the fit does not see, found {', '.join(overlap)} "
            "in both --fit and --predict"
        )
    if not held:
        raise HoldoutError("--predict: expected at least one held-out episode, found none")
    if posterior is None:
        _check_fittable(fitted, held, parameters)
    else:
        check_applies(posterior, held, posterior_source or "--posterior")
    if posterior is None:
        from dualtrack.analysis.calibration.inference import calibrate

        if progress is not None:
            progress(f"fitting {', '.join(sorted(names))} (ABC-SMC)")
        result = calibrate(
            fitted[0].scenario,
            parameters,
            list(fitted),
            population=population,
            generations=generations,
            replicates=fit_replicates,
            seed=seed,
            executor=executor,
            command="dualtrack validate-history --holdout",
        )
        posterior = result.posterior
        posterior_source = f"fit on {', '.join(e.name for e in fitted)}"
    rng = np.random.default_rng(np.random.SeedSequence(0 if seed is None else seed))
    tables = []
    draws: dict[str, dict[str, NDArray[np.float64]]] = {m: {} for m in MODELS}
    for episode in held:
        if progress is not None:
            progress(f"forecasting {episode.name}")
        forecasts = (
            model_forecast(
                episode,
                posterior=posterior,
                source=posterior_source,
                replicates=replicates,
                seed=seed,
            ),
            model_forecast(episode, posterior=None, source="", replicates=replicates, seed=seed),
            climatology_forecast(episode),
        )
        for forecast in forecasts:
            table, boot = score_forecast(forecast, episode, rng)
            tables.append(table)
            draws[forecast.model].update({f"{episode.name}/{k}": v for k, v in boot.items()})
    table = pd.concat(tables, ignore_index=True).reindex(columns=list(COLUMNS))
    summary = _summary(table, draws)
    settings = {
        "fit": [e.name for e in fitted],
        "predict": [e.name for e in held],
        "posterior": posterior_source,
        "parameters": list(posterior.parameters),
        "population": population,
        "generations": generations,
        "fit_replicates": fit_replicates,
        "replicates": replicates,
        "seed": seed,
        "bootstrap": BOOTSTRAP,
        "day_bin": DAY_BIN,
    }
    table.attrs = dict(settings)
    return HoldoutResult(
        table=table,
        summary=summary,
        fit=tuple(e.name for e in fitted),
        predict=tuple(e.name for e in held),
        posterior=posterior,
        posterior_source=posterior_source,
        settings=settings,
    )


def failures(result: HoldoutResult) -> list[str]:
    """Plain sentences for every held-out target where the calibrated model scores worse than
    climatology or than the nominal model (where the model fails), by the Brier score for
    outcomes and the CRPS for timings."""
    table = result.table
    keyed = table.set_index(["episode", "kind", "target", "model"])
    lines = []
    cases = table[["episode", "kind", "target"]].drop_duplicates().itertuples(index=False)
    for episode, kind, target in cases:
        rule = "brier" if kind == "outcome" else "crps"
        mine = keyed.loc[(episode, kind, target, "calibrated")]
        for other in ("climatology", "nominal"):
            theirs = keyed.loc[(episode, kind, target, other)]
            if mine[rule] > theirs[rule]:
                lines.append(
                    f"{episode} {target} ({kind}): calibrated {rule} {mine[rule]:.4f} is worse "
                    f"than {other} {theirs[rule]:.4f} (observed {mine['observed']}; forecast: "
                    f"calibrated {mine['forecast']:.3g}, {other} {theirs['forecast']:.3g})"
                )
    return lines
