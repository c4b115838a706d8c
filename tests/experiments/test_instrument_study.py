"""Instrument studies on common random numbers: no lever, no effect; effects where the model
implies them, in the direction it implies."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dualtrack
from dualtrack.analysis.instruments import effects_table, frontier
from dualtrack.engine.compiled import compile_scenario
from dualtrack.experiments.instruments import BASELINE, instrument_sets, plan_instruments
from dualtrack.experiments.study import run_study
from dualtrack.scenario.instruments import apply_instruments, catalogue


def instrument(name: str, levers: dict[str, Any], intrusiveness: float = 0.1) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "source": "test instrument",
        "levers": levers,
        "intrusiveness": intrusiveness,
        "cost": "low",
        "agreement": {"kind": "bilateral", "parties": "the two sides"},
    }


def test_an_instrument_that_moves_no_lever_has_exactly_zero_effect(
    builtin_copy: dict[str, Any],
) -> None:
    builtin_copy["instruments"] = [
        instrument("nothing", {}),
        instrument("zeros", {"transparency": 0.0, "detection_rate": 0.0, "notification_days": 0}),
    ]
    study = plan_instruments(builtin_copy, ["nothing", "zeros"], replicates=48, days=90)
    results = run_study(study.study)
    for name in ("nothing", "zeros"):
        for var in results[BASELINE].data_vars:
            assert np.array_equal(
                results[name][var].values, results[BASELINE][var].values, equal_nan=True
            ), (name, var)
    effects = effects_table(results, study.sets)
    assert (effects["difference"] == 0.0).all() and not effects["helps"].any()


def test_detection_never_misses_a_violation_that_weaker_detection_finds(
    builtin_copy: dict[str, Any],
) -> None:
    """Replicate by replicate (common random numbers): with dogmatic types nothing but
    detection depends on the detection rate until the first detection, so a replicate in which
    a weaker regime detects a violation detects one under a stronger regime too."""
    for actor in builtin_copy["actors"]:
        actor["p_opportunist"] = 1.0 if actor["id"] == "UKR" else 0.0
    builtin_copy["instruments"] = [
        instrument("weak", {"detection_rate": 0.01}),
        instrument("strong", {"detection_rate": 0.3}),
    ]
    study = plan_instruments(builtin_copy, ["weak", "strong"], replicates=100)
    results = run_study(study.study)
    found = {k: ds.violations_detected.sel(dyad="BLR-UKR").values > 0 for k, ds in results.items()}
    assert np.all(found["weak"] >= found[BASELINE])
    assert np.all(found["strong"] >= found["weak"])
    assert found["strong"].sum() > found[BASELINE].sum()  # the test can fail: it has cases


def test_the_levers_reach_the_compiled_scenario(builtin_scenario: dualtrack.Scenario) -> None:
    plain = compile_scenario(builtin_scenario)
    moved = compile_scenario(
        apply_instruments(
            builtin_scenario,
            [
                catalogue()["joint-investigation"],
                catalogue()["incsea"],
                catalogue()["vd-notification"],
            ],
        )
    )
    p_attr = builtin_scenario.mechanisms.incidents.misattribution.value
    np.testing.assert_allclose(plain.sector_blame, p_attr)
    np.testing.assert_allclose(moved.sector_blame, p_attr * (1 - 0.5) * (1 - 0.1))
    np.testing.assert_allclose(moved.contact_kappa, plain.contact_kappa * 0.7)
    assert plain.notice_steps.tolist() == [0.0] and moved.notice_steps.tolist() == [42.0]
    assert np.all(moved.pair_model_sd[moved.dyad_pairs] < plain.pair_model_sd[plain.dyad_pairs])


def test_combinations_and_the_frontier(builtin_scenario: dualtrack.Scenario) -> None:
    sets = instrument_sets(builtin_scenario, ["hotline", "incsea", "data-exchange"], 2)
    assert [s.name for s in sets] == [
        "none",
        "hotline",
        "incsea",
        "data-exchange",
        "hotline+incsea",
        "hotline+data-exchange",
        "incsea+data-exchange",
    ]
    assert sets[4].intrusiveness == pytest.approx(0.0 + 0.1)
    with pytest.raises(KeyError, match="unknown instrument 'telepathy'; known instruments are"):
        instrument_sets(builtin_scenario, ["telepathy"])


def test_the_frontier_keeps_only_undominated_sets() -> None:
    import pandas as pd

    effects = pd.DataFrame(
        {
            "instruments": ["a", "b", "c", "d"],
            "outcome": "p_crisis",
            "members": 1,
            "intrusiveness": [0.0, 0.5, 0.5, 1.0],
            "difference": [-0.01, -0.05, -0.02, -0.04],
            "low": [-0.02, -0.07, -0.03, -0.06],
            "high": [0.0, -0.03, -0.01, -0.02],
        }
    )
    table = frontier(effects).set_index("instruments")
    assert table["on_frontier"].to_dict() == {
        "none": False,
        "a": True,
        "b": True,
        "c": False,
        "d": False,
    }


def test_under_a_posterior_the_instrument_acts_on_the_drawn_value(
    builtin_copy: dict[str, Any],
) -> None:
    from dualtrack.experiments.instruments import instruments_under_posterior
    from dualtrack.experiments.posterior import Posterior
    from dualtrack.experiments.posterior_study import posterior_draws

    builtin_copy["instruments"] = [instrument("flights", {"transparency": 0.5})]
    study = plan_instruments(builtin_copy, ["flights"], replicates=300, days=20)
    posterior = Posterior(
        parameters=("dyads[0].verification.transparency",),
        values=np.array([[0.3]]),
        weights=np.array([1.0]),
        attrs={},
    )
    draws = posterior_draws(posterior, "test", 300, study.study.plans[BASELINE].seed)
    under = instruments_under_posterior(study, draws)
    for plan in under.blocks["flights"]:  # two blocks of replicates, one draw each
        assert plan.scenario.dyads[0].verification.transparency.value == pytest.approx(0.65)
    for plan in under.blocks[BASELINE]:
        assert plan.scenario.dyads[0].verification.transparency.value == pytest.approx(0.3)
    assert [p.chunks for p in under.blocks[BASELINE]] == [((0, 256),), ((256, 44),)]


def test_prior_notification_deters_limited_attacks_not_probes(builtin_copy: dict[str, Any]) -> None:
    """Against an opportunist bent on limited attacks, 42 days' warning lets the defender
    reinforce, so attacks fall (paired on common random numbers); probes get no warning."""
    from dualtrack.analysis.outcomes import OUTCOMES

    for actor in builtin_copy["actors"]:
        actor["p_opportunist"] = 1.0 if actor["id"] == "UKR" else 0.0
    builtin_copy["mechanisms"] = {
        "aggression": {
            "attack": {"gain": 6.0, "failure_cost": 2.0, "punishment_cost": 2.0, "max_rate": 0.05}
        }
    }
    builtin_copy["instruments"] = [instrument("notice", {"notification_days": 42})]
    study = plan_instruments(builtin_copy, ["notice"], replicates=64, days=90)
    results = run_study(study.study)
    chosen = [o for o in OUTCOMES if o.name in ("attacks", "probes")]
    effects = effects_table(results, study.sets, outcomes=chosen).set_index("outcome")
    assert results[BASELINE].attacks.sum() > 64  # the test has attacks to deter
    assert effects.loc["attacks", "high"] < 0.0
    assert effects.loc["probes", "difference"] == pytest.approx(0.0, abs=0.05)
