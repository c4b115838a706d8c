"""One step of the model: the process order of docs/model.md, as pure array operations.

Order within a step: perception -> threat -> doctrines decide -> dialogue (agreements form,
comply, are verified, expire) -> posture moves -> incidents -> trust -> escalation -> tallies.
Random numbers come in two arrays per step (normals for perception, uniforms for everything
else) whose layout does not depend on doctrines, so different doctrines see the same draws.
"""

from __future__ import annotations

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

Array = NDArray[np.float64]


class StepConstants:
    """Scalars and tables derived once per run from a compiled scenario's parameters."""

    def __init__(self, compiled: Compiled) -> None:
        mech = compiled.scenario.mechanisms
        self.alpha = perception.smoothing_weight(compiled.dt, mech.perception.memory_days.value)
        self.retention = threat.decay_factor(compiled.dt, mech.threat.memory_days.value)
        self.up_table, self.down_table = escalation.rate_tables(mech.escalation)
        self.params = mech
        self.transparency_ext = np.append(compiled.transparency, 0.0)
        self.ones4 = np.ones(4)
        self.tolerance_floor = np.maximum(compiled.tolerated_threat, 1.0)
        self.strength_floor = np.maximum(compiled.baseline_strength, 1e-9)


def _extend(values: Array) -> Array:
    """Append a zero column so that index ``n_dyads`` means 'no dyad'."""
    return np.concatenate([values, np.zeros(values.shape[:-1] + (1,), values.dtype)], axis=-1)


def _gather_min(per_side: Array, slots: NDArray[np.int64]) -> Array:
    """Per actor, the minimum over the dyad sides it holds (``inf`` where it holds none)."""
    r = per_side.shape[0]
    flat = per_side.reshape(r, -1, *per_side.shape[3:])
    padded = np.concatenate([flat, np.full((r, 1, *flat.shape[2:]), np.inf)], axis=1)
    return padded[:, slots].min(axis=2)


