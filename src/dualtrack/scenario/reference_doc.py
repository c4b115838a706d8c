"""The scenario-format reference (docs/scenario-format.md), generated from the pydantic schema.

Every key of every part of a scenario is listed with its type, default, whether it is
required, its allowed range and its description, as the schema declares them; so are the
mechanisms' and the registered doctrines' parameters. Regenerate the committed file with::

    python -m dualtrack.scenario.reference_doc docs/scenario-format.md
"""

from __future__ import annotations

import datetime as dt
import sys
import types
import typing
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from dualtrack.doctrines import REGISTRY
from dualtrack.scenario.channels import CHANNEL_ROLES
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.parameters import LIMIT, Range, Uncertain, yaml_number
from dualtrack.scenario.schema import Scenario, Shock

REGENERATE = "python -m dualtrack.scenario.reference_doc docs/scenario-format.md"

INTRODUCTION = f"""\
# Scenario format

<!-- Generated from the pydantic schema by `{REGENERATE}`; do not edit by hand. -->

A scenario is one YAML file. `dualtrack new-scenario FILE` writes a commented starter;
`dualtrack validate FILE` checks a file, says exactly what is wrong with it (the file, the
path of the field, what was expected and what was found) and warns about parts that cannot
have an effect on a run (forces on no border, a shock outside the horizon, a focus dyad that
can never reach an agreement). Unknown keys are errors.

The sections below list every key of every part of a scenario. An *id* starts with a letter,
followed by letters, digits, `_` or `-` (at most 64 characters); ids of actors, categories and
sectors are defined once and referred to elsewhere.

## Writing numbers

Every number may be written as a plain value (`0.3`) or as a mapping that gives its
uncertainty and source (the engine uses `value`; exploration studies sample the range):

```yaml
deployment_rate: {{value: 0.06, low: 0.03, high: 0.12, distribution: triangular,
                  source: "Calibrated: June 2024 deployments within weeks"}}
```

{{uncertain}}

Every number must be finite (`.nan` and `.inf` are refused), and each field accepts the range
listed in its *range* column: the value and both ends of its uncertainty range must lie inside
it, with `low <= value <= high`. No number's magnitude may exceed {yaml_number(LIMIT)}. Ranges
are written `[a, b]` (ends included) or `(a, b]` (lower end excluded).

## Writing dyads

A dyad, a pair of adversaries, has the id `BLR-UKR`: its actors joined by `-` in the order of
its `dyads` entry. Messages, results (the `dyad` coordinate) and command-line options write
it that way. In YAML a pair of actors (`between`, `focus`, a channel shock's `dyad`) is
written either as a list, `[BLR, UKR]`, or as the id, `BLR-UKR`; either order names the same
dyad. Where an actor id itself contains `-`, write the pair as a list.

## Warnings

A valid scenario may still hold parts that cannot have an effect on a run; `validate` and the
commands that run a scenario name each at its path before any work starts:

- an actor with forces that is in no sector (its host borders none, or every sector weight is
  0), and a sector weight for a sector the actor's host does not border;
- a shock that acts on no step of the run (it ends before the start, begins after the horizon,
  or falls between two steps), an incident-rate shock whose victim is no side of its sectors,
  and shocks that change nothing (adding 0, multiplying by 1);
- a focus dyad in which no agreement can be reached: a side whose doctrine never talks (unless
  the command replaces that side's doctrine), no channel ever open, or a talk rate of 0; its
  agreement charts would stay blank;
- a doctrine change (`--actor`) for an actor with no forces near any border: it changes only
  the actor's willingness to talk, or nothing when the actor is in no dyad.

## Values of enumerated keys

- Channel types: {", ".join(f"`{name}`" for name in CHANNEL_ROLES)}.
- Escalation rungs (`initial_rung`, by name or number): \
{", ".join(f"`{rung.label}` ({rung.value})" for rung in Rung)}.
- Doctrines: {", ".join(f"`{name}`" for name in sorted(REGISTRY))} (`dualtrack doctrines`).
"""


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The annotation without ``Annotated`` layers, and the metadata they held."""
    metadata: list[Any] = []
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        for item in extra:
            metadata += item.metadata if isinstance(item, FieldInfo) else [item]
    return annotation, metadata


def _optional(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``| None``, and whether None was allowed."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) < len(typing.get_args(annotation)) and len(args) == 1:
            return args[0], True
    return annotation, False


def _anchor(model: type[BaseModel]) -> str:
    return f"[{model.__name__}](#{model.__name__.lower()})"


def _type(annotation: Any, metadata: list[Any]) -> str:
    """How a value of the annotation is written, in words."""
    annotation, extra = _unwrap(annotation)
    metadata = metadata + extra
    annotation, none = _optional(annotation)
    text = _bare_type(annotation, metadata)
    return f"{text} or none" if none else text


def _bare_type(annotation: Any, metadata: list[Any]) -> str:
    annotation, extra = _unwrap(annotation)
    metadata = metadata + extra
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is Uncertain:
        return "number"
    if annotation is bool:
        return "true/false"
    if annotation is int:
        return "integer"
    if annotation is float:
        return "number"
    if annotation is dt.date:
        return "date (YYYY-MM-DD)"
    if annotation is str:
        return "id" if any(getattr(m, "pattern", None) for m in metadata) else "text"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "rung"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _anchor(annotation)
    if annotation is Any:
        return "any"
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is tuple and len(args) == 2:
        return "pair of actor ids (`A-B` or `[A, B]`)"
    if origin is list:
        return f"list of {_type(args[0], [])}"
    if origin is dict:
        key = "id" if args[0] is str else _type(args[0], [])
        return f"mapping of {key} to {_type(args[1], [])}"
    if origin in (typing.Union, types.UnionType):
        if annotation == typing.get_args(Shock)[0]:
            return "shock (see [Shocks](#shocks))"
        return " or ".join(_bare_type(a, []) for a in args)
    return str(annotation)


def _ranges(annotation: Any, metadata: list[Any]) -> Iterator[str]:
    """The allowed ranges found in an annotation (on numbers, or on a mapping's values)."""
    annotation, extra = _unwrap(annotation)
    for item in metadata + extra:
        if isinstance(item, Range):
            yield str(item)
    found = metadata + extra
    ge = next((m.ge for m in found if isinstance(m, annotated_types.Ge)), None)
    gt = next((m.gt for m in found if isinstance(m, annotated_types.Gt)), None)
    le = next((m.le for m in found if isinstance(m, annotated_types.Le)), None)
    if le is not None:
        yield str(
            Range(
                le=typing.cast(float, le),
                ge=typing.cast(float | None, ge),
                gt=typing.cast(float | None, gt),
            )
        )
    for item in metadata + extra:
        if isinstance(item, annotated_types.MinLen):
            yield f"at least {item.min_length} {'entry' if item.min_length == 1 else 'entries'}"
    for arg in typing.get_args(annotation):
        if typing.get_origin(annotation) is not typing.Literal:
            yield from _ranges(arg, [])


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return ""
    value = field.get_default(call_default_factory=True)
    if isinstance(value, Uncertain):
        text = yaml_number(value.value)
        if value.has_range:
            text += f" ({yaml_number(value.low or 0.0)} to {yaml_number(value.high or 0.0)})"
        return text
    if isinstance(value, BaseModel):
        return "its defaults"
    if isinstance(value, Enum):
        return f"`{value.name.lower().replace('_', ' ')}`"
    if value is None:
        return "none"
    if isinstance(value, list | dict) and not value:
        return "empty"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return yaml_number(value)
    if value == "":
        return '`""`'
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def model_table(model: type[BaseModel]) -> str:
    """A markdown table of the model's keys: type, default, required, range, description."""
    lines = [
        "| key | type | default | required | range | description |",
        "|---|---|---|---|---|---|",
    ]
    for name, field in model.model_fields.items():
        ranges = list(dict.fromkeys(_ranges(field.annotation, list(field.metadata))))
        cells = [
            f"`{name}`",
            _type(field.annotation, list(field.metadata)),
            _default(field),
            "yes" if field.is_required() else "no",
            ", ".join(ranges),
            field.description or "",
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _models(model: type[BaseModel], path: str) -> Iterator[tuple[str, type[BaseModel]]]:
    """The model and every model nested in it, each with the path where it first appears."""
    yield path, model
    for name, field in model.model_fields.items():
        for inner, suffix in _nested(field.annotation):
            yield from _models(inner, f"{path}.{name}{suffix}" if path else f"{name}{suffix}")


def _nested(annotation: Any) -> Iterator[tuple[type[BaseModel], str]]:
    annotation, _ = _unwrap(annotation)
    annotation, _ = _optional(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation is not Uncertain:
            yield annotation, ""
    elif origin is list:
        for inner, suffix in _nested(args[0]):
            yield inner, f"[]{suffix}"
    elif origin is dict:
        for inner, suffix in _nested(args[1]):
            yield inner, f".<key>{suffix}"


def _section(path: str, model: type[BaseModel], level: str = "##") -> str:
    summary = (model.__doc__ or "").strip().splitlines()[0]
    return f"{level} {model.__name__}\n\n`{path}`: {summary}\n\n{model_table(model)}\n"


def reference_markdown() -> str:
    """The whole scenario-format reference as markdown."""
    shock_models = typing.get_args(typing.get_args(Shock)[0])
    parts = [INTRODUCTION.replace("{uncertain}", model_table(Uncertain)), ""]
    seen: set[type[BaseModel]] = set()
    for path, model in _models(Scenario, ""):
        if model in seen:
            continue
        seen.add(model)
        parts.append(_section(path or "(top level)", model))
    parts.append(
        "## Shocks\n\n`shocks[]`: dated events, each with a `kind`. A shock acts from its "
        "`date` (or `start`) to its `end` (exclusive), or to the end of the run.\n"
    )
    for model in shock_models:
        kind = typing.get_args(model.model_fields["kind"].annotation)[0]
        parts.append(_section(f"shocks[] with kind: {kind}", model, "###"))
    parts.append(
        "## Doctrine parameters\n\n`actors[].doctrine.params`: the parameters of the "
        "actor's doctrine; those not given keep their defaults.\n"
    )
    for name, cls in sorted(REGISTRY.items()):
        summary = (cls.__doc__ or "").strip().splitlines()[0]
        parts.append(f"### {name}\n\n{summary}\n\n{model_table(cls.Params)}\n")
    return "\n".join(parts).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the reference to the given path (default docs/scenario-format.md)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "docs/scenario-format.md")
    target.write_text(reference_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
