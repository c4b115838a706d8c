"""Baseline: the dualtrack model as a plain per-replicate Python loop (floats and lists).

This is what a scientist would write without vectorising over replicates: one replicate at a
time, one step at a time, loops over pairs, dyads, sectors and actors, with the same
equations (docs/model.md section 7) and the same parameters, read from the compiled scenario
(:class:`baselines.common.Tables`). Doctrines are written out as scalars for the three used by
the built-in scenarios (deterrence-only, dual-track, dialogue-only); other doctrines fall
back to the registered class, called with one-replicate arrays.

    from baselines.plain_loop import simulate_plain
    outcomes = simulate_plain("belarus-ukraine-2024", replicates=100, seed=1)
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from baselines.common import Draws, OwnDraws, ReplicateOutcome, Tables, poisson_inverse
from dualtrack.doctrines.base import Doctrine, DoctrineState, Observation
from dualtrack.engine.run import plan_run
from dualtrack.scenario.schema import Scenario


def _clip(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


def decide(
    doctrine: Doctrine,
    state: DoctrineState,
    tables: Tables,
    actor: int,
    day: float,
    felt: float,
    adversary: float,
    attributed: float,
    in_agreement: bool,
    forces: list[float],
    noise: float,
) -> tuple[list[float], float]:
    """One actor's target forces and willingness to talk (every belief 0: the spiral limit)."""
    baseline = tables.baseline[actor]
    spw = tables.share_per_weight[actor]
    name = doctrine.name
    if name == "dialogue-only":
        return list(baseline), 1.0
    if name in ("deterrence-only", "dual-track"):
        params: Any = doctrine.params
        excess = max(felt - params.tolerance.value * tables.tolerated[actor] - noise, 0.0)
        k = params.reactivity.value
        target = [b + k * excess * s for b, s in zip(baseline, spw, strict=True)]
        if name == "deterrence-only":
            return target, 0.0
        # dual-track deters in proportion to its belief, 0 here: it holds its baseline
        return list(baseline), 1.0
    obs = Observation(
        day=day,
        dt=tables.dt,
        threat=np.array([felt]),
        tolerated_threat=tables.tolerated[actor],
        adversary_strength=np.array([adversary]),
        attributed_incidents=np.array([attributed]),
        in_agreement=np.array([in_agreement]),
        forces=np.array([forces]),
        baseline=np.asarray(baseline),
        capacity=np.asarray(tables.capacity[actor]),
        share_per_weight=np.asarray(spw),
        threat_noise=np.array([noise]),
        belief=np.zeros(1),
    )
    decision = doctrine.decide(obs, state)
    return decision.target[0].tolist(), float(decision.talk[0])


