"""Intent and deterrence in the engine: the spiral limit, the deterrence limit, Bayes' rule on
one step, and the ladder's upper rungs (docs/model.md §7.12-§7.14)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit

import dualtrack
from dualtrack.mechanisms import aggression
from dualtrack.mechanisms.intent import IntentParams
from dualtrack.scenario.ladder import Rung


def _fixed_forces(data, a_strength: float, b_strength: float) -> None:
    """Both sides hold their forces where they are (capacity = baseline = initial)."""
    for actor, strength in zip(data["actors"], (a_strength, b_strength), strict=True):
        actor["forces"]["ground"] = {
            "baseline": strength,
            "capacity": strength,
            "deployment_rate": 0.1,
        }


def test_spiral_limit_every_actor_a_security_seeker(builtin_copy):
    for actor in builtin_copy["actors"]:
        actor["p_opportunist"] = 0.0
    ds = dualtrack.simulate(builtin_copy, replicates=64, days=120, record="full")
    assert not ds.opportunist.values.any()
    assert (ds.belief.values == 0.0).all()
    assert (ds.trust.values == 1.0).all()
    assert (ds.probes.values == 0).all() and (ds.attacks.values == 0).all()


def test_doctrines_face_the_same_opponents(builtin_scenario):
    runs = {
        doctrine: dualtrack.simulate(
            builtin_scenario, doctrine, replicates=512, days=5, record="summary"
        )
        for doctrine in ("dual-track", "deterrence-only", "dialogue-only")
    }
    types = [run.opportunist.values for run in runs.values()]
    assert all(np.array_equal(types[0], other) for other in types[1:])
    share = types[0].mean(axis=0)
    priors = [a.p_opportunist.value for a in builtin_scenario.actors]
    assert np.all(
        np.abs(share - priors)
        < 4 * np.sqrt(np.multiply(priors, 1 - np.array(priors)) / 512) + 1e-12
    )


@pytest.mark.parametrize("records", [("full", "summary")])
def test_types_do_not_depend_on_the_record_mode_or_chunks(builtin_scenario, records):
    first = dualtrack.simulate(builtin_scenario, replicates=600, days=3, record=records[0])
    second = dualtrack.simulate(
        builtin_scenario, replicates=600, days=3, record=records[1], chunk_size=256
    )
    assert np.array_equal(first.opportunist.values, second.opportunist.values)
    np.testing.assert_array_equal(first.probes.values, second.probes.values)


def test_deterrence_limit_aggression_falls_with_the_defenders_strength(make_two_actor):
    """Against an opportunist known for certain, with no dialogue, the simulated rate of
    deliberate acts matches aggression's closed form and falls as the defender grows."""
    replicates, days, attacker = 512, 365, 2.0
    measured, expected = [], []
    for defender in (0.5, 1.0, 2.0, 4.0):
        data = make_two_actor()
        _fixed_forces(data, attacker, defender)
        data["actors"][0]["p_opportunist"] = 1.0
        data["settings"].update(replicates=replicates, horizon_days=days)
        data["mechanisms"] = {
            "aggression": {
                "probe": {"gain": 1.0, "failure_cost": 1.0, "punishment_cost": 2.0, "max_rate": 0.2}
            }
        }
        ds = dualtrack.simulate(data, record="summary")
        params = dualtrack.load_scenario(data).mechanisms.aggression
        probe, attack = aggression.hazards(True, params, attacker, defender, 0.5, [], 0.0)
        q = -np.expm1(-(probe + attack))  # chance of an act per day
        events = int(ds.probes.sel(pair="A->B").sum() + ds.attacks.sel(pair="A->B").sum())
        trials = replicates * days
        assert abs(events - q * trials) < 4.0 * np.sqrt(trials * q * (1 - q)) + 1.0
        assert int(ds.probes.sel(pair="B->A").sum() + ds.attacks.sel(pair="B->A").sum()) == 0
        measured.append(events / trials)
        expected.append(float(q))
    assert np.all(np.diff(expected) < 0.0)
    assert np.all(np.diff(measured) < 0.0)


