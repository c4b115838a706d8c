"""One step of the model: the process order of docs/model.md, as pure array operations.

Order within a step: perception -> threat -> doctrines decide -> dialogue (agreements form,
comply, are verified, expire) -> posture moves -> incidents -> trust -> escalation -> tallies.
Random numbers come in two arrays per step (normals for perception, uniforms for everything
else) whose layout does not depend on doctrines, so different doctrines see the same draws.
Each stage below is a function of the state, the compiled scenario and the step's draws.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from dualtrack.doctrines.base import Observation
from dualtrack.engine.compiled import Compiled
from dualtrack.engine.state import State
from dualtrack.mechanisms import (
    dialogue,
    escalation,
    incidents,
    perception,
    posture,
    threat,
    trust,
)
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.schema import MechanismParams

Array = NDArray[np.float64]
Bools = NDArray[np.bool_]


class StepConstants:
    """Scalars and tables derived once per run from a compiled scenario's parameters."""

    def __init__(self, compiled: Compiled) -> None:
        mech = compiled.scenario.mechanisms
        self.params: MechanismParams = mech
        self.alpha = perception.smoothing_weight(compiled.dt, mech.perception.memory_days.value)
        self.retention = threat.decay_factor(compiled.dt, mech.threat.memory_days.value)
        self.up_table, self.down_table = escalation.rate_tables(mech.escalation)
        self.transparency_ext = np.append(compiled.transparency, 0.0)
        self.tolerance_floor = np.maximum(compiled.tolerated_threat, 1.0)
        self.strength_floor = np.maximum(compiled.baseline_strength, 1e-9)


def _extend(values: Array) -> Array:
    """Append a zero column so that index ``n_dyads`` means 'no dyad'."""
    return np.concatenate([values, np.zeros(values.shape[:-1] + (1,), values.dtype)], axis=-1)


def _min_per_holder(per_side: Array, c: Compiled) -> Array:
    """Per actor holding dyad sides, the minimum over its sides: (replicate, holder, ...)."""
    flat = per_side.reshape(per_side.shape[0], -1, *per_side.shape[3:])
    return np.minimum.reduceat(flat[:, c.side_order], c.side_starts, axis=1)


def _strength(forces: Array, weight: Array) -> Array:
    """Threat-weighted forces per actor, (replicate, actor)."""
    return (forces.reshape(-1, len(weight)) @ weight).reshape(len(forces), -1)


class Perceived(NamedTuple):
    perceived: Array
    felt: Array
    adversary_strength: Array


def _perceive(
    state: State, c: Compiled, k: StepConstants, t: int, normals: NDArray[np.float32]
) -> Perceived:
    """Noisy observation, smoothed estimates and the threat each actor feels."""
    mech = k.params
    verification = np.where(state.active, c.inspection, 0.0)
    effective = perception.effective_transparency(
        k.transparency_ext[c.pair_dyad],
        mech.perception.channel_information.value * _extend(c.forcing.information[t])[c.pair_dyad],
        _extend(verification)[:, c.pair_dyad],
    )
    sigma = perception.noise_sd(mech.perception.base_noise_sd.value, effective)
    bias = c.inflation[c.pair_observer] * (1.0 - effective)
    observed = perception.observe(
        state.forces.reshape(len(state.forces), -1)[:, c.entry_source],
        bias[:, c.entry_pair],
        sigma[:, c.entry_pair],
        normals,
        c.entry_buildup[t],
    )
    perceived = perception.update_estimate(state.perceived, observed, k.alpha)
    perceived_strength = perceived @ c.entry_to_pair
    pair_threats = threat.pair_threat(
        perceived_strength,
        state.memory,
        _extend(state.rung.astype(np.float64))[:, c.pair_dyad],
        mech.threat.incident_weight.value,
        mech.threat.rung_weight.value,
    )
    felt = threat.actor_threat(pair_threats, c.aggregation) + c.forcing.war_threat[t]
    return Perceived(perceived, felt, perceived_strength @ c.own_pairs)


def _decide(state: State, c: Compiled, seen: Perceived) -> tuple[Array, Array]:
    """Each deciding actor's doctrine: target forces and willingness to talk."""
    in_agreement = np.zeros(state.forces.shape[:2], dtype=bool)
    if len(c.side_holders):
        side_active = np.repeat(state.active[..., None], 2, axis=-1)
        in_agreement[:, c.side_holders] = np.maximum.reduceat(
            side_active.reshape(len(side_active), -1)[:, c.side_order], c.side_starts, axis=1
        )
    targets = np.broadcast_to(c.baseline, state.forces.shape).copy()
    talk = np.zeros(seen.felt.shape)
    for a in c.deciders:
        obs = Observation(
            day=state.day,
            dt=c.dt,
            threat=seen.felt[:, a],
            tolerated_threat=float(c.tolerated_threat[a]),
            adversary_strength=seen.adversary_strength[:, a],
            attributed_incidents=state.attributed[:, a],
            in_agreement=in_agreement[:, a],
            forces=state.forces[:, a, :],
            baseline=c.baseline[a],
            capacity=c.capacity[a],
            share_per_weight=c.share_per_weight[a],
        )
        decision = c.doctrines[a].decide(obs, state.doctrine_states[a])
        targets[:, a, :] = decision.target
        talk[:, a] = np.clip(decision.talk, 0.0, 1.0)
    return targets, talk


