"""What the per-replicate baselines share: the model's numbers as plain Python, and their draws.

:class:`Tables` reads everything a step needs from a compiled scenario
(:func:`dualtrack.engine.compiled.compile_scenario`) into Python lists, so that a baseline
implements the same equations with the same parameters. :class:`OwnDraws` gives a replicate
its own random numbers (Python's ``random``); :class:`InjectedDraws` replays the engine's
draws for one replicate, so that a baseline can be checked replicate by replicate against
dualtrack. :class:`ReplicateOutcome` is what a baseline reports per replicate.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from dualtrack.engine.compiled import Compiled
from dualtrack.mechanisms.escalation import rate_tables
from dualtrack.mechanisms.perception import smoothing_weight
from dualtrack.mechanisms.threat import decay_factor
from dualtrack.scenario.schema import Scenario


class Draws(Protocol):
    """A source of one replicate's random numbers, step by step, in the engine's layout."""

    def step(self, t: int) -> tuple[list[float], list[float]]:
        """Standard normals (one per observable entry) and uniforms (the layout's width)."""
        ...


class OwnDraws:
    """Independent draws from a Python ``random.Random`` (what a Mesa user would use)."""

    def __init__(self, rng: random.Random, normals: int, uniforms: int) -> None:
        self.rng, self.normals, self.uniforms = rng, normals, uniforms

    def step(self, t: int) -> tuple[list[float], list[float]]:
        gauss, uniform = self.rng.gauss, self.rng.random
        return (
            [gauss(0.0, 1.0) for _ in range(self.normals)],
            [uniform() for _ in range(self.uniforms)],
        )


class InjectedDraws:
    """The engine's own draws for one replicate: rows of per-step arrays."""

    def __init__(self, normals: np.ndarray, uniforms: np.ndarray) -> None:
        self.normals, self.uniforms = normals, uniforms  # (step, entry), (step, width)

    def step(self, t: int) -> tuple[list[float], list[float]]:
        return self.normals[t].astype(np.float64).tolist(), self.uniforms[t].tolist()


def poisson_inverse(rate: float, uniform: float) -> float:
    """Poisson count with mean ``rate`` by inverting the CDF at ``uniform`` (as the engine)."""
    term = math.exp(-rate)
    if uniform <= term:
        return 0.0
    cdf, n = term, 0.0
    while True:
        n += 1.0
        term *= rate / n
        cdf += term
        if uniform <= cdf or term == 0.0:
            return n


@dataclass
class ReplicateOutcome:
    """Per-replicate tallies, per dyad and per actor, as in dualtrack's summary dataset."""

    max_rung: list[int]
    agreements: list[int]
    kept: list[int]
    detected: list[int]
    pulled_in: list[bool]
    cost: list[float]
    days_elevated: list[float]
    first_war_day: list[float] = field(default_factory=list)


def spiral_limit(scenario: Scenario) -> Scenario:
    """The scenario with every actor a security seeker for certain (what the baselines hold)."""
    certain = {"value": 0.0, "low": None, "high": None}
    actors = [
        actor.model_copy(update={"p_opportunist": actor.p_opportunist.model_copy(update=certain)})
        for actor in scenario.actors
    ]
    return scenario.model_copy(update={"actors": actors})


class Tables:
    """A compiled scenario's indices, parameters and forcing as nested Python lists."""

    def __init__(self, c: Compiled) -> None:
        if c.intent_active:
            raise ValueError(
                "the baselines implement the spiral limit only (every actor's p_opportunist 0)"
            )
        mech = c.scenario.mechanisms
        self.compiled = c
        self.n_steps, self.dt = c.n_steps, c.dt
        self.n_actors, self.n_categories = c.baseline.shape
        self.n_sectors, self.n_dyads = len(c.sector_ids), len(c.dyad_ids)
        self.n_pairs, self.n_slots = len(c.pair_ids), len(c.slot_dyad)
        self.n_entries, self.width = len(c.entry_pair), c.layout.width
        self.weight = c.weight.tolist()
        self.unit_cost = c.unit_cost.tolist()
        self.baseline = c.baseline.tolist()
        self.capacity = c.capacity.tolist()
        self.rate_dt = c.rate_dt.tolist()
        self.initial = c.initial.tolist()
        self.share_per_weight = c.share_per_weight.tolist()
        self.inflation = c.inflation.tolist()
        self.resolve = c.resolve.tolist()
        self.baseline_strength = c.baseline_strength.tolist()
        self.tolerated = c.tolerated_threat.tolist()
        self.tolerance_floor = np.maximum(c.tolerated_threat, 1.0).tolist()
        self.strength_floor = np.maximum(c.baseline_strength, 1e-9).tolist()
        self.deciders = list(c.deciders)
        self.doctrines = c.doctrines
        # pairs: observer, target, dyad (None: no dyad)
        self.pair_observer = c.pair_observer.tolist()
        self.pair_target = c.pair_target.tolist()
        self.pair_dyad = [d if d < self.n_dyads else None for d in c.pair_dyad.tolist()]
        aggregation = c.aggregation.toarray()
        self.felt_from = [
            [(p, float(aggregation[p, a])) for p in np.flatnonzero(aggregation[:, a])]
            for a in range(self.n_actors)
        ]
        own = c.own_pairs.toarray()
        self.own_pairs = [np.flatnonzero(own[:, a]).tolist() for a in range(self.n_actors)]
        self.initial_bias = c.initial_bias.tolist()
        self.initial_memory = c.initial_memory.tolist()
        # observable (pair, category) entries
        self.entry_pair = c.entry_pair.tolist()
        self.entry_category = c.entry_category.tolist()
        self.entry_target = c.pair_target[c.entry_pair].tolist()
        self.entry_weight = (c.weight[c.entry_category] * c.pair_facing[c.entry_pair]).tolist()
        self.entry_buildup = c.entry_buildup.tolist()  # (step, entry)
        # dyads
        self.sides = c.dyad_sides.tolist()
        self.dyad_pairs = c.dyad_pairs.tolist()
        self.transparency = c.transparency.tolist()
        self.detection_rate = c.detection_rate.tolist()
        self.inspection = c.inspection.tolist()
        # every belief is dogmatically 0 in the spiral limit: trust is 1 throughout
        self.initial_trust = [1.0] * self.n_dyads
        self.initial_rung = c.initial_rung.astype(int).tolist()
        self.breakout_ratio = c.breakout_ratio.tolist()
        self.dyad_nuclear = c.dyad_nuclear.tolist()
        self.actor_sides = [
            [(d, s) for d, pair in enumerate(self.sides) for s in (0, 1) if pair[s] == a]
            for a in range(self.n_actors)
        ]
        self.initial_imbalance = c.initial_imbalance.tolist()
        # sectors
        presence = c.presence.toarray().reshape(self.n_actors, self.n_sectors, 2)
        self.presence = [
            [
                (int(s), int(side), float(presence[a, s, side]))
                for s, side in np.argwhere(presence[a])
            ]
            for a in range(self.n_actors)
        ]
        self.sector_dyad = np.argmax(c.sector_to_dyad.toarray(), axis=1).tolist()
        contact = c.contact_to_pairs.toarray()
        self.contact_pairs = [np.flatnonzero(contact[s]).tolist() for s in range(self.n_sectors)]
        exogenous = c.exogenous_to_pairs.toarray().reshape(self.n_sectors, 2, self.n_pairs)
        self.exogenous_pair = [
            [int(np.flatnonzero(exogenous[s, side])[0]) for side in (0, 1)]
            for s in range(self.n_sectors)
        ]
        # alliance slots
        cascade = c.slot_to_cascade.toarray()
        self.slots = [
            (
                int(c.slot_dyad[k]),
                int(c.slot_ally[k]),
                float(c.slot_commitment[k]),
                int(np.argmax(cascade[k])) if cascade[k].any() else None,
                int(c.slot_opponent[k]),
            )
            for k in range(self.n_slots)
        ]
        # forcing, per step
        f = c.forcing
        self.negotiation = f.negotiation.tolist()
        self.information = f.information.tolist()
        self.crisis = f.crisis.tolist()
        self.exogenous = f.exogenous.tolist()
        self.war_threat = f.war_threat.tolist()
        self.at_war = f.at_war.tolist()  # (step, actor, actor)
        # mechanism parameters
        self.params = mech
        self.alpha = smoothing_weight(c.dt, mech.perception.memory_days.value)
        self.band = mech.perception.noise_band.value
        self.retention = decay_factor(c.dt, mech.threat.memory_days.value)
        up, down = rate_tables(mech.escalation)
        self.up_table, self.down_table = up.tolist(), down.tolist()
        self.focus = c.focus_dyad
        self.elevated_threshold = c.elevated_threshold
        layout = c.layout
        self.at_contact = layout.contact.start
        self.at_exogenous = layout.exogenous.start
        self.at_formation = layout.formation.start
        self.at_detection = layout.detection.start
        self.at_escalation = layout.escalation.start
        self.at_nuclear = layout.nuclear.start
        self.at_pull_in = layout.pull_in.start
