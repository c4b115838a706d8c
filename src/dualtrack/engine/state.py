"""The engine's state container: every per-replicate array the step reads and writes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dualtrack.doctrines.base import DoctrineState
from dualtrack.engine.compiled import Compiled
from dualtrack.mechanisms import intent
from dualtrack.scenario.ladder import Rung

Array = NDArray[np.float64]


@dataclass
class State:
    """State of a chunk of replicates (replicate axis first) plus running outcome tallies."""

    day: float
    forces: Array
    """Forces near the border, (replicate, actor, category)."""
    perceived: Array
    """Smoothed perceived forces per observable (pair, category) entry, (replicate, entry)."""
    memory: Array
    """Remembered attributed incidents, (replicate, pair)."""
    threat: Array
    """Total perceived threat, (replicate, actor)."""
    attributed: Array
    """Incidents each actor blamed on an adversary in the last step, (replicate, actor)."""
    trust: Array
    """Trust of each dyad, the mean of its two pairs' trust ``1 - belief``, (replicate, dyad)."""
    types: NDArray[np.bool_]
    """Each actor's private type (True: opportunist), (replicate, actor)."""
    log_odds: Array
    """Each observer's log-odds that its target is an opportunist, (replicate, pair)."""
    rung: NDArray[np.int8]
    active: NDArray[np.bool_]
    days_left: Array
    ceiling: Array
    """Agreed ceilings, (replicate, dyad, side, category)."""
    threat_reference: Array
    """Lowest threat each side felt since its agreement was signed, (replicate, dyad, side)."""
    violating: NDArray[np.bool_]
    """Side in breach of an agreement, (replicate, dyad, side)."""
    cheating: NDArray[np.bool_]
    """Side that has decided to cheat on the agreement in force, (replicate, dyad, side)."""
    joined: NDArray[np.bool_]
    """Ally slots that have joined a conflict, (replicate, slot)."""
    incidents: Array
    """Incidents in each sector in the last step, (replicate, sector)."""
    doctrine_states: list[DoctrineState]
    # running tallies
    max_rung: NDArray[np.int8]
    agreements: NDArray[np.int64]
    agreements_kept: NDArray[np.int64]
    violations_detected: NDArray[np.int64]
    first_agreement_day: Array
    first_war_day: Array
    """Day each dyad first reached war or beyond (NaN: never), for cascade origins."""
    days_elevated: Array
    cost: Array
    incidents_total: Array
    acts: NDArray[np.int8]
    """This step's deliberate act by each dyad side against the other (0 none, 1 probe,
    2 limited attack), (replicate, dyad, side)."""
    probes: NDArray[np.int64]
    """Deliberate probes by each dyad side against the other, (replicate, dyad, side)."""
    attacks: NDArray[np.int64]
    """Deliberate limited attacks by each dyad side against the other, (replicate, dyad, side)."""

    @property
    def replicates(self) -> int:
        """Number of replicates held."""
        return int(self.forces.shape[0])


def initial_state(compiled: Compiled, replicates: int, type_uniforms: Array | None = None) -> State:
    """The state at the start of the horizon for ``replicates`` replicates.

    ``type_uniforms`` (replicate, actor), the intent stream's first row, draw the types; without
    them every actor is a security seeker (as when no actor may be an opportunist).
    """
    n_a, n_c = compiled.baseline.shape
    n_p = len(compiled.pair_ids)
    n_d = len(compiled.dyad_ids)
    n_s = len(compiled.sector_ids)
    n_k = len(compiled.slot_dyad)
    r = replicates
    log_odds = intent.initial_log_odds(compiled.pair_prior)
    forces = np.broadcast_to(compiled.initial, (r, n_a, n_c)).copy()
    perceived = forces.reshape(r, -1)[:, compiled.entry_source] * (
        1.0 + compiled.initial_bias[compiled.entry_pair]
    )
    return State(
        day=0.0,
        forces=forces,
        perceived=perceived,
        memory=np.broadcast_to(compiled.initial_memory, (r, n_p)).copy(),
        threat=np.broadcast_to(compiled.tolerated_threat, (r, n_a)).copy(),
        attributed=np.zeros((r, n_a)),
        trust=np.broadcast_to(
            intent.trust(log_odds)[compiled.dyad_pairs].mean(axis=-1), (r, n_d)
        ).copy(),
        types=np.zeros((r, n_a), dtype=bool)
        if type_uniforms is None
        else intent.draw_types(type_uniforms, compiled.prior),
        log_odds=np.broadcast_to(log_odds, (r, n_p)).copy(),
        rung=np.broadcast_to(compiled.initial_rung, (r, n_d)).copy(),
        active=np.zeros((r, n_d), dtype=bool),
        days_left=np.zeros((r, n_d)),
        ceiling=np.full((r, n_d, 2, n_c), np.inf),
        threat_reference=np.zeros((r, n_d, 2)),
        violating=np.zeros((r, n_d, 2), dtype=bool),
        cheating=np.zeros((r, n_d, 2), dtype=bool),
        joined=np.zeros((r, n_k), dtype=bool),
        incidents=np.zeros((r, n_s)),
        doctrine_states=[d.initial_state(r) for d in compiled.doctrines],
        max_rung=np.broadcast_to(compiled.initial_rung, (r, n_d)).copy(),
        agreements=np.zeros((r, n_d), dtype=np.int64),
        agreements_kept=np.zeros((r, n_d), dtype=np.int64),
        violations_detected=np.zeros((r, n_d), dtype=np.int64),
        first_agreement_day=np.full((r, n_d), np.nan),
        first_war_day=np.where(compiled.initial_rung >= Rung.WAR, 0.0, np.full((r, n_d), np.nan)),
        days_elevated=np.zeros((r, n_a)),
        cost=np.zeros((r, n_a)),
        incidents_total=np.zeros((r, n_s)),
        acts=np.zeros((r, n_d, 2), dtype=np.int8),
        probes=np.zeros((r, n_d, 2), dtype=np.int64),
        attacks=np.zeros((r, n_d, 2), dtype=np.int64),
    )
