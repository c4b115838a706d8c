"""Load scenarios from YAML files, built-in names or mappings, with located errors."""

from __future__ import annotations

import hashlib
import json
import types
import typing
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from dualtrack.scenario.errors import Problem, ScenarioError, format_path, input_message
from dualtrack.scenario.references import check_references
from dualtrack.scenario.schema import Scenario

BUILTIN_PACKAGE = "dualtrack.data.scenarios"
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it (a quarter of the pure-Python loader's time on
the Europe scenario: a small run's largest fixed cost), else the pure-Python one."""


def builtin_scenarios() -> dict[str, str]:
    """Built-in scenario ids with their one-line descriptions."""
    found: dict[str, str] = {}
    for entry in sorted(resources.files(BUILTIN_PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = yaml.load(entry.read_text(encoding="utf-8"), Loader=YamlLoader)
            found[data["id"]] = str(data.get("description", "")).strip().splitlines()[0]
    return found


def _builtin_text(name: str) -> str | None:
    entry = resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.yaml")
    return entry.read_text(encoding="utf-8") if entry.is_file() else None


def _parse_yaml(text: str, source: str) -> Mapping[str, Any]:
    try:
        data = yaml.load(text, Loader=YamlLoader)
    except RecursionError:  # the pure-Python loader
        raise ScenarioError([Problem("", "invalid YAML: nested too deeply")], source) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(error, "problem", None) or str(error)
        message = (
            f"invalid YAML: nested too deeply at {where}"
            if "nesting depth" in problem  # libyaml's limit
            else f"invalid YAML at {where}: {problem}"
        )
        raise ScenarioError([Problem("", message)], source) from None
    if data is None:
        raise ScenarioError([Problem("", "the file is empty; expected a scenario mapping")], source)
    if not isinstance(data, Mapping):
        raise ScenarioError(
            [Problem("", f"expected a mapping of scenario sections, found {type(data).__name__}")],
            source,
        )
    return data


def _model_at(loc: Sequence[Any]) -> type[BaseModel] | None:
    """The pydantic model that holds the field at ``loc`` (for listing allowed keys)."""
    annotation: Any = Scenario
    for part in loc[:-1]:
        annotation = _unwrap(annotation, part)
        if annotation is None:
            return None
    annotation = _unwrap_optional(annotation)
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _unwrap_optional(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(models) == 1:
            return _unwrap_optional(models[0])
    return annotation


def _unwrap(annotation: Any, part: Any) -> Any:
    annotation = _unwrap_optional(annotation)
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part)
        return field.annotation if field is not None else None
    if origin in (list, tuple):
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(annotation):
            option = _unwrap_optional(option)
            kind = getattr(option, "model_fields", {}).get("kind")
            if kind is not None and part in typing.get_args(kind.annotation):
                return option
    return None


def _describe(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        model = _model_at(loc)
        allowed = f"; expected one of {', '.join(model.model_fields)}" if model else ""
        return f"unknown key {loc[-1]!r}{allowed}"
    return input_message(error)


def _field_loc(loc: Sequence[Any]) -> tuple[Any, ...]:
    """The location without the union members pydantic inserts (e.g. a shock's ``kind`` tag),
    so that ``shocks[0].channel`` is not reported as ``shocks[0].channel.channel``."""
    annotation: Any = Scenario
    kept: list[Any] = []
    for part in loc:
        current = _unwrap_optional(annotation) if annotation is not None else None
        if isinstance(part, str) and typing.get_origin(current) in (
            typing.Union,
            types.UnionType,
        ):
            annotation = _unwrap(current, part)
            continue
        kept.append(part)
        annotation = _unwrap(annotation, part) if annotation is not None else None
    return tuple(kept)


def problems_from(error: ValidationError) -> list[Problem]:
    """Located problems from a pydantic validation error."""
    return [
        Problem(format_path(_field_loc(item["loc"])), _describe(item)) for item in error.errors()
    ]


def validate_scenario(data: Mapping[str, Any] | Scenario, source: str | None = None) -> Scenario:
    """A validated scenario from a mapping, or a :class:`ScenarioError` listing every problem."""
    if isinstance(data, Scenario):
        scenario = data
    else:
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as error:
            raise ScenarioError(problems_from(error), source) from None
    problems = check_references(scenario)
    if problems:
        raise ScenarioError(problems, source)
    return scenario


def scenario_from_text(text: str, source: str) -> Scenario:
    """A validated scenario from YAML text (safe-loaded: no object construction), e.g. an
    upload; errors are located as in :func:`load_scenario`, attributed to ``source``."""
    return validate_scenario(_parse_yaml(text, source), source)


def load_scenario(source: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """Load a scenario from a YAML file, a built-in scenario's id, a mapping or a Scenario."""
    if isinstance(source, Scenario | Mapping):
        return validate_scenario(source)
    text = _builtin_text(str(source)) if isinstance(source, str) else None
    if text is not None:
        return validate_scenario(_parse_yaml(text, str(source)), f"built-in:{source}")
    path = Path(source)
    if path.is_dir():
        raise ScenarioError([Problem("", "is a folder; expected a scenario YAML file")], str(path))
    if not path.is_file():
        known = ", ".join(builtin_scenarios())
        raise ScenarioError(
            [
                Problem(
                    "", f"no such file, and not a built-in scenario; built-in scenarios are {known}"
                )
            ],
            str(source),
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problem = f"cannot read: not UTF-8 text (byte {error.start})"
        raise ScenarioError([Problem("", problem)], str(path)) from None
    except OSError as error:
        raise ScenarioError([Problem("", f"cannot read: {error.strerror}")], str(path)) from None
    return validate_scenario(_parse_yaml(text, str(path)), str(path))


def scenario_hash(scenario: Scenario) -> str:
    """Stable short hash of a scenario's resolved content (for manifests and caching)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario as YAML (defaults filled in), loadable again."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
