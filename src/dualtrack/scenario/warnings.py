"""Warnings: parts of a valid scenario that cannot have an effect on a run.

A scenario can be valid and still hold something that changes nothing: forces that stand on
no border, a shock that falls outside the horizon, a doctrine change for an actor with nothing
to move, a focus dyad in which no agreement can ever be reached (its agreement charts then stay
blank). :func:`scenario_warnings` lists them, each at a path such as ``shocks[2]``, so that
commands can print them before a run and record them in its manifest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dualtrack.doctrines import REGISTRY
from dualtrack.scenario.calendar import step_count, step_window
from dualtrack.scenario.dyads import dyad_id
from dualtrack.scenario.errors import Problem
from dualtrack.scenario.schema import (
    Actor,
    ChannelShock,
    IncidentRateShock,
    Scenario,
    ShockBase,
    WarShock,
)


@dataclass(frozen=True)
class ScenarioWarning(Problem):
    """Something in a scenario that cannot have an effect, at a path such as ``shocks[2]``."""


def scenario_warnings(
    scenario: Scenario, *, actor: str | None = None, horizon_days: int | None = None
) -> list[ScenarioWarning]:
    """Every part of the scenario that cannot have an effect on a run.

    ``actor`` is the actor whose doctrine the command replaces (``--actor``), if any: its own
    doctrine then does not count, and the change is checked for something to act on.
    ``horizon_days`` is the run's horizon when it differs from the scenario's (``--days``).
    """
    horizon = scenario.settings.horizon_days if horizon_days is None else horizon_days
    found = [
        *_idle_forces(scenario),
        *_shocks_without_effect(scenario, horizon),
        *_silent_focus(scenario, actor, horizon),
    ]
    if actor is not None:
        found += _doctrine_change_without_effect(scenario, actor)
    return found


def _holds_sector(scenario: Scenario, actor: Actor) -> bool:
    """Whether the actor's forces stand in some sector (those of its host, if stationed)."""
    host = actor.stationed_with or actor.id
    return any(
        host in sector.between
        and (actor.sector_weights[sector.id].value if sector.id in actor.sector_weights else 1.0)
        > 0.0
        for sector in scenario.sectors
    )


def _has_forces(actor: Actor) -> bool:
    """Whether the actor has forces of some category that can be near the border."""
    return any(
        spec.baseline.value > 0.0 or spec.capacity is None or spec.capacity.value > 0.0
        for spec in actor.forces.values()
    )


def _idle_forces(scenario: Scenario) -> Iterator[ScenarioWarning]:
    """Forces on no border, sector weights for sectors the actor does not border."""
    for i, actor in enumerate(scenario.actors):
        host = actor.stationed_with or actor.id
        if _has_forces(actor) and not _holds_sector(scenario, actor):
            where = f"{actor.id}'s host {host}" if host != actor.id else actor.id
            yield ScenarioWarning(
                f"actors[{i}]",
                f"{actor.id} has forces but is in no sector ({where} borders none, or every "
                "sector weight is 0): its forces cause no incidents, and every adversary "
                "counts all of them as facing it",
            )
        bordered = {s.id for s in scenario.sectors if host in s.between}
        for sector_id in actor.sector_weights:
            if sector_id not in bordered:
                yield ScenarioWarning(
                    f"actors[{i}].sector_weights.{sector_id}",
                    f"has no effect: {host} is no side of sector {sector_id!r}, so "
                    f"{actor.id}'s forces never stand there",
                )


def _acts(scenario: Scenario, shock: ShockBase, n_steps: int) -> bool:
    """Whether the shock acts on at least one of the run's steps."""
    settings = scenario.settings
    window = step_window(shock, settings.start, settings.step_days, n_steps)
    return window.start < window.stop


