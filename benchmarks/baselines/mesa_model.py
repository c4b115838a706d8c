"""Baseline: the dualtrack model written as a Mesa 3 agent-based model, one replicate per model.

This is how a Mesa user would write the same model: one :class:`ActorAgent` per actor, which
perceives its adversaries, feels threat, lets its doctrine decide and moves its forces; the
model keeps the dyads (trust, ladder, agreements) and sectors (incidents) and runs the stages
of a step in order with ``model.agents.do(...)``. It uses Mesa's own random number generator
(``model.random``), the same equations and the same parameters (read from the compiled
scenario through :class:`baselines.common.Tables`), and reuses dualtrack's mechanism functions
(``dualtrack.mechanisms``) and registered doctrine classes on scalars and one-replicate
arrays, as a user of the library would. A replicate is a model run; replicates run one after
the other.

Needs Mesa 3 (``pip install -e ".[bench]"``).

    from baselines.mesa_model import simulate_mesa
    outcomes = simulate_mesa("belarus-ukraine-2024", replicates=20, seed=1)
"""

# The mechanism functions are annotated for replicate arrays; here they get scalars and
# one-replicate values, which they support (a user of the library would call them so).
# mypy: disable-error-code="arg-type"

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from baselines.common import Draws, OwnDraws, ReplicateOutcome, Tables
from dualtrack.doctrines.base import Observation
from dualtrack.engine.run import plan_run
from dualtrack.mechanisms import dialogue, escalation, incidents, noise, perception, posture, threat
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.schema import Scenario


class ActorAgent(mesa.Agent):
    """A state or alliance: perceives adversaries, feels threat, decides, deploys."""

    model: BorderModel

    def __init__(self, model: BorderModel, index: int) -> None:
        super().__init__(model)
        tables = model.tables
        self.index = index
        self.doctrine = tables.doctrines[index]
        self.doctrine_state = self.doctrine.initial_state(1)
        self.forces = np.array(tables.initial[index], dtype=np.float64)
        self.baseline = np.array(tables.baseline[index])
        self.capacity = np.array(tables.capacity[index])
        self.rate_dt = np.array(tables.rate_dt[index])
        self.pairs = [p for p in range(tables.n_pairs) if tables.pair_observer[p] == index]
        self.entries = {
            p: [e for e in range(tables.n_entries) if tables.entry_pair[e] == p] for p in self.pairs
        }
        self.perceived = {
            e: tables.initial[tables.entry_target[e]][tables.entry_category[e]]
            * (1.0 + tables.initial_bias[p])
            for p in self.pairs
            for e in self.entries[p]
        }
        self.felt = 0.0
        self.adversary_strength = 0.0
        self.attributed = 0.0
        self.target = self.baseline.copy()
        self.talk = 0.0
        self.decides = index in tables.deciders

    @property
    def strength(self) -> float:
        """Threat-weighted forces near the border."""
        return float(self.forces @ self.model.weight)

    def perceive(self) -> None:
        """Observe each adversary's forces through noise and bias; pair threats to the model."""
        model, tables = self.model, self.model.tables
        params = tables.params
        for p in self.pairs:
            d = tables.pair_dyad[p]
            if d is None:
                effective = perception.effective_transparency(0.0, 0.0, 0.0)
            else:
                effective = perception.effective_transparency(
                    tables.transparency[d],
                    params.perception.channel_information.value * model.information[d],
                    tables.inspection[d] if model.active[d] else 0.0,
                )
            sigma = perception.noise_sd(params.perception.base_noise_sd.value, effective)
            bias = tables.inflation[self.index] * (1.0 - effective)
            entries = self.entries[p]
            target = model.actors[tables.pair_target[p]]
            true = target.forces[[tables.entry_category[e] for e in entries]]
            observed = perception.observe(
                true,
                bias,
                sigma,
                np.array([model.normals[e] for e in entries]),
                np.array([model.buildup[e] for e in entries]),
            )
            seen = 0.0
            for e, value in zip(entries, observed, strict=True):
                self.perceived[e] = float(
                    perception.update_estimate(self.perceived[e], value, tables.alpha)
                )
                seen += tables.entry_weight[e] * self.perceived[e]
            model.seen[p] = seen
            model.smoothed_sd[p] = float(noise.smoothed_relative_sd(sigma, tables.alpha))
            rung = model.rung[d] if d is not None else 0
            model.pair_threat[p] = float(
                threat.pair_threat(
                    seen,
                    model.memory[p],
                    rung,
                    params.threat.incident_weight.value,
                    params.threat.rung_weight.value,
                )
            )

    def feel(self) -> None:
        """Total threat: own pairs plus allies' shared pairs, plus wars elsewhere."""
        model, tables = self.model, self.model.tables
        self.felt = (
            sum(model.pair_threat[p] * w for p, w in tables.felt_from[self.index])
            + tables.war_threat[model.t][self.index]
        )
        self.adversary_strength = sum(model.seen[p] for p in tables.own_pairs[self.index])
        self.noise = tables.band * sum(
            model.smoothed_sd[p] * model.seen[p] * w for p, w in tables.felt_from[self.index]
        )

    def decide(self) -> None:
        """The doctrine sets target forces and willingness to talk."""
        if not self.decides:
            self.target, self.talk = self.baseline.copy(), 0.0
            return
        model, tables = self.model, self.model.tables
        obs = Observation(
            day=model.day,
            dt=tables.dt,
            threat=np.array([self.felt]),
            tolerated_threat=tables.tolerated[self.index],
            adversary_strength=np.array([self.adversary_strength]),
            attributed_incidents=np.array([self.attributed]),
            in_agreement=np.array(
                [any(model.active[d] for d, _ in tables.actor_sides[self.index])]
            ),
            forces=self.forces[None, :],
            baseline=self.baseline,
            capacity=self.capacity,
            share_per_weight=np.array(tables.share_per_weight[self.index]),
            threat_noise=np.array([self.noise]),
            belief=np.zeros(1),  # the spiral limit: every belief is 0
        )
        decision = self.doctrine.decide(obs, self.doctrine_state)
        self.target = decision.target[0]
        self.talk = float(np.clip(decision.talk[0], 0.0, 1.0))

    def deploy(self) -> None:
        """Forces move toward the target, within agreed ceilings and capacity."""
        target = np.minimum(self.target, self.model.caps[self.index])
        self.forces = posture.relax(self.forces, target, self.rate_dt, self.capacity)


