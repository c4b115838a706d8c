"""Experimental designs: sizes, reproducibility, Latin-hypercube stratification."""

from __future__ import annotations

import numpy as np
import pytest

from dualtrack.experiments.design import make_design
from dualtrack.scenario.uncertainty import UncertainParameter

PARAMETERS = [
    UncertainParameter("a", 0.5, 0.0, 1.0),
    UncertainParameter("b", 20.0, 10.0, 30.0, "triangular"),
    UncertainParameter("c", 0.01, 0.001, 0.1, "loguniform"),
]


def test_latin_hypercube_puts_one_point_in_every_stratum_of_every_parameter() -> None:
    design = make_design("lhs", PARAMETERS, 20, seed=1)
    assert design.unit.shape == (20, 3)
    for column in design.unit.T:
        assert sorted(np.floor(column * 20).astype(int)) == list(range(20))


def test_a_design_is_reproduced_by_its_seed_and_changed_by_another() -> None:
    for kind, size in (("lhs", 16), ("sobol", 16), ("morris", 4)):
        first = make_design(kind, PARAMETERS, size, seed=5)
        np.testing.assert_array_equal(first.unit, make_design(kind, PARAMETERS, size, seed=5).unit)
        assert not np.array_equal(first.unit, make_design(kind, PARAMETERS, size, seed=6).unit)


def test_values_follow_each_parameters_distribution_within_its_range() -> None:
    design = make_design("lhs", PARAMETERS, 50, seed=2)
    for j, parameter in enumerate(PARAMETERS):
        assert np.all(design.values[:, j] >= parameter.low)
        assert np.all(design.values[:, j] <= parameter.high)
        np.testing.assert_allclose(design.values[:, j], parameter.ppf(design.unit[:, j]))


def test_saltelli_design_has_n_times_d_plus_2_points() -> None:
    design = make_design("sobol", PARAMETERS, 32, seed=0)
    assert design.n_points == 32 * (3 + 2)
    second = make_design("sobol", PARAMETERS, 32, seed=0, second_order=True)
    assert second.n_points == 32 * (2 * 3 + 2)


def test_saltelli_base_sample_must_be_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two.*try 32 or 64"):
        make_design("sobol", PARAMETERS, 48, seed=0)


def test_morris_trajectories_move_one_parameter_per_step_on_the_grid() -> None:
    design = make_design("morris", PARAMETERS, 6, seed=0, levels=4)
    assert design.n_points == 6 * (3 + 1)
    steps = np.diff(design.unit.reshape(6, 4, 3), axis=1)
    assert np.all((np.abs(steps) > 0).sum(axis=2) == 1)
    assert set(np.round(design.unit.ravel() * 3, 9)) <= {0.0, 1.0, 2.0, 3.0}


def test_unknown_design_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="lhs, sobol, morris"):
        make_design("grid", PARAMETERS, 8, seed=0)
