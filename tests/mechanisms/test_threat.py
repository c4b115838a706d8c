"""Threat: remembered incidents decay; actors add their own threats and share allies' threats."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dualtrack
from dualtrack.engine.compiled import compile_scenario
from dualtrack.mechanisms.threat import actor_threat, decay_factor, pair_threat, update_memory


@given(st.floats(0.01, 30.0), st.floats(0.01, 365.0))
def test_memory_retention_is_a_share(dt, memory_days):
    assert 0.0 <= decay_factor(dt, memory_days) < 1.0


def test_zero_memory_forgets_at_once():
    assert decay_factor(1.0, 0.0) == 0.0
    np.testing.assert_array_equal(update_memory(np.array([5.0]), np.array([2.0]), 0.0), [2.0])


def test_remembered_incident_falls_to_1_over_e_after_memory_days():
    memory = np.array([1.0])
    retention = decay_factor(0.5, 30.0)
    for _ in range(60):
        memory = update_memory(memory, np.zeros(1), retention)
    assert memory[0] == pytest.approx(np.exp(-1.0), rel=1e-12)


@pytest.mark.parametrize("dt", [0.25, 1.0, 5.0])
def test_decay_over_a_period_does_not_depend_on_step_size(dt):
    steps = round(30.0 / dt)
    assert decay_factor(dt, 10.0) ** steps == pytest.approx(np.exp(-3.0), rel=1e-12)


@given(st.floats(0.0, 50.0), st.floats(0.0, 10.0), st.integers(0, 8), st.floats(0, 5))
def test_pair_threat_adds_forces_incidents_and_rung(strength, memory, rung, weight):
    threat = pair_threat(np.array([strength]), np.array([memory]), np.array([rung]), weight, 1.0)
    assert threat[0] == pytest.approx(strength + weight * memory + rung)
    assert threat[0] >= strength


def _alliance_scenario(make_two_actor, ally_share: float, commitment: float):
    """A and B adversaries; C allied to A; C also faces B (common enemy) and D (its own)."""
    data = make_two_actor()
    for actor_id in ("C", "D"):
        data["actors"].append({"id": actor_id, "name": actor_id, "forces": {}})
    data["relations"] += [
        {"between": ["A", "C"], "kind": "ally", "commitment": commitment},
        {"between": ["C", "B"], "kind": "adversary"},
        {"between": ["C", "D"], "kind": "adversary"},
    ]
    data["mechanisms"] = {"threat": {"ally_share": ally_share}}
    return compile_scenario(dualtrack.load_scenario(data))


def test_actor_feels_own_threats_plus_share_of_allies_threats(make_two_actor):
    compiled = _alliance_scenario(make_two_actor, ally_share=0.5, commitment=0.8)
    pairs = list(compiled.pair_ids)
    pair_threats = np.zeros((1, len(pairs)))
    pair_threats[0, pairs.index("A->B")] = 4.0
    pair_threats[0, pairs.index("C->B")] = 100.0  # common adversary: counted once, directly
    pair_threats[0, pairs.index("C->D")] = 10.0  # the ally's own adversary: shared
    felt = actor_threat(pair_threats, compiled.aggregation)[0]
    actors = list(compiled.actor_ids)
    assert felt[actors.index("A")] == pytest.approx(4.0 + 0.5 * 0.8 * 10.0)
    assert felt[actors.index("C")] == pytest.approx(100.0 + 10.0)
    assert felt[actors.index("B")] == 0.0


def test_shared_threat_grows_with_commitment(make_two_actor):
    felt = []
    for commitment in (0.2, 0.5, 0.9):
        compiled = _alliance_scenario(make_two_actor, ally_share=0.5, commitment=commitment)
        pair_threats = np.zeros((1, len(compiled.pair_ids)))
        pair_threats[0, list(compiled.pair_ids).index("C->D")] = 10.0
        felt.append(actor_threat(pair_threats, compiled.aggregation)[0, 0])
    assert felt == sorted(felt)
    assert felt[0] > 0.0
