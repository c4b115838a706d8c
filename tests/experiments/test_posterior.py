"""The posterior folder format: dataset round trip, weighted draws, located loading errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import dualtrack
from dualtrack.experiments.posterior import (
    POSTERIOR_FILE,
    Posterior,
    PosteriorError,
    load_posterior,
)

PATHS = ("mechanisms.intent.model_sd", "mechanisms.intent.assumed_reactivity")


def _posterior(n: int = 5, seed: int = 0) -> Posterior:
    rng = np.random.default_rng(seed)
    weights = rng.random(n)
    return Posterior(
        parameters=PATHS,
        values=rng.random((n, len(PATHS))),
        weights=weights / weights.sum(),
        attrs={"scenario": "belarus-ukraine-2024", "seed": "7", "method": "test"},
    )


def test_dataset_round_trip_through_netcdf(tmp_path: Path) -> None:
    posterior = _posterior()
    ds = posterior.to_dataset()
    assert ds["theta"].dims == ("sample", "parameter")
    assert ds["weight"].dims == ("sample",)
    assert list(ds["parameter"].values) == list(PATHS)
    ds.to_netcdf(tmp_path / POSTERIOR_FILE)
    loaded = load_posterior(tmp_path)
    assert loaded.parameters == PATHS
    np.testing.assert_array_equal(loaded.values, posterior.values)
    np.testing.assert_array_equal(loaded.weights, posterior.weights)
    assert loaded.attrs["seed"] == "7"


def test_draws_follow_the_weights_and_the_seed() -> None:
    posterior = Posterior(
        parameters=("a",),
        values=np.array([[0.0], [1.0], [2.0]]),
        weights=np.array([0.0, 0.25, 0.75]),
    )
    draws = posterior.draw(4000, seed=3)
    assert draws.shape == (4000, 1)
    np.testing.assert_array_equal(draws, posterior.draw(4000, seed=3))
    assert not np.array_equal(draws, posterior.draw(4000, seed=4))
    assert not np.any(draws == 0.0)  # a zero weight is never drawn
    share = float(np.mean(draws == 2.0))
    assert abs(share - 0.75) < 4 * np.sqrt(0.75 * 0.25 / 4000)


@given(st.lists(st.floats(0.01, 10), min_size=1, max_size=30))
@settings(max_examples=30, deadline=None)
def test_weighted_quantiles_bracket_the_mean(raw: list[float]) -> None:
    weights = np.array(raw) / sum(raw)
    values = np.arange(len(raw), dtype=float)[:, None]
    posterior = Posterior(parameters=("x",), values=values, weights=weights)
    low, high = posterior.quantiles([0.0, 1.0])[:, 0]
    assert low <= posterior.mean()[0] <= high


def test_bad_shapes_and_weights_are_located() -> None:
    with pytest.raises(PosteriorError, match="weight: expected weights summing to 1"):
        Posterior(parameters=("a",), values=np.zeros((2, 1)), weights=np.array([0.5, 0.6]))
    with pytest.raises(PosteriorError, match="theta: expected 2 columns"):
        Posterior(parameters=("a", "b"), values=np.zeros((2, 1)), weights=np.array([0.5, 0.5]))
    with pytest.raises(PosteriorError, match="expected finite weights >= 0"):
        Posterior(parameters=("a",), values=np.zeros((2, 1)), weights=np.array([1.5, -0.5]))


def test_a_folder_without_a_posterior_is_named(tmp_path: Path) -> None:
    with pytest.raises(PosteriorError, match=rf"{tmp_path}: expected a calibration folder"):
        load_posterior(tmp_path)
    (tmp_path / POSTERIOR_FILE).write_text("not netcdf")
    with pytest.raises(PosteriorError, match="expected a netCDF posterior dataset"):
        load_posterior(tmp_path)
    xr.Dataset({"theta": (("sample", "parameter"), np.zeros((1, 1)))}).to_netcdf(
        tmp_path / "other.nc"
    )
    with pytest.raises(PosteriorError, match="weight: expected a variable weight"):
        load_posterior(tmp_path / "other.nc")


def test_parameters_missing_from_the_scenario_are_named(
    tmp_path: Path, builtin_scenario: dualtrack.Scenario
) -> None:
    posterior = Posterior(
        parameters=("mechanisms.intent.model_sd", "actors[9].p_opportunist"),
        values=np.zeros((1, 2)),
        weights=np.ones(1),
    )
    posterior.to_dataset().to_netcdf(tmp_path / POSTERIOR_FILE)
    with pytest.raises(PosteriorError, match=r"parameter actors\[9\]\.p_opportunist: no such"):
        load_posterior(tmp_path, builtin_scenario)
    good = Posterior(parameters=PATHS, values=np.zeros((1, 2)), weights=np.ones(1))
    good.to_dataset().to_netcdf(tmp_path / POSTERIOR_FILE)
    assert load_posterior(tmp_path, builtin_scenario).parameters == PATHS
