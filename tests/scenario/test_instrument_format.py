"""The instruments catalogue and the scenario format of instruments: sources, levers, errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import dualtrack
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.instruments import (
    LEVER_NAMES,
    Instrument,
    apply_instruments,
    available,
    catalogue,
)
from dualtrack.scenario.loading import dump_scenario

REQUIRED = {
    "vd-notification",
    "vd-inspection",
    "vd-evaluation",
    "open-skies",
    "blr-ukr-2001",
    "hotline",
    "incsea",
    "joint-investigation",
    "liaison-officers",
    "data-exchange",
}


def user_instrument(**changes: Any) -> dict[str, Any]:
    """A valid user-defined instrument, as a scenario YAML would write it."""
    entry: dict[str, Any] = {
        "id": "border-commission",
        "name": "Joint border commission",
        "source": "Judgement for a test; Vienna Document 2011, Chapter X",
        "levers": {"transparency": 0.1, "channels": {"mediated": 0.6}},
        "intrusiveness": 0.2,
        "cost": "low",
        "agreement": {"kind": "bilateral", "parties": "The two governments"},
    }
    entry.update(changes)
    return entry


def test_the_catalogue_covers_every_instrument_the_issue_names() -> None:
    assert set(catalogue()) >= REQUIRED


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_catalogue_entry_has_a_located_source_and_moves_a_lever(name: str) -> None:
    instrument = catalogue()[name]
    assert re.search(r"(Chapter|Article|para|Annex)", instrument.source), instrument.source
    given_levers = instrument.levers.model_dump(exclude_none=True, exclude_defaults=True)
    assert given_levers and set(given_levers) <= set(LEVER_NAMES)
    assert instrument.agreement.parties
    # each moves its lever on the built-in scenario's focus dyad
    scenario = dualtrack.load_scenario("belarus-ukraine-2024")
    assert dump_scenario(apply_instruments(scenario, [instrument])) != dump_scenario(scenario)


def test_a_user_defined_instrument_is_available_and_acts_on_its_dyad(
    builtin_copy: dict[str, Any],
) -> None:
    builtin_copy["instruments"] = [user_instrument()]
    scenario = dualtrack.load_scenario(builtin_copy)
    instrument = available(scenario)["border-commission"]
    moved = apply_instruments(scenario, [instrument])
    before, after = scenario.dyads[0], moved.dyads[0]
    expected = 1.0 - (1.0 - before.verification.transparency.value) * 0.9
    assert after.verification.transparency.value == pytest.approx(expected)
    assert after.channels["mediated"].open and after.channels["mediated"].quality.value == 0.6


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (
            {"levers": {"visibility": 0.3}},
            "instruments[0].levers.visibility: unknown key 'visibility'; expected one of "
            "transparency",
        ),
        ({"levers": {"transparency": 1.5}}, "instruments[0].levers.transparency"),
        ({"levers": {"notification_days": -3}}, "instruments[0].levers.notification_days"),
        ({"levers": {"channels": {"telepathy": 0.5}}}, "instruments[0].levers.channels"),
        ({"intrusiveness": 2}, "instruments[0].intrusiveness"),
        ({"source": ""}, "instruments[0].source"),
        ({"dyad": "BLR-RUS"}, "instruments[0].dyad: expected a declared dyad (BLR-UKR)"),
        ({"id": "hotline"}, "instruments[0].id: 'hotline' is a built-in instrument"),
    ],
)
def test_a_bad_user_defined_instrument_is_a_located_error(
    builtin_copy: dict[str, Any], tmp_path: Path, change: dict[str, Any], place: str
) -> None:
    builtin_copy["instruments"] = [user_instrument(**change)]
    path = tmp_path / "with-instrument.yaml"
    path.write_text(yaml.safe_dump(builtin_copy), encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        dualtrack.load_scenario(path)
    message = str(raised.value)
    assert str(path) in message and place in message, message


def test_an_instrument_without_levers_leaves_the_scenario_as_it_is() -> None:
    scenario = dualtrack.load_scenario("belarus-ukraine-2024")
    idle = Instrument.model_validate(user_instrument(levers={"transparency": 0.0}))
    assert dump_scenario(apply_instruments(scenario, [idle])) == dump_scenario(scenario)


SHARE = st.floats(0.0, 1.0)


@given(
    first=st.fixed_dictionaries(
        {
            "transparency": SHARE,
            "detection_rate": st.floats(0.0, 1.0),
            "notification_days": st.floats(0.0, 90.0),
            "channels": st.just({"hotline": 0.5}),
        }
    ),
    second=st.fixed_dictionaries(
        {
            "transparency": SHARE,
            "attribution": SHARE,
            "notification_days": st.floats(0.0, 90.0),
            "channels": st.fixed_dictionaries({"hotline": SHARE}),
        }
    ),
)
def test_a_combination_does_not_depend_on_the_order_of_its_members(
    builtin_scenario: dualtrack.Scenario, first: dict[str, Any], second: dict[str, Any]
) -> None:
    a = Instrument.model_validate(user_instrument(id="a", levers=first))
    b = Instrument.model_validate(user_instrument(id="b", levers=second))
    ab = apply_instruments(builtin_scenario, [a, b]).dyads[0]
    ba = apply_instruments(builtin_scenario, [b, a]).dyads[0]
    assert ab.channels["hotline"].quality.value == ba.channels["hotline"].quality.value
    for lever in ("transparency", "detection_rate", "notification_days", "attribution"):
        x = getattr(ab.verification, lever).value
        y = getattr(ba.verification, lever).value
        assert x == pytest.approx(y, abs=1e-15)
