"""Located scenario errors: which file, which field, what was expected, what was found."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dualtrack.scenario.parameters import yaml_number


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, at a path such as ``actors[1].forces.ground.capacity``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem located."""

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return f"{where}{self.problems[0]}"
        lines = [f"{where}{len(self.problems)} problems in the scenario:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)

    def located(self, source: str) -> ScenarioError:
        """The same error attributed to a file."""
        return ScenarioError(self.problems, source)


def format_path(loc: Sequence[Any]) -> str:
    """Render a pydantic location tuple as ``actors[1].forces.ground.capacity``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def input_message(item: Mapping[str, Any]) -> str:
    """What is wrong with one value from a pydantic error item, with what was found."""
    found = item.get("input")
    if item["type"] == "finite_number" and isinstance(found, float):
        return f"expected a finite number, found {yaml_number(found)}"
    message = str(item["msg"]).removeprefix("Value error, ")
    if "found" not in message and not isinstance(found, Mapping | list):
        message = f"{message}; found {found!r}"
    return message