def test_one_step_belief_update_is_bayes_rule(make_two_actor):
    """B's belief about A after one day, by hand: exact perception of A's unchanged forces
    (evidence -delta**2 / 2 s**2), a calm day (evidence ln(1 - q) = -h dt), no agreement."""
    prior = 0.3
    data = make_two_actor()
    _fixed_forces(data, 2.0, 3.0)
    data["actors"][0]["p_opportunist"] = prior
    data["settings"].update(replicates=256, horizon_days=1)
    data["mechanisms"] = {
        "perception": {"base_noise_sd": 0.0},
        "incidents": {"contact_rate": 0.0},
    }
    ds = dualtrack.simulate(data, record="full")
    scenario = dualtrack.load_scenario(data)
    params: IntentParams = scenario.mechanisms.intent
    delta = np.log1p(params.opportunist_buildup.value)
    buildup = -(delta**2) / (2.0 * params.model_sd.value**2)
    probe, attack = aggression.hazards(True, scenario.mechanisms.aggression, 2.0, 3.0, 0.5, [], 0.0)
    calm = float(np.log(np.exp(-(probe + attack))))
    by_hand = expit(logit(prior) + buildup + calm)
    acted = (ds.probes.sel(pair="A->B") + ds.attacks.sel(pair="A->B")).values > 0
    belief = ds.belief.sel(pair="B->A").isel(time=0).values
    assert (~acted).sum() > 100
    np.testing.assert_allclose(belief[~acted], by_hand, rtol=1e-6)
    assert np.all(belief[acted] > 0.999)  # an act with no background of accidents reveals
    assert (ds.belief.sel(pair="A->B").values == 0.0).all()  # B is a security seeker for sure


def test_an_ally_at_war_with_the_opponent_does_not_join(builtin_copy):
    builtin_copy["mechanisms"] = {"escalation": {"up_rate": 0.03, "pull_in_rate": 0.2}}
    ds = dualtrack.simulate(builtin_copy, "deterrence-only", replicates=512, record="summary")
    assert (ds.max_rung.sel(dyad="BLR-UKR") >= Rung.WAR).any()
    assert not ds.pulled_in.sel(actor="RUS").any()  # already fighting Ukraine


def test_war_and_horizontal_escalation_are_distinct_outcomes(make_two_actor):
    data = make_two_actor()
    data["actors"].append({"id": "C", "name": "Ally of B", "forces": {}})
    data["relations"].append({"between": ["B", "C"], "kind": "ally", "commitment": 0.3})
    data["settings"].update(replicates=256, horizon_days=365)
    data["mechanisms"] = {"escalation": {"up_rate": 0.5, "pull_in_rate": 0.05}}
    ds = dualtrack.simulate(data, record="summary")
    top = ds.max_rung.sel(dyad="A-B").values
    p_war, p_horizontal = np.mean(top >= Rung.WAR), np.mean(top >= Rung.HORIZONTAL_ESCALATION)
    assert p_war > p_horizontal > 0.0
    assert np.any(top == Rung.WAR)  # wars no ally joined


def test_noise_alone_makes_no_standing_build_up(make_two_actor):
    """With no incidents and no shocks, perception noise alone barely elevates a
    deterrence-only posture; without the noise band it does (docs/model.md §7.2)."""
    elevated = {}
    for band in (0.0, 2.0):
        data = make_two_actor()
        data["settings"].update(replicates=128, horizon_days=365)
        data["mechanisms"] = {
            "perception": {"base_noise_sd": 0.5, "noise_band": band},
            "incidents": {"contact_rate": 0.0},
            "escalation": {"up_rate": 0.0},
        }
        ds = dualtrack.simulate(data, record="summary")
        elevated[band] = float(ds.days_elevated.sel(actor="A").mean())
    assert elevated[2.0] < 0.2 * elevated[0.0]


def test_the_per_step_series_of_deliberate_acts_adds_up_to_the_tallies(make_two_actor):
    data = make_two_actor()
    _fixed_forces(data, 4.0, 1.0)
    data["actors"][0]["p_opportunist"] = 1.0
    data["settings"].update(replicates=64, horizon_days=120)
    ds = dualtrack.simulate(data, record="full")
    per_step = ds.deliberate_act.sum("time").values
    np.testing.assert_array_equal(per_step, (ds.probes + ds.attacks).values)
    assert per_step[:, list(ds.pair.values).index("A->B")].sum() > 0
