"""Posture: forces relax toward the target within capacity; the deterrence track is Richardson's
arms-race model, so the engine must reproduce its closed-form solution, equilibrium and
divergence (Richardson 1960)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.linalg import expm

import dualtrack
from dualtrack.mechanisms.posture import (
    deterrent_target,
    relax,
    richardson_equilibrium,
    richardson_is_stable,
)

forces_st = st.floats(0.0, 100.0)


@given(
    forces=forces_st,
    target=st.floats(-100.0, 200.0),
    rate_dt=st.floats(0.0, 1.0),
    headroom=st.one_of(st.floats(0.0, 100.0), st.just(np.inf)),
)
def test_relax_stays_within_zero_and_capacity(forces, target, rate_dt, headroom):
    capacity = forces + headroom
    moved = relax(np.array([forces]), np.array([target]), np.array([rate_dt]), np.array([capacity]))
    assert 0.0 <= moved[0] <= capacity


@given(forces=forces_st, target=forces_st, rate_dt=st.floats(0.0, 1.0))
def test_relax_moves_toward_target_without_overshooting(forces, target, rate_dt):
    moved = relax(np.array([forces]), np.array([target]), np.array([rate_dt]), np.array([np.inf]))
    assert min(forces, target) - 1e-9 <= moved[0] <= max(forces, target) + 1e-9


@given(st.floats(0.0, 50.0), st.floats(0.0, 50.0), st.floats(0.0, 2.0))
def test_deterrent_target_adds_reactivity_times_excess_threat_in_threat_points(
    threat, tolerated, reactivity
):
    weight = np.array([1.0, 3.0])
    share_per_weight = np.array([0.25, 0.75]) / weight
    baseline = np.array([2.0, 1.0])
    target = deterrent_target(np.array([threat]), tolerated, reactivity, baseline, share_per_weight)
    added_strength = (target[0] - baseline) @ weight
    assert added_strength == pytest.approx(reactivity * max(threat - tolerated, 0.0), abs=1e-9)
    assert np.all(target[0] >= baseline)


# --- Richardson's model -------------------------------------------------------------------

REACTIVITY = (0.5, 0.8)
RATE = (0.1, 0.2)
BASELINE = (2.0, 3.0)
INITIAL = (5.0, 1.0)


def _coefficients(reactivity, rate, baseline):
    """Richardson's K (reaction), a (fatigue) and g (grievance) per side (threat weight 1)."""
    k = tuple(r * c for r, c in zip(rate, reactivity, strict=True))
    a = tuple(rate)
    g = tuple(r * b for r, b in zip(rate, baseline, strict=True))
    return k, a, g


def _closed_form(times, reactivity=REACTIVITY, rate=RATE, baseline=BASELINE, initial=INITIAL):
    """Solution of dx/dt = K1 y - a1 x + g1, dy/dt = K2 x - a2 y + g2 at the given times."""
    (k1, k2), (a1, a2), (g1, g2) = _coefficients(reactivity, rate, baseline)
    system = np.array([[-a1, k1], [k2, -a2]])
    equilibrium = np.array(richardson_equilibrium(k1, k2, a1, a2, g1, g2))
    start = np.array(initial) - equilibrium
    return np.array([equilibrium + expm(system * t) @ start for t in times])


def _simulate(make_richardson, step_days, horizon_days, record="full", **changes):
    params = dict(reactivity=REACTIVITY, deployment_rate=RATE, baseline=BASELINE, initial=INITIAL)
    params.update(changes)
    scenario = make_richardson(step_days=step_days, horizon_days=horizon_days, **params)
    return dualtrack.simulate(dualtrack.load_scenario(scenario), record=record)


def test_equilibrium_solves_the_two_reaction_equations():
    (k1, k2), (a1, a2), (g1, g2) = _coefficients(REACTIVITY, RATE, BASELINE)
    x, y = richardson_equilibrium(k1, k2, a1, a2, g1, g2)
    assert k1 * y - a1 * x + g1 == pytest.approx(0.0, abs=1e-12)
    assert k2 * x - a2 * y + g2 == pytest.approx(0.0, abs=1e-12)


def test_stability_condition_is_mutual_reaction_below_mutual_fatigue():
    assert richardson_is_stable(0.04, 0.16, 0.1, 0.2)
    assert not richardson_is_stable(0.12, 0.2, 0.1, 0.2)


def test_engine_follows_richardson_closed_form_with_first_order_error(make_richardson):
    errors = []
    for step_days in (0.02, 0.01):
        results = _simulate(make_richardson, step_days, horizon_days=30)
        forces = results.forces.sel(category="ground").transpose("replicate", "time", "actor")
        exact = _closed_form(results.time.values)
        # exact perception: every replicate follows the same deterministic path
        np.testing.assert_array_equal(forces.values[0], forces.values[1])
        errors.append(np.abs(forces.values[0] - exact).max())
    coarse, fine = errors
    assert fine < 0.01 * np.abs(np.array(INITIAL) - np.array(BASELINE)).max()
    # explicit Euler: halving the step halves the error
    assert 1.7 < coarse / fine < 2.3


def test_stable_race_settles_at_richardson_equilibrium(make_richardson):
    (k1, k2), (a1, a2), (g1, g2) = _coefficients(REACTIVITY, RATE, BASELINE)
    assert richardson_is_stable(k1, k2, a1, a2)
    results = _simulate(make_richardson, step_days=1.0, horizon_days=600, record="summary")
    final = results.forces.sel(category="ground").isel(replicate=0).values
    np.testing.assert_allclose(final, richardson_equilibrium(k1, k2, a1, a2, g1, g2), rtol=1e-8)


def test_unstable_race_grows_past_any_bound(make_richardson):
    reactivity = (1.3, 1.1)
    (k1, k2), (a1, a2), _ = _coefficients(reactivity, RATE, BASELINE)
    assert not richardson_is_stable(k1, k2, a1, a2)
    results = _simulate(make_richardson, step_days=1.0, horizon_days=600, reactivity=reactivity)
    total = results.forces.sel(category="ground").isel(replicate=0).sum("actor").values
    assert np.all(np.diff(total[-100:]) > 0.0)
    assert total[-1] > 1e4 * sum(INITIAL)
    # and it keeps accelerating: the late growth factor per step stays above one
    assert total[-1] / total[-2] > 1.0 + 1e-3


@pytest.mark.parametrize("step_days", [1.0, 0.5])
def test_discrete_map_fixed_point_is_the_ode_equilibrium(make_richardson, step_days):
    (k1, k2), (a1, a2), (g1, g2) = _coefficients(REACTIVITY, RATE, BASELINE)
    equilibrium = richardson_equilibrium(k1, k2, a1, a2, g1, g2)
    # one step of the engine's posture rule from the equilibrium returns it
    forces = np.array(equilibrium)
    targets = np.array(
        [BASELINE[0] + REACTIVITY[0] * forces[1], BASELINE[1] + REACTIVITY[1] * forces[0]]
    )
    rate_dt = np.array(RATE) * step_days
    np.testing.assert_allclose(relax(forces, targets, rate_dt, np.inf), forces, rtol=1e-14)
    # and the whole engine, started there, stays there
    results = _simulate(
        make_richardson, step_days, horizon_days=50, record="summary", initial=equilibrium
    )
    final = results.forces.sel(category="ground").isel(replicate=0).values
    np.testing.assert_allclose(final, equilibrium, rtol=1e-12)
