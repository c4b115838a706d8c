"""Inspections per directed pair, which a game session changes: invited or refused.

Perception gives each directed pair the extra transparency of its dyad's inspections while
an agreement is in force (docs/model.md §7.2). An actor may also invite its adversary to
inspect its forces without an agreement, or refuse inspections even under one: the pair
that observes it then has the inspection transparency in both cases, or in neither.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dualtrack.engine.compiled import Compiled
from dualtrack.engine.linear import with_no_dyad


def inspection_table(
    compiled: Compiled,
    invited: NDArray[np.bool_] | None = None,
    refused: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """Extra transparency of each pair without and with its agreement in force, (2, pair).

    ``invited`` and ``refused`` (pair,) mark the pairs whose target opens its forces to the
    observer's inspections always, or never; without them only agreements bring inspections.
    """
    c = compiled
    per_pair = with_no_dyad(c.inspection)[c.pair_dyad]  # a pair outside any dyad: none
    without = np.zeros(len(c.pair_ids))
    with_agreement = per_pair
    if invited is not None:
        without = np.where(invited, per_pair, without)
    if refused is not None:
        with_agreement = np.where(refused, 0.0, with_agreement)
    return np.stack([without, with_agreement])
