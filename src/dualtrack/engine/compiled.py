"""Compile a validated scenario into the index maps and forcing arrays the engine steps over.

Everything here depends on the scenario and the chosen doctrines, never on replicates, so it
is built once per run. Forcing (channels, exogenous incident rates, perceived build-ups, wars
elsewhere) is tabulated per step; its size grows with the number of steps but not with the
number of replicates. :func:`compile_scenario` runs small named steps, each filling a group
of :class:`Compiled`'s fields (forces, pairs, dyads, sectors, alliance slots, perception
entries, the status quo).
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Self

import numpy as np
from numpy.typing import NDArray

from dualtrack.doctrines.base import Doctrine, make_doctrine
from dualtrack.engine.forcing import Forcing, Indices, standing, tabulate
from dualtrack.engine.linear import LinearMap
from dualtrack.mechanisms import incidents, intent, notification, perception, threat
from dualtrack.scenario.deployment import sector_presence
from dualtrack.scenario.schema import Scenario

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _draws(per: str, width: int = 1) -> Any:
    """A block of uniform draws: ``width`` per sector, dyad or alliance slot (``per``)."""
    return dataclasses.field(metadata={"per": per, "width": width})


class _Layout:
    """Blocks of uniform draws per replicate and step, in declaration order."""

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Self:
        """The layout for ``counts`` of the entities the blocks are declared per."""
        blocks: dict[str, slice] = {}
        start = 0
        for block in dataclasses.fields(cls):  # type: ignore[arg-type]
            stop = start + block.metadata["width"] * counts[block.metadata["per"]]
            blocks[block.name] = slice(start, stop)
            start = stop
        return cls(**blocks)

    @property
    def width(self) -> int:
        """Uniform draws per replicate and step."""
        fields = dataclasses.fields(self)  # type: ignore[arg-type]
        return max((getattr(self, block.name).stop for block in fields), default=0)


@dataclass(frozen=True)
class RandomLayout(_Layout):
    """Where each mechanism's uniform draws sit in a replicate's row of uniforms per step.

    The blocks follow one another in the order declared here; changing the order or a width
    changes every result.
    """

    contact: slice = _draws("sectors")
    exogenous: slice = _draws("sectors", 4)
    """Per sector and victim side: attributed then unattributed (4 per sector)."""
    formation: slice = _draws("dyads")
    detection: slice = _draws("dyads", 2)
    escalation: slice = _draws("dyads")
    nuclear: slice = _draws("dyads")
    pull_in: slice = _draws("slots")


@dataclass(frozen=True)
class IntentLayout(_Layout):
    """The intent stream's uniforms per replicate and step (a second stream per block).

    Before the first step the stream gives one uniform per actor (the types); then each step
    one row laid out as declared here. It is drawn only when some actor may be an
    opportunist, so the main stream's layout (:class:`RandomLayout`) is untouched.
    """

    regime: slice = _draws("actors")
    """Regime change: one per actor."""
    aggression: slice = _draws("dyads", 2)
    """Deliberate aggression by each side of each dyad against the other."""
    cheating: slice = _draws("dyads", 2)
    """Cheating on an agreement, per dyad side."""


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
    slot_opponent: IntArray
    """The opponent the slot's ally would join against."""
    slot_cascade: IntArray
    """The dyad (ally, opponent), or ``n_dyads`` where it is not modelled."""
    side_commitment: Array
    """Commitments of each dyad side's allies (other than the opponent), zero-padded,
    (dyad, side, ally): who would punish an aggressor against that side."""
    prior: Array
    """Probability that each actor is an opportunist (its type's prior), (actor,)."""
    pair_prior: Array
    """Each observer's prior about its target, (pair,)."""
    intent_active: bool
    """Some actor may be an opportunist: the intent stream is drawn, aggression possible."""
    learning: bool
    """Some belief is not dogmatic (a prior strictly between 0 and 1): beliefs update."""
    # instrument levers of the dyads (docs/model.md §7.16); their defaults change nothing
    contact_kappa: Array
    """Contact-incident coefficient per sector, less what incident prevention prevents."""
    sector_blame: Array
    """Chance that an exogenous incident in each sector is blamed on the adversary."""
    notice_steps: Array
    """Steps of warning a defender gets of a limited attack in each dyad (0: none)."""
    pair_model_sd: Array
    """Each observer's model error of a security seeker's strength, (pair,)."""
    forcing: Forcing
    layout: RandomLayout
    intent_layout: IntentLayout
    focus_dyad: int
    subject: int
    start: datetime.date
    elevated_threshold: float

    @property
    def days(self) -> Array:
        """Day (since start) at the end of each step."""
        return (np.arange(self.n_steps, dtype=np.float64) + 1.0) * self.dt


