"""Dual track (Harmel): adequate military strength and, at the same time, active dialogue."""

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
from dualtrack.mechanisms.posture import deterrent_target
from dualtrack.scenario.parameters import NonNegative, Positive, Probability, nominal


class HarmelParams(DoctrineParams):
    """Parameters of dual-track."""

    reactivity: NonNegative = Field(
        default=nominal(0.5, "Harmel 1967: 'adequate' strength; judgement", 0.2, 1.0),
        description="Deterrent strength added per threat point above the tolerated level.",
    )
    tolerance: NonNegative = Field(
        default=nominal(1.0, "Judgement: baseline threat is accepted", 0.8, 1.2),
        description="Multiple of the baseline threat tolerated without response.",
    )
    sufficiency: Probability = Field(
        default=nominal(0.7, "Harmel 1967: adequacy, not superiority; judgement", 0.4, 1.0),
        description="Share of the headroom (capacity - baseline) it is ready to fill.",
    )
    breakout_ratio: Positive = Field(
        default=nominal(
            1.15,
            "Calibrated: Belarus redeployed after repeated drone incursions, "
            "10 Aug 2024 (Preiherman)",
            1.05,
            1.5,
            calibrated=True,
        ),
        description="Growth of perceived threat over its lowest level since signing that makes it "
        "break out.",
    )


@register
class DualTrack(Doctrine):
    """Deters in proportion to its belief that an adversary is an opportunist; otherwise reassures.

    NATO's 1967 Harmel report asked for "adequate military strength" together with a search
    for détente; the seed reads Belarus's 2024 conduct toward Ukraine in this light: deploy when
    threatened, negotiate withdrawals through the backchannel, redeploy when the deal sours.
    Its deterrent build-up (capped at sufficiency) is scaled by the belief ``b`` that an
    adversary is an opportunist (Jervis 1976, ch. 3: deterrence answers a greedy adversary,
    reassurance a fearful one); the rest, ``1 - b`` of the build-up, is held back as a
    unilateral step, and it always talks (reciprocal withdrawals). A withdrawal that an
    opportunist would not make is evidence that moves the other side's belief (Kydd 2005).

    Names:
    - Harmel doctrine: [Harmel1967]
    - Dual-track: [Preiherman2024]
    """

    name = "dual-track"
    names = ("Harmel doctrine: [Harmel1967]", "Dual-track: [Preiherman2024]")
    source = (
        "NATO (1967). The Future Tasks of the Alliance (Harmel Report), 13-14 December 1967; "
        "Preiherman, Y. (2024), Open Nuclear Network."
    )
    classifier = {
        "tracks": frozenset({"deterrence", "dialogue"}),
        "observes": frozenset({"threat", "tolerated_threat", "threat_noise", "belief"}),
        "memory": False,
        "stochastic": False,
    }
    traceable = True
    Params = HarmelParams
    params: HarmelParams

    def decide(self, obs: Observation, state: DoctrineState) -> Decision:
        """Deterrent build-up capped at sufficiency, times the belief; always willing to talk."""
        target = deterrent_target(
            obs.threat,
            self.params.tolerance.value * obs.tolerated_threat,
            self.params.reactivity.value,
            obs.baseline,
            obs.share_per_weight,
            obs.threat_noise,
        )
        sufficiency = self.params.sufficiency.value
        xp = obs.xp
        headroom = np.where(np.isfinite(obs.capacity), obs.capacity - obs.baseline, np.inf)
        # a zero share of unbounded headroom is nothing (not 0 x inf = NaN)
        cap = obs.baseline + (sufficiency * headroom if sufficiency > 0.0 else 0.0)
        deterrent = xp.minimum(target, cap)
        target = obs.baseline + obs.belief[:, None] * (deterrent - obs.baseline)
        return Decision(target=target, talk=xp.ones(obs.replicates))