class BorderModel(mesa.Model):
    """One replicate of a dualtrack scenario: actor agents, dyads and sectors."""

    def __init__(self, tables: Tables, seed: int, draws: Draws | None = None) -> None:
        super().__init__(seed=seed)
        self.tables = tables
        self.draws = draws or OwnDraws(self.random, tables.n_entries, tables.width)
        self.weight = np.array(tables.weight)
        self.actors = [ActorAgent(self, a) for a in range(tables.n_actors)]
        n_d, n_c = tables.n_dyads, tables.n_categories
        self.t, self.day = 0, 0.0
        self.memory = list(tables.initial_memory)
        self.seen = [0.0] * tables.n_pairs
        self.smoothed_sd = [0.0] * tables.n_pairs
        self.pair_threat = [0.0] * tables.n_pairs
        self.trust = list(tables.initial_trust)
        self.rung = list(tables.initial_rung)
        self.active = [False] * n_d
        self.days_left = [0.0] * n_d
        self.ceiling = [np.full((2, n_c), np.inf) for _ in range(n_d)]
        self.reference = [np.zeros(2) for _ in range(n_d)]
        self.joined = [False] * tables.n_slots
        self.caps = [np.full(n_c, np.inf) for _ in range(tables.n_actors)]
        self.outcome = ReplicateOutcome(
            max_rung=list(self.rung),
            agreements=[0] * n_d,
            kept=[0] * n_d,
            detected=[0] * n_d,
            pulled_in=[False] * tables.n_actors,
            cost=[0.0] * tables.n_actors,
            days_elevated=[0.0] * tables.n_actors,
            first_war_day=[0.0 if r >= Rung.WAR else np.nan for r in self.rung],
        )

    def step(self) -> None:
        """Perceive, feel, decide, negotiate, deploy, incidents, trust, escalate, tally."""
        tables = self.tables
        self.normals, self.uniforms = self.draws.step(self.t)
        self.information = tables.information[self.t]
        self.buildup = tables.entry_buildup[self.t]
        self.agents.do("perceive")
        self.agents.do("feel")
        self.agents.do("decide")
        formed, detected, expired = self.negotiate()
        self.agents.do("deploy")
        attributed = self.incidents()
        self.remember(attributed)
        self.escalate()
        self.tally(formed, detected, expired, attributed)
        self.t += 1
        self.day += tables.dt

    def negotiate(self) -> tuple[list[bool], list[bool], list[bool]]:
        """Agreements form, are kept or broken, verified and expire; ceilings cap deployments."""
        tables, u = self.tables, self.uniforms
        params = tables.params.dialogue
        dt = tables.dt
        actors = self.actors
        excess = [
            (a.strength - tables.baseline_strength[a.index]) / tables.strength_floor[a.index]
            for a in actors
        ]
        n_d = tables.n_dyads
        formed, detected, expired = [False] * n_d, [False] * n_d, [False] * n_d
        self.caps = [np.full(tables.n_categories, np.inf) for _ in actors]
        for d, (i, j) in enumerate(tables.sides):
            band = tables.band
            ripe = dialogue.ripeness(
                noise.beyond_noise(excess[i], self.smoothed_sd[tables.dyad_pairs[d][1]], band),
                noise.beyond_noise(excess[j], self.smoothed_sd[tables.dyad_pairs[d][0]], band),
                params.ripeness_scale.value,
            )
            hazard = dialogue.agreement_hazard(
                params.talk_rate.value,
                tables.negotiation[self.t][d],
                actors[i].talk,
                actors[j].talk,
                ripe,
                self.trust[d],
                params.trust_independence.value,
            )
            felt = np.array([actors[i].felt, actors[j].felt])
            if not self.active[d] and u[tables.at_formation + d] < dialogue.probability(hazard, dt):
                formed[d] = True
                sides = np.array([actors[i].forces, actors[j].forces])
                baseline = np.array([actors[i].baseline, actors[j].baseline])
                self.ceiling[d] = dialogue.ceilings(sides, baseline, params.withdrawal_depth.value)
                self.reference[d] = felt
                self.days_left[d] = params.duration_days.value
                self.active[d] = True
            else:
                self.reference[d] = np.minimum(self.reference[d], felt)
            if not self.active[d]:
                continue
            floor = np.maximum(
                self.reference[d], [tables.tolerance_floor[i], tables.tolerance_floor[j]]
            )
            breaking = dialogue.breaks_out(felt, floor, np.array(tables.breakout_ratio[d]))
            sides = np.array([actors[i].forces, actors[j].forces])
            violating = breaking & dialogue.in_violation(
                sides, self.ceiling[d], params.violation_tolerance.value
            )
            effective = perception.effective_transparency(
                tables.transparency[d],
                tables.params.perception.channel_information.value * self.information[d],
                tables.inspection[d],
            )
            p_detect = dialogue.probability(
                tables.detection_rate[d] + params.national_means_rate.value * effective, dt
            )
            draws = u[tables.at_detection + 2 * d : tables.at_detection + 2 * d + 2]
            detected[d] = bool(np.any(violating & (np.array(draws) < p_detect)))
            self.days_left[d] -= dt
            expired[d] = not detected[d] and self.days_left[d] <= 1e-9
            self.active[d] = not detected[d] and not expired[d]
            for side, a in enumerate((i, j)):
                if self.active[d] and not breaking[side]:
                    self.caps[a] = np.minimum(self.caps[a], self.ceiling[d][side])
        return formed, detected, expired

    def incidents(self) -> list[float]:
        """Contact and exogenous incidents per sector; incidents each pair attributes."""
        tables, u = self.tables, self.uniforms
        params = tables.params.incidents
        dt = tables.dt
        side_strength = np.zeros((tables.n_sectors, 2))
        for agent in self.actors:
            strength = agent.strength
            for s, side, share in tables.presence[agent.index]:
                side_strength[s, side] += strength * share
        self.side_strength = side_strength
        attributed = [0.0] * tables.n_pairs
        blame = params.misattribution.value
        for s in range(tables.n_sectors):
            rate = incidents.contact_rate(side_strength[s], params.contact_rate.value)
            contact = incidents.poisson_inverse(
                np.array([rate * dt]), np.array([u[tables.at_contact + s]])
            )[0]
            for p in tables.contact_pairs[s]:
                attributed[p] += contact
            exo = np.array(tables.exogenous[self.t][s]) * dt
            rates = np.stack([blame * exo, (1.0 - blame) * exo], axis=-1)
            start = tables.at_exogenous + 4 * s
            counts = incidents.poisson_inverse(rates, np.array(u[start : start + 4]).reshape(2, 2))
            for side in (0, 1):
                attributed[tables.exogenous_pair[s][side]] += counts[side, 0]
        return attributed

    def remember(self, attributed: list[float]) -> None:
        """Incident memory decays and grows (trust stays 1: every belief is 0)."""
        tables = self.tables
        self.memory = [
            float(threat.update_memory(m, x, tables.retention))
            for m, x in zip(self.memory, attributed, strict=True)
        ]
        for agent in self.actors:
            agent.attributed = sum(attributed[p] for p in tables.own_pairs[agent.index])

    def escalate(self) -> None:
        """Each dyad's ladder moves; allies may be pulled in; nuclear use may follow."""
        tables, u = self.tables, self.uniforms
        params = tables.params.escalation
        dt = tables.dt
        actors = self.actors
        by_side = np.zeros((tables.n_dyads, 2))
        for s, d in enumerate(tables.sector_dyad):
            by_side[d] += self.side_strength[s]
        for d, (i, j) in enumerate(tables.sides):
            pair = tables.dyad_pairs[d]
            sides = (actors[i], actors[j])
            z = escalation.pressure(
                params,
                relative_threat=np.array(
                    [
                        max(a.felt - tables.tolerated[a.index], 0.0)
                        / tables.tolerance_floor[a.index]
                        for a in sides
                    ]
                ),
                new_incidents=np.array(
                    [max(self.memory[p] - tables.initial_memory[p], 0.0) for p in pair]
                ),
                posture=np.array(
                    [
                        max(
                            (a.strength - tables.baseline_strength[a.index])
                            / tables.strength_floor[a.index],
                            0.0,
                        )
                        for a in sides
                    ]
                ),
                resolve=np.array([tables.resolve[i], tables.resolve[j]]),
                imbalance=abs(np.log((by_side[d, 0] + 1.0) / (by_side[d, 1] + 1.0)))
                - tables.initial_imbalance[d],
                trust=self.trust[d],
                agreement=self.active[d],
                crisis_channels=tables.crisis[self.t][d],
            )
            rung = np.int8(self.rung[d])
            p_up, p_down = escalation.transition_probabilities(
                rung, z, np.array(tables.up_table), np.array(tables.down_table), dt
            )
            self.rung[d] = int(escalation.move(rung, p_up, p_down, u[tables.at_escalation + d]))
        for k, (d, ally, commitment, cascade, opponent) in enumerate(tables.slots):
            fighting = tables.at_war[self.t][ally][opponent] or (
                cascade is not None and self.rung[cascade] >= Rung.WAR
            )
            p_join = escalation.pull_in_probability(
                np.int8(self.rung[d]), commitment, params.pull_in_rate.value, dt
            )
            self.joined[k] = self.joined[k] or (u[tables.at_pull_in + k] < p_join and not fighting)
        for k, (d, _, _, cascade, _) in enumerate(tables.slots):
            if self.joined[k]:
                self.rung[d] = max(self.rung[d], int(Rung.HORIZONTAL_ESCALATION))
                if cascade is not None:
                    self.rung[cascade] = max(self.rung[cascade], int(Rung.WAR))
        for d in range(tables.n_dyads):
            p_nuclear = dialogue.probability(params.nuclear_rate.value * tables.dyad_nuclear[d], dt)
            if self.rung[d] >= Rung.HORIZONTAL_ESCALATION and u[tables.at_nuclear + d] < p_nuclear:
                self.rung[d] = int(Rung.NUCLEAR_USE)

    def tally(
        self,
        formed: list[bool],
        detected: list[bool],
        expired: list[bool],
        attributed: list[float],
    ) -> None:
        """Running outcome tallies of the replicate."""
        tables, out = self.tables, self.outcome
        for d in range(tables.n_dyads):
            out.max_rung[d] = max(out.max_rung[d], self.rung[d])
            out.agreements[d] += formed[d]
            out.kept[d] += expired[d]
            out.detected[d] += detected[d]
            if self.rung[d] >= Rung.WAR and np.isnan(out.first_war_day[d]):
                out.first_war_day[d] = self.day + tables.dt
        for agent in self.actors:
            a = agent.index
            above = float(np.maximum(agent.forces - agent.baseline, 0.0) @ tables.unit_cost)
            out.cost[a] += tables.dt * above
            excess = (agent.strength - tables.baseline_strength[a]) / tables.strength_floor[a]
            if excess > tables.elevated_threshold:
                out.days_elevated[a] += tables.dt

    def run(self) -> ReplicateOutcome:
        """Step through the horizon and report the replicate's tallies."""
        for _ in range(self.tables.n_steps):
            self.step()
        for k, (_, ally, _, _, _) in enumerate(self.tables.slots):
            self.outcome.pulled_in[ally] = self.outcome.pulled_in[ally] or self.joined[k]
        return self.outcome


def simulate_mesa(
    scenario: Scenario | str | Path | Mapping[str, Any],
    doctrine: str | None = None,
    *,
    replicates: int = 20,
    days: int | None = None,
    seed: int = 0,
) -> list[ReplicateOutcome]:
    """Run ``replicates`` Mesa models one after the other, each with its own seed."""
    plan = plan_run(scenario, doctrine, replicates=1, days=days, record="summary")
    tables = Tables(plan.compiled)
    return [BorderModel(tables, seed=seed * 1_000_003 + r).run() for r in range(replicates)]
