"""Sensitivity analysis recovers known results from stored tables of known functions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dualtrack.analysis.sensitivity import (
    analyse_sensitivity,
    elementary_effects,
    morris_indices,
    sobol_indices,
)
from dualtrack.experiments.design import make_design
from dualtrack.experiments.sweep_store import load_sweep, store_evaluations
from dualtrack.scenario.uncertainty import UncertainParameter

# Ishigami & Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3: analytical Sobol' indices
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function, a standard test of sensitivity analysis."""
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


@pytest.fixture(scope="module")
def ishigami_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stored Saltelli design (N = 2048) of the Ishigami function."""
    parameters = [UncertainParameter(f"x{i}", 0.0, -np.pi, np.pi) for i in (1, 2, 3)]
    design = make_design("sobol", parameters, 2048, seed=7)
    folder = tmp_path_factory.mktemp("ishigami")
    store_evaluations(folder, design, {"y": ishigami(design.values)}, doctrine="ishigami")
    return folder


def test_sobol_indices_of_the_ishigami_function_match_the_analytical_values(
    ishigami_sweep: Path,
) -> None:
    result = sobol_indices(load_sweep(ishigami_sweep), "y", "ishigami", seed=1)
    assert (result.outcome, result.doctrine) == ("y", "ishigami")
    table = result.indices
    assert list(table["parameter"].values) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(table["S1"], ISHIGAMI_S1, atol=0.04)
    np.testing.assert_allclose(table["ST"], ISHIGAMI_ST, atol=0.04)
    assert (table["S1_conf"] > 0).all() and (table["ST_conf"] < 0.1).all()
    assert (table["ST_low"] <= table["ST"]).all() and (table["ST"] <= table["ST_high"]).all()


def test_sensitivity_writes_a_table_and_a_plot_into_the_sweep(ishigami_sweep: Path) -> None:
    result = analyse_sensitivity(ishigami_sweep, resamples=100)
    assert result.method == "sobol"
    names = sorted(p.name for p in (ishigami_sweep / "sensitivity").iterdir())
    assert names == ["sobol.csv", "sobol_ishigami_y.png"]
    assert (ishigami_sweep / "sensitivity" / "sobol_ishigami_y.png").stat().st_size > 1000


@pytest.fixture(scope="module")
def morris_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Morris trajectories of y = 2 x_linear + 4 (x_bent - 0.5)^2 + x_linear x_bent."""
    parameters = [
        UncertainParameter("linear", 5.0, 0.0, 10.0),
        UncertainParameter("bent", 0.5, 0.0, 1.0),
        UncertainParameter("inert", 0.5, 0.0, 1.0, "triangular"),
    ]
    design = make_design("morris", parameters, 40, seed=3)
    u = design.unit  # effects per full range of each parameter
    y = 2.0 * u[:, 0] + 4.0 * (u[:, 1] - 0.5) ** 2 + u[:, 0] * u[:, 1]
    folder = tmp_path_factory.mktemp("morris")
    store_evaluations(folder, design, {"y": y, "constant": np.ones(len(y))})
    return folder


def test_morris_finds_the_inert_input_and_the_linear_one(morris_sweep: Path) -> None:
    table = morris_indices(load_sweep(morris_sweep), "y", "model").indices
    inert, linear, bent = (table.sel(parameter=name) for name in ("inert", "linear", "bent"))
    assert inert["mu_star"] == 0.0 and inert["sigma"] == 0.0
    assert float(linear["mu_star"]) == pytest.approx(2.5, abs=0.3)  # 2 + E[x_bent]
    assert linear["mu_star"] > bent["mu_star"] > 0.0
    assert bent["sigma"] > linear["sigma"]  # curvature spreads effects
    assert (table["mu_star_low"] <= table["mu_star"]).all()
    assert (table["sigma_conf"] >= 0).all()


def test_morris_elementary_effects_agree_with_salib(morris_sweep: Path) -> None:
    sweep = load_sweep(morris_sweep)
    table = morris_indices(sweep, "y", "model").indices
    unit = sweep.unit[sweep.paths].to_numpy()
    effects = elementary_effects(unit, sweep.rows("model")["y"].to_numpy())
    np.testing.assert_allclose(np.abs(effects).mean(axis=0), table["mu_star"], atol=1e-12)
    np.testing.assert_allclose(effects.std(axis=0, ddof=1), table["sigma"], atol=1e-12)


def test_constant_outcomes_are_skipped_and_lhs_sweeps_refused(
    morris_sweep: Path, tmp_path: Path
) -> None:
    result = analyse_sensitivity(morris_sweep, resamples=50)
    assert any("constant" in reason for reason in result.skipped)
    assert result.outcomes == ["y"]
    lhs = make_design("lhs", [UncertainParameter("a", 0.5, 0.0, 1.0)], 10, seed=0)
    store_evaluations(tmp_path / "lhs", lhs, {"y": lhs.values[:, 0]})
    with pytest.raises(ValueError, match="need a sobol or morris design"):
        analyse_sensitivity(tmp_path / "lhs")