class Forces(NamedTuple):
    """Per-actor force tables, (actor, category), and what categories weigh and cost."""

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


def _forces(scenario: Scenario, step: float) -> Forces:
    categories = [c.id for c in scenario.categories]
    shape = (len(scenario.actors), len(categories))
    weight = np.array([c.threat_weight.value for c in scenario.categories])
    baseline, capacity, rate, initial, share = (np.zeros(shape) for _ in range(5))
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
    return Forces(
        baseline=baseline,
        capacity=capacity,
        rate_dt=rate * step,
        initial=initial,
        share_per_weight=np.divide(share, weight, out=np.zeros_like(share), where=weight > 0),
        weight=weight,
        unit_cost=np.array([c.unit_cost.value for c in scenario.categories]),
        inflation=np.array([a.threat_inflation.value for a in scenario.actors]),
        resolve=np.array([a.resolve.value for a in scenario.actors]),
        baseline_strength=baseline @ weight,
    )


def _doctrines(scenario: Scenario, overrides: Mapping[str, Doctrine]) -> tuple[Doctrine, ...]:
    return tuple(
        overrides.get(actor.id) or make_doctrine(actor.doctrine.name, actor.doctrine.params)
        for actor in scenario.actors
    )


Allies = dict[str, list[tuple[str, float]]]
"""Each actor's allies and their commitments."""


def _indices(scenario: Scenario) -> tuple[Indices, Allies]:
    """Positions of actors, categories, sectors, dyads and adversary pairs; and the allies.

    Directed adversary pairs (observer, target) are ordered by observer, then target.
    """
    actors = [a.id for a in scenario.actors]
    kind: dict[frozenset[str], str] = {}
    allies: Allies = {a: [] for a in actors}
    for relation in scenario.relations:
        a, b = relation.between
        kind[frozenset((a, b))] = relation.kind
        if relation.kind == "ally":
            allies[a].append((b, relation.commitment.value))
            allies[b].append((a, relation.commitment.value))
    n_a = len(actors)
    pairs = [
        (i, j)
        for i in range(n_a)
        for j in range(n_a)
        if i != j and kind.get(frozenset((actors[i], actors[j]))) == "adversary"
    ]
    index = Indices(
        actors={a: i for i, a in enumerate(actors)},
        categories={c.id: i for i, c in enumerate(scenario.categories)},
        sectors={s.id: i for i, s in enumerate(scenario.sectors)},
        dyads={frozenset(d.between): k for k, d in enumerate(scenario.dyads)},
        pairs={p: k for k, p in enumerate(pairs)},
    )
    return index, allies


class Pairs(NamedTuple):
    """Directed adversary pairs: who observes whom, and how pair threats add up per actor."""

    pair_ids: tuple[str, ...]
    pair_observer: IntArray
    pair_target: IntArray
    pair_dyad: IntArray
    aggregation: Array
    own_pairs: Array