def step(
    state: State,
    compiled: Compiled,
    constants: StepConstants,
    t: int,
    normals: NDArray[np.float32],
    uniforms: Array,
) -> State:
    """Advance every replicate by one step; returns the new state (``state`` is reused)."""
    c = compiled
    f = compiled.forcing
    k = constants
    mech = k.params
    dt = c.dt
    layout = c.layout
    a_side, b_side = c.dyad_sides[:, 0], c.dyad_sides[:, 1]
    sides = c.dyad_sides

    # perception
    verification = np.where(state.active, c.inspection, 0.0)
    effective = perception.effective_transparency(
        k.transparency_ext[c.pair_dyad],
        mech.perception.channel_information.value * _extend(f.information[t])[c.pair_dyad],
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

    # threat
    perceived_strength = perceived @ c.entry_to_pair
    rung_of_pair = _extend(state.rung.astype(np.float64))[:, c.pair_dyad]
    pair_threats = threat.pair_threat(
        perceived_strength,
        state.memory,
        rung_of_pair,
        mech.threat.incident_weight.value,
        mech.threat.rung_weight.value,
    )
    felt = threat.actor_threat(pair_threats, c.aggregation) + f.war_threat[t]
    adversary_strength = perceived_strength @ c.own_pairs

    # doctrines decide
    side_inactive = np.repeat(np.where(state.active, 0.0, 1.0)[..., None], 2, axis=-1)
    in_agreement = _gather_min(side_inactive, c.actor_slots) == 0.0
    targets = np.broadcast_to(c.baseline, state.forces.shape).copy()
    talk = np.zeros(felt.shape)
    for a in c.deciders:
        doctrine = c.doctrines[a]
        obs = Observation(
            day=state.day,
            dt=dt,
            threat=felt[:, a],
            tolerated_threat=float(c.tolerated_threat[a]),
            adversary_strength=adversary_strength[:, a],
            attributed_incidents=state.attributed[:, a],
            in_agreement=in_agreement[:, a],
            forces=state.forces[:, a, :],
            baseline=c.baseline[a],
            capacity=c.capacity[a],
            share_per_weight=c.share_per_weight[a],
        )
        decision = doctrine.decide(obs, state.doctrine_states[a])
        targets[:, a, :] = decision.target
        talk[:, a] = decision.talk

    # dialogue: formation
    strength = (state.forces.reshape(-1, len(c.weight)) @ c.weight).reshape(len(state.forces), -1)
    excess = (strength - c.baseline_strength) / k.strength_floor
    ripe = dialogue.ripeness(
        excess[:, a_side], excess[:, b_side], mech.dialogue.ripeness_scale.value
    )
    hazard = dialogue.agreement_hazard(
        mech.dialogue.talk_rate.value,
        f.negotiation[t],
        talk[:, a_side],
        talk[:, b_side],
        ripe,
        state.trust,
        mech.dialogue.trust_independence.value,
    )
    formed = ~state.active & (uniforms[:, layout.formation] < dialogue.probability(hazard, dt))
    side_forces = state.forces[:, sides, :]  # (r, d, 2, c)
    new_ceiling = dialogue.ceilings(
        side_forces, c.baseline[sides], mech.dialogue.withdrawal_depth.value
    )
    ceiling = np.where(formed[..., None, None], new_ceiling, state.ceiling)
    side_threat = felt[:, sides]
    threat_reference = np.where(
        formed[..., None], side_threat, np.minimum(state.threat_reference, side_threat)
    )
    days_left = np.where(formed, mech.dialogue.duration_days.value, state.days_left)
    active = state.active | formed
    agreements = state.agreements + formed
    first_day = np.where(
        formed & np.isnan(state.first_agreement_day), state.day, state.first_agreement_day
    )

    # dialogue: compliance, verification, expiry (nothing to do while no agreement is in force)
    if active.any():
        reference = np.maximum(threat_reference, k.tolerance_floor[sides])
        breaking = active[..., None] & dialogue.breaks_out(side_threat, reference, c.breakout_ratio)
        violating = breaking & dialogue.in_violation(
            side_forces, ceiling, mech.dialogue.violation_tolerance.value
        )
        dyad_effective = perception.effective_transparency(
            c.transparency,
            mech.perception.channel_information.value * f.information[t],
            np.where(active, c.inspection, 0.0),
        )
        detect_hazard = c.detection_rate + mech.dialogue.national_means_rate.value * dyad_effective
        detect_p = dialogue.probability(detect_hazard, dt)[..., None]
        detection_draws = uniforms[:, layout.detection].reshape(len(uniforms), len(a_side), 2)
        detected = np.any(violating & (detection_draws < detect_p), axis=-1)
        days_left = np.where(active, days_left - dt, days_left)
        expired = active & ~detected & (days_left <= 1e-9)
        active = active & ~detected & ~expired
        compliant = active[..., None] & ~breaking
        caps = _gather_min(np.where(compliant[..., None], ceiling, np.inf), c.actor_slots)
        targets = np.minimum(targets, caps)
    else:
        violating = np.zeros(state.violating.shape, dtype=bool)
        detected = expired = np.zeros(active.shape, dtype=bool)

    # posture
    forces = posture.relax(state.forces, targets, c.rate_dt, c.capacity)

    # incidents
    strength = (forces.reshape(-1, len(c.weight)) @ c.weight).reshape(len(forces), -1)
    side_strength = (strength @ c.presence).reshape(len(strength), len(c.sector_ids), 2)
    contact_rate = incidents.contact_rate(side_strength, mech.incidents.contact_rate.value)
    contact = incidents.poisson_inverse(contact_rate * dt, uniforms[:, layout.contact])
    misattribution = mech.incidents.misattribution.value
    exo = f.exogenous[t] * dt  # (s, 2)
    exo_rates = np.stack([misattribution * exo, (1.0 - misattribution) * exo], axis=-1)
    exo_counts = incidents.poisson_inverse(
        exo_rates, uniforms[:, layout.exogenous].reshape(len(uniforms), len(c.sector_ids), 2, 2)
    )
    blamed_exo = exo_counts[..., 0]
    sector_incidents = contact + exo_counts.reshape(len(contact), -1, 4) @ k.ones4
    attributed_pairs = (
        contact @ c.contact_to_pairs
        + blamed_exo.reshape(blamed_exo.shape[0], -1) @ c.exogenous_to_pairs
    )
    memory = threat.update_memory(state.memory, attributed_pairs, k.retention)
    attributed = attributed_pairs @ c.own_pairs

    # trust
    dyad_incidents = attributed_pairs[:, c.dyad_pairs].sum(axis=-1)
    new_trust = trust.update(state.trust, dyad_incidents, active, detected, expired, mech.trust, dt)

    # escalation
    esc = mech.escalation
    dyad_strength = np.einsum("rsk,sd->rdk", side_strength, c.sector_to_dyad) + 1.0
    relative = np.maximum(felt - c.tolerated_threat, 0.0) / k.tolerance_floor
    excess = (strength - c.baseline_strength) / k.strength_floor
    pressure = (
        esc.threat_coef.value * relative[:, sides].mean(axis=-1)
        + esc.incident_coef.value
        * np.maximum(memory - c.initial_memory, 0.0)[:, c.dyad_pairs].mean(axis=-1)
        + esc.posture_coef.value * np.maximum(excess[:, sides], 0.0).mean(axis=-1)
        + esc.resolve_coef.value * (c.resolve[sides].mean(axis=-1) - 0.5)
        + esc.balance_coef.value
        * (np.abs(np.log(dyad_strength[..., 0] / dyad_strength[..., 1])) - c.initial_imbalance)
        - esc.trust_coef.value * (new_trust - 0.5)
        - esc.agreement_coef.value * active
        - esc.crisis_channel_coef.value * f.crisis[t]
    )
    pressure = np.clip(pressure, -esc.max_pressure.value, esc.max_pressure.value)
    p_up, p_down = escalation.transition_probabilities(
        state.rung, pressure, k.up_table, k.down_table, dt
    )
    rung = escalation.move(state.rung, p_up, p_down, uniforms[:, layout.escalation])
    joined = state.joined
    if len(c.slot_dyad):
        p_join = escalation.pull_in_probability(
            rung[:, c.slot_dyad], c.slot_commitment, esc.pull_in_rate.value, dt
        )
        joined = joined | (uniforms[:, layout.pull_in] < p_join)
        widened = (joined @ c.slot_to_dyad) > 0
        rung = np.where(widened, np.maximum(rung, Rung.HORIZONTAL_ESCALATION), rung)
        cascaded = (joined @ c.slot_to_cascade) > 0
        rung = np.where(cascaded, np.maximum(rung, Rung.WAR), rung)
    p_nuclear = dialogue.probability(esc.nuclear_rate.value * c.dyad_nuclear, dt)
    nuclear = (rung >= Rung.HORIZONTAL_ESCALATION) & (uniforms[:, layout.nuclear] < p_nuclear)
    rung = np.where(nuclear, np.int8(Rung.NUCLEAR_USE), rung).astype(np.int8)

    # tallies
    elevated = excess > c.elevated_threshold
    above = np.maximum(forces - c.baseline, 0.0).reshape(-1, len(c.unit_cost)) @ c.unit_cost

    return State(
        day=state.day + dt,
        forces=forces,
        perceived=perceived,
        memory=memory,
        threat=felt,
        attributed=attributed,
        trust=new_trust,
        rung=rung,
        active=active,
        days_left=days_left,
        ceiling=ceiling,
        threat_reference=threat_reference,
        violating=violating,
        joined=joined,
        incidents=sector_incidents,
        doctrine_states=state.doctrine_states,
        max_rung=np.maximum(state.max_rung, rung),
        agreements=agreements,
        kept=state.kept + expired,
        detected=state.detected + detected,
        first_agreement_day=first_day,
        days_elevated=state.days_elevated + dt * elevated,
        cost=state.cost + dt * above.reshape(state.cost.shape),
        incidents_total=state.incidents_total + sector_incidents,
    )
