"""Compile a validated scenario into the index maps and forcing arrays the engine steps over.

Everything here depends on the scenario and the chosen doctrines, never on replicates, so it
is built once per run. Forcing (channels, exogenous incident rates, perceived build-ups, wars
elsewhere) is tabulated per step; its size grows with the number of steps but not with the
number of replicates.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dualtrack.doctrines.base import Doctrine, make_doctrine
from dualtrack.engine.forcing import Forcing, Indices, standing, tabulate
from dualtrack.engine.linear import LinearMap
from dualtrack.mechanisms.threat import decay_factor
from dualtrack.scenario.deployment import sector_presence
from dualtrack.scenario.schema import Scenario

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class RandomLayout:
    """Where each mechanism's uniform draws sit in a replicate's row of uniforms per step."""

    sectors: int
    dyads: int
    slots: int

    @property
    def contact(self) -> slice:
        return slice(0, self.sectors)

    @property
    def exogenous(self) -> slice:
        """Per sector and victim side: attributed then unattributed (4 per sector)."""
        return slice(self.sectors, 5 * self.sectors)

    @property
    def formation(self) -> slice:
        start = 5 * self.sectors
        return slice(start, start + self.dyads)

    @property
    def detection(self) -> slice:
        start = 5 * self.sectors + self.dyads
        return slice(start, start + 2 * self.dyads)

    @property
    def escalation(self) -> slice:
        start = 5 * self.sectors + 3 * self.dyads
        return slice(start, start + self.dyads)

    @property
    def nuclear(self) -> slice:
        start = 5 * self.sectors + 4 * self.dyads
        return slice(start, start + self.dyads)

    @property
    def pull_in(self) -> slice:
        start = 5 * self.sectors + 5 * self.dyads
        return slice(start, start + self.slots)

    @property
    def width(self) -> int:
        return 5 * self.sectors + 5 * self.dyads + self.slots


@dataclass(frozen=True)
class Compiled:
    """Index maps, parameters and per-step forcing of one scenario under chosen doctrines."""

    scenario: Scenario
    doctrines: tuple[Doctrine, ...]
    dt: float
    n_steps: int
    actor_ids: tuple[str, ...]
    category_ids: tuple[str, ...]
    sector_ids: tuple[str, ...]
    dyad_ids: tuple[str, ...]
    pair_ids: tuple[str, ...]
    # actors x categories
    baseline: Array
    capacity: Array
    rate_dt: Array
    initial: Array
    share_per_weight: Array
    weight: Array
    unit_cost: Array
    inflation: Array
    resolve: Array
    baseline_strength: Array
    tolerated_threat: Array
    # directed adversary pairs (observer sees target)
    pair_observer: IntArray
    pair_target: IntArray
    pair_dyad: IntArray
    pair_facing: Array
    """Share of the target's forces in sectors facing the observer (1: target holds none)."""
    aggregation: LinearMap
    own_pairs: LinearMap
    # dyads
    dyad_sides: IntArray
    dyad_pairs: IntArray
    transparency: Array
    detection_rate: Array
    inspection: Array
    initial_trust: Array
    entry_pair: IntArray
    """Observable (pair, category) entries: the pair, the category, and the flat index
    (target * categories + category) of the observed forces."""
    entry_category: IntArray
    entry_source: IntArray
    entry_to_pair: LinearMap
    entry_buildup: Array
    initial_rung: NDArray[np.int8]
    initial_bias: Array
    initial_memory: Array
    breakout_ratio: Array
    dyad_nuclear: NDArray[np.bool_]
    side_order: IntArray
    """Dyad sides (2 * dyad + side) sorted by the actor holding them."""
    side_starts: IntArray
    """Where each holder's sides start in ``side_order``."""
    side_holders: IntArray
    """Actors party to at least one dyad, in the order of ``side_starts``."""
    deciders: tuple[int, ...]
    """Actors whose decisions matter: they can hold forces or are party to a dyad."""
    # sectors
    presence: LinearMap
    sector_to_dyad: LinearMap
    initial_imbalance: Array
    contact_to_pairs: LinearMap
    exogenous_to_pairs: LinearMap
    # alliance slots (dyad, ally)
    slot_dyad: IntArray
    slot_ally: IntArray
    slot_commitment: Array
    slot_to_dyad: LinearMap
    slot_to_cascade: LinearMap
    forcing: Forcing
    layout: RandomLayout
    focus_dyad: int
    subject: int
    start: datetime.date
    elevated_threshold: float

    @property
    def days(self) -> Array:
        """Day (since start) at the end of each step."""
        return (np.arange(self.n_steps, dtype=np.float64) + 1.0) * self.dt


