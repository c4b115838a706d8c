"""One step of the model: the process order of docs/model.md, as pure array operations.

Order within a step: regime change -> perception -> threat -> doctrines decide -> dialogue
(agreements form, are kept or cheated on, verified, expire) -> posture moves -> incidents ->
deliberate aggression -> beliefs (Bayes' rule) and trust -> escalation -> tallies.
Random numbers come in two arrays per step from the main stream (normals for perception,
uniforms for everything else) and one from the intent stream (regime change, aggression,
cheating; drawn only when some actor may be an opportunist); their layout does not depend on
doctrines, so different doctrines see the same draws. Each stage below is a function of the
state, the compiled scenario and the step's draws, and takes its array namespace from the
state (``mechanisms.arrays``): numpy here, ``jax.numpy`` when the compiled backend
(``engine.jax_backend``) traces this same step.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from dualtrack.doctrines.base import Observation
from dualtrack.engine.compiled import Compiled
from dualtrack.engine.inspections import inspection_table
from dualtrack.engine.linear import LinearMap, with_no_dyad
from dualtrack.engine.state import State
from dualtrack.mechanisms import (
    aggression,
    dialogue,
    escalation,
    incidents,
    intent,
    noise,
    notification,
    perception,
    posture,
    threat,
)
from dualtrack.mechanisms.arrays import add, namespace, put
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.schema import MechanismParams

Array = NDArray[np.float64]
Bools = NDArray[np.bool_]
IntArray = NDArray[np.int64]


class StepConstants:
    """Scalars and tables derived once per run from a compiled scenario's parameters."""

    def __init__(self, compiled: Compiled) -> None:
        mech = compiled.scenario.mechanisms
        self.params: MechanismParams = mech
        self.alpha = perception.smoothing_weight(compiled.dt, mech.perception.memory_days.value)
        self.retention = threat.decay_factor(compiled.dt, mech.threat.memory_days.value)
        self.up_table, self.down_table = escalation.rate_tables(mech.escalation)
        self.transparency_ext = np.append(compiled.transparency, 0.0)
        self.pair_inspection = inspection_table(compiled)
        """Extra transparency of each pair without and with its agreement in force, (2, pair)."""
        self.tolerance_floor = np.maximum(compiled.tolerated_threat, 1.0)
        self.strength_floor = np.maximum(compiled.baseline_strength, 1e-9)
        self.band = mech.perception.noise_band.value
        self.p_switch = intent.switch_probability(mech.intent.regime_change_rate.value, compiled.dt)
        self.p_cheat = float(-np.expm1(-mech.intent.cheat_rate.value * compiled.dt))
        # a security seeker's status quo as each observer sees it: the target's initial
        # strength facing it, and the observer's own initial strength (§7.12)
        initial_strength = compiled.initial @ compiled.weight
        self.status_quo_target = initial_strength[compiled.pair_target] * compiled.pair_facing
        self.status_quo_own = initial_strength[compiled.pair_observer]
        entry_to_pair = compiled.entry_to_pair.toarray()
        self.seen_pairs = np.flatnonzero(entry_to_pair.sum(axis=0) > 0.0)
        """Pairs whose observer can see forces of its target (the others see nothing)."""
        self.entry_to_seen = LinearMap(entry_to_pair[:, self.seen_pairs])
        self.reversed_pairs = compiled.dyad_pairs[:, ::-1]
        """Per dyad side sigma, the pair that observes it: (other side -> sigma)."""
        self.contact_to_sides = LinearMap(
            compiled.contact_to_pairs.toarray()[:, self.reversed_pairs.reshape(-1)]
        )
        """Contact incidents per sector to the pair that blames each dyad side."""
        self.holder_sides = _segments(compiled.side_order, compiled.side_starts)
        """Per actor holding dyad sides, the flattened (dyad, side) indices of its sides,
        padded with the index one past the last side, (holder, most sides held)."""
        self.any_cascade = bool(np.any(compiled.slot_cascade < len(compiled.dyad_ids)))
        own = compiled.own_pairs.toarray()
        self.belief_pairs = {
            a: np.flatnonzero(own[:, a])
            for a in compiled.deciders
            if compiled.intent_active and "belief" in compiled.doctrines[a].classifier["observes"]
        }
        """The pairs of each deciding actor whose doctrine reads beliefs (as its classifier
        says; tests check the claim): without any opportunist every belief is 0."""
        self.any_notice = bool(np.any(compiled.notice_steps > 0.0))
        """Some dyad has prior notification: limited attacks face a warned defender."""
        # chance that an aggressor against each dyad side is punished: (dyad, side)
        self.p_punish = aggression.punishment_probability(
            compiled.resolve[compiled.dyad_sides[:, ::-1]], compiled.side_commitment[:, ::-1, :]
        )