def _pairs(scenario: Scenario, index: Indices, allies: Allies) -> Pairs:
    actors = list(index.actors)
    pairs = list(index.pairs)
    n_p, n_a, n_d = len(pairs), len(actors), len(index.dyads)
    ally_share = scenario.mechanisms.threat.ally_share.value
    aggregation = np.zeros((n_p, n_a))
    own_pairs = np.zeros((n_p, n_a))
    for k, (observer, target) in enumerate(pairs):
        aggregation[k, observer] += 1.0
        own_pairs[k, observer] = 1.0
        for ally, commitment in allies[actors[observer]]:
            ally_at = index.actors[ally]
            # an ally's threat is shared unless the ally faces that adversary itself
            if ally_at != target and (ally_at, target) not in index.pairs:
                aggregation[k, ally_at] += ally_share * commitment
    return Pairs(
        pair_ids=tuple(f"{actors[i]}->{actors[j]}" for i, j in pairs),
        pair_observer=np.array([p[0] for p in pairs], dtype=np.int64),
        pair_target=np.array([p[1] for p in pairs], dtype=np.int64),
        pair_dyad=np.array(
            [index.dyads.get(frozenset((actors[i], actors[j])), n_d) for i, j in pairs],
            dtype=np.int64,
        ),
        aggregation=aggregation,
        own_pairs=own_pairs,
    )


class Dyads(NamedTuple):
    """Dyads: their sides and pairs, verification, starting rung, who holds them."""

    dyad_ids: tuple[str, ...]
    dyad_sides: IntArray
    dyad_pairs: IntArray
    transparency: Array
    detection_rate: Array
    inspection: Array
    initial_rung: NDArray[np.int8]
    breakout_ratio: Array
    dyad_nuclear: NDArray[np.bool_]
    side_order: IntArray
    side_starts: IntArray
    side_holders: IntArray


def _dyads(
    scenario: Scenario, index: Indices, allies: Allies, doctrines: tuple[Doctrine, ...]
) -> Dyads:
    dyads = [d.between for d in scenario.dyads]
    dyad_sides = np.array([[index.actors[a], index.actors[b]] for a, b in dyads], dtype=np.int64)
    nuclear = np.array([a.nuclear for a in scenario.actors])
    actors = list(index.actors)

    def armed(i: int) -> bool:
        """The side has nuclear weapons, or one of its allies has."""
        return bool(nuclear[i] or any(nuclear[index.actors[k]] for k, _ in allies[actors[i]]))

    # dyad sides (flattened as 2 * dyad + side) grouped by the actor who holds them
    side_actor = dyad_sides.reshape(-1)
    side_order = np.argsort(side_actor, kind="stable")
    side_holders, side_starts = np.unique(side_actor[side_order], return_index=True)
    return Dyads(
        dyad_ids=tuple(f"{a}-{b}" for a, b in dyads),
        dyad_sides=dyad_sides,
        dyad_pairs=np.array(
            [[index.pairs[(i, j)], index.pairs[(j, i)]] for i, j in dyad_sides], dtype=np.int64
        ),
        transparency=np.array([d.verification.transparency.value for d in scenario.dyads]),
        detection_rate=np.array([d.verification.detection_rate.value for d in scenario.dyads]),
        inspection=np.array([d.verification.inspection_transparency.value for d in scenario.dyads]),
        initial_rung=np.array([int(d.initial_rung) for d in scenario.dyads], dtype=np.int8),
        breakout_ratio=np.array(
            [[doctrines[i].breakout_ratio, doctrines[j].breakout_ratio] for i, j in dyad_sides]
        ),
        dyad_nuclear=np.array([armed(i) or armed(j) for i, j in dyad_sides], dtype=bool),
        side_order=side_order,
        side_starts=side_starts,
        side_holders=side_holders,
    )


class Sectors(NamedTuple):
    """Where forces stand on the sectors, whom the sectors' incidents concern."""

    presence: Array
    """Share of each actor's strength on each side of each sector, (actor, 2 * sector)."""
    pair_facing: Array
    sector_to_dyad: Array
    contact_to_pairs: Array
    exogenous_to_pairs: Array
    """Exogenous incidents per (sector, victim side) attributed to each pair, (2 * sector, pair)."""