def compile_scenario(scenario: Scenario, overrides: dict[str, Doctrine] | None = None) -> Compiled:
    """Index maps and forcing for a validated scenario; ``overrides`` replace actors' doctrines."""
    settings = scenario.settings
    step = settings.step_days
    n_steps = math.ceil(settings.horizon_days / step - 1e-9)
    actors = [a.id for a in scenario.actors]
    categories = [c.id for c in scenario.categories]
    sectors = [s.id for s in scenario.sectors]
    actor_index = {a: i for i, a in enumerate(actors)}
    n_a, n_c, n_s = len(actors), len(categories), len(sectors)

    weight = np.array([c.threat_weight.value for c in scenario.categories])
    unit_cost = np.array([c.unit_cost.value for c in scenario.categories])
    baseline = np.zeros((n_a, n_c))
    capacity = np.zeros((n_a, n_c))
    rate = np.zeros((n_a, n_c))
    initial = np.zeros((n_a, n_c))
    share = np.zeros((n_a, n_c))
    for i, actor in enumerate(scenario.actors):
        for c, category in enumerate(categories):
            spec = actor.forces.get(category)
            if spec is None:
                continue
            baseline[i, c] = spec.baseline.value
            capacity[i, c] = np.inf if spec.capacity is None else spec.capacity.value
            rate[i, c] = spec.deployment_rate.value
            initial[i, c] = spec.baseline.value if spec.initial is None else spec.initial.value
            share[i, c] = spec.response_share.value if weight[c] > 0 else 0.0
    totals = share.sum(axis=1, keepdims=True)
    share = np.divide(share, totals, out=np.zeros_like(share), where=totals > 0)
    share_per_weight = np.divide(share, weight, out=np.zeros_like(share), where=weight > 0)

    doctrines = []
    for actor in scenario.actors:
        chosen = (overrides or {}).get(actor.id)
        doctrines.append(chosen or make_doctrine(actor.doctrine.name, actor.doctrine.params))

    # relations
    kind: dict[frozenset[str], str] = {}
    allies: dict[str, list[tuple[str, float]]] = {a: [] for a in actors}
    for relation in scenario.relations:
        a, b = relation.between
        kind[frozenset((a, b))] = relation.kind
        if relation.kind == "ally":
            allies[a].append((b, relation.commitment.value))
            allies[b].append((a, relation.commitment.value))

    dyads = [d.between for d in scenario.dyads]
    dyad_lookup = {frozenset(d): k for k, d in enumerate(dyads)}
    n_d = len(dyads)

    pairs = [
        (i, j)
        for i in range(n_a)
        for j in range(n_a)
        if i != j and kind.get(frozenset((actors[i], actors[j]))) == "adversary"
    ]
    pair_lookup = {p: k for k, p in enumerate(pairs)}
    n_p = len(pairs)
    pair_observer = np.array([p[0] for p in pairs], dtype=np.int64)
    pair_target = np.array([p[1] for p in pairs], dtype=np.int64)
    pair_dyad = np.array(
        [dyad_lookup.get(frozenset((actors[i], actors[j])), n_d) for i, j in pairs], dtype=np.int64
    )
    ally_share = scenario.mechanisms.threat.ally_share.value
    aggregation = np.zeros((n_p, n_a))
    own_pairs = np.zeros((n_p, n_a))
    for k, (observer, target) in enumerate(pairs):
        aggregation[k, observer] += 1.0
        own_pairs[k, observer] = 1.0
        for ally, commitment in allies[actors[observer]]:
            ally_at = actor_index[ally]
            # an ally's threat is shared unless the ally faces that adversary itself
            if ally_at != target and (ally_at, target) not in pair_lookup:
                aggregation[k, ally_at] += ally_share * commitment

    baseline_strength = baseline @ weight

    dyad_sides = np.array([[actor_index[a], actor_index[b]] for a, b in dyads], dtype=np.int64)
    dyad_pairs = np.array(
        [[pair_lookup[(i, j)], pair_lookup[(j, i)]] for i, j in dyad_sides], dtype=np.int64
    )
    breakout_ratio = np.array(
        [[doctrines[i].breakout_ratio, doctrines[j].breakout_ratio] for i, j in dyad_sides]
    )
    nuclear = np.array([a.nuclear for a in scenario.actors])
    dyad_nuclear = np.array(
        [
            nuclear[i]
            or nuclear[j]
            or any(nuclear[actor_index[k]] for k, _ in allies[actors[i]])
            or any(nuclear[actor_index[k]] for k, _ in allies[actors[j]])
            for i, j in dyad_sides
        ],
        dtype=bool,
    )
    # dyad sides (flattened as 2 * dyad + side) grouped by the actor who holds them
    side_actor = dyad_sides.reshape(-1)
    side_order = np.argsort(side_actor, kind="stable")
    side_holders, side_starts = np.unique(side_actor[side_order], return_index=True)

    # sectors: presence of each actor's strength on each side of each sector
    host = {a.id: (a.stationed_with or a.id) for a in scenario.actors}
    presence = sector_presence(scenario)
    # an observer counts the share of the target's forces deployed in sectors facing it
    # (all of them when the target holds no sector: no geography to split by)
    facing = np.ones(n_p)
    for k, (observer, target) in enumerate(pairs):
        if presence[target].sum() == 0.0:
            continue
        observer_host = host[actors[observer]]
        facing[k] = sum(
            presence[target, s, side]
            for s, sector in enumerate(scenario.sectors)
            for side in (0, 1)
            if sector.between[1 - side] == observer_host
        )
    sector_dyad = np.array(
        [dyad_lookup[frozenset(s.between)] for s in scenario.sectors], dtype=np.int64
    )
    contact_to_pairs = np.zeros((n_s, n_p))
    exogenous_to_pairs = np.zeros((n_s, 2, n_p))
    for s, sector in enumerate(scenario.sectors):
        i, j = actor_index[sector.between[0]], actor_index[sector.between[1]]
        contact_to_pairs[s, pair_lookup[(i, j)]] = 1.0
        contact_to_pairs[s, pair_lookup[(j, i)]] = 1.0
        exogenous_to_pairs[s, 0, pair_lookup[(i, j)]] = 1.0
        exogenous_to_pairs[s, 1, pair_lookup[(j, i)]] = 1.0

    # alliance slots: every ally of either side of each dyad (other than the opponent)
    slots: list[tuple[int, int, float, int]] = []
    for d, (i, j) in enumerate(dyad_sides):
        for side, opponent in ((i, j), (j, i)):
            for ally, commitment in allies[actors[side]]:
                ally_at = actor_index[ally]
                if ally_at in (i, j):
                    continue
                cascade = dyad_lookup.get(frozenset((ally, actors[opponent])), -1)
                slots.append((d, ally_at, commitment, cascade))
    n_k = len(slots)
    slot_dyad = np.array([s[0] for s in slots], dtype=np.int64)
    slot_ally = np.array([s[1] for s in slots], dtype=np.int64)
    slot_commitment = np.array([s[2] for s in slots])
    slot_to_dyad = np.zeros((n_k, n_d))
    slot_to_cascade = np.zeros((n_k, n_d))
    for k, (d, _, _, cascade) in enumerate(slots):
        slot_to_dyad[k, d] = 1.0
        if cascade >= 0:
            slot_to_cascade[k, cascade] = 1.0

    index = Indices(
        actors=actor_index,
        categories={c: i for i, c in enumerate(categories)},
        sectors={s: i for i, s in enumerate(sectors)},
        dyads=dyad_lookup,
        pairs=pair_lookup,
    )
    forcing = tabulate(scenario, index, n_steps, scenario.shocks)
    status_quo = standing(scenario, index)
    transparency = np.array([d.verification.transparency.value for d in scenario.dyads])
    initial_rung = np.array([int(d.initial_rung) for d in scenario.dyads], dtype=np.int8)
    mech = scenario.mechanisms

    # the status quo: the threat each actor feels at the start with its initial forces, with
    # its habitual bias, the standing rung, the war elsewhere and the expected background of
    # incidents. Doctrines tolerate this level (times their tolerance) without response.
    effective0 = 1.0 - (1.0 - np.append(transparency, 0.0)[pair_dyad]) * (
        1.0
        - mech.perception.channel_information.value
        * np.append(status_quo.information[0], 0.0)[pair_dyad]
    )
    initial_bias = np.array([a.threat_inflation.value for a in scenario.actors])[pair_observer] * (
        1.0 - effective0
    )
    side0 = (initial @ weight @ presence.reshape(n_a, 2 * n_s)).reshape(n_s, 2)
    contact0 = mech.incidents.contact_rate.value * np.sqrt(side0[:, 0] * side0[:, 1])
    expected_attributed = contact0 @ contact_to_pairs + (
        mech.incidents.misattribution.value * status_quo.exogenous[0]
    ).reshape(-1) @ exogenous_to_pairs.reshape(2 * n_s, n_p)
    retention = decay_factor(step, mech.threat.memory_days.value)
    background_memory = expected_attributed * step / (1.0 - retention)
    threat0 = (
        (initial @ weight)[pair_target] * facing * (1.0 + initial_bias)
        + mech.threat.incident_weight.value * background_memory
        + mech.threat.rung_weight.value * np.append(initial_rung, 0)[pair_dyad]
    )
    tolerated_threat = threat0 @ aggregation + status_quo.war_threat[0]
    # perception only needs the (pair, category) entries whose target can hold such forces
    # or that a perceived build-up names; elsewhere the observation is zero whatever the noise
    can_hold = (capacity > 0) | (initial > 0)
    imagined = np.any(forcing.buildup != 0.0, axis=0)
    observable = can_hold[pair_target] | imagined
    entry_pair, entry_category = np.nonzero(observable)
    entry_source = pair_target[entry_pair] * n_c + entry_category
    entry_to_pair = np.zeros((len(entry_pair), n_p))
    entry_to_pair[np.arange(len(entry_pair)), entry_pair] = (
        weight[entry_category] * facing[entry_pair]
    )
    entry_buildup = forcing.buildup[:, entry_pair, entry_category]
    sector_to_dyad = np.zeros((n_s, n_d))
    sector_to_dyad[np.arange(n_s), sector_dyad] = 1.0
    dyad_strength0 = np.einsum("sk,sd->dk", side0, sector_to_dyad) + 1.0
    initial_imbalance = np.abs(np.log(dyad_strength0[:, 0] / dyad_strength0[:, 1]))

    focus = dyad_lookup[frozenset(scenario.focus)]
    return Compiled(
        scenario=scenario,
        doctrines=tuple(doctrines),
        dt=step,
        n_steps=n_steps,
        actor_ids=tuple(actors),
        category_ids=tuple(categories),
        sector_ids=tuple(sectors),
        dyad_ids=tuple(f"{a}-{b}" for a, b in dyads),
        pair_ids=tuple(f"{actors[i]}->{actors[j]}" for i, j in pairs),
        baseline=baseline,
        capacity=capacity,
        rate_dt=rate * step,
        initial=initial,
        share_per_weight=share_per_weight,
        weight=weight,
        unit_cost=unit_cost,
        inflation=np.array([a.threat_inflation.value for a in scenario.actors]),
        resolve=np.array([a.resolve.value for a in scenario.actors]),
        baseline_strength=baseline_strength,
        tolerated_threat=tolerated_threat,
        pair_observer=pair_observer,
        pair_target=pair_target,
        pair_dyad=pair_dyad,
        pair_facing=facing,
        aggregation=LinearMap(aggregation),
        own_pairs=LinearMap(own_pairs),
        dyad_sides=dyad_sides,
        dyad_pairs=dyad_pairs,
        transparency=transparency,
        detection_rate=np.array([d.verification.detection_rate.value for d in scenario.dyads]),
        inspection=np.array([d.verification.inspection_transparency.value for d in scenario.dyads]),
        initial_trust=np.array([d.initial_trust.value for d in scenario.dyads]),
        entry_pair=entry_pair,
        entry_category=entry_category,
        entry_source=entry_source,
        entry_to_pair=LinearMap(entry_to_pair),
        entry_buildup=entry_buildup,
        initial_rung=initial_rung,
        initial_bias=initial_bias,
        initial_memory=background_memory,
        breakout_ratio=breakout_ratio,
        dyad_nuclear=dyad_nuclear,
        side_order=side_order,
        side_starts=side_starts,
        side_holders=side_holders,
        deciders=tuple(a for a in range(n_a) if np.any(capacity[a] > 0) or np.any(dyad_sides == a)),
        presence=LinearMap(presence.reshape(n_a, 2 * n_s)),
        sector_to_dyad=LinearMap(sector_to_dyad),
        initial_imbalance=initial_imbalance,
        contact_to_pairs=LinearMap(contact_to_pairs),
        exogenous_to_pairs=LinearMap(exogenous_to_pairs.reshape(2 * n_s, n_p)),
        slot_dyad=slot_dyad,
        slot_ally=slot_ally,
        slot_commitment=slot_commitment,
        slot_to_dyad=LinearMap(slot_to_dyad),
        slot_to_cascade=LinearMap(slot_to_cascade),
        forcing=forcing,
        layout=RandomLayout(sectors=n_s, dyads=n_d, slots=n_k),
        focus_dyad=focus,
        subject=actor_index[scenario.subject],
        start=settings.start,
        elevated_threshold=settings.elevated_threshold.value,
    )
