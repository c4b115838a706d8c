"""Synthetic ring-plus-chords scenarios of any size, for scaling studies and tests.

``N`` state actors ``A00 .. A{N-1}`` sit on a ring: each borders its two ring neighbours and,
through a few random *chords*, some actors across the ring. Every bordering pair is a pair of
adversaries with one border sector and one dyad. Alliance hubs ``H0, H1, ...`` (``kind:
alliance``, no forces) take the actors in turn as members (actor ``i`` joins hub
``i mod hubs``), and neighbouring hubs are adversaries with a dyad of their own, so that
wars can pull allies in. Doctrines cycle through dual-track, deterrence-only and
dialogue-only; reactivities are low enough that the status quo is stable (Richardson's loop
gain below one for rings with a few chords), as in the built-in scenarios.

The number of dyads is ``N`` (ring; 1 for N = 2) plus the chords plus the hub dyads, and the
number of alliance slots grows like the dyads, so the work of a step grows with the border
graph. The result validates like any scenario::

    from dualtrack.scenario.synthetic import ring_scenario
    scenario = ring_scenario(32)          # 32 actors, 8 chords, 2 hubs
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dualtrack.scenario.loading import validate_scenario
from dualtrack.scenario.schema import Scenario

DOCTRINES: tuple[str, ...] = ("dual-track", "deterrence-only", "dialogue-only")
"""Doctrines given to the actors in turn."""
COMMITMENT = 0.8
"""Commitment of every member to its hub."""
REACTIVITY = 0.25
"""Reactivity of the deterring doctrines (a stable status quo for degree up to about 4)."""


def actor_id(index: int, n_actors: int) -> str:
    """The id of ring actor ``index`` (zero-padded to the width of ``n_actors - 1``)."""
    return f"A{index:0{max(2, len(str(n_actors - 1)))}d}"


def ring_graph(n_actors: int, chords: int | None = None, seed: int = 0) -> list[tuple[int, int]]:
    """Bordering pairs ``(i, j)``, ``i < j``: the ring, then ``chords`` random chords.

    ``chords`` defaults to ``n_actors // 4``; it is capped at the number of non-adjacent
    pairs. The chords are drawn without replacement by ``numpy.random.default_rng(seed)``.
    """
    if n_actors < 2:
        raise ValueError(f"expected at least 2 actors, found {n_actors}")
    ring = {(min(i, (i + 1) % n_actors), max(i, (i + 1) % n_actors)) for i in range(n_actors)}
    edges = sorted(ring)
    candidates = [
        (i, j) for i in range(n_actors) for j in range(i + 1, n_actors) if (i, j) not in ring
    ]
    wanted = n_actors // 4 if chords is None else chords
    if wanted < 0:
        raise ValueError(f"expected chords >= 0, found {wanted}")
    count = min(wanted, len(candidates))
    if count:
        picked = np.random.default_rng(seed).choice(len(candidates), size=count, replace=False)
        edges += sorted(candidates[int(k)] for k in picked)
    return edges


def ring_scenario_data(
    n_actors: int,
    *,
    chords: int | None = None,
    hubs: int = 2,
    seed: int = 0,
    horizon_days: int = 365,
    replicates: int = 1000,
) -> dict[str, Any]:
    """A ring-plus-chords scenario as a plain mapping (see the module docstring)."""
    if hubs < 0:
        raise ValueError(f"expected hubs >= 0, found {hubs}")
    rng = np.random.default_rng(seed)
    edges = ring_graph(n_actors, chords, seed)
    names = [actor_id(i, n_actors) for i in range(n_actors)]
    hub_ids = [f"H{k}" for k in range(min(hubs, n_actors))]
    actors: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        doctrine: dict[str, Any] = {"name": DOCTRINES[i % len(DOCTRINES)]}
        if doctrine["name"] != "dialogue-only":
            doctrine["params"] = {"reactivity": REACTIVITY}
        actors.append(
            {
                "id": name,
                "name": f"Ring actor {i}",
                "kind": "state",
                "nuclear": False,
                "threat_inflation": 0.2,
                "doctrine": doctrine,
                "forces": {
                    "ground": {"baseline": 4.0, "capacity": 12.0, "deployment_rate": 0.05},
                    "strike": {"baseline": 0.5, "capacity": 2.0, "deployment_rate": 0.03},
                },
            }
        )
    actors += [
        {
            "id": hub,
            "name": f"Alliance {hub}",
            "kind": "alliance",
            "doctrine": {"name": "dialogue-only"},
        }
        for hub in hub_ids
    ]
    relations: list[dict[str, Any]] = [
        {"between": [names[i], names[j]], "kind": "adversary"} for i, j in edges
    ]
    relations += [
        {"between": [names[i], hub_ids[i % len(hub_ids)]], "kind": "ally", "commitment": COMMITMENT}
        for i in range(n_actors)
        if hub_ids
    ]
    hub_pairs = [(hub_ids[k], hub_ids[k + 1]) for k in range(len(hub_ids) - 1)]
    if len(hub_ids) > 2:
        hub_pairs.append((hub_ids[-1], hub_ids[0]))
    relations += [{"between": list(pair), "kind": "adversary"} for pair in hub_pairs]
    lengths = rng.uniform(100.0, 800.0, size=len(edges)).round(1)
    sectors = [
        {
            "id": f"s-{names[i]}-{names[j]}",
            "name": f"Border {names[i]} - {names[j]}",
            "between": [names[i], names[j]],
            "length_km": float(length),
            "exogenous_rate": {names[i]: 0.005, names[j]: 0.005},
        }
        for (i, j), length in zip(edges, lengths, strict=True)
    ]
    channels = {"backchannel": {"open": True, "quality": 0.5}}
    dyads = [
        {
            "between": [names[i], names[j]],
            "channels": channels,
            "initial_rung": "tension",
            "verification": {"transparency": 0.2},
        }
        for i, j in edges
    ]
    dyads += [{"between": list(pair), "initial_rung": "tension"} for pair in hub_pairs]
    return {
        "id": f"ring-{n_actors}",
        "name": f"Synthetic ring of {n_actors} actors",
        "description": f"{n_actors} actors on a ring with {len(edges) - min(n_actors, len(edges))}"
        f" chords and {len(hub_ids)} alliance hubs (dualtrack.scenario.synthetic).",
        "settings": {
            "start": "2024-01-01",
            "horizon_days": horizon_days,
            "replicates": replicates,
            "seed": seed,
            "focus": [names[edges[0][0]], names[edges[0][1]]],
            "subject": names[edges[0][0]],
        },
        "categories": [
            {"id": "ground", "name": "Ground forces", "threat_weight": 1.0},
            {"id": "strike", "name": "Long-range strike", "threat_weight": 3.0, "unit_cost": 1.5},
        ],
        "actors": actors,
        "relations": relations,
        "sectors": sectors,
        "dyads": dyads,
    }


def ring_scenario(
    n_actors: int,
    *,
    chords: int | None = None,
    hubs: int = 2,
    seed: int = 0,
    horizon_days: int = 365,
    replicates: int = 1000,
) -> Scenario:
    """A validated ring-plus-chords scenario (see :func:`ring_scenario_data`)."""
    data = ring_scenario_data(
        n_actors,
        chords=chords,
        hubs=hubs,
        seed=seed,
        horizon_days=horizon_days,
        replicates=replicates,
    )
    return validate_scenario(data, f"synthetic ring of {n_actors} actors")
