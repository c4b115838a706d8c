"""Periodic reviews shared by doctrines that judge the other side's moves at intervals."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dualtrack.doctrines.base import DoctrineState, Observation


def start_reviews(replicates: int) -> DoctrineState:
    """State for periodic reviews: last judged strength and last review day."""
    return {
        "last_strength": np.full(replicates, np.nan),
        "last_review": np.zeros(replicates),
    }


def review(
    obs: Observation, state: DoctrineState, interval_days: float, tolerance: float
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Whether a review falls due this step and, if so, whether the other side reciprocated.

    The other side's move is its posture: it reciprocated when its perceived strength did not
    grow by more than the tolerance since the last review. (Incidents are left out on
    purpose: most are exogenous, and answering noise with retaliation locks tit-for-tat into
    echoes of defection, Molander 1985.)
    """
    xp = obs.xp
    first = xp.isnan(state["last_strength"])
    state["last_strength"] = xp.where(first, obs.adversary_strength, state["last_strength"])
    due = obs.day - state["last_review"] >= interval_days - 1e-9
    reciprocated = obs.adversary_strength <= state["last_strength"] * (1.0 + tolerance) + 1e-9
    state["last_strength"] = xp.where(due, obs.adversary_strength, state["last_strength"])
    state["last_review"] = xp.where(due, obs.day, state["last_review"])
    return due, reciprocated
