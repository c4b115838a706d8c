"""Where actors deploy: the split of each actor's forces over the sides of the sectors."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dualtrack.scenario.schema import Scenario


def sector_presence(scenario: Scenario) -> NDArray[np.float64]:
    """Share of each actor's forces on each side of each sector, (actor, sector, side).

    An actor spreads its forces over the sectors its host borders (its own, or those of the
    actor it is ``stationed_with``) in proportion to sector length times its sector weight
    (1 when not given); each actor's shares sum to 1, or to 0 when it borders no sector.
    """
    sectors = scenario.sectors
    presence = np.zeros((len(scenario.actors), len(sectors), 2))
    for i, actor in enumerate(scenario.actors):
        host = actor.stationed_with or actor.id
        weights = actor.sector_weights
        mine = [
            (s, sector.between.index(host))
            for s, sector in enumerate(sectors)
            if host in sector.between
        ]
        spread = {
            s: sectors[s].length_km.value
            * (weights[sectors[s].id].value if sectors[s].id in weights else 1.0)
            for s, _ in mine
        }
        total = sum(spread.values())
        for s, side in mine:
            presence[i, s, side] = spread[s] / total if total > 0 else 0.0
    return presence
