"""Compilation: the random-number layout follows its declaration, and the status quo is what
the mechanisms give for the starting forces, bias, rung and background of incidents."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dualtrack
from dualtrack.engine.compiled import RandomLayout, compile_scenario


def test_random_layout_lays_the_declared_blocks_end_to_end():
    layout = RandomLayout.of({"sectors": 3, "dyads": 2, "slots": 1})
    assert layout.contact == slice(0, 3)
    assert layout.exogenous == slice(3, 15)  # 4 per sector
    assert layout.formation == slice(15, 17)
    assert layout.detection == slice(17, 21)  # 2 per dyad
    assert layout.escalation == slice(21, 23)
    assert layout.nuclear == slice(23, 25)
    assert layout.pull_in == slice(25, 26)
    assert layout.width == 26


def test_tolerated_threat_is_the_biased_view_of_the_adversarys_starting_forces(make_two_actor):
    data = make_two_actor()
    data["actors"][0]["threat_inflation"] = 0.2
    data["dyads"][0]["verification"] = {"transparency": 0.5}
    data["mechanisms"] = {"incidents": {"contact_rate": 0.0}}
    compiled = compile_scenario(dualtrack.load_scenario(data))
    # A sees B's 3 units inflated by 0.2 x (1 - 0.5); B (no inflation) sees A's 2 units
    np.testing.assert_allclose(compiled.tolerated_threat, [3.0 * 1.1, 2.0], rtol=1e-15)
    np.testing.assert_allclose(compiled.initial_bias, [0.1, 0.0], rtol=1e-15)
    np.testing.assert_array_equal(compiled.initial_memory, [0.0, 0.0])


@pytest.mark.parametrize("step_days", [1.0, 0.5])
def test_background_memory_is_the_steady_state_of_expected_contact_incidents(
    make_two_actor, step_days
):
    data = make_two_actor()
    data["settings"]["step_days"] = step_days
    data["mechanisms"] = {
        "incidents": {"contact_rate": 0.1},
        "threat": {"incident_weight": 0.5, "memory_days": 10.0, "rung_weight": 0.0},
    }
    compiled = compile_scenario(dualtrack.load_scenario(data))
    # contact rate kappa sqrt(X_A X_B) per day, each blamed on the other side; memory keeps
    # the sum of a geometric series with retention exp(-dt / memory_days)
    daily = 0.1 * math.sqrt(2.0 * 3.0)
    memory = daily * step_days / (1.0 - math.exp(-step_days / 10.0))
    np.testing.assert_allclose(compiled.initial_memory, [memory, memory], rtol=1e-12)
    np.testing.assert_allclose(
        compiled.tolerated_threat, [3.0 + 0.5 * memory, 2.0 + 0.5 * memory], rtol=1e-12
    )
