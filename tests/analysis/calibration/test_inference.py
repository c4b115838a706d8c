"""The ABC-SMC fit: priors as documented, the same bits on any executor and after a resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dualtrack.analysis.calibration import calibrate
from dualtrack.analysis.calibration.episodes import Episode
from dualtrack.analysis.calibration.inference import (
    HISTORY_FILE,
    CalibrationError,
    EpisodeModel,
    posterior_predictive,
    prior_rv,
)
from dualtrack.experiments.executors import DaskExecutor, ProcessExecutor
from dualtrack.scenario.uncertainty import UncertainParameter

PARAMETER = "mechanisms.dialogue.talk_rate"
SMALL = {"population": 4, "replicates": 2, "seed": 3}


@pytest.mark.parametrize(
    "parameter",
    [
        UncertainParameter("a", nominal=0.3, low=0.1, high=0.6),
        UncertainParameter("b", nominal=0.2, low=0.1, high=0.6, distribution="triangular"),
        UncertainParameter("c", nominal=0.01, low=0.001, high=0.1, distribution="loguniform"),
        UncertainParameter("d", nominal=0.3, low=0.0, high=1.0, distribution="truncnormal", sd=0.2),
    ],
    ids=lambda p: p.distribution,
)
def test_priors_are_the_documented_distributions(parameter: UncertainParameter) -> None:
    q = np.linspace(0.01, 0.99, 23)
    np.testing.assert_allclose(prior_rv(parameter).distribution.ppf(q), parameter.ppf(q))


def test_same_seed_same_posterior_on_any_executor_and_after_a_resume(
    short_episode: Episode, tmp_path: Path
) -> None:
    """Generation 0 on local processes, resumed in this process; the whole on Dask."""
    with ProcessExecutor(2) as executor:
        first = calibrate(
            "belarus-ukraine-2024",
            [PARAMETER],
            [short_episode],
            generations=1,
            workdir=tmp_path,
            executor=executor,
            **SMALL,
        )
    assert (tmp_path / HISTORY_FILE).is_file()
    assert len(first.generations) == 1
    resumed = calibrate(
        "belarus-ukraine-2024",
        [PARAMETER],
        [short_episode],
        generations=2,
        workdir=tmp_path,
        resume=True,
        **SMALL,
    )
    with DaskExecutor(workers=2) as executor:
        whole = calibrate(
            "belarus-ukraine-2024",
            [PARAMETER],
            [short_episode],
            generations=2,
            executor=executor,
            **SMALL,
        )
    assert [g.t for g in whole.generations] == [0, 1]
    np.testing.assert_array_equal(resumed.posterior.values, whole.posterior.values)
    np.testing.assert_array_equal(resumed.posterior.weights, whole.posterior.weights)
    assert [g.epsilon for g in resumed.generations] == [g.epsilon for g in whole.generations]
    assert whole.generations[1].epsilon < whole.generations[0].epsilon
    assert whole.posterior.parameters == (PARAMETER,)
    assert whole.posterior.attrs["seed"] == "3"
    assert whole.posterior.attrs["episodes"] == "june-july"
    values = whole.posterior.values[:, 0]
    assert np.all((values >= 0.1) & (values <= 0.6))  # inside the documented range
    table = whole.prior_posterior_table()
    assert table.loc[0, "prior_low"] == pytest.approx(0.125)  # 5% of uniform(0.1, 0.6)
    predictive = posterior_predictive(whole, 3)
    assert predictive["statistics"].shape == (3, 2, len(whole.observed))


def test_a_resume_with_other_settings_is_refused(short_episode: Episode, tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="holds no calibration to continue"):
        calibrate(
            "belarus-ukraine-2024",
            [PARAMETER],
            [short_episode],
            generations=1,
            workdir=tmp_path,
            resume=True,
            **SMALL,
        )
    calibrate(
        "belarus-ukraine-2024",
        [PARAMETER],
        [short_episode],
        generations=1,
        workdir=tmp_path,
        population=5,
        replicates=1,
        seed=1,
    )
    with pytest.raises(CalibrationError, match=r"other settings \(population, replicates, seed"):
        calibrate(
            "belarus-ukraine-2024",
            [PARAMETER],
            [short_episode],
            generations=1,
            workdir=tmp_path,
            resume=True,
            **SMALL,
        )


def test_bad_options_are_named(short_episode: Episode) -> None:
    with pytest.raises(CalibrationError, match="--parameters: no uncertain parameter matches"):
        calibrate("belarus-ukraine-2024", ["mechanisms.nothing.*"], [short_episode])
    with pytest.raises(CalibrationError, match="--population: expected at least 2, found 1"):
        calibrate("belarus-ukraine-2024", [PARAMETER], [short_episode], population=1)


def test_the_fit_uses_the_chosen_groups_of_statistics(short_episode: Episode) -> None:
    model = EpisodeModel(
        parameters=(PARAMETER,),
        episodes=(short_episode,),
        scenarios=(short_episode.scenario,),
        replicates=1,
        seed=0,
        groups=("timing", "quad"),
    )
    names = model.names()
    assert names == [n for n in names if n.split("/")[1].split(".")[0] in ("timing", "quad")]
    assert "june-july/timing.deployment" in names and "june-july/quad.verbal_conflict" in names
    assert list(model.run([0.3], draw=0).columns) == names
    with pytest.raises(CalibrationError, match="--statistics: expected some of timing"):
        calibrate("belarus-ukraine-2024", [PARAMETER], [short_episode], statistics=["moods"])
