"""Synthetic ring-plus-chords scenarios: the requested graph, valid and runnable."""

from __future__ import annotations

import pytest

import dualtrack
from dualtrack.scenario.synthetic import actor_id, ring_graph, ring_scenario


def test_ring_graph_has_the_ring_and_the_requested_chords():
    edges = ring_graph(8, chords=2, seed=1)
    assert len(edges) == len(set(edges)) == 10
    assert all(i < j for i, j in edges)
    ring = {(i, i + 1) for i in range(7)} | {(0, 7)}
    assert ring <= set(edges)
    chords = set(edges) - ring
    assert len(chords) == 2 and all(j - i not in (1, 7) for i, j in chords)
    assert ring_graph(8, chords=2, seed=1) == edges  # deterministic per seed


@pytest.mark.parametrize(("actors", "borders"), [(2, 1), (3, 3), (4, 5)])
def test_small_rings(actors, borders):
    assert len(ring_graph(actors)) == borders  # N = 2: one border; N = 3: a triangle


def test_ring_scenario_matches_its_graph():
    scenario = ring_scenario(16, chords=3, seed=2)
    edges = ring_graph(16, chords=3, seed=2)
    states = [a for a in scenario.actors if a.kind == "state"]
    hubs = [a for a in scenario.actors if a.kind == "alliance"]
    assert len(states) == 16 and [h.id for h in hubs] == ["H0", "H1"]
    borders = {frozenset((actor_id(i, 16), actor_id(j, 16))) for i, j in edges}
    assert {frozenset(s.between) for s in scenario.sectors} == borders
    dyads = {frozenset(d.between) for d in scenario.dyads}
    assert dyads == borders | {frozenset(("H0", "H1"))}
    adversaries = {frozenset(r.between) for r in scenario.relations if r.kind == "adversary"}
    assert borders <= adversaries
    members = {
        (set(r.between) - {"H0", "H1"}).pop(): (set(r.between) & {"H0", "H1"}).pop()
        for r in scenario.relations
        if r.kind == "ally"
    }
    assert members[actor_id(0, 16)] == "H0" and members[actor_id(1, 16)] == "H1"
    assert not any(h.forces for h in hubs)


def test_ring_scenario_runs():
    ds = dualtrack.simulate(ring_scenario(8), replicates=64, days=30, record="summary")
    assert ds.sizes["dyad"] == len(ring_graph(8)) + 1


def test_too_small_a_ring_is_refused():
    with pytest.raises(ValueError, match="at least 2 actors"):
        ring_graph(1)
