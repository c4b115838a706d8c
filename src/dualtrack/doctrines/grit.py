"""GRIT: graduated and reciprocated initiatives in tension reduction (Osgood)."""

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
from dualtrack.scenario.parameters import NonNegative, Positive, Probability, nominal


class GritParams(DoctrineParams):
    """Parameters of GRIT."""

    reactivity: NonNegative = Field(
        default=nominal(0.7, "As deterrence-only before any step", 0.3, 1.2),
        description="Deterrent strength added per threat point above the tolerated level.",
    )
    step: Probability = Field(
        default=nominal(0.2, "Osgood 1962: small, announced steps; judgement", 0.05, 0.4),
        description="Share of the deterrent build-up given up at each announced step.",
    )
    max_reduction: Probability = Field(
        default=nominal(0.8, "Osgood 1962: keep the capacity to retaliate", 0.5, 1.0),
        description="Largest share of the build-up ever given up.",
    )
    interval_days: Positive = Field(
        default=nominal(14.0, "Judgement: fortnightly announcements", 7.0, 60.0),
        description="Days between announced steps.",
    )
    patience: NonNegative = Field(
        default=nominal(2.0, "Osgood 1962: continue for a while without reciprocation", 0.0, 5.0),
        description="Unreciprocated steps tolerated before reverting to deterrence.",
    )
    tolerance: NonNegative = Field(
        default=nominal(0.15, "Judgement: margin for perception noise", 0.05, 0.3),
        description="Growth of perceived adversary strength still counted as reciprocation.",
    )
    exploitation_belief: Probability = Field(
        default=nominal(
            0.7,
            "Osgood 1962: continue the initiatives unless the other side exploits them, then "
            "retaliate firmly; judgement",
            0.5,
            0.95,
        ),
        description="Belief that an adversary is an opportunist above which a review "
        "returns to full deterrence (the initiatives are being exploited).",
    )
    breakout_ratio: Positive = Field(
        default=nominal(1.3, "Judgement: patient", 1.1, 2.0),
        description="Growth of perceived threat over its lowest level since signing that makes it "
        "break out.",
    )


@register
class Grit(Doctrine):
    """Announces small unilateral de-escalation steps and continues them while reciprocated.

    The first step is taken at once; each review adds a step if the other side reciprocated;
    after more than ``patience`` unreciprocated reviews, or once its belief that an adversary
    is an opportunist exceeds ``exploitation_belief`` (Osgood: firm retaliation against
    exploitation), it returns to full deterrence. It always seeks talks and never gives up
    the capacity to retaliate. Each step is a costly signal: a withdrawal an opportunist would
    not make moves the other side's belief (Kydd 2005), which is GRIT's logic derived.

    Names:
    - GRIT: [Osgood1962]
    """

    name = "grit"
    names = ("Graduated Reciprocation in Tension-reduction: [Osgood1962]",)
    source = (
        "Osgood, C. E. (1962). An Alternative to War or Surrender. University of Illinois Press."
    )
    classifier = {
        "tracks": frozenset({"deterrence", "dialogue"}),
        "observes": frozenset(
            {"threat", "tolerated_threat", "threat_noise", "adversary_strength", "day", "belief"}
        ),
        "memory": True,
        "stochastic": False,
    }
    traceable = True
    Params = GritParams
    params: GritParams

    def initial_state(self, replicates: int) -> DoctrineState:
        """First step announced (never beyond ``max_reduction``), no unreciprocated steps yet."""
        first = min(self.params.step.value, self.params.max_reduction.value)
        return {
            **start_reviews(replicates),
            "reduction": np.full(replicates, first),
            "unreciprocated": np.zeros(replicates),
        }

    def decide(self, obs: Observation, state: DoctrineState) -> Decision:
        """Deterrent target scaled down by the reduction reached so far."""
        params = self.params
        due, reciprocated = review(obs, state, params.interval_days.value, params.tolerance.value)
        grown = obs.xp.minimum(state["reduction"] + params.step.value, params.max_reduction.value)
        missed = state["unreciprocated"] + 1.0
        exploited = obs.belief > params.exploitation_belief.value
        exhausted = (missed > params.patience.value) | exploited
        xp = obs.xp
        state["reduction"] = xp.where(
            due,
            xp.where(
                reciprocated & ~exploited,
                grown,
                xp.where(exhausted, 0.0, state["reduction"]),
            ),
            state["reduction"],
        )
        state["unreciprocated"] = xp.where(
            due, xp.where(reciprocated | exhausted, 0.0, missed), state["unreciprocated"]
        )
        deterrent = deterrent_target(
            obs.threat,
            obs.tolerated_threat,
            params.reactivity.value,
            obs.baseline,
            obs.share_per_weight,
            obs.threat_noise,
        )
        kept = 1.0 - state["reduction"][:, None]
        target = obs.baseline + kept * (deterrent - obs.baseline)
        return Decision(target=target, talk=obs.xp.ones(obs.replicates))
