"""The built-in Europe-wide scenario: generated from the geo data, valid, stable and sparse."""

from __future__ import annotations

import numpy as np

import dualtrack
from dualtrack.engine.linear import SPARSE_MAX_DENSITY, SPARSE_MIN_SIZE, LinearMap
from dualtrack.engine.state import initial_state
from dualtrack.scenario.ladder import Rung

FRONTLINE = {"RUS", "BLR"}


def test_europe_is_a_builtin_scenario_with_at_least_45_actors(europe):
    assert "europe" in dualtrack.builtin_scenarios()
    assert len(europe.actors) >= 45
    assert {a.id for a in europe.actors if a.kind == "alliance"} == {"NATO", "USRB", "CSTO"}


def test_the_yaml_is_what_the_builder_generates(builder):
    text = builder.OUTPUT.read_text(encoding="utf-8")
    assert text == builder.render(builder.build())


def test_every_sector_is_a_land_border_of_the_geo_data_with_its_length(europe, geo_borders):
    assert europe.sectors
    for sector in europe.sectors:
        pair = frozenset(sector.between)
        assert pair in geo_borders, f"{sector.id}: {sorted(pair)} share no land border"
        assert sector.length_km.value == geo_borders[pair]


def test_every_nato_border_with_russia_or_belarus_is_a_tracked_dyad(europe, geo_borders):
    nato = {
        (set(r.between) - {"NATO"}).pop()
        for r in europe.relations
        if r.kind == "ally" and "NATO" in r.between and r.commitment.value >= 0.8
    }
    dyads = {frozenset(d.between) for d in europe.dyads}
    sectors = {frozenset(s.between) for s in europe.sectors}
    wanted = [p for p in geo_borders if p & FRONTLINE and p & nato]
    assert len(wanted) == 9  # FIN, NOR, EST, LVA, LTU, POL with Russia; LVA, LTU, POL with Belarus
    for pair in wanted:
        assert pair in dyads and pair in sectors, sorted(pair)
    assert frozenset(("BLR", "UKR")) in sectors
    assert europe.focus == ("BLR", "UKR")


def test_alliances_are_hubs_with_their_members_commitments(europe):
    commitments = {
        frozenset(r.between): r.commitment.value for r in europe.relations if r.kind == "ally"
    }
    assert commitments[frozenset(("EST", "NATO"))] >= 0.9  # Art. 5 plus the eFP tripwire
    assert commitments[frozenset(("RUS", "USRB"))] == commitments[frozenset(("BLR", "USRB"))]
    assert commitments[frozenset(("BLR", "CSTO"))] < commitments[frozenset(("BLR", "USRB"))]
    hub_dyads = {frozenset(d.between) for d in europe.dyads if {"NATO"} & set(d.between)}
    assert {frozenset(("NATO", "RUS")), frozenset(("NATO", "BLR"))} <= hub_dyads
    assert not any(a.forces for a in europe.actors if a.kind == "alliance")


def test_doctrines_follow_the_seed_and_neutrality(europe):
    doctrine = {a.id: a.doctrine.name for a in europe.actors}
    assert doctrine["BLR"] == "dual-track"
    assert doctrine["RUS"] == "deterrence-only"
    assert {doctrine[n] for n in ("AUT", "CHE", "IRL", "MLT", "MDA")} == {"dialogue-only"}


def test_the_status_quo_is_as_stable_as_the_flagships(builder, europe):
    flagship, _ = builder.loop_gain(dualtrack.load_scenario("belarus-ukraine-2024"))
    gain, _ = builder.loop_gain(europe)
    assert builder.spectral_radius(gain) <= builder.spectral_radius(flagship) + 1e-3


def test_a_short_run_gives_the_cascade_variables(europe):
    ds = dualtrack.simulate(europe, replicates=200, days=60, record="summary", seed=3)
    assert ds.sizes["replicate"] == 200
    assert ds.sizes["dyad"] == len(europe.dyads) and ds.sizes["actor"] == len(europe.actors)
    assert {"first_war_day", "max_rung", "pulled_in"} <= set(ds.data_vars)
    assert ds.max_rung.min() >= Rung.STABLE and ds.max_rung.max() <= Rung.NUCLEAR_USE
    war_day = ds.first_war_day.values
    assert np.all(np.isnan(war_day) | ((war_day > 0) & (war_day <= 60)))


def test_large_index_maps_are_sparse(europe_compiled):
    maps = {
        name: value for name, value in vars(europe_compiled).items() if isinstance(value, LinearMap)
    }
    assert "aggregation" in maps and "slot_to_dyad" in maps
    for name, linear in maps.items():
        rows, cols = linear.shape
        density = np.count_nonzero(linear.toarray()) / (rows * cols)
        if rows * cols >= SPARSE_MIN_SIZE and density <= SPARSE_MAX_DENSITY:
            assert linear.is_sparse, f"{name} {linear.shape} is stored dense"
    assert maps["aggregation"].is_sparse  # pairs x actors


def test_no_per_replicate_array_is_actors_by_actors(europe_compiled):
    c = europe_compiled
    n_actors = len(c.actor_ids)
    allowed = {
        n_actors,
        len(c.category_ids),
        len(c.pair_ids),
        len(c.dyad_ids),
        len(c.sector_ids),
        len(c.slot_dyad),
        len(c.entry_pair),
        2,
    }
    state = initial_state(c, 4)
    for name, value in vars(state).items():
        if not isinstance(value, np.ndarray) or value.ndim == 0:
            continue
        dims = value.shape[1:]
        assert dims.count(n_actors) <= 1, f"State.{name} has shape {value.shape}"
        assert set(dims) <= allowed, f"State.{name} has shape {value.shape}"
    assert len(c.pair_ids) < n_actors**2 / 10  # pairs follow the relations, not all pairs


def test_sampled_force_ranges_keep_capacity_above_baseline(europe):
    for actor in europe.actors:
        for category, spec in actor.forces.items():
            highest = spec.baseline.high if spec.baseline.high is not None else spec.baseline.value
            assert spec.capacity is not None
            lowest = spec.capacity.low if spec.capacity.low is not None else spec.capacity.value
            assert lowest >= highest, f"{actor.id}.{category}: capacity can fall below baseline"