class Agreements(NamedTuple):
    active: Bools
    formed: Bools
    detected: Bools
    expired: Bools
    violating: Bools
    days_left: Array
    ceiling: Array
    threat_reference: Array
    caps: Array | None
    """Agreed ceilings per actor holding dyad sides (compiled.side_holders), if any apply."""


def _negotiate(
    state: State,
    c: Compiled,
    k: StepConstants,
    t: int,
    felt: Array,
    talk: Array,
    uniforms: Array,
) -> Agreements:
    """Agreements form over open channels, are kept or broken, verified, and expire."""
    params = k.params.dialogue
    sides = c.dyad_sides
    layout = c.layout
    excess = (_strength(state.forces, c.weight) - c.baseline_strength) / k.strength_floor
    ripe = dialogue.ripeness(
        excess[:, sides[:, 0]], excess[:, sides[:, 1]], params.ripeness_scale.value
    )
    hazard = dialogue.agreement_hazard(
        params.talk_rate.value,
        c.forcing.negotiation[t],
        talk[:, sides[:, 0]],
        talk[:, sides[:, 1]],
        ripe,
        state.trust,
        params.trust_independence.value,
    )
    formed = ~state.active & (uniforms[:, layout.formation] < dialogue.probability(hazard, c.dt))
    side_forces = state.forces[:, sides, :]  # (replicate, dyad, side, category)
    new_ceiling = dialogue.ceilings(side_forces, c.baseline[sides], params.withdrawal_depth.value)
    ceiling = np.where(formed[..., None, None], new_ceiling, state.ceiling)
    side_threat = felt[:, sides]
    threat_reference = np.where(
        formed[..., None], side_threat, np.minimum(state.threat_reference, side_threat)
    )
    days_left = np.where(formed, params.duration_days.value, state.days_left)
    active = state.active | formed
    if not active.any():
        none = np.zeros(active.shape, dtype=bool)
        violating = np.zeros(state.violating.shape, dtype=bool)
        return Agreements(
            active, formed, none, none, violating, days_left, ceiling, threat_reference, None
        )

    reference = np.maximum(threat_reference, k.tolerance_floor[sides])
    breaking = active[..., None] & dialogue.breaks_out(side_threat, reference, c.breakout_ratio)
    violating = breaking & dialogue.in_violation(
        side_forces, ceiling, params.violation_tolerance.value
    )
    dyad_effective = perception.effective_transparency(
        c.transparency,
        k.params.perception.channel_information.value * c.forcing.information[t],
        np.where(active, c.inspection, 0.0),
    )
    detect_hazard = c.detection_rate + params.national_means_rate.value * dyad_effective
    detect_p = dialogue.probability(detect_hazard, c.dt)[..., None]
    draws = uniforms[:, layout.detection].reshape(len(uniforms), len(sides), 2)
    detected = np.any(violating & (draws < detect_p), axis=-1)
    days_left = np.where(active, days_left - c.dt, days_left)
    expired = active & ~detected & (days_left <= 1e-9)
    active = active & ~detected & ~expired
    compliant = active[..., None] & ~breaking
    caps = _min_per_holder(np.where(compliant[..., None], ceiling, np.inf), c)
    return Agreements(
        active, formed, detected, expired, violating, days_left, ceiling, threat_reference, caps
    )


class Incidents(NamedTuple):
    per_sector: Array
    attributed_pairs: Array
    side_strength: Array


def _incidents(forces: Array, c: Compiled, k: StepConstants, t: int, uniforms: Array) -> Incidents:
    """Contact and exogenous incidents per sector, and whom each side blames."""
    params = k.params.incidents
    layout = c.layout
    r, n_s = len(forces), len(c.sector_ids)
    side_strength = (_strength(forces, c.weight) @ c.presence).reshape(r, n_s, 2)
    contact_rate = incidents.contact_rate(side_strength, params.contact_rate.value)
    contact = incidents.poisson_inverse(contact_rate * c.dt, uniforms[:, layout.contact])
    exo = c.forcing.exogenous[t] * c.dt  # (sector, victim side)
    blame = params.misattribution.value
    exo_rates = np.stack([blame * exo, (1.0 - blame) * exo], axis=-1)
    exo_counts = incidents.poisson_inverse(
        exo_rates, uniforms[:, layout.exogenous].reshape(r, n_s, 2, 2)
    )
    per_sector = contact + exo_counts.reshape(r, n_s, 4).sum(axis=-1)
    attributed_pairs = (
        contact @ c.contact_to_pairs + exo_counts[..., 0].reshape(r, -1) @ c.exogenous_to_pairs
    )
    return Incidents(per_sector, attributed_pairs, side_strength)


