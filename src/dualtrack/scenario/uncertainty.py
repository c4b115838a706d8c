"""A scenario's uncertain parameters: list them, map unit samples to values, apply values.

Every number of a scenario is an :class:`~dualtrack.scenario.parameters.Uncertain`; those
that declare a range (``low < high``) span the space an exploration study samples. They are
found by walking the validated scenario, mechanism defaults and doctrine parameters included,
and named by a stable path such as ``actors[0].forces.ground.capacity`` or
``mechanisms.dialogue.talk_rate`` (the same paths validation errors use).

Doctrine parameters are listed from the doctrine's parameter model, so a doctrine's documented
defaults with their ranges count even when the scenario writes no ``params``. For the actor
whose doctrine a study varies (the subject), its scenario doctrine's parameters act only in
the runs of that same doctrine; other doctrines run with their defaults.

Sampled values are written into the scenario's ``value`` fields and the scenario is validated
again, so a point that breaks a cross-field rule (e.g. a sampled capacity below a sampled
baseline) raises a located :class:`~dualtrack.scenario.errors.ScenarioError`; sweeps record
such points as infeasible rather than altering them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel
from scipy import stats

from dualtrack.doctrines import REGISTRY
from dualtrack.scenario.errors import ScenarioError, format_path
from dualtrack.scenario.loading import validate_scenario
from dualtrack.scenario.parameters import Distribution, Uncertain
from dualtrack.scenario.schema import DoctrineSpec, Scenario

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class UncertainParameter:
    """One sampled dimension: where it sits in the scenario and how its range is sampled."""

    path: str
    nominal: float
    low: float
    high: float
    distribution: Distribution = "uniform"
    sd: float | None = None
    source: str | None = None

    @classmethod
    def from_uncertain(cls, path: str, param: Uncertain) -> UncertainParameter:
        """The sampled dimension of a scenario number that has a range."""
        if param.low is None or param.high is None:
            raise ValueError(f"{path}: the parameter has no range to sample")
        return cls(
            path=path,
            nominal=float(param.value),
            low=float(param.low),
            high=float(param.high),
            distribution=param.distribution,
            sd=None if param.sd is None else float(param.sd),
            source=param.source,
        )

    def ppf(self, unit: NDArray[np.float64]) -> NDArray[np.float64]:
        """Values at the given quantiles (0..1) of the parameter's distribution on its range.

        uniform: ``low + u (high - low)``; triangular: mode at the nominal value; loguniform:
        uniform in ``log``; truncnormal: normal(mean = nominal, sd) truncated to [low, high].
        """
        u = np.clip(np.asarray(unit, dtype=np.float64), 0.0, 1.0)
        low, high, width = self.low, self.high, self.high - self.low
        if self.distribution == "uniform":
            values = low + u * width
        elif self.distribution == "triangular":
            mode = (self.nominal - low) / width
            values = stats.triang(c=mode, loc=low, scale=width).ppf(u)
        elif self.distribution == "loguniform":
            values = stats.loguniform(low, high).ppf(u)
        elif self.distribution == "truncnormal":
            if self.sd is None:
                raise ValueError(f"{self.path}: a truncnormal range needs 'sd'")
            a, b = (low - self.nominal) / self.sd, (high - self.nominal) / self.sd
            values = stats.truncnorm(a, b, loc=self.nominal, scale=self.sd).ppf(u)
        else:  # pragma: no cover - the schema admits no other distribution
            raise ValueError(f"{self.path}: unknown distribution {self.distribution!r}")
        return np.clip(np.asarray(values, dtype=np.float64), low, high)

    def describe(self) -> dict[str, Any]:
        """Plain mapping of the parameter (for manifests and tables)."""
        return {
            "path": self.path,
            "nominal": self.nominal,
            "low": self.low,
            "high": self.high,
            "distribution": self.distribution,
            "sd": self.sd,
            "source": self.source,
        }

    @classmethod
    def from_description(cls, data: Mapping[str, Any]) -> UncertainParameter:
        """The parameter described by :meth:`describe`."""
        return cls(
            path=str(data["path"]),
            nominal=float(data["nominal"]),
            low=float(data["low"]),
            high=float(data["high"]),
            distribution=data.get("distribution", "uniform"),
            sd=None if data.get("sd") is None else float(data["sd"]),
            source=data.get("source"),
        )


def _walk(node: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Uncertain]]:
    if isinstance(node, Uncertain):
        yield loc, node
    elif isinstance(node, DoctrineSpec):
        cls = REGISTRY.get(node.name)
        if cls is not None:  # an unknown doctrine is a validation error reported elsewhere
            yield from _walk(cls.Params.model_validate(node.params), (*loc, "params"))
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk(getattr(node, name), (*loc, name))
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, (*loc, key))
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _walk(value, (*loc, index))


def uncertain_parameters(
    scenario: Scenario, patterns: Sequence[str] | None = None
) -> list[UncertainParameter]:
    """Every number of the scenario that declares a range, in a stable order.

    ``patterns`` keep only paths matching one of them (``*`` any characters, ``?`` one
    character; brackets are literal, so ``actors[0].*`` means the first actor). A pattern that
    matches nothing is an error, so a typo is not silently ignored.
    """
    found = [
        UncertainParameter.from_uncertain(format_path(loc), param)
        for loc, param in _walk(scenario, ())
        if param.has_range
    ]
    if not patterns:
        return found
    compiled = [(pattern, path_pattern(pattern)) for pattern in patterns]
    unmatched = [p for p, rx in compiled if not any(rx.fullmatch(f.path) for f in found)]
    if unmatched:
        raise KeyError(
            f"no uncertain parameter matches {', '.join(repr(p) for p in unmatched)}; "
            f"paths look like {found[0].path!r} (list them with `dualtrack explore SCENARIO "
            "--list-parameters`)"
            if found
            else "the scenario declares no uncertainty ranges"
        )
    return [f for f in found if any(rx.fullmatch(f.path) for _, rx in compiled)]


def path_pattern(pattern: str) -> re.Pattern[str]:
    """A path pattern: ``*`` any characters, ``?`` one character, everything else literal."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts))


