"""What every historical Belarus-Ukraine scenario owes its users, checked alike for each: it
is listed and validates without warnings, keeps the actors, categories and sectors of the
scenarios it is compared with, and gives every uncertain number a source and a range."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
import yaml

import dualtrack
from dualtrack.scenario.warnings import scenario_warnings

HISTORICAL = ("belarus-ukraine-2015", "belarus-ukraine-2022")
COMPARED = [
    ("belarus-ukraine-2015", "belarus-ukraine-2024"),
    ("belarus-ukraine-2022", "belarus-ukraine-2015"),
    ("belarus-ukraine-2022", "belarus-ukraine-2024"),
]


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


@pytest.mark.parametrize("scenario_id", HISTORICAL)
def test_scenario_is_listed_and_validates_without_warnings(scenario_id: str) -> None:
    assert scenario_id in dualtrack.builtin_scenarios()
    scenario = dualtrack.load_scenario(scenario_id)
    assert scenario.id == scenario_id
    assert scenario.focus == ("BLR", "UKR")
    assert scenario_warnings(scenario) == []
    assert scenario_warnings(scenario, actor=scenario.subject) == []


@pytest.mark.parametrize(("scenario_id", "other"), COMPARED)
def test_scenario_keeps_the_actors_categories_and_sectors_of_those_it_is_compared_with(
    scenario_id: str, other: str
) -> None:
    one, two = dualtrack.load_scenario(scenario_id), dualtrack.load_scenario(other)
    assert [a.id for a in one.actors] == [a.id for a in two.actors]
    assert [c.id for c in one.categories] == [c.id for c in two.categories]
    assert [s.id for s in one.sectors] == [s.id for s in two.sectors]


@pytest.mark.parametrize("scenario_id", HISTORICAL)
def test_every_uncertain_number_has_a_source_and_a_range_around_it(scenario_id: str) -> None:
    text = resources.files("dualtrack.data.scenarios").joinpath(f"{scenario_id}.yaml")
    numbers = list(_uncertain_numbers(yaml.safe_load(text.read_text(encoding="utf-8"))))
    assert len(numbers) > 80
    for path, number in numbers:
        assert str(number.get("source", "")).strip(), f"{path}: no source"
        low, high = number.get("low", number["value"]), number.get("high", number["value"])
        assert low <= number["value"] <= high, f"{path}: value outside its range"