def _sectors(scenario: Scenario, index: Indices) -> Sectors:
    presence = sector_presence(scenario)
    n_a, n_s, n_d, n_p = len(index.actors), len(index.sectors), len(index.dyads), len(index.pairs)
    host = [a.stationed_with or a.id for a in scenario.actors]
    # an observer counts the share of the target's forces deployed in sectors facing it
    # (all of them when the target holds no sector: no geography to split by)
    facing = np.ones(n_p)
    for k, (observer, target) in enumerate(index.pairs):
        if presence[target].sum() == 0.0:
            continue
        facing[k] = sum(
            presence[target, s, side]
            for s, sector in enumerate(scenario.sectors)
            for side in (0, 1)
            if sector.between[1 - side] == host[observer]
        )
    sector_to_dyad = np.zeros((n_s, n_d))
    contact_to_pairs = np.zeros((n_s, n_p))
    exogenous_to_pairs = np.zeros((n_s, 2, n_p))
    for s, sector in enumerate(scenario.sectors):
        sector_to_dyad[s, index.dyads[frozenset(sector.between)]] = 1.0
        i, j = index.actors[sector.between[0]], index.actors[sector.between[1]]
        contact_to_pairs[s, index.pairs[(i, j)]] = 1.0
        contact_to_pairs[s, index.pairs[(j, i)]] = 1.0
        exogenous_to_pairs[s, 0, index.pairs[(i, j)]] = 1.0
        exogenous_to_pairs[s, 1, index.pairs[(j, i)]] = 1.0
    return Sectors(
        presence=presence.reshape(n_a, 2 * n_s),
        pair_facing=facing,
        sector_to_dyad=sector_to_dyad,
        contact_to_pairs=contact_to_pairs,
        exogenous_to_pairs=exogenous_to_pairs.reshape(2 * n_s, n_p),
    )


class Slots(NamedTuple):
    """Alliance slots: every ally of either side of each dyad (other than the opponent)."""

    slot_dyad: IntArray
    slot_ally: IntArray
    slot_commitment: Array
    slot_to_dyad: Array
    slot_to_cascade: Array
    """The dyad (ally, opponent) a joining ally goes to war in, if there is one."""
    slot_opponent: IntArray
    slot_cascade: IntArray
    side_commitment: Array


def _alliance_slots(index: Indices, allies: Allies, dyad_sides: IntArray) -> Slots:
    actors = list(index.actors)
    slots: list[tuple[int, int, float, int, int, int]] = []
    for d, (i, j) in enumerate(dyad_sides):
        for s, (side, opponent) in enumerate(((i, j), (j, i))):
            for ally, commitment in allies[actors[side]]:
                ally_at = index.actors[ally]
                if ally_at in (i, j):
                    continue
                cascade = index.dyads.get(frozenset((ally, actors[opponent])), -1)
                slots.append((d, ally_at, commitment, cascade, int(opponent), s))
    n_k, n_d = len(slots), len(index.dyads)
    slot_to_dyad = np.zeros((n_k, n_d))
    slot_to_cascade = np.zeros((n_k, n_d))
    per_side = np.zeros((n_d, 2), dtype=np.int64)
    for d, _, _, _, _, s in slots:
        per_side[d, s] += 1
    side_commitment = np.zeros((n_d, 2, int(per_side.max(initial=0))))
    filled = np.zeros((n_d, 2), dtype=np.int64)
    for k, (d, _, commitment, cascade, _, s) in enumerate(slots):
        slot_to_dyad[k, d] = 1.0
        if cascade >= 0:
            slot_to_cascade[k, cascade] = 1.0
        side_commitment[d, s, filled[d, s]] = commitment
        filled[d, s] += 1
    return Slots(
        slot_dyad=np.array([s[0] for s in slots], dtype=np.int64),
        slot_ally=np.array([s[1] for s in slots], dtype=np.int64),
        slot_commitment=np.array([s[2] for s in slots]),
        slot_to_dyad=slot_to_dyad,
        slot_to_cascade=slot_to_cascade,
        slot_opponent=np.array([s[4] for s in slots], dtype=np.int64),
        slot_cascade=np.array([n_d if s[3] < 0 else s[3] for s in slots], dtype=np.int64),
        side_commitment=side_commitment,
    )


