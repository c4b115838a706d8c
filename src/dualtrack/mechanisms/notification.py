"""Prior notification: the warning time it gives a defender against a limited attack.

The Vienna Document 2011 (Chapter V, paras 38-40) obliges each state to notify, 42 days in
advance, military activities above thresholds (9,000 troops, 250 battle tanks, 500 armoured
combat vehicles or 250 artillery pieces); observation (Chapter VI) follows above 13,000
troops. A limited attack needs forces above such thresholds, so under a notification regime
an opportunist that prepares one either notifies it (and the defender has the lead time
``L`` to answer) or moves unnotified, which is itself the warning the regime exists to give
(Betts 1982 on surprise attack and warning time; Mearsheimer 1983, ch. 2: a defender with
warning can deny a quick victory). Probes (raids, drone strikes) stay below every threshold
and get no warning.

In the denial contest of a limited attack (``aggression``), the defender counts with the
strength it would field after ``L`` days of reinforcing toward its capacity by its own
posture law (``posture.relax`` with the target at capacity, ``n = L / dt`` steps):

    S_warned = sum_c w_c * (K_c - (1 - r_c dt)**n * (K_c - x_c))

with ``x_c`` its forces, ``K_c`` its capacity and ``r_c`` the deployment rate of category
``c`` (a category with unbounded capacity counts as it stands: it has no ceiling to reinforce
to). ``L = 0`` leaves the strength unchanged (no notification regime); as ``L`` grows it rises
monotonically toward the capacity strength, so by the deterrence result of ``aggression``
(``dU/dD < 0``) the attack hazard never rises with the lead time.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dualtrack.mechanisms.arrays import namespace

Array = NDArray[np.float64]


def warned_forces(forces: Array, capacity: Array, rate_dt: Array, lead_steps: float) -> Array:
    """Forces per category after ``lead_steps`` steps of reinforcing toward capacity.

    ``lead_steps = 0`` returns the forces unchanged; a category of unbounded (infinite)
    capacity keeps its forces.
    """
    if lead_steps <= 0.0:
        return forces
    xp = namespace(forces)
    bounded = np.isfinite(capacity)  # capacity and rates are the scenario's, never traced
    ceiling = xp.where(bounded, capacity, forces)
    remaining = (1.0 - np.clip(rate_dt, 0.0, 1.0)) ** lead_steps
    return xp.where(bounded, ceiling - remaining * (ceiling - forces), forces)


def lead_steps(lead_days: float, dt: float) -> float:
    """Steps of reinforcement that a notification ``lead_days`` ahead allows (``L / dt``)."""
    return max(float(lead_days), 0.0) / dt