def _escalate(
    state: State,
    c: Compiled,
    k: StepConstants,
    t: int,
    felt: Array,
    strength: Array,
    memory: Array,
    side_strength: Array,
    new_trust: Array,
    active: Bools,
    uniforms: Array,
) -> tuple[NDArray[np.int8], Bools]:
    """The ladder moves; allies may be pulled in; nuclear use may follow."""
    esc = k.params.escalation
    sides = c.dyad_sides
    by_side = side_strength.transpose(0, 2, 1) @ c.sector_to_dyad  # (replicate, side, dyad)
    dyad_strength = by_side.transpose(0, 2, 1) + 1.0
    pressure = escalation.pressure(
        esc,
        relative_threat=(np.maximum(felt - c.tolerated_threat, 0.0) / k.tolerance_floor)[:, sides],
        new_incidents=np.maximum(memory - c.initial_memory, 0.0)[:, c.dyad_pairs],
        posture=np.maximum((strength - c.baseline_strength) / k.strength_floor, 0.0)[:, sides],
        resolve=c.resolve[sides],
        imbalance=np.abs(np.log(dyad_strength[..., 0] / dyad_strength[..., 1]))
        - c.initial_imbalance,
        trust=new_trust,
        agreement=active,
        crisis_channels=c.forcing.crisis[t],
    )
    p_up, p_down = escalation.transition_probabilities(
        state.rung, pressure, k.up_table, k.down_table, c.dt
    )
    rung = escalation.move(state.rung, p_up, p_down, uniforms[:, c.layout.escalation])
    joined = state.joined
    if len(c.slot_dyad):
        p_join = escalation.pull_in_probability(
            rung[:, c.slot_dyad], c.slot_commitment, esc.pull_in_rate.value, c.dt
        )
        joined = joined | (uniforms[:, c.layout.pull_in] < p_join)
        widened = (joined @ c.slot_to_dyad) > 0
        rung = np.where(widened, np.maximum(rung, Rung.HORIZONTAL_ESCALATION), rung)
        cascaded = (joined @ c.slot_to_cascade) > 0
        rung = np.where(cascaded, np.maximum(rung, Rung.WAR), rung)
    p_nuclear = dialogue.probability(esc.nuclear_rate.value * c.dyad_nuclear, c.dt)
    nuclear = (rung >= Rung.HORIZONTAL_ESCALATION) & (uniforms[:, c.layout.nuclear] < p_nuclear)
    return np.where(nuclear, np.int8(Rung.NUCLEAR_USE), rung).astype(np.int8), joined


def step(
    state: State,
    compiled: Compiled,
    constants: StepConstants,
    t: int,
    normals: NDArray[np.float32],
    uniforms: Array,
) -> State:
    """Advance every replicate by one step; returns the new state."""
    c, k, dt = compiled, constants, compiled.dt
    seen = _perceive(state, c, k, t, normals)
    targets, talk = _decide(state, c, seen)
    deal = _negotiate(state, c, k, t, seen.felt, talk, uniforms)
    if deal.caps is not None:
        holders = c.side_holders
        targets[:, holders] = np.minimum(targets[:, holders], deal.caps)
    forces = posture.relax(state.forces, targets, c.rate_dt, c.capacity)
    happened = _incidents(forces, c, k, t, uniforms)
    memory = threat.update_memory(state.memory, happened.attributed_pairs, k.retention)
    new_trust = trust.update(
        state.trust,
        happened.attributed_pairs[:, c.dyad_pairs].sum(axis=-1),
        deal.active,
        deal.detected,
        deal.expired,
        k.params.trust,
        dt,
    )
    strength = _strength(forces, c.weight)
    rung, joined = _escalate(
        state,
        c,
        k,
        t,
        seen.felt,
        strength,
        memory,
        happened.side_strength,
        new_trust,
        deal.active,
        uniforms,
    )
    excess = (strength - c.baseline_strength) / k.strength_floor
    above = np.maximum(forces - c.baseline, 0.0).reshape(-1, len(c.unit_cost)) @ c.unit_cost
    return State(
        day=state.day + dt,
        forces=forces,
        perceived=seen.perceived,
        memory=memory,
        threat=seen.felt,
        attributed=happened.attributed_pairs @ c.own_pairs,
        trust=new_trust,
        rung=rung,
        active=deal.active,
        days_left=deal.days_left,
        ceiling=deal.ceiling,
        threat_reference=deal.threat_reference,
        violating=deal.violating,
        joined=joined,
        incidents=happened.per_sector,
        doctrine_states=state.doctrine_states,
        max_rung=np.maximum(state.max_rung, rung),
        agreements=state.agreements + deal.formed,
        agreements_kept=state.agreements_kept + deal.expired,
        violations_detected=state.violations_detected + deal.detected,
        first_agreement_day=np.where(
            deal.formed & np.isnan(state.first_agreement_day),
            state.day,
            state.first_agreement_day,
        ),
        first_war_day=np.where(
            (rung >= Rung.WAR) & np.isnan(state.first_war_day),
            state.day + dt,
            state.first_war_day,
        ),
        days_elevated=state.days_elevated + dt * (excess > c.elevated_threshold),
        cost=state.cost + dt * above.reshape(state.cost.shape),
        incidents_total=state.incidents_total + happened.per_sector,
    )
