"""The 2015-2019 situational-neutrality scenario validates, sources every number, and over its
five years gives what history gave: no crisis on the Belarus-Ukraine border and no
Belarus-Ukraine withdrawal agreement (there was nothing to withdraw), wherever both sides are
security seekers; crises come only from opportunists drawn from the priors."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import numpy as np
import pytest
import yaml

import dualtrack
from dualtrack.analysis.outcomes import OUTCOMES, estimate
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.warnings import scenario_warnings

SCENARIO_ID = "belarus-ukraine-2015"
REPLICATES = 300
MAX_P_CRISIS = 0.05
"""Upper 95% Wilson bound on P(crisis) over the five years: under one run in twenty."""
MAX_MEAN_AGREEMENTS = 0.1
"""Upper 95% Student-t bound on the mean number of agreements: under one per ten runs."""


def _uncertain_numbers(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``{value: ...}`` mapping of the raw YAML, with its path."""
    if isinstance(node, dict):
        if "value" in node:
            yield path, node
            return
        for key, child in node.items():
            yield from _uncertain_numbers(child, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _uncertain_numbers(child, f"{path}[{index}]")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    text = resources.files("dualtrack.data.scenarios").joinpath(f"{SCENARIO_ID}.yaml").read_text()
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def results():
    return dualtrack.simulate(SCENARIO_ID, replicates=REPLICATES, record="summary")


def test_scenario_is_listed_and_validates_without_warnings():
    assert SCENARIO_ID in dualtrack.builtin_scenarios()
    scenario = dualtrack.load_scenario(SCENARIO_ID)
    assert scenario.id == SCENARIO_ID
    assert scenario.focus == ("BLR", "UKR")
    assert scenario_warnings(scenario) == []
    assert scenario_warnings(scenario, actor=scenario.subject) == []


def test_scenario_keeps_the_actors_and_categories_of_2024():
    quiet = dualtrack.load_scenario(SCENARIO_ID)
    loud = dualtrack.load_scenario("belarus-ukraine-2024")
    assert [a.id for a in quiet.actors] == [a.id for a in loud.actors]
    assert [c.id for c in quiet.categories] == [c.id for c in loud.categories]
    assert [s.id for s in quiet.sectors] == [s.id for s in loud.sectors]


def test_every_uncertain_number_has_a_source_and_a_range_around_it(raw):
    numbers = list(_uncertain_numbers(raw))
    assert len(numbers) > 80
    for path, number in numbers:
        assert str(number.get("source", "")).strip(), f"{path}: no source"
        low, high = number.get("low", number["value"]), number.get("high", number["value"])
        assert low <= number["value"] <= high, f"{path}: value outside its range"


def test_belarus_is_neutral_and_keeps_the_south_empty():
    scenario = dualtrack.load_scenario(SCENARIO_ID)
    belarus = next(a for a in scenario.actors if a.id == "BLR")
    assert belarus.doctrine.name == "dialogue-only"
    assert belarus.forces["long_range_strike"].baseline.value == 0
    assert {s.kind for s in scenario.shocks} == {"war", "perceived_buildup"}


def _security_seekers(results):
    """The replicates in which neither Belarus nor Ukraine is an opportunist: the world the
    2015-2019 record shows (an opportunist would have probed)."""
    border = results.opportunist.sel(actor=["BLR", "UKR"]).any("actor")
    return results.isel(replicate=np.flatnonzero(~border.values))


def test_five_quiet_years_give_no_crisis(results):
    crisis = next(o for o in OUTCOMES if o.name == "p_crisis")
    assert estimate(crisis, _security_seekers(results))["high"] < MAX_P_CRISIS
    # every crisis that happens comes from an opportunist drawn from the priors
    in_crisis = (results.max_rung.sel(dyad="BLR-UKR") >= int(Rung.CRISIS)).values
    border = results.opportunist.sel(actor=["BLR", "UKR"]).any("actor").values
    assert not (in_crisis & ~border).any()


def test_five_quiet_years_give_no_war(results):
    assert results.attrs["horizon_days"] == 1826
    assert int((results.max_rung.sel(dyad="BLR-UKR") >= int(Rung.WAR)).sum()) == 0


def test_five_quiet_years_invent_no_agreement(results):
    agreements = next(o for o in OUTCOMES if o.name == "agreements")
    assert estimate(agreements, _security_seekers(results))["high"] < MAX_MEAN_AGREEMENTS
