"""Coded episodes: the stretches of the record a calibration fits and a holdout predicts.

An episode file (``dualtrack/data/episodes/NAME.yaml``, or any path) names a scenario, a date
window, the coded events (``data/history/events.csv``) whose dates are the observed timings,
and the binary outcomes that were observed in the window. Schema (docs/calibration.md)::

    name: 2024-summer                  # file name without .yaml
    title: June-December 2024 ...      # one line
    scenario: belarus-ukraine-2024     # built-in id or a path relative to the file
    window: {start: 2024-06-01, end: 2024-12-31}
    dyad: [BLR, UKR]                   # events and simulated counterparts of this dyad
                                       # (default: the scenario's focus)
    timings:                           # observed day of an event vs a simulated measure
      - {name: deployment, measure: deployment, event: E050}
    outcomes:                          # measure -> observed in the window (true/false)
      deployment: true
      war: false
    description: ...                   # optional free text
    sources: [...]                     # optional references for outcomes not in events.csv

Timing and outcome measures are named by :data:`~dualtrack.analysis.calibration.statistics.
MEASURES`. Every problem is reported with its place (``2024-summer.yaml: timings[0].event:
unknown event 'E999'``) as an :class:`EpisodeError`, a
:class:`~dualtrack.scenario.errors.ScenarioError`, so the CLI prints it and exits 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dualtrack.analysis.history.events import load_events
from dualtrack.scenario.dyads import dyad_id
from dualtrack.scenario.errors import Problem, ScenarioError, format_path, input_message
from dualtrack.scenario.loading import builtin_scenarios, load_scenario
from dualtrack.scenario.schema import Scenario

EPISODES_PACKAGE = "dualtrack.data.episodes"


class EpisodeError(ScenarioError):
    """An episode file that cannot be used, with every problem located."""


class Window(BaseModel):
    """First and last day of the episode (inclusive)."""

    model_config = ConfigDict(extra="forbid")

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"expected end on or after start {self.start}, found {self.end}")
        return self

    @property
    def days(self) -> int:
        """Number of days in the window."""
        return (self.end - self.start).days + 1


class Timing(BaseModel):
    """One observed timing: the coded event that dates it and the simulated measure it matches."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    measure: str
    event: str = Field(pattern=r"^E[0-9]{3}$")
    description: str | None = None


class EpisodeSpec(BaseModel):
    """The validated content of an episode file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    scenario: str
    window: Window
    dyad: tuple[str, str] | None = None
    timings: list[Timing] = Field(default_factory=list)
    outcomes: dict[str, bool] = Field(default_factory=dict)
    description: str | None = None
    sources: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Episode:
    """A loaded episode: its spec, its scenario, and its coded events in the window."""

    spec: EpisodeSpec
    scenario: Scenario
    events: pd.DataFrame
    """Every coded event (the whole timeline: the tension index decays events before the window)."""
    source: str

    @property
    def name(self) -> str:
        """The episode's name."""
        return self.spec.name

    @property
    def pair(self) -> tuple[str, str]:
        """The two actors of the dyad its statistics follow, sorted."""
        pair = self.spec.dyad if self.spec.dyad is not None else self.scenario.focus
        first, second = sorted(str(side) for side in pair)
        return first, second

    @property
    def dyad(self) -> str:
        """The unordered dyad its statistics follow, e.g. ``BLR-UKR`` (its pair, sorted)."""
        return dyad_id(self.pair)

    @property
    def days(self) -> int:
        """Days to simulate: from the scenario's start to the window's end (inclusive)."""
        return (self.spec.window.end - self.scenario.settings.start).days + 1

    def day(self, date: dt.date) -> int:
        """Days from the scenario's start to ``date``."""
        return (date - self.scenario.settings.start).days

    def observed_days(self) -> dict[str, int]:
        """Observed day (after the scenario's start) of each timing's event."""
        dated = self.events.set_index("event_id")["date"]
        return {t.name: self.day(dated[t.event].date()) for t in self.spec.timings}


