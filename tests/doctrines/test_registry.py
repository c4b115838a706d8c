"""The doctrine registry: users register their own doctrines and use them by name."""

from __future__ import annotations

import numpy as np
import pytest

import dualtrack
from dualtrack.doctrines import (
    REGISTRY,
    Decision,
    Doctrine,
    DualTrack,
    get_doctrine,
    make_doctrine,
    register,
)
from dualtrack.doctrines.base import DoctrineParams


class HalfwayParams(DoctrineParams):
    """No parameters."""


class Halfway(Doctrine):
    """Keeps forces halfway between baseline and capacity and never talks."""

    name = "test-halfway"
    names = ("Halfway: [Test]",)
    source = "A doctrine defined by the test-suite."
    classifier = {
        "tracks": frozenset({"deterrence"}),
        "observes": frozenset(),
        "memory": False,
        "stochastic": False,
    }
    Params = HalfwayParams

    def decide(self, obs, state):
        target = np.broadcast_to((obs.baseline + obs.capacity) / 2.0, obs.forces.shape).copy()
        return Decision(target=target, talk=np.zeros(obs.replicates))


@pytest.fixture
def halfway():
    register(Halfway)
    yield Halfway
    REGISTRY.pop(Halfway.name, None)


def test_registered_doctrine_is_used_in_a_simulation(halfway, make_two_actor):
    data = make_two_actor()
    data["actors"][0]["doctrine"] = {"name": "test-halfway"}
    data["settings"].update(horizon_days=200, replicates=4)
    results = dualtrack.simulate(dualtrack.load_scenario(data), record="summary")
    assert results.attrs["doctrine"] == "test-halfway"
    final_a = results.forces.sel(actor="A", category="ground").values
    np.testing.assert_allclose(final_a, 6.0, rtol=1e-6)  # halfway between 2 and 10


def test_doctrine_instance_replaces_the_subjects_doctrine(halfway, make_two_actor):
    data = make_two_actor()
    data["settings"].update(replicates=4)
    results = dualtrack.simulate(data, Halfway(), record="summary")
    assert "A=test-halfway" in results.attrs["doctrines"]


def test_registering_another_doctrine_under_a_taken_name_is_refused():
    class Impostor(DualTrack):
        pass

    with pytest.raises(ValueError, match="dual-track"):
        register(Impostor)
    assert REGISTRY["dual-track"] is DualTrack


def test_unknown_doctrine_name_lists_known_doctrines():
    with pytest.raises(KeyError) as caught:
        get_doctrine("appeasement")
    message = str(caught.value)
    assert "appeasement" in message
    for name in dualtrack.BUILTIN_DOCTRINES:
        assert name in message


def test_simulate_with_unknown_doctrine_lists_known_doctrines(make_two_actor):
    with pytest.raises(KeyError, match="known doctrines are .*dual-track"):
        dualtrack.simulate(make_two_actor(), "appeasement")


def test_make_doctrine_validates_parameters():
    assert make_doctrine("grit", {"step": 0.3}).params.step.value == 0.3
    with pytest.raises(ValueError, match="charisma"):
        make_doctrine("grit", {"charisma": 1.0})
