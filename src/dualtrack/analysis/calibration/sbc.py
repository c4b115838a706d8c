"""Simulation-based calibration: on data the model made with known parameters, does the
posterior cover the truth at its nominal rate?

For ``k = 1..K``: draw a truth ``theta_k`` from the prior (``SeedSequence([seed, 1, k])``
quantiles), simulate the episodes at it (the model's own statistics, so the data are exactly
what the model can produce), fit by :func:`~.inference.calibrate` as if the result were the
record (each fit with its own seed, ``SeedSequence([seed, 2, k])``, so that fits do not
share their proposals), and note whether the posterior's central interval at ``level`` holds
``theta_k`` and the truth's rank (the weighted share of posterior particles below it). If the
inference is calibrated, each interval covers its truth with probability ``level`` and ranks
are uniform (Talts, Betancourt, Simpson, Vehtari & Gelman 2018, "Validating Bayesian inference
algorithms with simulation-based calibration", arXiv:1804.06788). Coverage is reported with
its Wilson interval and the binomial probability of so few covered truths if the rate were
nominal. A prior that ignores the data also covers at the nominal rate, so the width ratio
(posterior over prior) is reported beside it: calibrated *and* informative is the claim.

An ABC posterior at a finite tolerance is wider than the exact posterior, so coverage above
the nominal rate (conservative intervals) is expected with few generations; coverage below it
is the failure this check looks for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dualtrack.analysis.calibration.episodes import Episode
from dualtrack.analysis.calibration.inference import EpisodeModel, calibrate, resolve_episodes
from dualtrack.analysis.outcomes import proportion_interval
from dualtrack.experiments.executors import PointExecutor
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.schema import Scenario
from dualtrack.scenario.uncertainty import uncertain_parameters, unit_to_values


@dataclass(frozen=True)
class CoverageCheck:
    """Per truth and parameter: the truth, the posterior interval, covered, rank, width ratio."""

    table: pd.DataFrame
    level: float

    def coverage(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per parameter: covered / truths, its Wilson interval, and the binomial tail
        ``P(X <= covered | truths, level)`` (small: fewer covered than a nominal rate gives)."""
        rows = []
        for parameter, group in self.table.groupby("parameter", sort=False):
            covered, truths = int(group["covered"].sum()), len(group)
            low, high = proportion_interval(covered, truths, confidence)
            rows.append(
                {
                    "parameter": parameter,
                    "truths": truths,
                    "covered": covered,
                    "coverage": covered / truths,
                    "low": low,
                    "high": high,
                    "nominal": self.level,
                    "p_too_few": float(stats.binom.cdf(covered, truths, self.level)),
                    "mean_width_ratio": float(group["width_ratio"].mean()),
                }
            )
        return pd.DataFrame(rows)


def coverage_check(
    scenario: Scenario | str | Path,
    parameters: Sequence[str],
    episodes: Sequence[str | Path | Episode],
    *,
    truths: int,
    population: int,
    generations: int,
    replicates: int,
    seed: int,
    level: float = 0.8,
    executor: PointExecutor | None = None,
) -> CoverageCheck:
    """Fit ``truths`` synthetic data sets made at prior draws; see the module docstring."""
    resolved = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    chosen = uncertain_parameters(resolved, parameters)
    loaded, _ = resolve_episodes(episodes, resolved)
    rows: list[dict[str, Any]] = []
    pilot = None
    tails = np.array([(1 - level) / 2, (1 + level) / 2])
    for k in range(truths):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 1, k]))
        truth = unit_to_values(chosen, rng.random((1, len(chosen))))[0]
        own_seed = int(np.random.SeedSequence([seed, 2, k]).generate_state(1)[0])
        fitted = calibrate(  # the first fit makes the prior pilot (scales) the others share
            resolved,
            parameters,
            loaded,
            population=population,
            generations=generations,
            replicates=replicates,
            seed=own_seed,
            executor=executor,
            pilot=pilot,
            observed=_synthetic(resolved, parameters, loaded, truth, replicates, seed, k),
        )
        pilot = fitted.pilot
        posterior = fitted.posterior
        interval = posterior.quantiles(tails)
        table = fitted.prior_posterior_table(level)
        for j, parameter in enumerate(chosen):
            below = float(posterior.weights[posterior.values[:, j] < truth[j]].sum())
            rows.append(
                {
                    "truth_index": k,
                    "parameter": parameter.path,
                    "truth": float(truth[j]),
                    "low": float(interval[0, j]),
                    "high": float(interval[1, j]),
                    "covered": bool(interval[0, j] <= truth[j] <= interval[1, j]),
                    "rank": below,
                    "width_ratio": float(table.loc[j, "width_ratio"]),
                }
            )
    return CoverageCheck(pd.DataFrame(rows), level)


def _synthetic(
    scenario: Scenario,
    parameters: Sequence[str],
    episodes: Sequence[Episode],
    truth: np.ndarray,
    replicates: int,
    seed: int,
    k: int,
) -> pd.Series:
    """The statistics the model produces at ``truth`` (means over replicates), as 'observed'."""
    chosen = uncertain_parameters(scenario, parameters)
    loaded, runs = resolve_episodes(episodes, scenario)
    model = EpisodeModel(
        parameters=tuple(p.path for p in chosen),
        episodes=loaded,
        scenarios=runs,
        replicates=replicates,
        seed=seed,
    )
    return model.run(truth, draw=2_000_000 + k).mean(axis=0)
