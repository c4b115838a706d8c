"""Studies under a posterior: one draw per block of replicates, seeded, CRN-paired, and the same
bits whatever the workers or chunking; the block's results are those of the nominal engine on
the drawn values."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import dualtrack
from dualtrack.engine.streams import BLOCK_SIZE
from dualtrack.experiments.posterior import Posterior
from dualtrack.experiments.posterior_study import (
    NOMINAL,
    blocks,
    draw_seed,
    parameters_label,
    posterior_draws,
    run_posterior_study,
    simulate_under_posterior,
    under_posterior,
)
from dualtrack.experiments.study import plan_study
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.uncertainty import apply_values

SCENARIO = "belarus-ukraine-2024"
DOCTRINES = ["dual-track", "deterrence-only"]
REPLICATES = 2 * BLOCK_SIZE + 40  # three blocks, the last one short
DAYS = 45
TALK = "mechanisms.dialogue.talk_rate"
PRIOR = "actors[0].p_opportunist"


def _posterior() -> Posterior:
    return Posterior(
        parameters=(TALK, PRIOR),
        values=np.array([[0.1, 0.02], [0.3, 0.1], [0.55, 0.25], [0.6, 0.05]]),
        weights=np.array([0.1, 0.4, 0.3, 0.2]),
        attrs={"scenario": SCENARIO},
    )


def _study(chunk_size: int = 2048, seed: int | None = None):
    return plan_study(
        SCENARIO,
        DOCTRINES,
        replicates=REPLICATES,
        days=DAYS,
        seed=seed,
        record="summary",
        chunk_size=chunk_size,
    )


def _run(chunk_size: int = 2048, workers: int = 1, seed: int | None = None):
    study = _study(chunk_size, seed)
    plan = next(iter(study.plans.values()))
    draws = posterior_draws(_posterior(), "post", plan.replicates, plan.seed)
    return run_posterior_study(under_posterior(study, draws), workers), draws


def _same(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


@pytest.fixture(scope="module")
def under() -> tuple[dict[str, xr.Dataset], object]:
    return _run()


def test_one_draw_per_block_resampled_by_weight_from_the_seed() -> None:
    assert blocks(REPLICATES) == ((0, 256), (256, 256), (512, 40))
    draws = posterior_draws(_posterior(), "post", REPLICATES, seed=11)
    assert draws.n_draws == 3
    np.testing.assert_array_equal(draws.values, _posterior().draw(3, draw_seed(11)))
    again = posterior_draws(_posterior(), "post", REPLICATES, seed=11)
    np.testing.assert_array_equal(draws.values, again.values)
    assert draw_seed(11) != draw_seed(12)
    assert draw_seed(11) != 11
    only_one = Posterior((TALK,), np.array([[0.2], [0.4]]), np.array([0.0, 1.0]))
    assert (posterior_draws(only_one, "p", 5000, seed=1).values == 0.4).all()


def test_each_block_is_the_nominal_engine_on_its_draw(under) -> None:
    results, draws = under
    ds = results["dual-track"]
    for b, (first, count) in enumerate(blocks(REPLICATES)):
        scenario = apply_values(dualtrack.load_scenario(SCENARIO), draws.block(b))
        alone = dualtrack.simulate(
            scenario,
            "dual-track",
            replicates=REPLICATES,
            days=DAYS,
            seed=ds.attrs["seed"],
            record="summary",
        ).isel(replicate=slice(first, first + count))
        part = ds.isel(replicate=slice(first, first + count))
        for name in ("max_rung", "agreements", "opportunist", "cost"):
            np.testing.assert_array_equal(part[name].values, alone[name].values, err_msg=name)


def test_draws_change_the_results(under) -> None:
    results, _ = under
    nominal = dualtrack.simulate(
        SCENARIO, "dual-track", replicates=REPLICATES, days=DAYS, record="summary"
    )
    # the prior that Belarus is an opportunist is drawn: the types differ from the nominal run
    assert not np.array_equal(
        results["dual-track"]["opportunist"].values, nominal["opportunist"].values
    )


def test_doctrines_share_draws_and_random_numbers(under) -> None:
    results, _ = under
    a, b = results["dual-track"], results["deterrence-only"]
    # the types come from the intent stream and the drawn prior: identical across doctrines
    np.testing.assert_array_equal(a["opportunist"].values, b["opportunist"].values)
    assert not np.array_equal(a["agreements"].values, b["agreements"].values)
    assert a.attrs["posterior_draw_seed"] == b.attrs["posterior_draw_seed"]


def test_same_seed_same_bits_whatever_the_chunking(under) -> None:
    results, _ = under
    small, _ = _run(chunk_size=BLOCK_SIZE)
    for name in DOCTRINES:
        _same(results[name], small[name])


def test_workers_do_not_change_the_bits(under) -> None:
    results, _ = under
    pooled, _ = _run(workers=2)
    for name in DOCTRINES:
        _same(results[name], pooled[name])


def test_another_seed_draws_again(under) -> None:
    _, draws = under
    _, other = _run(seed=5)
    assert not np.array_equal(draws.values, other.values)


def test_results_say_which_parameters_were_used(under) -> None:
    results, draws = under
    attrs = results["dual-track"].attrs
    assert attrs["parameters"] == "posterior post (3 draws)"
    assert attrs["posterior_draws"] == 3
    assert parameters_label(None) == NOMINAL
    described = draws.describe()
    assert described["parameters"] == [TALK, PRIOR]
    assert len(described["draws"]) == 3


def test_a_study_parameter_is_excluded_from_the_draws() -> None:
    draws = posterior_draws(_posterior(), "post", REPLICATES, 3, exclude=[TALK])
    assert draws.parameters == (PRIOR,)
    assert draws.excluded == (TALK,)
    assert draws.values.shape == (3, 1)
    ds = simulate_under_posterior(
        dualtrack.load_scenario(SCENARIO),
        "dual-track",
        _posterior(),
        "post",
        replicates=BLOCK_SIZE,
        days=10,
        exclude=[TALK],
    )
    assert ds.attrs["posterior_draws"] == 1


def test_a_draw_that_breaks_a_rule_is_a_located_error() -> None:
    capacity = "actors[0].forces.ground.capacity"
    broken = Posterior((capacity,), np.array([[0.5]]), np.array([1.0]))  # below baseline 3
    study = _study()
    draws = posterior_draws(broken, "broken-post", REPLICATES, 1)
    with pytest.raises(ScenarioError, match=r"broken-post \(posterior draw 0\)"):
        under_posterior(study, draws)