def _segments(order: IntArray, starts: IntArray) -> IntArray:
    """Index table of the segments of ``order`` that begin at ``starts``, padded with
    ``len(order)``: (segment, longest segment)."""
    stops = np.append(starts[1:], len(order)).astype(np.int64)
    width = int(np.max(stops - starts, initial=0))
    table = np.full((len(starts), width), len(order), dtype=np.int64)
    for row, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        table[row, : stop - start] = order[start:stop]
    return table


def _per_holder(per_side: Array, k: StepConstants, pad: float | bool) -> Array:
    """Per actor holding dyad sides, its sides' values (``pad`` beyond them):
    (replicate, holder, most sides held, ...)."""
    xp = namespace(per_side)
    flat = per_side.reshape(per_side.shape[0], -1, *per_side.shape[3:])
    padding = xp.full((flat.shape[0], 1, *flat.shape[2:]), pad, dtype=flat.dtype)
    return xp.concatenate([flat, padding], axis=1)[:, k.holder_sides]


def _strength(forces: Array, weight: Array) -> Array:
    """Threat-weighted forces per actor, (replicate, actor)."""
    return (forces.reshape(-1, len(weight)) @ weight).reshape(len(forces), -1)


class Perceived(NamedTuple):
    perceived: Array
    felt: Array
    adversary_strength: Array
    observed_strength: Array
    """This step's raw (unsmoothed) observation of the strength of each pair that can see
    forces (``StepConstants.seen_pairs``), (replicate, seen pair)."""
    sigma: Array
    """Log-sd of each pair's observation, (replicate, pair)."""
    bias: Array
    """Each pair's threat-inflation bias this step, (replicate, pair)."""
    smoothed_sd: Array
    """Relative sd of each pair's smoothed estimate that noise explains, (replicate, pair)."""
    threat_noise: Array
    """Threat points of each actor's felt threat its own noise explains (band x sd)."""


def _perceive(
    state: State, c: Compiled, k: StepConstants, t: int, normals: NDArray[np.float32]
) -> Perceived:
    """Noisy observation, smoothed estimates and the threat each actor feels."""
    xp = namespace(state.forces, normals)
    mech = k.params
    # each pair's transparency without and with its dyad's agreement (inspections) in force,
    # (2, pair); every replicate takes one of the two
    effective = perception.effective_transparency(
        k.transparency_ext[c.pair_dyad],
        mech.perception.channel_information.value
        * with_no_dyad(c.forcing.information[t])[c.pair_dyad],
        k.pair_inspection,
    )
    in_force = with_no_dyad(state.active)[:, c.pair_dyad]
    sigma_of = perception.noise_sd(mech.perception.base_noise_sd.value, effective)
    sigma = xp.where(in_force, sigma_of[1], sigma_of[0])
    bias_of = c.inflation[c.pair_observer] * (1.0 - effective)
    bias = xp.where(in_force, bias_of[1], bias_of[0])
    sd_of = noise.smoothed_relative_sd(sigma_of, k.alpha)
    smoothed_sd = xp.where(in_force, sd_of[1], sd_of[0])
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
        with_no_dyad(state.rung.astype(np.float64))[:, c.pair_dyad],
        mech.threat.incident_weight.value,
        mech.threat.rung_weight.value,
    )
    felt = threat.actor_threat(pair_threats, c.aggregation) + c.forcing.war_threat[t]
    threat_noise = k.band * (smoothed_sd * perceived_strength) @ c.aggregation
    return Perceived(
        perceived,
        felt,
        perceived_strength @ c.own_pairs,
        observed @ k.entry_to_seen if c.learning else observed[:, :0],
        sigma,
        bias,
        smoothed_sd,
        threat_noise,
    )


