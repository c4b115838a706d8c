"""Sweeps give the same table whatever runs them: this process, local processes, Dask."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import dualtrack
from dualtrack.analysis.exploration import PointEstimates
from dualtrack.analysis.outcomes import OUTCOME_NAMES
from dualtrack.experiments import sweep as sweep_module
from dualtrack.experiments.executors import (
    DaskExecutor,
    InProcessExecutor,
    ProcessExecutor,
    make_executor,
)
from dualtrack.experiments.store import OutputError
from dualtrack.experiments.sweep import Sweep, plan_sweep, point_seed, run_sweep
from dualtrack.experiments.sweep_store import load_sweep
from dualtrack.scenario.errors import Problem, ScenarioError
from dualtrack.scenario.uncertainty import apply_values

DOCTRINES = ["dual-track", "deterrence-only"]


@pytest.fixture(scope="module")
def small_sweep() -> Sweep:
    """8 LHS points x 2 doctrines x 100 replicates x 60 days on the built-in scenario."""
    return plan_sweep(
        "belarus-ukraine-2024",
        PointEstimates(),
        design="lhs",
        points=8,
        replicates=100,
        days=60,
        doctrines=DOCTRINES,
        seed=11,
    )


@pytest.fixture(scope="module")
def serial_table(small_sweep: Sweep, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sweep run point after point in this process (one worker)."""
    out = tmp_path_factory.mktemp("serial")
    return run_sweep(small_sweep, out, InProcessExecutor(), batch_points=3).points_file


def test_a_sweep_stores_one_row_per_point_and_doctrine_with_values_and_intervals(
    small_sweep: Sweep, serial_table: Path
) -> None:
    stored = load_sweep(serial_table.parent)
    points = stored.points
    assert len(points) == 8 * 2
    assert list(points["point"]) == [p for p in range(8) for _ in DOCTRINES]
    assert list(points["doctrine"]) == DOCTRINES * 8
    assert points["feasible"].all() and (points["replicates"] == 100).all()
    np.testing.assert_array_equal(
        points.loc[points["doctrine"] == "dual-track", list(small_sweep.design.paths)].to_numpy(),
        small_sweep.design.values,
    )
    for name in OUTCOME_NAMES:
        assert (points[f"{name}_low"] <= points[name] + 1e-12).all()
        assert (points[name] <= points[f"{name}_high"] + 1e-12).all()
    assert stored.manifest["status"] == "complete"
    assert set(stored.manifest["files"]) >= {"points.parquet", "design.parquet"}


def test_doctrines_at_a_point_share_its_seed_from_the_seed_sequence(serial_table: Path) -> None:
    points = pd.read_parquet(serial_table)
    for point, rows in points.groupby("point"):
        assert set(rows["seed"]) == {point_seed(11, int(point))}
    assert points["seed"].nunique() == 8


def test_a_stored_row_is_reproduced_by_simulating_its_point(
    small_sweep: Sweep, serial_table: Path
) -> None:
    row = pd.read_parquet(serial_table).iloc[3]  # point 1, deterrence-only
    values = {path: float(row[path]) for path in small_sweep.design.paths}
    scenario = apply_values(small_sweep.scenario, values)
    ds = dualtrack.simulate(
        scenario,
        row["doctrine"],
        replicates=100,
        days=60,
        seed=int(row["seed"]),
        record="summary",
    )
    again = PointEstimates()(ds)
    assert again["p_crisis"] == row["p_crisis"]
    assert again["cost"] == row["cost"]


def _same_bytes(serial_table: Path, other: Path) -> None:
    assert other.read_bytes() == serial_table.read_bytes()


def test_local_processes_give_the_same_table(
    small_sweep: Sweep, serial_table: Path, tmp_path: Path
) -> None:
    result = run_sweep(small_sweep, tmp_path / "pool", ProcessExecutor(2), batch_points=2)
    _same_bytes(serial_table, result.points_file)


