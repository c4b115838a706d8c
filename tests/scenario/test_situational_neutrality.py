"""The 2015-2019 situational-neutrality scenario (validated and sourced as every historical
one is: tests/scenario/test_historical_scenarios.py) over its five years gives what history
gave: no crisis on the Belarus-Ukraine border and no Belarus-Ukraine withdrawal agreement
(there was nothing to withdraw), wherever both sides are security seekers; crises come only
from opportunists drawn from the priors."""

from __future__ import annotations

import numpy as np
import pytest

import dualtrack
from dualtrack.analysis.outcomes import OUTCOMES, estimate
from dualtrack.scenario.ladder import Rung

SCENARIO_ID = "belarus-ukraine-2015"
REPLICATES = 300
MAX_P_CRISIS = 0.05
"""Upper 95% Wilson bound on P(crisis) over the five years: under one run in twenty."""
MAX_MEAN_AGREEMENTS = 0.1
"""Upper 95% Student-t bound on the mean number of agreements: under one per ten runs."""


@pytest.fixture(scope="module")
def results():
    return dualtrack.simulate(SCENARIO_ID, replicates=REPLICATES, record="summary")


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