def run_replicate(tables: Tables, draws: Draws) -> ReplicateOutcome:
    """One replicate through the horizon."""
    T = tables
    mech = T.params
    per, thr, inc, dia, esc = (
        mech.perception,
        mech.threat,
        mech.incidents,
        mech.dialogue,
        mech.escalation,
    )
    n_a, n_c, n_d, n_s, n_p = T.n_actors, T.n_categories, T.n_dyads, T.n_sectors, T.n_pairs
    dt = T.dt
    forces = [list(row) for row in T.initial]
    perceived = [
        T.initial[T.entry_target[e]][T.entry_category[e]] * (1.0 + T.initial_bias[T.entry_pair[e]])
        for e in range(T.n_entries)
    ]
    memory = list(T.initial_memory)
    attributed_actor = [0.0] * n_a
    trust = list(T.initial_trust)
    rung = list(T.initial_rung)
    active = [False] * n_d
    days_left = [0.0] * n_d
    ceiling = [[[math.inf] * n_c for _ in (0, 1)] for _ in range(n_d)]
    reference = [[0.0, 0.0] for _ in range(n_d)]
    joined = [False] * T.n_slots
    doctrine_states = [d.initial_state(1) for d in T.doctrines]
    max_rung = list(rung)
    agreements, kept, detected_n = [0] * n_d, [0] * n_d, [0] * n_d
    first_war = [0.0 if r >= 6 else math.nan for r in rung]
    days_elevated, cost = [0.0] * n_a, [0.0] * n_a
    weight = T.weight
    base_sd, ci = per.base_noise_sd.value, per.channel_information.value
    day = 0.0

    def strength_of(a: int) -> float:
        return sum(x * w for x, w in zip(forces[a], weight, strict=True))

    for t in range(T.n_steps):
        normals, u = draws.step(t)
        information = T.information[t]
        # perception and threat
        sigma, bias = [0.0] * n_p, [0.0] * n_p
        for p in range(n_p):
            d = T.pair_dyad[p]
            if d is None:
                effective = 0.0
            else:
                verification = T.inspection[d] if active[d] else 0.0
                effective = 1.0 - (1.0 - T.transparency[d]) * (1.0 - ci * information[d]) * (
                    1.0 - verification
                )
            sigma[p] = base_sd * (1.0 - _clip(effective, 0.0, 1.0))
            bias[p] = T.inflation[T.pair_observer[p]] * (1.0 - effective)
        seen = [0.0] * n_p
        buildup = T.entry_buildup[t]
        for e in range(T.n_entries):
            p = T.entry_pair[e]
            s = sigma[p]
            observed = math.exp(s * (normals[e] - 0.5 * s)) * (1.0 + bias[p])
            observed = observed * forces[T.entry_target[e]][T.entry_category[e]] + buildup[e]
            perceived[e] = perceived[e] + T.alpha * (observed - perceived[e])
            seen[p] += T.entry_weight[e] * perceived[e]
        # the relative sd of a smoothed estimate that noise explains (docs/model.md §7.2)
        smoothed_sd = [math.sqrt(math.expm1(s * s) * T.alpha / (2.0 - T.alpha)) for s in sigma]
        pair_rung = [0 if d is None else rung[d] for d in T.pair_dyad]
        pair_threat = [
            seen[p] + thr.incident_weight.value * memory[p] + thr.rung_weight.value * pair_rung[p]
            for p in range(n_p)
        ]
        felt = [
            sum(pair_threat[p] * w for p, w in T.felt_from[a]) + T.war_threat[t][a]
            for a in range(n_a)
        ]
        noise = [
            T.band * sum(smoothed_sd[p] * seen[p] * w for p, w in T.felt_from[a])
            for a in range(n_a)
        ]
        # doctrines decide
        targets = [list(row) for row in T.baseline]
        talk = [0.0] * n_a
        for a in T.deciders:
            targets[a], willing = decide(
                T.doctrines[a],
                doctrine_states[a],
                T,
                a,
                day,
                felt[a],
                sum(seen[p] for p in T.own_pairs[a]),
                attributed_actor[a],
                any(active[d] for d, _ in T.actor_sides[a]),
                forces[a],
                noise[a],
            )
            talk[a] = _clip(willing, 0.0, 1.0)
        # dialogue
        excess = [
            (strength_of(a) - T.baseline_strength[a]) / T.strength_floor[a] for a in range(n_a)
        ]
        formed, detected, expired = [False] * n_d, [False] * n_d, [False] * n_d
        breaking = [[False, False] for _ in range(n_d)]
        for d, (i, j) in enumerate(T.sides):
            # each side's excess beyond the noise of the pair that observes it (other -> side)
            beyond = [
                math.copysign(max(abs(e) - T.band * smoothed_sd[p], 0.0), e)
                for e, p in ((excess[i], T.dyad_pairs[d][1]), (excess[j], T.dyad_pairs[d][0]))
            ]
            ripe = 1.0 - math.exp(
                -(max(beyond[0], 0.0) + max(beyond[1], 0.0)) / dia.ripeness_scale.value
            )
            zeta = dia.trust_independence.value
            hazard = (
                dia.talk_rate.value
                * T.negotiation[t][d]
                * talk[i]
                * talk[j]
                * ripe
                * (zeta + (1.0 - zeta) * trust[d])
            )
            formed[d] = not active[d] and u[T.at_formation + d] < -math.expm1(-hazard * dt)
            for side, a in enumerate((i, j)):
                if formed[d]:
                    ceiling[d][side] = [
                        b + (1.0 - dia.withdrawal_depth.value) * max(x - b, 0.0)
                        for x, b in zip(forces[a], T.baseline[a], strict=True)
                    ]
                    reference[d][side] = felt[a]
                else:
                    reference[d][side] = min(reference[d][side], felt[a])
            if formed[d]:
                days_left[d] = dia.duration_days.value
                active[d] = True
        if any(active):
            tolerance = dia.violation_tolerance.value
            caps = [[math.inf] * n_c for _ in range(n_a)]
            for d, (i, j) in enumerate(T.sides):
                if not active[d]:
                    continue
                for side, a in enumerate((i, j)):
                    floor = max(reference[d][side], T.tolerance_floor[a])
                    breaking[d][side] = felt[a] > T.breakout_ratio[d][side] * floor
                effective = 1.0 - (1.0 - T.transparency[d]) * (1.0 - ci * information[d]) * (
                    1.0 - T.inspection[d]
                )
                hazard = T.detection_rate[d] + dia.national_means_rate.value * effective
                p_detect = -math.expm1(-hazard * dt)
                for side, a in enumerate((i, j)):
                    violating = breaking[d][side] and any(
                        x > cap * (1.0 + tolerance) + 1e-9
                        for x, cap in zip(forces[a], ceiling[d][side], strict=True)
                    )
                    if violating and u[T.at_detection + 2 * d + side] < p_detect:
                        detected[d] = True
                days_left[d] -= dt
                expired[d] = not detected[d] and days_left[d] <= 1e-9
                active[d] = not detected[d] and not expired[d]
                for side, a in enumerate((i, j)):
                    if active[d] and not breaking[d][side]:
                        caps[a] = [
                            min(x, y) for x, y in zip(caps[a], ceiling[d][side], strict=True)
                        ]
            targets = [
                [min(x, y) for x, y in zip(targets[a], caps[a], strict=True)] for a in range(n_a)
            ]
        # posture
        for a in range(n_a):
            forces[a] = [
                _clip(x + r * (g - x), 0.0, cap)
                for x, r, g, cap in zip(
                    forces[a], T.rate_dt[a], targets[a], T.capacity[a], strict=True
                )
            ]
        strength = [strength_of(a) for a in range(n_a)]
        # incidents
        side_strength = [[0.0, 0.0] for _ in range(n_s)]
        for a in range(n_a):
            for s, side, share in T.presence[a]:
                side_strength[s][side] += strength[a] * share
        attributed = [0.0] * n_p
        blame = inc.misattribution.value
        for s in range(n_s):
            rate = inc.contact_rate.value * math.sqrt(
                max(side_strength[s][0] * side_strength[s][1], 0.0)
            )
            contact = poisson_inverse(rate * dt, u[T.at_contact + s])
            for p in T.contact_pairs[s]:
                attributed[p] += contact
            for side in (0, 1):
                exo = T.exogenous[t][s][side] * dt
                base = T.at_exogenous + (2 * s + side) * 2
                blamed = poisson_inverse(blame * exo, u[base])
                attributed[T.exogenous_pair[s][side]] += blamed
        memory = [m * T.retention + x for m, x in zip(memory, attributed, strict=True)]
        # escalation
        by_side = [[0.0, 0.0] for _ in range(n_d)]
        for s in range(n_s):
            d = T.sector_dyad[s]
            by_side[d][0] += side_strength[s][0]
            by_side[d][1] += side_strength[s][1]
        for d, (i, j) in enumerate(T.sides):
            pair_i, pair_j = T.dyad_pairs[d]
            relative = [max(felt[a] - T.tolerated[a], 0.0) / T.tolerance_floor[a] for a in (i, j)]
            fresh = [max(memory[p] - T.initial_memory[p], 0.0) for p in (pair_i, pair_j)]
            posture = [
                max((strength[a] - T.baseline_strength[a]) / T.strength_floor[a], 0.0)
                for a in (i, j)
            ]
            imbalance = (
                abs(math.log((by_side[d][0] + 1.0) / (by_side[d][1] + 1.0)))
                - T.initial_imbalance[d]
            )
            z = (
                esc.threat_coef.value * 0.5 * (relative[0] + relative[1])
                + esc.incident_coef.value * 0.5 * (fresh[0] + fresh[1])
                + esc.posture_coef.value * 0.5 * (posture[0] + posture[1])
                + esc.resolve_coef.value * (0.5 * (T.resolve[i] + T.resolve[j]) - 0.5)
                + esc.balance_coef.value * imbalance
                - esc.trust_coef.value * (trust[d] - 0.5)
                - esc.agreement_coef.value * active[d]
                - esc.crisis_channel_coef.value * T.crisis[t][d]
            )
            z = _clip(z, -esc.max_pressure.value, esc.max_pressure.value)
            growth = math.exp(z)
            p_up = -math.expm1(-dt * T.up_table[rung[d]] * growth)
            p_down = -math.expm1(-dt * T.down_table[rung[d]] / growth)
            if p_up + p_down > 1.0:
                scale = 1.0 / (p_up + p_down)
                p_up, p_down = p_up * scale, p_down * scale
            draw = u[T.at_escalation + d]
            if draw < p_up:
                rung[d] += 1
            elif draw < p_up + p_down:
                rung[d] -= 1
        for k, (d, ally, commitment, cascade, opponent) in enumerate(T.slots):
            # only a war draws allies in, and not one already at war with the opponent
            fighting = T.at_war[t][ally][opponent] or (cascade is not None and rung[cascade] >= 6)
            p_join = -math.expm1(-dt * esc.pull_in_rate.value * commitment) if rung[d] >= 6 else 0.0
            joined[k] = joined[k] or (u[T.at_pull_in + k] < p_join and not fighting)
        for k, (d, _, _, cascade, _) in enumerate(T.slots):
            if joined[k]:
                rung[d] = max(rung[d], 7)
                if cascade is not None:
                    rung[cascade] = max(rung[cascade], 6)
        for d in range(n_d):
            p_nuclear = -math.expm1(-esc.nuclear_rate.value * T.dyad_nuclear[d] * dt)
            if rung[d] >= 7 and u[T.at_nuclear + d] < p_nuclear:
                rung[d] = 8
        # tallies
        for d in range(n_d):
            max_rung[d] = max(max_rung[d], rung[d])
            agreements[d] += formed[d]
            kept[d] += expired[d]
            detected_n[d] += detected[d]
            if rung[d] >= 6 and math.isnan(first_war[d]):
                first_war[d] = day + dt
        for a in range(n_a):
            above = sum(
                uc * max(x - b, 0.0)
                for uc, x, b in zip(T.unit_cost, forces[a], T.baseline[a], strict=True)
            )
            cost[a] += dt * above
            excess_now = (strength[a] - T.baseline_strength[a]) / T.strength_floor[a]
            if excess_now > T.elevated_threshold:
                days_elevated[a] += dt
            attributed_actor[a] = sum(attributed[p] for p in T.own_pairs[a])
        day += dt
    pulled = [False] * n_a
    for k, (_, ally, _, _, _) in enumerate(T.slots):
        pulled[ally] = pulled[ally] or joined[k]
    return ReplicateOutcome(
        max_rung, agreements, kept, detected_n, pulled, cost, days_elevated, first_war
    )


def simulate_plain(
    scenario: Scenario | str | Path | Mapping[str, Any],
    doctrine: str | None = None,
    *,
    replicates: int = 100,
    days: int | None = None,
    seed: int = 0,
) -> list[ReplicateOutcome]:
    """Run ``replicates`` replicates one after the other, each with its own ``random`` stream."""
    plan = plan_run(scenario, doctrine, replicates=1, days=days, record="summary")
    tables = Tables(plan.compiled)
    return [
        run_replicate(
            tables, OwnDraws(random.Random(seed * 1_000_003 + r), tables.n_entries, tables.width)
        )
        for r in range(replicates)
    ]