def _adversary_belief(log_odds: Array, pairs: IntArray) -> Array:
    """An actor's belief that at least one of its adversaries (its ``pairs``) is an opportunist.

    Types are drawn independently, so it is ``1 - prod_j (1 - b_ij)``.
    """
    return 1.0 - intent.trust(log_odds[:, pairs]).prod(axis=-1)


def _decide(state: State, c: Compiled, k: StepConstants, seen: Perceived) -> tuple[Array, Array]:
    """Each deciding actor's doctrine: target forces and willingness to talk.

    An opportunist keeps its forces ``1 + g`` times above what its doctrine asks (§7.12).
    """
    xp = namespace(state.forces, seen.felt)
    in_agreement = xp.zeros(state.forces.shape[:2], dtype=bool)
    if len(c.side_holders):
        side_active = xp.repeat(state.active[..., None], 2, axis=-1)
        in_agreement = put(
            in_agreement, (slice(None), c.side_holders), _per_holder(side_active, k, False).any(-1)
        )
    targets = xp.broadcast_to(c.baseline, state.forces.shape).copy()
    talk = xp.zeros(seen.felt.shape)
    no_belief = xp.zeros(state.replicates)  # no opportunist anywhere: every belief is 0
    greed = (
        intent.buildup_factor(state.types, k.params.intent.opportunist_buildup.value)
        if c.intent_active
        else None
    )
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
            threat_noise=seen.threat_noise[:, a],
            belief=_adversary_belief(state.log_odds, k.belief_pairs[a])
            if a in k.belief_pairs
            else no_belief,
        )
        decision = c.doctrines[a].decide(obs, state.doctrine_states[a])
        targets = put(targets, (slice(None), a, slice(None)), decision.target)
        talk = put(talk, (slice(None), a), xp.clip(decision.talk, 0.0, 1.0))
    if greed is not None:
        targets *= greed[..., None]
    return targets, talk