def unit_to_values(
    parameters: Sequence[UncertainParameter], unit: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Map samples of the unit hypercube (points x parameters) to parameter values."""
    unit = np.atleast_2d(np.asarray(unit, dtype=np.float64))
    if unit.shape[1] != len(parameters):
        raise ValueError(
            f"expected {len(parameters)} columns (one per parameter), found {unit.shape[1]}"
        )
    values = np.empty_like(unit)
    for j, parameter in enumerate(parameters):
        values[:, j] = parameter.ppf(unit[:, j])
    return values


def parse_path(path: str) -> tuple[str | int, ...]:
    """``actors[0].forces.ground.capacity`` as ``('actors', 0, 'forces', 'ground', 'capacity')``."""
    parts: list[str | int] = []
    position = 0
    for match in _TOKEN.finditer(path):
        between = path[position : match.start()]
        if between not in ("", "."):
            raise ValueError(f"malformed parameter path {path!r}")
        key, index = match.groups()
        parts.append(int(index) if index is not None else key)
        position = match.end()
    if not parts or position != len(path):
        raise ValueError(f"malformed parameter path {path!r}")
    return tuple(parts)


def _doctrine_default(data: Mapping[str, Any], parts: Sequence[str | int]) -> dict[str, Any]:
    """The dumped default of a doctrine parameter absent from the scenario's ``params``."""
    doctrine = data
    for part in parts[:-2]:
        doctrine = doctrine[part]  # type: ignore[index]
    cls = REGISTRY[str(doctrine["name"])]
    default = cls.Params.model_validate({}).model_dump(mode="json", exclude_none=True)
    return dict(default[str(parts[-1])])


def apply_values(
    scenario: Scenario, values: Mapping[str, float], *, widen_ranges: bool = False
) -> Scenario:
    """A new validated scenario with each ``{path: value}`` written as that number's value.

    Ranges, distributions and sources are kept; ``widen_ranges`` extends a declared range to
    take a value beyond it (a study looking past the uncertainty, within the field's bounds).
    Raises :class:`ScenarioError` with located problems when the new values break a rule
    (e.g. capacity below baseline); a path that names no number of the scenario is a
    ``KeyError``.
    """
    data: dict[str, Any] = scenario.model_dump(mode="json", exclude_none=True)
    for path, value in values.items():
        parts = parse_path(path)
        node: Any = data
        try:
            for part in parts[:-1]:
                node = node[part]
            leaf = parts[-1]
            if (
                leaf not in node
                and len(parts) >= 3
                and parts[-2] == "params"
                and parts[-3] == "doctrine"
            ):
                node[leaf] = _doctrine_default(data, parts)
            number = node[leaf]
        except (KeyError, IndexError, TypeError):
            raise KeyError(f"{path}: no such number in scenario {scenario.id!r}") from None
        if isinstance(number, int | float) and not isinstance(number, bool):
            number = {"value": float(number)}
        if not isinstance(number, dict) or "value" not in number:
            raise KeyError(f"{path}: not a number in scenario {scenario.id!r}")
        node[leaf] = {**number, "value": float(value)}
        if widen_ranges:
            for end, pick in (("low", min), ("high", max)):
                if end in number:
                    node[leaf][end] = pick(float(number[end]), float(value))
    try:
        return validate_scenario(data)
    except ScenarioError as error:
        raise ScenarioError(error.problems, f"{scenario.id} (sampled point)") from None


def number_at(scenario: Scenario, path: str) -> Uncertain:
    """The scenario number at ``path`` (doctrine defaults included), range and source kept.

    A path that names no number of the scenario is a ``KeyError`` that says so.
    """
    parse_path(path)  # a malformed path is a ValueError, as apply_values raises
    for loc, param in _walk(scenario, ()):
        if format_path(loc) == path:
            return param
    raise KeyError(f"{path}: no such number in scenario {scenario.id!r}")
