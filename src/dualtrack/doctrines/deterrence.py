"""Deterrence only: answer perceived threat with forces, never negotiate."""

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
from dualtrack.mechanisms.posture import deterrent_target
from dualtrack.scenario.parameters import NonNegative, nominal


class DeterrenceParams(DoctrineParams):
    """Parameters of deterrence-only."""

    reactivity: NonNegative = Field(
        default=nominal(0.7, "Richardson 1960 (defence coefficient); judgement", 0.3, 1.2),
        description="Deterrent strength added per threat point above the tolerated level.",
    )
    tolerance: NonNegative = Field(
        default=nominal(1.0, "Judgement: baseline threat is accepted", 0.8, 1.2),
        description="Multiple of the baseline threat tolerated without response.",
    )


@register
class DeterrenceOnly(Doctrine):
    """Matches perceived threat with deployments and does not negotiate.

    The posture rule is Richardson's defence term; with no dialogue it is the pure military
    track, the policy the seed attributes to Russia toward Ukraine in 2024.

    Names:
    - Deterrence by denial / punishment: [Snyder1961]
    - Arms race reaction: [Richardson1960]
    """

    name = "deterrence-only"
    names = ("Deterrence: [Snyder1961]", "Richardson reaction: [Richardson1960]")
    source = (
        "Richardson, L. F. (1960). Arms and Insecurity. Boxwood; Snyder, G. H. (1961). "
        "Deterrence and Defense. Princeton University Press."
    )
    classifier = {
        "tracks": frozenset({"deterrence"}),
        "observes": frozenset({"threat", "tolerated_threat", "threat_noise"}),
        "memory": False,
        "stochastic": False,
    }
    traceable = True
    Params = DeterrenceParams
    params: DeterrenceParams

    def decide(self, obs: Observation, state: DoctrineState) -> Decision:
        """Deterrent target, no talks."""
        target = deterrent_target(
            obs.threat,
            self.params.tolerance.value * obs.tolerated_threat,
            self.params.reactivity.value,
            obs.baseline,
            obs.share_per_weight,
            obs.threat_noise,
        )
        return Decision(target=target, talk=obs.xp.zeros(obs.replicates))
