"""Forcing: channel capacities, exogenous incident rates, perceived build-ups and wars elsewhere,
tabulated per step from a scenario's standing values and its dated shocks.

Background incident rates of the sectors are multiplied by the rate multipliers of wars
elsewhere; incident-rate shocks then add to, set or multiply the result, in the order listed.
A shock acts from its first day (inclusive) to its end (exclusive).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dualtrack.scenario.calendar import step_window
from dualtrack.scenario.channels import CHANNEL_ROLES, CHANNEL_TYPES
from dualtrack.scenario.schema import (
    ChannelShock,
    IncidentRateShock,
    PerceivedBuildupShock,
    Scenario,
    Shock,
    WarShock,
)

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Forcing:
    """Per-step exogenous inputs (the leading axis is the step)."""

    negotiation: Array
    """Negotiation capacity of open channels, (step, dyad)."""
    information: Array
    """Information capacity of open channels, (step, dyad)."""
    crisis: Array
    """Crisis-communication capacity of open channels, (step, dyad)."""
    exogenous: Array
    """Daily exogenous incident rate per sector and victim side, (step, sector, 2)."""
    buildup: Array
    """Perceived but absent forces, (step, pair, category)."""
    war_threat: Array
    """Threat felt from wars elsewhere, (step, actor)."""
    distraction: Array
    """Share of each actor's forces committed to wars elsewhere, (step, actor):
    ``1 - prod(1 - w)`` over the wars that last."""
    at_war: NDArray[np.bool_]
    """Adversaries fighting each other in a war elsewhere, (step, actor, actor)."""


@dataclass(frozen=True)
class Indices:
    """Positions of the scenario's ids in the engine's arrays."""

    actors: dict[str, int]
    categories: dict[str, int]
    sectors: dict[str, int]
    dyads: dict[frozenset[str], int]
    pairs: dict[tuple[int, int], int]


def tabulate(scenario: Scenario, index: Indices, n_steps: int, shocks: Sequence[Shock]) -> Forcing:
    """Forcing for ``n_steps`` steps from the scenario's standing values and ``shocks``."""
    start, step = scenario.settings.start, scenario.settings.step_days
    n_d, n_s = len(scenario.dyads), len(scenario.sectors)
    n_p, n_c, n_a = len(index.pairs), len(index.categories), len(index.actors)
    opened = np.zeros((n_steps, n_d, len(CHANNEL_TYPES)))
    quality = np.zeros((n_steps, n_d, len(CHANNEL_TYPES)))
    for d, dyad in enumerate(scenario.dyads):
        for name, channel in dyad.channels.items():
            c = CHANNEL_TYPES.index(name)
            opened[:, d, c] = float(channel.open)
            quality[:, d, c] = channel.quality.value
    exogenous = np.zeros((n_steps, n_s, 2))
    for s, sector in enumerate(scenario.sectors):
        for victim, value in sector.exogenous_rate.items():
            exogenous[:, s, sector.between.index(victim)] = value.value
    buildup = np.zeros((n_steps, n_p, n_c))
    war_threat = np.zeros((n_steps, n_a))
    spared = np.ones((n_steps, n_a))
    at_war = np.zeros((n_steps, n_a, n_a), dtype=bool)
    adversaries = {frozenset(r.between) for r in scenario.relations if r.kind == "adversary"}
    for shock in shocks:
        if isinstance(shock, WarShock):
            window = step_window(shock, start, step, n_steps)
            exogenous[window] *= shock.rate_multiplier.value
            for actor, value in shock.threat.items():
                war_threat[window, index.actors[actor]] += value.value
            for actor, share in shock.distraction.items():
                spared[window, index.actors[actor]] *= 1.0 - share.value
            for a in shock.belligerents:
                for b in shock.belligerents:
                    if frozenset((a, b)) in adversaries:
                        at_war[window, index.actors[a], index.actors[b]] = True
    for shock in shocks:
        window = step_window(shock, start, step, n_steps)
        if isinstance(shock, ChannelShock):
            d = index.dyads[frozenset(shock.dyad)]
            c = CHANNEL_TYPES.index(shock.channel)
            opened[window, d, c] = float(shock.open)
            if shock.quality is not None:
                quality[window, d, c] = shock.quality.value
        elif isinstance(shock, IncidentRateShock):
            chosen = (
                range(n_s) if shock.sectors == "all" else [index.sectors[s] for s in shock.sectors]
            )
            for s in chosen:
                between = scenario.sectors[s].between
                if shock.victim not in between:
                    continue
                side, value = between.index(shock.victim), shock.rate.value
                if shock.mode == "add":
                    exogenous[window, s, side] += value
                elif shock.mode == "set":
                    exogenous[window, s, side] = value
                else:
                    exogenous[window, s, side] *= value
        elif isinstance(shock, PerceivedBuildupShock):
            k = index.pairs[(index.actors[shock.observer], index.actors[shock.target])]
            buildup[window, k, index.categories[shock.category]] += shock.amount.value
    roles = np.array([CHANNEL_ROLES[name] for name in CHANNEL_TYPES])  # (channel, role)
    usable = opened * quality

    def capacity(role: int) -> Array:
        return 1.0 - np.prod(1.0 - usable * roles[:, role], axis=-1)

    return Forcing(
        capacity(0),
        capacity(1),
        capacity(2),
        exogenous,
        buildup,
        war_threat,
        1.0 - spared,
        at_war,
    )


def standing(scenario: Scenario, index: Indices) -> Forcing:
    """Forcing of the status quo: only the shocks that began before the start date."""
    before = [s for s in scenario.shocks if s.begins < scenario.settings.start]
    return tabulate(scenario, index, 1, before)
