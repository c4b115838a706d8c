"""Dialogue only: situational neutrality, no military answer to threat."""

from __future__ import annotations

from pydantic import Field

from dualtrack.doctrines.base import (
    Decision,
    Doctrine,
    DoctrineParams,
    DoctrineState,
    Observation,
    register,
)
from dualtrack.scenario.parameters import Positive, nominal


class NeutralityParams(DoctrineParams):
    """Parameters of dialogue-only."""

    breakout_ratio: Positive = Field(
        default=nominal(1e9, "Never breaks an agreement", 1e9, 1e9),
        description="Growth of threat that makes it break out of an agreement (never).",
    )


@register
class DialogueOnly(Doctrine):
    """Keeps forces at their peacetime baseline and always seeks talks.

    Belarus's "situational neutrality" of 2014-2022: no serious military presence on the
    Ukrainian border, a neutral venue for the Minsk talks and the OSCE Trilateral Contact Group.

    Names:
    - Situational neutrality: [Preiherman2024]
    """

    name = "dialogue-only"
    names = ("Situational neutrality: [Preiherman2024]",)
    source = (
        "Preiherman, Y. (2024). Analysis of the Belarus-Ukraine border for the Open Nuclear "
        "Network (the seed article of this project)."
    )
    classifier = {
        "tracks": frozenset({"dialogue"}),
        "observes": frozenset(),
        "memory": False,
        "stochastic": False,
    }
    traceable = True
    Params = NeutralityParams
    params: NeutralityParams

    def decide(self, obs: Observation, state: DoctrineState) -> Decision:
        """Baseline forces, always willing to talk."""
        xp = obs.xp
        target = xp.broadcast_to(obs.baseline, obs.forces.shape).copy()
        return Decision(target=target, talk=xp.ones(obs.replicates))