def test_a_dask_local_cluster_of_two_processes_gives_the_same_table(
    small_sweep: Sweep, serial_table: Path, tmp_path: Path
) -> None:
    with DaskExecutor(workers=2) as executor:
        assert len(executor.client.scheduler_info()["workers"]) == 2
        result = run_sweep(small_sweep, tmp_path / "dask", executor, batch_points=5)
    _same_bytes(serial_table, result.points_file)


def test_a_dask_scheduler_address_runs_the_sweep_on_that_cluster(
    small_sweep: Sweep, serial_table: Path, tmp_path: Path
) -> None:
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        executor = make_executor(scheduler=cluster.scheduler_address)
        with executor:
            assert "Dask scheduler" in executor.description
            result = run_sweep(small_sweep, tmp_path / "scheduler", executor)
    _same_bytes(serial_table, result.points_file)


def test_make_executor_defaults_to_local_processes() -> None:
    assert isinstance(make_executor(processes=1), InProcessExecutor)
    pool = make_executor(processes=2)
    assert isinstance(pool, ProcessExecutor) and pool.workers == 2
    with pytest.raises(ValueError, match="not both"):
        make_executor(workers=2, scheduler="tcp://127.0.0.1:1")


def test_points_that_break_a_scenario_rule_are_stored_as_infeasible(
    make_two_actor: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    data = make_two_actor()
    data["actors"][0]["forces"]["ground"] = {
        "baseline": {"value": 2.0, "low": 1.0, "high": 9.0},
        "capacity": {"value": 10.0, "low": 5.0, "high": 12.0},
        "deployment_rate": 0.1,
    }
    sweep = plan_sweep(
        data,
        PointEstimates(),
        points=16,
        replicates=32,
        days=20,
        parameters=["actors[0].forces.ground.*"],
        seed=3,
    )
    result = run_sweep(sweep, tmp_path / "infeasible", InProcessExecutor())
    points = load_sweep(result.folder).points
    baseline = points["actors[0].forces.ground.baseline"]
    capacity = points["actors[0].forces.ground.capacity"]
    np.testing.assert_array_equal(points["feasible"], capacity >= baseline)
    assert 0 < result.infeasible < 16
    bad = points[~points["feasible"]]
    assert bad["error"].str.contains("actors[0].forces.ground.capacity", regex=False).all()
    assert bad["p_crisis"].isna().all()
    assert points.loc[points["feasible"], "p_crisis"].notna().all()


def test_a_scenario_error_raised_while_a_point_runs_is_not_stored_as_infeasible(
    small_sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ScenarioError([Problem("engine", "a fault of the run, not of the values")])

    monkeypatch.setattr(sweep_module, "simulate", broken)
    values = small_sweep.design.values[0]
    with pytest.raises(ScenarioError, match="a fault of the run"):
        small_sweep.runner(0, values)


def test_a_folder_holding_a_sweep_is_not_overwritten_and_resume_checks_settings(
    small_sweep: Sweep, serial_table: Path
) -> None:
    folder = serial_table.parent
    with pytest.raises(OutputError, match="--resume"):
        run_sweep(small_sweep, folder, InProcessExecutor())
    other = plan_sweep(
        "belarus-ukraine-2024",
        PointEstimates(),
        points=8,
        replicates=50,
        days=60,
        doctrines=DOCTRINES,
        seed=11,
    )
    with pytest.raises(ValueError, match="replicates: stored 100, now 50"):
        run_sweep(other, folder, InProcessExecutor(), resume=True)
    assert small_sweep.settings()["backend"] == "numpy"
    compiled = dataclasses.replace(
        small_sweep, runner=dataclasses.replace(small_sweep.runner, backend="jax")
    )
    with pytest.raises(ValueError, match="backend: stored 'numpy', now 'jax'"):
        run_sweep(compiled, folder, InProcessExecutor(), resume=True)
    again = run_sweep(small_sweep, folder, InProcessExecutor(), resume=True)
    assert (again.ran, again.skipped) == (0, 8)