def builtin_episodes() -> dict[str, str]:
    """Built-in episode names with their titles."""
    found: dict[str, str] = {}
    for entry in sorted(resources.files(EPISODES_PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            found[str(data.get("name", entry.name[:-5]))] = str(data.get("title", ""))
    return found


def _read(name: str | Path) -> tuple[str, str, Path | None]:
    """Text, source label and file path (None for a built-in) of an episode."""
    if isinstance(name, str) and not name.endswith((".yaml", ".yml")):
        entry = resources.files(EPISODES_PACKAGE).joinpath(f"{name}.yaml")
        if entry.is_file():
            return entry.read_text(encoding="utf-8"), f"{name}.yaml", None
    path = Path(name)
    if not path.is_file():
        known = ", ".join(builtin_episodes()) or "none"
        raise EpisodeError(
            [Problem("", f"no such file, and not a built-in episode; built-in episodes: {known}")],
            f"--episode {name}",
        )
    try:
        return path.read_text(encoding="utf-8"), str(path), path
    except (OSError, UnicodeDecodeError) as error:
        raise EpisodeError([Problem("", f"cannot read: {error}")], str(path)) from None


def _problems(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        path = format_path(item["loc"])
        if item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "extra_forbidden":
            message = f"unknown key {item['loc'][-1]!r}"
        else:
            message = input_message(item)
        problems.append(Problem(path, message))
    return problems


def load_episode(name: str | Path, events: pd.DataFrame | None = None) -> Episode:
    """The episode called ``name`` (built-in) or in the file ``name``, checked whole.

    Checks, each reported with its place: the schema; the scenario exists and starts on or
    before the window; every timing's event is in the timeline, inside the window, and its
    measure is known; every outcome names a known measure; the dyad is the scenario's.
    """
    from dualtrack.analysis.calibration.statistics import MEASURES

    text, source, path = _read(name)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise EpisodeError([Problem("", f"invalid YAML: {error}")], source) from None
    if not isinstance(data, dict):
        found = type(data).__name__
        raise EpisodeError([Problem("", f"expected a mapping, found {found}")], source)
    try:
        spec = EpisodeSpec.model_validate(data)
    except ValidationError as error:
        raise EpisodeError(_problems(error), source) from None
    problems: list[Problem] = []
    stem = Path(source).name.rsplit(".", 1)[0]
    if spec.name != stem:
        problems.append(Problem("name", f"expected the file's name {stem!r}, found {spec.name!r}"))
    scenario = _scenario(spec, path, source)
    events = load_events() if events is None else events
    dated = events.set_index("event_id")["date"]
    seen: set[str] = set()
    for i, timing in enumerate(spec.timings):
        where = f"timings[{i}]"
        if timing.name in seen:
            problems.append(Problem(f"{where}.name", f"duplicate timing {timing.name!r}"))
        seen.add(timing.name)
        if timing.measure not in MEASURES or not MEASURES[timing.measure].timing:
            known = ", ".join(k for k, m in MEASURES.items() if m.timing)
            problems.append(
                Problem(f"{where}.measure", f"expected one of {known}, found {timing.measure!r}")
            )
        if timing.event not in dated.index:
            problems.append(Problem(f"{where}.event", f"unknown event {timing.event!r}"))
            continue
        date = dated[timing.event].date()
        if not spec.window.start <= date <= spec.window.end:
            problems.append(
                Problem(
                    f"{where}.event",
                    f"expected an event inside the window {spec.window.start}..{spec.window.end}, "
                    f"found {timing.event} on {date}",
                )
            )
    for key in spec.outcomes:
        if key not in MEASURES:
            problems.append(
                Problem(f"outcomes.{key}", f"expected one of {', '.join(MEASURES)}, found {key!r}")
            )
    start = scenario.settings.start
    if spec.window.start < start:
        problems.append(
            Problem("window.start", f"expected on or after the scenario's start {start}")
        )
    ids = {a.id for a in scenario.actors}
    if spec.dyad is not None and not set(spec.dyad) <= ids:
        problems.append(
            Problem(
                "dyad", f"expected two of the scenario's actors {sorted(ids)}, found {spec.dyad}"
            )
        )
    if problems:
        raise EpisodeError(problems, source)
    return Episode(spec=spec, scenario=scenario, events=events, source=source)


def _scenario(spec: EpisodeSpec, path: Path | None, source: str) -> Scenario:
    reference: str | Path = spec.scenario
    if spec.scenario not in builtin_scenarios() and path is not None:
        reference = path.parent / spec.scenario
    try:
        return load_scenario(reference)
    except ScenarioError as error:
        raise EpisodeError(
            [Problem("scenario", f"cannot load {spec.scenario!r}: {error}")], source
        ) from None


def episode_summary(episode: Episode) -> dict[str, Any]:
    """Plain description of an episode (for manifests and reports)."""
    return {
        "name": episode.name,
        "title": episode.spec.title,
        "scenario": episode.scenario.id,
        "window": [episode.spec.window.start.isoformat(), episode.spec.window.end.isoformat()],
        "dyad": episode.dyad,
        "timings": {t.name: t.event for t in episode.spec.timings},
        "outcomes": dict(episode.spec.outcomes),
    }
