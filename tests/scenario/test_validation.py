"""Scenario validation: every problem is reported with the file, the path of the field and
what was expected and found; YAML is read safely."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import dualtrack
from dualtrack.scenario.errors import Problem


@pytest.fixture
def scenario_file(tmp_path, make_two_actor):
    """Write a (changed) two-actor scenario to a YAML file and return a loader for it."""

    def write(change=None, *, text: str | None = None, name: str = "scenario.yaml") -> Path:
        if text is None:
            data = make_two_actor()
            data["dyads"][0]["channels"] = {"backchannel": {"open": True}}
            data["categories"].append(
                {"id": "air_defence", "name": "Air defence", "threat_weight": 0.3}
            )
            data["actors"][1]["forces"]["air_defence"] = {
                "baseline": 3.0,
                "capacity": 6.0,
                "deployment_rate": 0.1,
            }
            if change is not None:
                change(data)
            text = yaml.safe_dump(data, sort_keys=False)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def _problems(path: Path) -> tuple[dualtrack.ScenarioError, list[Problem]]:
    with pytest.raises(dualtrack.ScenarioError) as caught:
        dualtrack.load_scenario(path)
    error = caught.value
    assert str(path) in str(error)  # names the file
    return error, error.problems


def _one_problem(path: Path, at: str) -> str:
    error, problems = _problems(path)
    paths = [p.path for p in problems]
    assert at in paths, paths
    message = next(p.message for p in problems if p.path == at)
    assert f"{at}: {message}" in str(error)
    return message


def test_valid_scenario_file_loads(scenario_file):
    scenario = dualtrack.load_scenario(scenario_file())
    assert [a.id for a in scenario.actors] == ["A", "B"]


def test_unknown_key_is_named_with_the_allowed_keys(scenario_file):
    path = scenario_file(lambda d: d["actors"][0].update(colour="red"))
    message = _one_problem(path, "actors[0].colour")
    assert "unknown key 'colour'" in message
    assert "expected one of" in message and "threat_inflation" in message


def test_wrong_type_says_what_was_expected_and_found(scenario_file):
    path = scenario_file(lambda d: d["settings"].update(horizon_days="a year"))
    message = _one_problem(path, "settings.horizon_days")
    assert "integer" in message and "'a year'" in message


def test_text_where_a_number_is_expected_is_named(scenario_file):
    path = scenario_file(lambda d: d["actors"][0].update(resolve="high"))
    message = _one_problem(path, "actors[0].resolve")
    assert "number" in message and "'high'" in message


@pytest.mark.parametrize(
    ("change", "at"),
    [
        (
            lambda d: d["relations"].append({"between": ["A", "Z"], "kind": "neutral"}),
            "relations[1].between[1]",
        ),
        (lambda d: d["sectors"][0].update(between=["Z", "B"]), "sectors[0].between[0]"),
        (lambda d: d["dyads"][0].update(between=["A", "Z"]), "dyads[0].between[1]"),
        (
            lambda d: d.update(
                shocks=[{"kind": "incident_rate", "victim": "Z", "rate": 0.1, "date": "2024-02-01"}]
            ),
            "shocks[0].victim",
        ),
        (
            lambda d: d.update(
                shocks=[{"kind": "war", "name": "W", "start": "2023-01-01", "threat": {"Z": 1.0}}]
            ),
            "shocks[0].threat.Z",
        ),
    ],
    ids=["relation", "sector", "dyad", "incident-shock", "war-shock"],
)
def test_reference_to_undefined_actor_lists_defined_actors(scenario_file, change, at):
    message = _one_problem(scenario_file(change), at)
    assert "unknown actor 'Z'" in message
    assert "defined actors are A, B" in message


def test_problems_that_follow_from_another_still_read_as_sentences(scenario_file):
    # with the only dyad broken, the sector refers to a dyad that no longer exists
    _, problems = _problems(scenario_file(lambda d: d["dyads"][0].update(between=["A", "Z"])))
    sector = next(p.message for p in problems if p.path == "sectors[0].between")
    assert sector.endswith("defined dyads are none")


def test_channel_shock_on_undeclared_channel_lists_declared_channels(scenario_file):
    shock = {"kind": "channel", "dyad": ["A", "B"], "channel": "hotline", "open": True}
    path = scenario_file(lambda d: d.update(shocks=[{**shock, "date": "2024-02-01"}]))
    message = _one_problem(path, "shocks[0].channel")
    assert "'hotline'" in message and "declared channels are backchannel" in message


def test_channel_shock_with_unknown_channel_type_is_reported_at_its_field(scenario_file):
    shock = {"kind": "channel", "dyad": ["A", "B"], "channel": "telepathy", "open": True}
    path = scenario_file(lambda d: d.update(shocks=[{**shock, "date": "2024-02-01"}]))
    message = _one_problem(path, "shocks[0].channel")
    assert "'telepathy'" in message and "'hotline'" in message


def test_probability_above_one_is_refused(scenario_file):
    message = _one_problem(
        scenario_file(lambda d: d["actors"][0].update(resolve=1.5)), "actors[0].resolve"
    )
    assert "expected value <= 1" in message and "1.5" in message


def test_capacity_below_baseline_is_refused(scenario_file):
    path = scenario_file(lambda d: d["actors"][1]["forces"]["air_defence"].update(capacity=2.0))
    message = _one_problem(path, "actors[1].forces.air_defence.capacity")
    assert "expected capacity >= baseline (3)" in message and "found 2" in message


def test_empty_file_is_refused(scenario_file):
    _, problems = _problems(scenario_file(text=""))
    assert "empty" in problems[0].message and "expected a scenario mapping" in problems[0].message


def test_invalid_yaml_names_the_line(scenario_file):
    text = "id: broken\nname: Broken\nsettings: [start, 2024-01-01\ncategories: []\n"
    _, problems = _problems(scenario_file(text=text))
    assert "invalid YAML" in problems[0].message
    assert "line 4" in problems[0].message


def test_top_level_must_be_a_mapping(scenario_file):
    _, problems = _problems(scenario_file(text="- one\n- two\n"))
    assert "expected a mapping" in problems[0].message and "found list" in problems[0].message


def test_unknown_doctrine_lists_known_doctrines(scenario_file):
    path = scenario_file(lambda d: d["actors"][0]["doctrine"].update(name="appeasement"))
    message = _one_problem(path, "actors[0].doctrine.name")
    assert "unknown doctrine 'appeasement'" in message
    assert all(name in message for name in dualtrack.BUILTIN_DOCTRINES)


def test_bad_doctrine_parameter_is_located(scenario_file):
    path = scenario_file(lambda d: d["actors"][0]["doctrine"].update(params={"reactivity": -1}))
    message = _one_problem(path, "actors[0].doctrine.params.reactivity")
    assert message.startswith("expected value >= 0")
    assert "found -1" in message


def test_unknown_doctrine_parameter_lists_the_parameters(scenario_file):
    path = scenario_file(lambda d: d["actors"][0]["doctrine"].update(params={"charisma": 1}))
    message = _one_problem(path, "actors[0].doctrine.params.charisma")
    assert "unknown parameter 'charisma'" in message and "reactivity" in message


def test_duplicate_ids_point_at_the_first_occurrence(scenario_file):
    def duplicate(d):
        d["actors"].append(dict(d["actors"][0], name="Again"))

    message = _one_problem(scenario_file(duplicate), "actors[2].id")
    assert "duplicate id 'A'" in message and "actors[0]" in message


def test_dyad_between_non_adversaries_is_refused(scenario_file):
    path = scenario_file(lambda d: d["relations"][0].update(kind="neutral"))
    message = _one_problem(path, "dyads[0].between")
    assert "adversaries" in message and "found neutral" in message


def test_every_problem_is_reported_at_once(scenario_file):
    def two_mistakes(d):
        d["actors"][0]["resolve"] = 1.5
        d["actors"][1]["colour"] = "blue"

    _, problems = _problems(scenario_file(two_mistakes))
    assert {p.path for p in problems} == {"actors[0].resolve", "actors[1].colour"}


@pytest.mark.parametrize(
    ("bounds", "nominal"),
    [
        ({"low": 0.2, "high": 0.6}, 0.4),
        ({"low": 0.1, "high": 0.9, "distribution": "loguniform"}, 0.3),
    ],
)
def test_range_without_value_resolves_to_its_centre(scenario_file, bounds, nominal):
    scenario = dualtrack.load_scenario(
        scenario_file(lambda d: d["actors"][0].update(resolve=bounds))
    )
    resolve = scenario.actors[0].resolve
    assert resolve.value == pytest.approx(nominal)
    assert (resolve.low, resolve.high) == (bounds["low"], bounds["high"])


def test_value_outside_its_range_is_refused(scenario_file):
    change = {"value": 0.9, "low": 0.1, "high": 0.5}
    message = _one_problem(
        scenario_file(lambda d: d["actors"][0].update(resolve=change)), "actors[0].resolve"
    )
    assert "low <= value <= high" in message


def test_python_tags_are_rejected_not_executed(scenario_file, tmp_path):
    marker = tmp_path / "executed"
    text = f"id: !!python/object/apply:os.system ['touch {marker}']\nname: x\n"
    _, problems = _problems(scenario_file(text=text))
    assert "python/object" in problems[0].message
    assert not marker.exists()


def test_missing_file_that_is_no_builtin_lists_builtin_scenarios(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(dualtrack.ScenarioError, match="belarus-ukraine-2024") as caught:
        dualtrack.load_scenario(missing)
    assert str(missing) in str(caught.value)


def test_mapping_errors_are_located_too(make_two_actor):
    data = make_two_actor()
    data["actors"][0]["resolve"] = 2.0
    with pytest.raises(dualtrack.ScenarioError) as caught:
        dualtrack.load_scenario(data)
    assert [p.path for p in caught.value.problems] == ["actors[0].resolve"]
