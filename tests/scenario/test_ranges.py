"""Every number of a scenario is finite and inside its field's documented range; a number out
of range, a non-finite one, or an uncertainty range reaching outside the field's range is
refused at its path with what was expected and found."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import dualtrack
from dualtrack.scenario.parameters import LIMIT, Probability, Range, Units, yaml_number


def _problem(tmp_path, data, at: str) -> str:
    """The message of the one problem at ``at``, read back from a YAML file."""
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(dualtrack.ScenarioError) as caught:
        dualtrack.load_scenario(path)
    problems = {p.path: p.message for p in caught.value.problems}
    assert at in problems, problems
    assert f"{path}: {at}: {problems[at]}" in str(caught.value)
    return problems[at]


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("change", "at", "expected"),
    [
        (
            lambda d: d["actors"][1]["forces"]["ground"].update(capacity=NAN),
            "actors[1].forces.ground.capacity",
            "expected a finite number, found .nan",
        ),
        (
            lambda d: d["categories"][0].update(threat_weight=INF),
            "categories[0].threat_weight",
            "expected a finite number, found .inf",
        ),
        (
            lambda d: d["actors"][0]["forces"]["ground"].update(baseline={"value": -INF}),
            "actors[0].forces.ground.baseline.value",
            "expected a finite number, found -.inf",
        ),
        (
            lambda d: d["actors"][0]["forces"]["ground"].update(baseline=1e308),
            "actors[0].forces.ground.baseline",
            "expected value <= 1e6, found 1e308",
        ),
        (
            lambda d: d["actors"][0]["forces"]["ground"].update(baseline=10**400),
            "actors[0].forces.ground.baseline",
            "expected a number of magnitude <= 1e9, found an integer of about 401 digits",
        ),
        (
            lambda d: d["sectors"][0].update(exogenous_rate={"A": 1000.0}),
            "sectors[0].exogenous_rate.A",
            "expected value <= 100, found 1000",
        ),
        (
            lambda d: d["sectors"][0].update(length_km=50_000.0),
            "sectors[0].length_km",
            "expected value <= 40075, found 50000",
        ),
        (
            lambda d: d["actors"][0].update(resolve={"value": 0.5, "low": 0.2, "high": 1.5}),
            "actors[0].resolve",
            "expected high <= 1, found 1.5",
        ),
        (
            lambda d: d["actors"][0].update(resolve={"value": 0.5, "low": 0.2, "high": NAN}),
            "actors[0].resolve.high",
            "expected a finite number, found .nan",
        ),
        (
            lambda d: d["actors"][0].update(resolve={"value": 0.9, "low": 0.2, "high": 0.6}),
            "actors[0].resolve",
            "expected low <= value <= high",
        ),
        (
            lambda d: d["settings"].update(step_days=NAN),
            "settings.step_days",
            "expected a finite number, found .nan",
        ),
        (
            lambda d: d["settings"].update(replicates=10**9),
            "settings.replicates",
            "less than or equal to 10000000",
        ),
        (
            lambda d: d["actors"][0]["doctrine"].update(params={"reactivity": NAN}),
            "actors[0].doctrine.params.reactivity",
            "expected a finite number, found .nan",
        ),
        (
            lambda d: d.update(mechanisms={"dialogue": {"talk_rate": 1e12}}),
            "mechanisms.dialogue.talk_rate",
            "expected value <= 1e9, found 1e12",
        ),
    ],
    ids=[
        "nan-capacity",
        "inf-threat-weight",
        "minus-inf-in-mapping",
        "huge-baseline",
        "integer-too-large-for-a-float",
        "daily-rate",
        "longer-than-the-equator",
        "range-outside-probability",
        "nan-range-end",
        "value-outside-its-range",
        "nan-step",
        "replicates",
        "doctrine-parameter",
        "mechanism-parameter",
    ],
)
def test_number_out_of_range_is_refused_at_its_path(tmp_path, make_two_actor, change, at, expected):
    data = make_two_actor()
    change(data)
    assert expected in _problem(tmp_path, data, at)


def test_yaml_spellings_of_nan_and_infinity_are_refused(tmp_path, make_two_actor):
    text = yaml.safe_dump(make_two_actor(), sort_keys=False).replace(
        "threat_weight: 1.0", "threat_weight: .nan"
    )
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(dualtrack.ScenarioError, match=r"threat_weight: expected a finite number"):
        dualtrack.load_scenario(path)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_probability_is_accepted_exactly_when_finite_and_in_0_1(number):
    adapter = TypeAdapter(Probability)
    if math.isfinite(number) and 0.0 <= number <= 1.0:
        assert adapter.validate_python(number).value == number
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(number)


@given(
    st.floats(0.0, 1e6),
    st.floats(0.0, 1e6),
    st.floats(0.0, 2e6),
)
def test_an_uncertain_number_holds_low_value_high_inside_its_field_range(low, value, high):
    adapter = TypeAdapter(Units)
    data = {"value": value, "low": low, "high": high}
    if low <= value <= high <= 1e6:
        assert adapter.validate_python(data).high == high
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(data)


def test_ranges_read_as_intervals():
    assert str(Range(ge=0.0, le=1.0)) == "[0, 1]"
    assert str(Range(gt=0.0, le=LIMIT)) == "(0, 1e9]"
    assert yaml_number(-math.inf) == "-.inf"


@pytest.mark.parametrize("name", ["belarus-ukraine-2024", "europe"])
def test_builtin_scenarios_keep_every_number_in_range(name):
    assert dualtrack.load_scenario(name).id == name