class Entries(NamedTuple):
    """The observable (pair, category) entries perception draws noise for."""

    entry_pair: IntArray
    entry_category: IntArray
    entry_source: IntArray
    entry_to_pair: Array
    entry_buildup: Array


def _perception_entries(forces: Forces, pairs: Pairs, facing: Array, forcing: Forcing) -> Entries:
    """Entries whose target can hold such forces or that a perceived build-up names.

    Elsewhere the observation is zero whatever the noise, so no draw is spent on it.
    """
    can_hold = (forces.capacity > 0) | (forces.initial > 0)
    imagined = np.any(forcing.buildup != 0.0, axis=0)
    observable = can_hold[pairs.pair_target] | imagined
    entry_pair, entry_category = np.nonzero(observable)
    entry_to_pair = np.zeros((len(entry_pair), len(pairs.pair_ids)))
    entry_to_pair[np.arange(len(entry_pair)), entry_pair] = (
        forces.weight[entry_category] * facing[entry_pair]
    )
    return Entries(
        entry_pair=entry_pair,
        entry_category=entry_category,
        entry_source=pairs.pair_target[entry_pair] * len(forces.weight) + entry_category,
        entry_to_pair=entry_to_pair,
        entry_buildup=forcing.buildup[:, entry_pair, entry_category],
    )


class StatusQuo(NamedTuple):
    """The standing situation the run starts from, and what each actor tolerates."""

    initial_bias: Array
    initial_memory: Array
    tolerated_threat: Array
    initial_imbalance: Array


def _status_quo(
    scenario: Scenario,
    step: float,
    forces: Forces,
    pairs: Pairs,
    dyads: Dyads,
    sectors: Sectors,
    before: Forcing,
    levers: Levers,
) -> StatusQuo:
    """The threat each actor feels at the start, through the mechanisms the step uses.

    With its initial forces, its habitual bias, the standing rung, the wars elsewhere and the
    expected background of incidents. Doctrines tolerate this level (times their tolerance)
    without response.
    """
    mech = scenario.mechanisms
    n_s = len(scenario.sectors)
    effective = perception.effective_transparency(
        np.append(dyads.transparency, 0.0)[pairs.pair_dyad],
        mech.perception.channel_information.value
        * np.append(before.information[0], 0.0)[pairs.pair_dyad],
        0.0,
    )
    initial_bias = forces.inflation[pairs.pair_observer] * (1.0 - effective)
    strength = forces.initial @ forces.weight
    side_strength = (strength @ sectors.presence).reshape(n_s, 2)
    contact = incidents.contact_rate(side_strength, levers.contact_kappa)
    expected_attributed = (
        contact @ sectors.contact_to_pairs
        + (levers.sector_blame[:, None] * before.exogenous[0]).reshape(-1)
        @ sectors.exogenous_to_pairs
    )
    retention = threat.decay_factor(step, mech.threat.memory_days.value)
    background_memory = expected_attributed * step / (1.0 - retention)
    pair_threats = threat.pair_threat(
        strength[pairs.pair_target] * sectors.pair_facing * (1.0 + initial_bias),
        background_memory,
        np.append(dyads.initial_rung, 0)[pairs.pair_dyad].astype(np.float64),
        mech.threat.incident_weight.value,
        mech.threat.rung_weight.value,
    )
    dyad_strength = np.einsum("sk,sd->dk", side_strength, sectors.sector_to_dyad) + 1.0
    return StatusQuo(
        initial_bias=initial_bias,
        initial_memory=background_memory,
        tolerated_threat=threat.actor_threat(pair_threats, pairs.aggregation)
        + before.war_threat[0],
        initial_imbalance=np.abs(np.log(dyad_strength[:, 0] / dyad_strength[:, 1])),
    )


