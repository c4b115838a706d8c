"""Every registered doctrine documents itself, and the claims of its classifier hold
(in the manner of Axelrod's strategy classifiers)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualtrack.doctrines import BUILTIN_DOCTRINES, REGISTRY, Observation

CLASSIFIER_KEYS = {"tracks", "observes", "memory", "stochastic"}
TRACKS = {"deterrence", "dialogue"}
OBSERVATION_FIELDS = {field.name for field in dataclasses.fields(Observation)}
# The actor's own force structure (baseline, capacity, response shares) is given, not observed:
# every doctrine may read it. The remaining fields are what a doctrine perceives of the situation.
FORCE_STRUCTURE = {"baseline", "capacity", "share_per_weight"}
SITUATION = OBSERVATION_FIELDS - FORCE_STRUCTURE

DOCTRINES = sorted(REGISTRY)


def test_builtin_doctrines_are_registered():
    assert set(BUILTIN_DOCTRINES) <= set(REGISTRY)


@pytest.mark.parametrize("name", DOCTRINES)
def test_doctrine_documents_name_names_source_and_rule(name):
    doctrine = REGISTRY[name]
    assert doctrine.name == name
    assert doctrine.names and all(isinstance(n, str) and "[" in n for n in doctrine.names)
    assert isinstance(doctrine.source, str) and len(doctrine.source) > 20
    assert doctrine.__doc__ and doctrine.__doc__.strip()
    assert doctrine.Params().model_dump() is not None  # every parameter has a default


@pytest.mark.parametrize("name", DOCTRINES)
def test_classifier_has_the_documented_keys_and_values(name):
    classifier = REGISTRY[name].classifier
    assert set(classifier) == CLASSIFIER_KEYS
    assert set(classifier["tracks"]) <= TRACKS and classifier["tracks"]
    assert set(classifier["observes"]) <= OBSERVATION_FIELDS
    assert isinstance(classifier["memory"], bool)
    assert isinstance(classifier["stochastic"], bool)


def _situations(seed: int, steps: int = 60, replicates: int = 8) -> list[Observation]:
    """A varied sequence of daily observations: threat and adversary build-ups and draw-downs,
    incidents, agreements, own forces; two categories, one of them with unbounded capacity."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0.0, 1.5, (steps, replicates)), axis=0)
    observations = []
    for day in range(steps):
        observations.append(
            Observation(
                day=float(day),
                dt=1.0,
                threat=np.abs(4.0 + walk[day] + rng.normal(0.0, 0.5, replicates)),
                tolerated_threat=4.0,
                adversary_strength=np.abs(3.0 + walk[day]),
                attributed_incidents=rng.poisson(0.3, replicates).astype(float),
                in_agreement=rng.random(replicates) < 0.3,
                forces=rng.uniform(0.0, 10.0, (replicates, 2)),
                baseline=np.array([2.0, 1.0]),
                capacity=np.array([10.0, np.inf]),
                share_per_weight=np.array([0.5, 0.25]),
                threat_noise=rng.uniform(0.0, 2.0, replicates),
                belief=rng.uniform(0.0, 1.0, replicates),
            )
        )
    return observations


def _perturbed(obs: Observation, field: str, rng: np.random.Generator) -> Observation:
    value = getattr(obs, field)
    if field == "day":
        new = value + 3.0
    elif field == "dt":
        new = value * 0.5
    elif field == "tolerated_threat":
        new = value * 2.0 + 1.0
    elif value.dtype == bool:
        new = ~value
    elif field == "belief":
        new = 1.0 - value
    else:
        new = value * rng.uniform(0.2, 3.0, value.shape) + 1.0
    return dataclasses.replace(obs, **{field: new})


def _run(doctrine, observations):
    state = doctrine.initial_state(observations[0].replicates)
    return [doctrine.decide(obs, state) for obs in observations]


