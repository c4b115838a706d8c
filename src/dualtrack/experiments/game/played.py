"""A human-played actor as a doctrine: the turn's move, and the actor's own doctrine for the rest.

The move sits in the doctrine's state (so it travels with snapshots and may differ between
replicates of a forecast): ``played.target`` (replicate, category), the target forces a
posture sets (NaN: the doctrine's own target), ``played.talk`` (replicate,), the willingness
talks set (NaN: the doctrine's), and ``played.step`` (replicate,), an announced unilateral
step: the share of the target's excess over baseline given up, as in GRIT (Osgood 1962).
The actor's own doctrine decides every step all the same, so its memory runs on and it takes
over wherever the move is silent; with no move at all the actor plays exactly its doctrine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dualtrack.doctrines.base import Decision, Doctrine, DoctrineState, Observation

PREFIX = "played."
TARGET, TALK, STEP = PREFIX + "target", PREFIX + "talk", PREFIX + "step"


class Played(Doctrine):
    """The moves of a player, over the actor's own doctrine (``inner``)."""

    name = "played"
    names = ()
    source = "A human player's moves in a tabletop exercise (dualtrack game session)."
    classifier = {
        "tracks": frozenset({"deterrence", "dialogue"}),
        # it hands the whole observation to its own doctrine
        "observes": frozenset(Observation.__dataclass_fields__) - {"dt"},
        "memory": True,
        "stochastic": False,
    }

    def __init__(self, inner: Doctrine, categories: int) -> None:
        self.inner = inner
        self.params = inner.params
        self.categories = categories

    @property
    def breakout_ratio(self) -> float:
        """The actor's own doctrine's breakout ratio."""
        return self.inner.breakout_ratio

    def initial_state(self, replicates: int) -> DoctrineState:
        """The doctrine's memory, and no move."""
        return {
            **self.inner.initial_state(replicates),
            TARGET: np.full((replicates, self.categories), np.nan),
            TALK: np.full(replicates, np.nan),
            STEP: np.zeros(replicates),
        }

    def decide(self, obs: Observation, state: DoctrineState) -> Decision:
        """The move's posture and talks where given, the doctrine's elsewhere."""
        own: dict[str, Any] = {k: v for k, v in state.items() if not k.startswith(PREFIX)}
        decision = self.inner.decide(obs, own)
        state.update(own)
        target = np.where(np.isnan(state[TARGET]), decision.target, state[TARGET])
        step = state[STEP][:, None]
        target = np.where(
            step > 0.0, target - step * np.maximum(target - obs.baseline, 0.0), target
        )
        talk = np.where(np.isnan(state[TALK]), decision.talk, state[TALK])
        return Decision(target=target, talk=talk)

    def __repr__(self) -> str:
        return f"Played({self.inner!r})"