class Levers(NamedTuple):
    """The instrument levers of each dyad spread over its sectors and pairs (§7.16)."""

    contact_kappa: Array
    sector_blame: Array
    notice_steps: Array
    pair_model_sd: Array


def _levers(scenario: Scenario, index: Indices, pair_dyad: IntArray, step: float) -> Levers:
    mech = scenario.mechanisms
    verification = [d.verification for d in scenario.dyads]
    sector_dyad = [index.dyads[frozenset(s.between)] for s in scenario.sectors]
    prevention = np.array([verification[d].incident_prevention.value for d in sector_dyad])
    attribution = np.array([verification[d].attribution.value for d in sector_dyad])
    insight = np.array([v.intent_insight.value for v in verification] + [0.0])
    return Levers(
        contact_kappa=incidents.prevented_contact_rate(
            mech.incidents.contact_rate.value, prevention
        ),
        sector_blame=incidents.blame_probability(mech.incidents.misattribution.value, attribution),
        notice_steps=np.array(
            [notification.lead_steps(v.notification_days.value, step) for v in verification]
        ),
        pair_model_sd=intent.model_error(mech.intent.model_sd.value, insight[pair_dyad]),
    )


LINEAR_FIELDS = frozenset(f.name for f in dataclasses.fields(Compiled) if f.type == "LinearMap")
"""Fields of :class:`Compiled` applied as matrices (the steps build them dense)."""


def compile_scenario(scenario: Scenario, overrides: dict[str, Doctrine] | None = None) -> Compiled:
    """Index maps and forcing for a validated scenario; ``overrides`` replace actors' doctrines."""
    settings = scenario.settings
    step = settings.step_days
    n_steps = math.ceil(settings.horizon_days / step - 1e-9)
    doctrines = _doctrines(scenario, overrides or {})
    index, allies = _indices(scenario)
    forces = _forces(scenario, step)
    pairs = _pairs(scenario, index, allies)
    dyads = _dyads(scenario, index, allies, doctrines)
    sectors = _sectors(scenario, index)
    slots = _alliance_slots(index, allies, dyads.dyad_sides)
    forcing = tabulate(scenario, index, n_steps, scenario.shocks)
    levers = _levers(scenario, index, pairs.pair_dyad, step)
    status_quo = _status_quo(
        scenario, step, forces, pairs, dyads, sectors, standing(scenario, index), levers
    )
    entries = _perception_entries(forces, pairs, sectors.pair_facing, forcing)
    # each step's fields, under Compiled's names; the matrices applied to states as LinearMaps
    groups: dict[str, Any] = {}
    for group in (forces, pairs, dyads, sectors, slots, entries, status_quo, levers):
        for name, value in group._asdict().items():
            groups[name] = LinearMap(value) if name in LINEAR_FIELDS else value
    prior = np.array([a.p_opportunist.value for a in scenario.actors])
    pair_prior = prior[pairs.pair_target]
    deciders = tuple(
        a
        for a in range(len(scenario.actors))
        if np.any(forces.capacity[a] > 0) or np.any(dyads.dyad_sides == a)
    )
    return Compiled(
        scenario=scenario,
        doctrines=doctrines,
        dt=step,
        n_steps=n_steps,
        actor_ids=tuple(index.actors),
        category_ids=tuple(index.categories),
        sector_ids=tuple(index.sectors),
        deciders=deciders,
        forcing=forcing,
        layout=RandomLayout.of(
            {
                "sectors": len(index.sectors),
                "dyads": len(index.dyads),
                "slots": len(slots.slot_dyad),
            }
        ),
        intent_layout=IntentLayout.of({"actors": len(index.actors), "dyads": len(index.dyads)}),
        prior=prior,
        pair_prior=pair_prior,
        intent_active=bool(np.any(prior > 0.0)),
        learning=bool(np.any((pair_prior > 0.0) & (pair_prior < 1.0))),
        focus_dyad=index.dyads[frozenset(scenario.focus)],
        subject=index.actors[scenario.subject],
        start=settings.start,
        elevated_threshold=settings.elevated_threshold.value,
        **groups,
    )