@pytest.mark.parametrize("name", DOCTRINES)
@settings(max_examples=8)
@given(seed=st.integers(0, 2**32 - 1))
def test_doctrine_without_dialogue_track_never_talks(name, seed):
    doctrine = REGISTRY[name]()
    decisions = _run(doctrine, _situations(seed))
    if "dialogue" not in doctrine.classifier["tracks"]:
        assert all(np.all(d.talk == 0.0) for d in decisions)
    for decision in decisions:
        assert np.all((decision.talk >= 0.0) & (decision.talk <= 1.0))


@pytest.mark.parametrize(
    "name", [n for n in DOCTRINES if "dialogue" in REGISTRY[n].classifier["tracks"]]
)
def test_doctrine_with_dialogue_track_talks_in_some_situation(name):
    decisions = _run(REGISTRY[name](), _situations(0))
    assert any(np.any(d.talk > 0.0) for d in decisions)


@pytest.mark.parametrize("name", DOCTRINES)
@settings(max_examples=8)
@given(seed=st.integers(0, 2**32 - 1))
def test_doctrine_without_deterrence_track_keeps_baseline(name, seed):
    doctrine = REGISTRY[name]()
    observations = _situations(seed)
    for obs, decision in zip(observations, _run(doctrine, observations), strict=True):
        assert decision.target.shape == obs.forces.shape
        if "deterrence" not in doctrine.classifier["tracks"]:
            np.testing.assert_array_equal(
                decision.target, np.broadcast_to(obs.baseline, obs.forces.shape)
            )


@pytest.mark.parametrize(
    "name", [n for n in DOCTRINES if "deterrence" in REGISTRY[n].classifier["tracks"]]
)
def test_doctrine_with_deterrence_track_deploys_in_some_situation(name):
    observations = _situations(0)
    decisions = _run(REGISTRY[name](), observations)
    assert any(
        np.any(d.target > obs.baseline) for obs, d in zip(observations, decisions, strict=True)
    )


@pytest.mark.parametrize(
    ("name", "field"),
    [
        (name, field)
        for name in DOCTRINES
        for field in sorted(SITUATION - set(REGISTRY[name].classifier["observes"]))
    ],
)
@settings(max_examples=8)
@given(seed=st.integers(0, 2**32 - 1))
def test_fields_not_observed_do_not_change_decisions(name, field, seed):
    doctrine = REGISTRY[name]()
    observations = _situations(seed, steps=40)
    rng = np.random.default_rng(seed)
    perturbed = [_perturbed(obs, field, rng) for obs in observations]
    for plain, changed in zip(_run(doctrine, observations), _run(doctrine, perturbed), strict=True):
        np.testing.assert_array_equal(plain.target, changed.target)
        np.testing.assert_array_equal(plain.talk, changed.talk)


@pytest.mark.parametrize(
    "name", [n for n in DOCTRINES if "belief" in REGISTRY[n].classifier["observes"]]
)
def test_a_doctrine_that_claims_to_read_beliefs_decides_differently_on_them(name):
    observations = _situations(1)
    trusting = [dataclasses.replace(o, belief=np.zeros(o.replicates)) for o in observations]
    wary = [dataclasses.replace(o, belief=np.ones(o.replicates)) for o in observations]
    doctrine = REGISTRY[name]()
    assert any(
        np.any(a.target != b.target)
        for a, b in zip(_run(doctrine, trusting), _run(doctrine, wary), strict=True)
    )


@pytest.mark.parametrize("name", DOCTRINES)
def test_memory_claim_matches_initial_state(name):
    doctrine = REGISTRY[name]()
    state = doctrine.initial_state(5)
    if REGISTRY[name].classifier["memory"]:
        assert state and all(len(value) == 5 for value in state.values())
    else:
        assert state == {}


@pytest.mark.parametrize("name", [n for n in DOCTRINES if not REGISTRY[n].classifier["stochastic"]])
def test_deterministic_doctrine_decides_the_same_way_twice(name):
    observations = _situations(3)
    first = _run(REGISTRY[name](), observations)
    second = _run(REGISTRY[name](), observations)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.target, b.target)
        np.testing.assert_array_equal(a.talk, b.talk)
