"""The grid's default axes: the adversary's prior of being an opportunist, the ally's commitment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import xarray as xr

from dualtrack.experiments import regimes
from dualtrack.experiments.regimes import (
    GridError,
    adversary_of,
    grid_axis,
    opportunist_path,
    plan_grid,
    run_grid,
    strongest_ally_path,
)
from dualtrack.scenario.loading import load_scenario


def test_default_axes_name_the_adversary_prior_and_the_strongest_ally_commitment() -> None:
    scenario = load_scenario("belarus-ukraine-2024")
    assert adversary_of(scenario, "BLR") == "UKR"
    assert adversary_of(scenario, "UKR") == "BLR"
    assert opportunist_path(scenario, "UKR") == "actors[1].p_opportunist"
    # BLR-RUS (0.9) is Belarus's only ally relation; UKR-NATO (0.3) is Ukraine's
    assert strongest_ally_path(scenario, "BLR") == "relations[4].commitment"
    assert strongest_ally_path(scenario, "UKR") == "relations[5].commitment"


def test_strongest_ally_is_the_highest_commitment() -> None:
    data = load_scenario("belarus-ukraine-2024").model_dump(mode="json", exclude_none=True)
    data["relations"].append({"between": ["BLR", "NATO"], "kind": "ally", "commitment": 0.95})
    data["relations"] = [r for r in data["relations"] if r["between"] != ["NATO", "BLR"]]
    scenario = load_scenario(data)
    index = next(k for k, r in enumerate(scenario.relations) if r.between == ("BLR", "NATO"))
    assert strongest_ally_path(scenario, "BLR") == f"relations[{index}].commitment"


def test_an_actor_outside_the_focus_dyad_needs_an_adversary() -> None:
    scenario = load_scenario("belarus-ukraine-2024")
    with pytest.raises(GridError, match="no side of the focus dyad BLR-UKR; give --adversary"):
        adversary_of(scenario, "RUS")


def test_an_actor_without_allies_has_no_default_credibility_axis(
    make_two_actor: Callable[[], dict[str, Any]],
) -> None:
    with pytest.raises(GridError, match="actor A has no ally relation .*; give --y PATH"):
        strongest_ally_path(load_scenario(make_two_actor()), "A")


def test_a_missing_default_axis_is_a_located_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regimes, "OPPORTUNIST_FIELD", "no_such_prior")
    with pytest.raises(
        GridError,
        match=r"--x \(default: the prior that UKR is an opportunist, "
        r"actors\[1\]\.no_such_prior\): no such number",
    ):
        plan_grid("belarus-ukraine-2024", actor="BLR", y_values=[0.6, 1.0])


def test_grid_spreads_values_evenly_over_the_declared_range() -> None:
    scenario = load_scenario("belarus-ukraine-2024")
    axis = grid_axis(scenario, "--y", "relations[4].commitment", None, 3)
    assert axis.values == pytest.approx((0.6, 0.8, 1.0))
    with pytest.raises(GridError, match="declares no range for this number"):
        grid_axis(scenario, "--y", "dyads[0].channels.mediated.quality", None, 3)


def test_every_cell_runs_every_doctrine_on_the_same_seed() -> None:
    grid = plan_grid(
        "belarus-ukraine-2024",
        actor="BLR",
        x="mechanisms.escalation.up_rate",
        x_values=[0.005, 0.03],
        y_values=[0.6, 1.0],
        replicates=8,
        days=5,
    )
    seeds = {plan.seed for study in grid.studies.values() for plan in study.plans.values()}
    assert seeds == {grid.seed}
    assert set(grid.studies) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    cell = grid.studies[(1, 0)].scenario
    assert cell.mechanisms.escalation.up_rate.value == 0.03
    assert cell.relations[4].commitment.value == 0.6
    assert grid.scenario.relations[4].commitment.value == 0.9  # the base keeps its value
    backends = {plan.backend for study in grid.studies.values() for plan in study.plans.values()}
    assert backends == {"numpy"}


def test_every_cell_is_planned_with_the_backend_named() -> None:
    pytest.importorskip("jax")  # the test extra installs it: CI runs this
    grid = plan_grid(
        "belarus-ukraine-2024",
        actor="BLR",
        x="mechanisms.escalation.up_rate",
        x_values=[0.005, 0.03],
        y_values=[0.6, 1.0],
        replicates=8,
        days=5,
        backend="jax",
    )
    backends = {plan.backend for study in grid.studies.values() for plan in study.plans.values()}
    assert backends == {"jax"}


def test_grid_results_do_not_depend_on_the_number_of_workers() -> None:
    grid = plan_grid(
        "belarus-ukraine-2024",
        actor="BLR",
        x="mechanisms.escalation.up_rate",
        x_values=[0.03],
        y_values=[0.6, 1.0],
        doctrines=["deterrence-only", "dual-track"],
        replicates=64,  # four tasks (cells x doctrines) shared out over the workers
        days=10,
    )
    one = run_grid(grid, workers=1)
    two = run_grid(grid, workers=2)
    xr.testing.assert_identical(one, two)
