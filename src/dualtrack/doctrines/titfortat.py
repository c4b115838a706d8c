"""Tit for tat: restraint and talks while the other side reciprocates, deterrence otherwise."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from dualtrack.doctrines.base import (
    Decision,
    Doctrine,
    DoctrineParams,
    DoctrineState,
    Observation,
    register,
)
from dualtrack.doctrines.reviews import review, start_reviews
from dualtrack.mechanisms.posture import deterrent_target
from dualtrack.scenario.parameters import NonNegative, Positive, nominal


class TitForTatParams(DoctrineParams):
    """Parameters of tit-for-tat."""

    reactivity: NonNegative = Field(
        default=nominal(0.7, "As deterrence-only when retaliating", 0.3, 1.2),
        description="Deterrent strength added per threat point above the tolerated level.",
    )
    review_days: Positive = Field(
        default=nominal(7.0, "Judgement: weekly situation review", 1.0, 30.0),
        description="Days between judgements of the other side's last move.",
    )
    tolerance: NonNegative = Field(
        default=nominal(0.15, "Judgement: margin for perception noise", 0.05, 0.3),
        description="Growth of perceived adversary strength not counted as a defection.",
    )
    breakout_ratio: Positive = Field(
        default=nominal(1.1, "Judgement: retaliates quickly", 1.02, 1.3),
        description="Growth of perceived threat over its lowest level since signing that makes it "
        "break out.",
    )


@register
class TitForTat(Doctrine):
    """Starts with restraint; then does what the other side did at its last review.

    Restraint means baseline forces and willingness to talk; a defection (a perceived build-up
    beyond the noise margin) is answered with a deterrent posture and no talks
    until the other side reciprocates. It reads moves, not beliefs: Axelrod's (1984, ch. 2)
    tit for tat needs no judgement of the other's intentions, which is why it is clear to
    the other side and robust to what kind of player it meets.

    Names:
    - Tit For Tat: [Axelrod1984]
    """

    name = "tit-for-tat"
    names = ("Tit For Tat: [Axelrod1984]",)
    source = "Axelrod, R. (1984). The Evolution of Cooperation. Basic Books."
    classifier = {
        "tracks": frozenset({"deterrence", "dialogue"}),
        "observes": frozenset(
            {"threat", "tolerated_threat", "threat_noise", "adversary_strength", "day"}
        ),
        "memory": True,
        "stochastic": False,
    }
    traceable = True
    Params = TitForTatParams
    params: TitForTatParams

    def initial_state(self, replicates: int) -> DoctrineState:
        """Cooperating at first, with an empty review history."""
        return {**start_reviews(replicates), "cooperating": np.ones(replicates, dtype=bool)}

    def decide(self, obs: Observation, state: DoctrineState) -> Decision:
        """Restraint while cooperating, deterrent posture after a defection."""
        due, reciprocated = review(
            obs, state, self.params.review_days.value, self.params.tolerance.value
        )
        xp = obs.xp
        state["cooperating"] = xp.where(due, reciprocated, state["cooperating"])
        cooperating = state["cooperating"]
        retaliation = deterrent_target(
            obs.threat,
            obs.tolerated_threat,
            self.params.reactivity.value,
            obs.baseline,
            obs.share_per_weight,
            obs.threat_noise,
        )
        target = xp.where(cooperating[:, None], obs.baseline, retaliation)
        return Decision(target=target, talk=cooperating.astype(np.float64))
