"""Out-of-sample validation: the scoring rules against known values, the climatology baseline
from the coded events, and holdouts that are seeded, refuse to peek, and locate bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualtrack.analysis.calibration import holdout as ho
from dualtrack.analysis.calibration.episodes import EpisodeError, load_episode
from dualtrack.experiments.posterior import Posterior, PosteriorError
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.uncertainty import number_at

TALK = "mechanisms.dialogue.talk_rate"
INVASION = "2022-invasion"


def _point(path: str = TALK, value: float | None = None) -> Posterior:
    """A posterior with all its mass on one value (default: the nominal)."""
    if value is None:
        value = number_at(load_scenario("belarus-ukraine-2022"), path).value
    return Posterior((path,), np.array([[value]]), np.array([1.0]))


# -- scoring rules ---------------------------------------------------------------------------


def test_a_perfect_forecast_scores_zero() -> None:
    assert ho.brier(True, 1.0) == 0.0
    assert ho.brier(False, 0.0) == 0.0
    assert ho.log_score(True, 1.0) == pytest.approx(0.0)
    assert ho.crps(5.0, np.full((1, 10), 5.0))[0] == 0.0


@given(st.floats(0.01, 0.99))
def test_climatology_expects_p_times_one_minus_p_and_the_entropy(p: float) -> None:
    # forecasting the true probability p of a Bernoulli outcome, on average over outcomes
    expected_brier = p * ho.brier(True, p) + (1 - p) * ho.brier(False, p)
    assert expected_brier == pytest.approx(p * (1 - p))
    expected_log = p * ho.log_score(True, p) + (1 - p) * ho.log_score(False, p)
    assert expected_log == pytest.approx(-(p * np.log(p) + (1 - p) * np.log(1 - p)))


def test_crps_of_an_ensemble_is_the_known_value() -> None:
    # members 1..4, observation 3: E|X - y| - E|X - X'| / 2 = 1 - 1.25 / 2
    assert ho.crps(3.0, np.array([[1.0, 2.0, 3.0, 4.0]]))[0] == pytest.approx(0.375)
    # a fine uniform ensemble on [0, 10] approaches the uniform CRPS at 5: 10 / 12
    members = (np.arange(20000) + 0.5) / 2000
    assert ho.crps(5.0, members[None, :])[0] == pytest.approx(10 / 12, rel=1e-3)


def test_the_timing_log_score_smooths_over_bins() -> None:
    members = np.array([[10.0] * 20])  # all in the bin [7, 14) of 0..70 (10 bins + censored)
    assert ho.bin_log_score(12.0, members, 70.0)[0] == pytest.approx(
        -np.log((20 + 0.5) / (20 + 0.5 * 11))
    )
    never = ho.bin_log_score(12.0, np.full((1, 20), 70.0), 70.0)[0]
    assert never == pytest.approx(-np.log(0.5 / (20 + 0.5 * 11)))
    assert np.isfinite(never) and never > 0


def test_a_share_of_runs_never_reaches_zero_or_one() -> None:
    assert ho.smoothed_share(0, 99) == pytest.approx(0.005)
    assert ho.smoothed_share(99, 99) == pytest.approx(0.995)


# -- climatology -----------------------------------------------------------------------------


def test_base_rates_leave_the_held_out_window_out() -> None:
    episode = load_episode(INVASION)
    start, end = ho.REFERENCE_PERIOD
    exposure = (end - start).days + 1 - episode.spec.window.days
    # no Belarus-Ukraine use of force is coded anywhere: Jeffreys' half event over the period
    assert ho.base_rate(episode, "war") == pytest.approx(0.5 / exposure)
    # one Belarus-Ukraine agreement (E053, July 2024), outside this window
    assert ho.base_rate(episode, "any_agreement") == pytest.approx(1.5 / exposure)
    summer = load_episode("2024-summer")
    summer_exposure = (end - start).days + 1 - summer.spec.window.days
    assert ho.base_rate(summer, "agreement") == pytest.approx(0.5 / summer_exposure)


def test_climatology_gives_longer_windows_more_chance() -> None:
    short = ho.climatology_forecast(load_episode(INVASION)).outcomes
    long = ho.climatology_forecast(load_episode("2015-2019-neutrality")).outcomes
    assert 0 < short["any_agreement"][0] < long["any_agreement"][0] < 1


def test_climatology_dates_timings_from_the_base_rate() -> None:
    summer = load_episode("2024-summer")
    forecast = ho.climatology_forecast(summer)
    assert not forecast.sampled
    days = forecast.timings["redeployment"].to_numpy()
    first, last = (summer.day(d) for d in ho.REDEPLOY_WINDOW)
    inside = days[days < summer.days]
    assert (inside >= first).all() and (inside < last + 1).all()
    assert (days == summer.days).mean() > 0.5  # mostly no proxy event in a 24-day window


# -- holdouts --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nominal_point() -> ho.HoldoutResult:
    return ho.holdout(
        [], [INVASION], posterior=_point(), posterior_source="point", replicates=256, seed=3
    )


def test_a_posterior_at_the_nominal_values_scores_as_the_nominal_model(nominal_point) -> None:
    table = nominal_point.table
    assert set(table["model"]) == set(ho.MODELS)
    assert len(table) == 3 * 3  # three outcomes, three forecasters
    mine = table[table["model"] == "calibrated"].reset_index(drop=True)
    theirs = table[table["model"] == "nominal"].reset_index(drop=True)
    pd.testing.assert_series_equal(mine["log"], theirs["log"])
    pd.testing.assert_series_equal(mine["brier"], theirs["brier"])
    assert table["log"].notna().all() and np.isfinite(table["log"]).all()
    assert (table["log_low"] <= table["log"] + 1e-12)[table["model"] != "climatology"].all()


def test_the_same_seed_gives_the_same_table(nominal_point) -> None:
    again = ho.holdout(
        [], [INVASION], posterior=_point(), posterior_source="point", replicates=256, seed=3
    )
    pd.testing.assert_frame_equal(again.table, nominal_point.table)
    pd.testing.assert_frame_equal(again.summary, nominal_point.summary)


def test_the_summary_has_skill_against_climatology(nominal_point) -> None:
    summary = nominal_point.summary.set_index(["model", "rule"])
    assert summary.loc[("climatology", "brier"), "skill_vs_climatology"] == 0.0
    calibrated = summary.loc[("calibrated", "brier")]
    assert calibrated["skill_vs_climatology"] == pytest.approx(
        1 - calibrated["mean"] / summary.loc[("climatology", "brier"), "mean"]
    )
    assert isinstance(ho.failures(nominal_point), list)


def test_a_holdout_refuses_to_predict_what_it_fits() -> None:
    with pytest.raises(ho.HoldoutError, match="in both --fit and --predict"):
        ho.holdout([INVASION], [INVASION])


def test_a_posterior_parameter_the_held_out_scenario_lacks_is_located() -> None:
    lacking = _point("actors[0].sector_weights.brest-volyn", 0.8)  # only 2024 sets it
    with pytest.raises(PosteriorError, match=r"parameter actors\[0\]\.sector_weights"):
        ho.holdout([], [INVASION], posterior=lacking, posterior_source="p", replicates=256)


def test_fitted_parameters_must_exist_in_every_episode() -> None:
    with pytest.raises(ho.HoldoutError, match="--parameters: no uncertain parameter matches"):
        ho.holdout(["2024-summer"], [INVASION], parameters=["mechanisms.nothing"])
    with pytest.raises(ho.HoldoutError, match="not a number of scenario 'belarus-ukraine-2022'"):
        ho.holdout(["2024-summer"], [INVASION], parameters=["actors[0].sector_weights.*"])


def test_an_unknown_episode_names_the_option() -> None:
    with pytest.raises(EpisodeError, match="--predict nowhere"):
        ho.holdout([], ["nowhere"], posterior=_point(), posterior_source="p")


def test_a_small_fit_forecasts_the_held_out_episode(short_episode) -> None:
    pytest.importorskip("pyabc")
    result = ho.holdout(
        [short_episode.source],
        [INVASION],
        parameters=[TALK],
        population=4,
        generations=1,
        fit_replicates=2,
        replicates=256,
        seed=1,
    )
    assert result.fit == ("june-july",)
    assert result.posterior.parameters == (TALK,)
    assert result.posterior_source == "fit on june-july"
    assert set(result.table["episode"]) == {INVASION}