def _shocks_without_effect(scenario: Scenario, horizon: int) -> Iterator[ScenarioWarning]:
    """Shocks acting on no step of the run, and shocks that change nothing while they act."""
    settings = scenario.settings
    n_steps = step_count(horizon, settings.step_days)
    sides = {s.id: s.between for s in scenario.sectors}
    for i, shock in enumerate(scenario.shocks):
        path = f"shocks[{i}]"
        if not _acts(scenario, shock, n_steps):
            end = f"until {shock.end}" if shock.end is not None else "with no end"
            yield ScenarioWarning(
                path,
                f"acts on no step of the run: it starts on {shock.begins} {end}, and the run "
                f"covers {horizon} days from {scenario.settings.start}",
            )
        elif isinstance(shock, IncidentRateShock):
            chosen = list(sides) if shock.sectors == "all" else shock.sectors
            if not any(shock.victim in sides[s] for s in chosen):
                yield ScenarioWarning(
                    f"{path}.victim",
                    f"changes nothing: {shock.victim} is no side of the shock's sectors "
                    f"({', '.join(chosen) or 'none'})",
                )
            elif (shock.mode, shock.rate.value) in (("add", 0.0), ("multiply", 1.0)):
                yield ScenarioWarning(
                    f"{path}.rate",
                    f"changes nothing: mode {shock.mode} with rate {shock.rate.value:g}",
                )
        elif (
            isinstance(shock, WarShock)
            and shock.rate_multiplier.value == 1.0
            and all(value.value == 0.0 for value in shock.threat.values())
        ):
            yield ScenarioWarning(
                path, "changes nothing: rate_multiplier 1 and no threat felt by anyone"
            )


def _silent_focus(scenario: Scenario, actor: str | None, horizon: int) -> Iterator[ScenarioWarning]:
    """Reasons why the focus dyad can never reach an agreement."""
    focus = frozenset(scenario.focus)
    name = dyad_id(scenario.focus)
    blank = "no agreement can be reached in the focus dyad"
    charts = "its agreement charts stay blank"
    for i, side in enumerate(scenario.actors):
        if side.id in focus and side.id != actor:
            doctrine = REGISTRY.get(side.doctrine.name)
            if doctrine is not None and "dialogue" not in doctrine.classifier["tracks"]:
                yield ScenarioWarning(
                    f"actors[{i}].doctrine.name",
                    f"{side.id}'s doctrine {side.doctrine.name} never talks: {blank} {name} "
                    f"({charts}; give {side.id} a doctrine that talks, or vary its doctrine)",
                )
    k, dyad = next((k, d) for k, d in enumerate(scenario.dyads) if frozenset(d.between) == focus)
    n_steps = step_count(horizon, scenario.settings.step_days)
    opens = any(c.open and c.quality.value > 0.0 for c in dyad.channels.values()) or any(
        isinstance(shock, ChannelShock)
        and frozenset(shock.dyad) == focus
        and shock.open
        and (shock.quality or dyad.channels[shock.channel].quality).value > 0.0
        and _acts(scenario, shock, n_steps)
        for shock in scenario.shocks
    )
    if not opens:
        yield ScenarioWarning(
            f"dyads[{k}].channels",
            f"no channel of the focus dyad {name} is ever open during the run: {blank} "
            f"({charts}; open a channel, or add a channel shock that opens one)",
        )
    if scenario.mechanisms.dialogue.talk_rate.value == 0.0:
        yield ScenarioWarning("mechanisms.dialogue.talk_rate", f"is 0: {blank} {name} ({charts})")


def _doctrine_change_without_effect(scenario: Scenario, actor: str) -> Iterator[ScenarioWarning]:
    """A doctrine change for an actor with no forces near any border acts only on its talks."""
    i, subject = next(
        ((i, a) for i, a in enumerate(scenario.actors) if a.id == actor), (None, None)
    )
    if i is None or subject is None:
        return
    if _has_forces(subject) and _holds_sector(scenario, subject):
        return
    in_dyad = any(actor in d.between for d in scenario.dyads)
    effect = (
        "it changes only its willingness to talk"
        if in_dyad
        else "it is in no dyad either, so the change has no effect at all"
    )
    yield ScenarioWarning(
        f"actors[{i}].forces",
        f"the doctrine change for {actor} (--actor) acts on forces it does not have near any "
        f"border: {effect}",
    )
