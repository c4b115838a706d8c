"""Dialogue: agreements need open channels, willingness and something to withdraw; ceilings
keep the unwithdrawn part; breakout and violation follow their definitions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dualtrack
from dualtrack.mechanisms.dialogue import (
    agreement_hazard,
    breaks_out,
    ceilings,
    in_violation,
    probability,
    ripeness,
)

share = st.floats(0.0, 1.0)
amount = st.floats(0.0, 100.0)


@given(st.floats(-5.0, 0.0), st.floats(-5.0, 0.0), st.floats(0.01, 5.0))
def test_ripeness_is_zero_without_excess(excess_i, excess_j, scale):
    assert ripeness(np.array([excess_i]), np.array([excess_j]), scale)[0] == 0.0


@given(amount, amount, amount, st.floats(0.01, 5.0))
def test_ripeness_is_a_share_growing_with_excess(excess_i, excess_j, more, scale):
    base = ripeness(np.array([excess_i]), np.array([excess_j]), scale)[0]
    grown = ripeness(np.array([excess_i + more]), np.array([excess_j]), scale)[0]
    assert 0.0 <= base <= grown <= 1.0


def test_ripeness_is_63_percent_at_the_scale():
    assert ripeness(np.array([0.2]), np.array([0.1]), 0.3)[0] == pytest.approx(1 - np.exp(-1))


@given(share, share, share, share, share, share)
def test_no_channel_or_no_willingness_means_no_agreement_hazard(
    capacity, will_i, will_j, ripe, trust, independence
):
    args = dict(ripe=np.array([ripe]), trust=np.array([trust]), trust_independence=independence)
    hazard = agreement_hazard(
        0.1, np.array([capacity]), np.array([will_i]), np.array([will_j]), **args
    )
    assert hazard[0] >= 0.0
    assert agreement_hazard(0.1, np.zeros(1), np.array([will_i]), np.array([will_j]), **args) == 0
    assert agreement_hazard(0.1, np.array([capacity]), np.zeros(1), np.array([will_j]), **args) == 0


@given(st.floats(0.0, 10.0), st.floats(0.01, 30.0))
def test_event_probability_is_a_share(hazard, dt):
    p = probability(np.array([hazard]), dt)[0]
    assert 0.0 <= p <= 1.0
    assert p <= hazard * dt + 1e-12


@given(amount, amount, share)
def test_ceiling_lies_between_baseline_and_current_forces(forces, baseline, depth):
    ceiling = ceilings(np.array([forces]), np.array([baseline]), depth)[0]
    assert baseline <= ceiling <= max(forces, baseline) + 1e-9


def test_full_withdrawal_caps_at_baseline_and_none_at_current_forces():
    forces, baseline = np.array([8.0, 1.0]), np.array([3.0, 2.0])
    np.testing.assert_array_equal(ceilings(forces, baseline, 1.0), [3.0, 2.0])
    np.testing.assert_array_equal(ceilings(forces, baseline, 0.0), [8.0, 2.0])
    np.testing.assert_allclose(ceilings(forces, baseline, 0.8), [4.0, 2.0])


def test_breaks_out_only_when_threat_grew_past_the_ratio():
    reference = np.array([10.0, 10.0, 10.0])
    threat = np.array([11.0, 11.6, 20.0])
    np.testing.assert_array_equal(breaks_out(threat, reference, np.array(1.15)), [0, 1, 1])
    assert not breaks_out(np.array([1e12]), np.array([1.0]), np.array(np.inf))[0]


def test_in_violation_when_any_category_exceeds_ceiling_beyond_tolerance():
    ceiling = np.array([[4.0, 2.0]])
    assert not in_violation(np.array([[4.0, 2.0]]), ceiling, 0.1)[0]
    assert not in_violation(np.array([[4.39, 2.19]]), ceiling, 0.1)[0]
    assert in_violation(np.array([[4.0, 2.3]]), ceiling, 0.1)[0]
    assert not in_violation(np.array([[1e9, 1e9]]), np.full((1, 2), np.inf), 0.1)[0]


def _channels(data, open_: bool):
    data["dyads"][0]["channels"] = {
        name: {"open": open_, "quality": 1.0}
        for name in ("diplomatic", "backchannel", "mediated", "hotline", "multilateral")
    }
    data["shocks"] = [s for s in data.get("shocks", []) if s["kind"] != "channel"]
    data["settings"].update(replicates=512, horizon_days=120)
    return dualtrack.load_scenario(data)


def test_closed_channels_produce_no_agreement(builtin_copy):
    results = dualtrack.simulate(_channels(builtin_copy, False), "dual-track", record="summary")
    assert int(results.agreements.sum()) == 0
    assert bool(np.isnan(results.first_agreement_day).all())


def test_open_channels_produce_agreements_between_willing_sides(builtin_copy):
    results = dualtrack.simulate(_channels(builtin_copy, True), "dual-track", record="summary")
    assert int(results.agreements.sum()) > 0