class Agreements(NamedTuple):
    active: Bools
    formed: Bools
    detected: Bools
    detected_side: Bools
    """Violations detected this step, by the side that committed them, (replicate, dyad, side)."""
    detect_hazard: Array | None
    """Detection hazard of each dyad this step (None: no agreement in force)."""
    expired: Bools
    violating: Bools
    cheating: Bools
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
    seen: Perceived,
    talk: Array,
    uniforms: Array,
    intent_uniforms: Array | None,
) -> Agreements:
    """Agreements form over open channels, are kept or broken, verified, and expire.

    Ripeness counts each side's excess posture beyond what the other side's perception noise
    explains (``noise.beyond_noise``). An opportunist in an agreement decides to cheat with
    daily hazard ``cheat_rate`` and then breaks out until the agreement ends.
    """
    xp = namespace(state.forces, uniforms)
    felt = seen.felt
    params = k.params.dialogue
    sides = c.dyad_sides
    layout = c.layout
    excess = (_strength(state.forces, c.weight) - c.baseline_strength) / k.strength_floor
    # side sigma is seen through the pair (other side -> sigma)
    seen_sd = seen.smoothed_sd[:, k.reversed_pairs]
    ripe = dialogue.ripeness(
        noise.beyond_noise(excess[:, sides[:, 0]], seen_sd[..., 0], k.band),
        noise.beyond_noise(excess[:, sides[:, 1]], seen_sd[..., 1], k.band),
        params.ripeness_scale.value,
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
    ceiling = state.ceiling
    if xp is not np or formed.any():  # traced: always (the same values)
        new_ceiling = dialogue.ceilings(
            side_forces, c.baseline[sides], params.withdrawal_depth.value
        )
        ceiling = xp.where(formed[..., None, None], new_ceiling, ceiling)
    side_threat = felt[:, sides]
    threat_reference = xp.where(
        formed[..., None], side_threat, xp.minimum(state.threat_reference, side_threat)
    )
    days_left = xp.where(formed, params.duration_days.value, state.days_left)
    active = state.active | formed
    if xp is np and not active.any():
        none = xp.zeros(active.shape, dtype=bool)
        no_side = xp.zeros(state.violating.shape, dtype=bool)
        return Agreements(
            active,
            formed,
            none,
            no_side,
            None,
            none,
            no_side,
            no_side,
            days_left,
            ceiling,
            threat_reference,
            None,
        )

    cheating = state.cheating
    if intent_uniforms is not None:
        opportunist = state.types[:, sides]
        cheats = opportunist & (
            intent_uniforms[:, c.intent_layout.cheating].reshape(opportunist.shape) < k.p_cheat
        )
        cheating = active[..., None] & (cheating | cheats)
    reference = xp.maximum(threat_reference, k.tolerance_floor[sides])
    breaking = active[..., None] & (
        dialogue.breaks_out(side_threat, reference, c.breakout_ratio) | cheating
    )
    violating = breaking & dialogue.in_violation(
        side_forces, ceiling, params.violation_tolerance.value
    )
    dyad_effective = perception.effective_transparency(
        c.transparency,
        k.params.perception.channel_information.value * c.forcing.information[t],
        xp.where(active, c.inspection, 0.0),
    )
    detect_hazard = c.detection_rate + params.national_means_rate.value * dyad_effective
    detect_p = dialogue.probability(detect_hazard, c.dt)[..., None]
    draws = uniforms[:, layout.detection].reshape(len(uniforms), len(sides), 2)
    detected_side = violating & (draws < detect_p)
    detected = xp.any(detected_side, axis=-1)
    days_left = xp.where(active, days_left - c.dt, days_left)
    expired = active & ~detected & (days_left <= 1e-9)
    active = active & ~detected & ~expired
    compliant = active[..., None] & ~breaking
    caps = _per_holder(xp.where(compliant[..., None], ceiling, np.inf), k, np.inf).min(axis=2)
    return Agreements(
        active,
        formed,
        detected,
        detected_side,
        detect_hazard,
        expired,
        violating,
        cheating & active[..., None],
        days_left,
        ceiling,
        threat_reference,
        caps,
    )


class Incidents(NamedTuple):
    per_sector: Array
    attributed_pairs: Array
    side_strength: Array
    background: Array | None
    """Expected daily rate of accidental incidents blamed on each dyad side by the other,
    (replicate, dyad, side); None when no belief learns."""


def _incidents(forces: Array, c: Compiled, k: StepConstants, t: int, uniforms: Array) -> Incidents:
    """Contact and exogenous incidents per sector, and whom each side blames."""
    xp = namespace(forces, uniforms)
    layout = c.layout
    r, n_s = len(forces), len(c.sector_ids)
    side_strength = (_strength(forces, c.weight) @ c.presence).reshape(r, n_s, 2)
    contact_rate = incidents.contact_rate(side_strength, c.contact_kappa)
    contact = incidents.poisson_inverse(contact_rate * c.dt, uniforms[:, layout.contact])
    exo = c.forcing.exogenous[t] * c.dt  # (sector, victim side)
    blame = c.sector_blame[:, None]  # per sector: joint investigation (§7.16)
    exo_rates = xp.stack([blame * exo, (1.0 - blame) * exo], axis=-1)
    exo_counts = incidents.poisson_inverse(
        exo_rates, uniforms[:, layout.exogenous].reshape(r, n_s, 2, 2)
    )
    per_sector = contact + exo_counts.reshape(r, n_s, 4).sum(axis=-1)
    attributed_pairs = (
        contact @ c.contact_to_pairs + exo_counts[..., 0].reshape(r, -1) @ c.exogenous_to_pairs
    )
    background = None
    if c.learning:  # per dyad side sigma, as the pair (other side -> sigma) attributes them
        exogenous = (blame * c.forcing.exogenous[t]).reshape(-1) @ c.exogenous_to_pairs
        background = (contact_rate @ k.contact_to_sides).reshape(r, -1, 2) + exogenous[
            k.reversed_pairs
        ]
    return Incidents(per_sector, attributed_pairs, side_strength, background)


class Aggression(NamedTuple):
    code: NDArray[np.int8]
    """This step's deliberate act by each dyad side against the other (aggression.NONE, PROBE,
    ATTACK), (replicate, dyad, side)."""
    opportunist_rate: Array
    """Total hazard each side would have if it were an opportunist, (replicate, dyad, side)."""


def _dyad_strength(side_strength: Array, c: Compiled) -> Array:
    """Each side's strength along its dyad's sectors, (replicate, dyad, side)."""
    return (side_strength.transpose(0, 2, 1) @ c.sector_to_dyad).transpose(0, 2, 1)


def _warned_strength(forces: Array, c: Compiled, by_side: Array) -> Array:
    """Each dyad side's strength along the dyad after the warning its prior notification
    gives (``notification``), (replicate, dyad, side); sides of dyads without notification
    keep ``by_side``."""
    xp = namespace(forces)
    warned = by_side
    r, n_s = len(forces), len(c.sector_ids)
    for steps in np.unique(c.notice_steps[c.notice_steps > 0.0]):
        reinforced = notification.warned_forces(forces, c.capacity, c.rate_dt, float(steps))
        side_strength = (_strength(reinforced, c.weight) @ c.presence).reshape(r, n_s, 2)
        dyads = (c.notice_steps == steps)[None, :, None]
        warned = xp.where(dyads, _dyad_strength(side_strength, c), warned)
    return warned


def _aggress(
    state: State,
    c: Compiled,
    k: StepConstants,
    t: int,
    by_side: Array,
    uniforms: Array,
    warned: Array | None = None,
) -> Aggression:
    """Opportunists' probes and limited attacks, deterred by denial and punishment (§7.13).

    Side sigma of each dyad weighs aggression against the other side: its own strength along
    the dyad's sectors against the defender's (stationed allies included), the defender's
    resolve and its allies' commitments, and the defender's distraction by wars elsewhere.
    ``warned``: each side's strength after the warning of prior notification (§7.16), which a
    limited attack faces instead of ``by_side``.
    """
    xp = namespace(by_side, uniforms)
    sides = c.dyad_sides
    defender = by_side[..., ::-1]
    target = sides[:, ::-1]
    probe, attack = aggression.hazards_given_punishment(
        True,
        k.params.aggression,
        by_side,
        defender,
        k.p_punish,
        c.forcing.distraction[t][target],
        None if warned is None else warned[..., ::-1],
    )
    opportunist = state.types[:, sides]
    draws = uniforms[:, c.intent_layout.aggression].reshape(opportunist.shape)
    # a security seeker never initiates: its code is NONE whatever the draw
    code = xp.where(opportunist, aggression.choose(probe, attack, c.dt, draws), aggression.NONE)
    return Aggression(code.astype(np.int8), probe + attack)


def _beliefs(
    state: State,
    c: Compiled,
    k: StepConstants,
    seen: Perceived,
    strength: Array,
    attributed_pairs: Array,
    background: Array | None,
    acted: Aggression | None,
    deal: Agreements,
) -> Array:
    """Each observer's log-odds after this step's evidence: Bayes' rule (§7.12).

    The evidence is this step's observed strength against a security seeker's (its status
    quo plus the answer to the observer's own build-up that the observer attributes to it),
    the incidents attributed to the target against its accidental background and the
    aggression hazard it would have as an opportunist, and the end of an agreement.
    """
    xp = namespace(state.log_odds, strength)
    params = k.params.intent
    log_odds = intent.predict(state.log_odds, c.pair_prior, k.p_switch)
    seen_pairs = k.seen_pairs
    llr = xp.zeros(log_odds.shape)
    sigma = seen.sigma[:, seen_pairs]
    reference = intent.security_strength(
        k.status_quo_target[seen_pairs],
        strength[:, c.pair_observer[seen_pairs]],
        k.status_quo_own[seen_pairs],
        params.assumed_reactivity.value,
    ) * (1.0 + seen.bias[:, seen_pairs])
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = intent.perceived_excess(seen.observed_strength, sigma, reference)
        evidence = intent.buildup_llr(
            excess, sigma, params.opportunist_buildup.value, c.pair_model_sd[seen_pairs]
        )
    # nothing seen (no forces facing the observer this step): no evidence
    llr = put(llr, (slice(None), seen_pairs), xp.where(seen.observed_strength > 0.0, evidence, 0.0))
    # incidents and agreements concern dyads only: evidence about each side sigma
    observing = k.reversed_pairs
    assert background is not None
    rate = acted.opportunist_rate if acted is not None else xp.zeros(background.shape)
    about_side = intent.incident_llr(attributed_pairs[:, observing], background, rate, c.dt)
    if deal.detect_hazard is not None:
        ended = deal.expired.any() | deal.detected_side.any()
        if xp is not np or ended:  # traced: always, counted only if some agreement ended
            outcome = intent.outcome_llr(
                deal.expired[..., None],
                deal.detected_side,
                deal.detect_hazard[..., None],
                k.params.dialogue.duration_days.value,
                params,
            )
            about_side = about_side + xp.where(ended, outcome, 0.0)
    llr = add(llr, (slice(None), observing), about_side)
    return intent.update(log_odds, llr, params.belief_bound.value)


def _escalate(
    state: State,
    c: Compiled,
    k: StepConstants,
    t: int,
    felt: Array,
    strength: Array,
    memory: Array,
    by_side: Array,
    new_trust: Array,
    active: Bools,
    uniforms: Array,
    acted: Aggression | None,
) -> tuple[NDArray[np.int8], Bools]:
    """The ladder moves; deliberate aggression lifts it; allies may join a war; nuclear use.

    A probe leaves the dyad at least at armed incident, a limited attack at least at limited
    conflict. An ally joins only a war (rung war or above), and not if it is already at war
    with the opponent (in a war elsewhere, or in its own modelled dyad with the opponent).
    """
    xp = namespace(felt, uniforms)
    esc = k.params.escalation
    sides = c.dyad_sides
    dyad_strength = by_side + 1.0
    pressure = escalation.pressure(
        esc,
        relative_threat=(xp.maximum(felt - c.tolerated_threat, 0.0) / k.tolerance_floor)[:, sides],
        new_incidents=xp.maximum(memory - c.initial_memory, 0.0)[:, c.dyad_pairs],
        posture=xp.maximum((strength - c.baseline_strength) / k.strength_floor, 0.0)[:, sides],
        resolve=c.resolve[sides],
        imbalance=xp.abs(xp.log(dyad_strength[..., 0] / dyad_strength[..., 1]))
        - c.initial_imbalance,
        trust=new_trust,
        agreement=active,
        crisis_channels=c.forcing.crisis[t],
    )
    p_up, p_down = escalation.transition_probabilities(
        state.rung, pressure, k.up_table, k.down_table, c.dt
    )
    rung = escalation.move(state.rung, p_up, p_down, uniforms[:, c.layout.escalation])
    if acted is not None:
        rung = aggression.escalate(rung, acted.code.max(axis=-1))
    joined = state.joined
    if len(c.slot_dyad):
        p_join = escalation.pull_in_probability(
            rung[:, c.slot_dyad], c.slot_commitment, esc.pull_in_rate.value, c.dt
        )
        joins = uniforms[:, c.layout.pull_in] < p_join
        if k.any_cascade:  # already at war with the opponent in its own dyad
            joins = joins & ~(with_no_dyad(rung >= Rung.WAR)[:, c.slot_cascade])
        joined = joined | (joins & ~c.forcing.at_war[t][c.slot_ally, c.slot_opponent])
        widened = (joined @ c.slot_to_dyad) > 0
        rung = xp.where(widened, xp.maximum(rung, Rung.HORIZONTAL_ESCALATION), rung)
        cascaded = (joined @ c.slot_to_cascade) > 0
        rung = xp.where(cascaded, xp.maximum(rung, Rung.WAR), rung)
    p_nuclear = dialogue.probability(esc.nuclear_rate.value * c.dyad_nuclear, c.dt)
    nuclear = (rung >= Rung.HORIZONTAL_ESCALATION) & (uniforms[:, c.layout.nuclear] < p_nuclear)
    return xp.where(nuclear, np.int8(Rung.NUCLEAR_USE), rung).astype(np.int8), joined


def step(
    state: State,
    compiled: Compiled,
    constants: StepConstants,
    t: int,
    normals: NDArray[np.float32],
    uniforms: Array,
    intent_uniforms: Array | None = None,
) -> State:
    """Advance every replicate by one step; returns the new state.

    ``intent_uniforms`` is the intent stream's row for this step (None when no actor may be
    an opportunist: then nobody aggresses or cheats and types never change).
    """
    c, k, dt = compiled, constants, compiled.dt
    xp = namespace(state.forces, uniforms)
    types = state.types
    if intent_uniforms is not None and k.p_switch > 0.0:
        types = intent.switch_types(
            types, intent_uniforms[:, c.intent_layout.regime], c.prior, k.p_switch
        )
        state = dataclasses.replace(state, types=types)
    seen = _perceive(state, c, k, t, normals)
    targets, talk = _decide(state, c, k, seen)
    deal = _negotiate(state, c, k, t, seen, talk, uniforms, intent_uniforms)
    if deal.caps is not None:
        holders = c.side_holders
        targets = put(targets, (slice(None), holders), xp.minimum(targets[:, holders], deal.caps))
    forces = posture.relax(state.forces, targets, c.rate_dt, c.capacity)
    happened = _incidents(forces, c, k, t, uniforms)
    attributed_pairs = happened.attributed_pairs
    by_side = _dyad_strength(happened.side_strength, c)
    acted = None
    if intent_uniforms is not None:
        warned = _warned_strength(forces, c, by_side) if k.any_notice else None
        acted = _aggress(state, c, k, t, by_side, intent_uniforms, warned)
        attributed_pairs = add(
            attributed_pairs.copy(), (slice(None), k.reversed_pairs), acted.code > aggression.NONE
        )
    memory = threat.update_memory(state.memory, attributed_pairs, k.retention)
    strength = _strength(forces, c.weight)
    log_odds, new_trust = state.log_odds, state.trust
    if c.learning:
        log_odds = _beliefs(
            state, c, k, seen, strength, attributed_pairs, happened.background, acted, deal
        )
        new_trust = intent.trust(log_odds[:, c.dyad_pairs]).mean(axis=-1)
    rung, joined = _escalate(
        state,
        c,
        k,
        t,
        seen.felt,
        strength,
        memory,
        by_side,
        new_trust,
        deal.active,
        uniforms,
        acted,
    )
    probes, attacks, acts = state.probes, state.attacks, state.acts
    if acted is not None:
        acts = acted.code
        probes = probes + (acted.code == aggression.PROBE)
        attacks = attacks + (acted.code == aggression.ATTACK)
    excess = (strength - c.baseline_strength) / k.strength_floor
    above = xp.maximum(forces - c.baseline, 0.0).reshape(-1, len(c.unit_cost)) @ c.unit_cost
    return State(
        day=state.day + dt,
        forces=forces,
        perceived=seen.perceived,
        memory=memory,
        threat=seen.felt,
        attributed=attributed_pairs @ c.own_pairs,
        trust=new_trust,
        types=types,
        log_odds=log_odds,
        rung=rung,
        active=deal.active,
        days_left=deal.days_left,
        ceiling=deal.ceiling,
        threat_reference=deal.threat_reference,
        violating=deal.violating,
        cheating=deal.cheating,
        joined=joined,
        incidents=happened.per_sector,
        doctrine_states=state.doctrine_states,
        max_rung=xp.maximum(state.max_rung, rung),
        agreements=state.agreements + deal.formed,
        agreements_kept=state.agreements_kept + deal.expired,
        violations_detected=state.violations_detected + deal.detected,
        first_agreement_day=xp.where(
            deal.formed & xp.isnan(state.first_agreement_day),
            state.day,
            state.first_agreement_day,
        ),
        first_war_day=xp.where(
            (rung >= Rung.WAR) & xp.isnan(state.first_war_day),
            state.day + dt,
            state.first_war_day,
        ),
        days_elevated=state.days_elevated + dt * (excess > c.elevated_threshold),
        cost=state.cost + dt * above.reshape(state.cost.shape),
        incidents_total=state.incidents_total + happened.per_sector,
        acts=acts,
        probes=probes,
        attacks=attacks,
    )
