"""Perception: each side observes the other's forces with noise and threat inflation.

Jervis (1976) showed that states systematically misperceive others' capabilities and intentions
and tend to inflate threats. Observation of target forces ``x`` (per category) is

    tau_eff = 1 - (1 - tau) * (1 - omega * chi_info) * (1 - v)
    sigma   = sigma0 * (1 - tau_eff)
    b_eff   = b * (1 - tau_eff)
    obs     = x * (1 + b_eff) * exp(sigma * eps - sigma**2 / 2) + buildup,   eps ~ N(0, 1)

where ``tau`` is the dyad's standing transparency, ``chi_info`` the information capacity of its
open channels, ``v`` the extra transparency of an active verification regime and ``b`` the
observer's threat-inflation bias. The log-normal factor has mean one, so without bias the
observation is unbiased; transparency shrinks both noise and bias. Estimates are smoothed with
memory ``tau_p``: ``perceived += alpha * (obs - perceived)``, ``alpha = 1 - exp(-dt / tau_p)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from dualtrack.mechanisms.arrays import namespace
from dualtrack.scenario.parameters import NonNegative, Probability, Uncertain, nominal

Array = NDArray[np.float64]


class PerceptionParams(BaseModel):
    """Parameters of the perception mechanism."""

    model_config = ConfigDict(extra="forbid")

    base_noise_sd: NonNegative = Field(
        default=nominal(
            0.5,
            "Judgement: open-source force estimates near a border are often off "
            "by a factor 1.5 (Jervis 1976; IISS Military Balance caveats)",
            low=0.2,
            high=1.0,
        ),
        description="Log-scale standard deviation of a daily observation with no transparency.",
    )
    channel_information: Probability = Field(
        default=nominal(0.3, "Judgement: talks reveal intentions more than numbers", 0.1, 0.6),
        description="Share of noise and bias removed by fully open, full-quality channels.",
    )
    memory_days: NonNegative = Field(
        default=nominal(7.0, "Judgement: weekly intelligence cycle", 0.0, 30.0),
        description="Time constant (days) of smoothing perceived forces; 0 = latest observation.",
    )
    noise_band: NonNegative = Field(
        default=nominal(
            2.0,
            "Judgement: two standard deviations (a two-sided 95% band); Jervis 1976 on "
            "reading noise as intent",
            1.0,
            3.0,
        ),
        description="Standard deviations of the observer's own perception noise that a "
        "perceived excess must exceed before responses and ripeness count it (docs/model.md "
        "§7.2).",
    )


def effective_transparency(
    transparency: Array | float, channel_information: Array | float, verification: Array | float
) -> Array:
    """Combined transparency from standing transparency, channels and verification (0..1)."""
    xp = namespace(transparency, channel_information, verification)
    return 1.0 - (1.0 - xp.asarray(transparency)) * (1.0 - xp.asarray(channel_information)) * (
        1.0 - xp.asarray(verification)
    )


def noise_sd(base_noise_sd: float, effective: Array | float) -> Array:
    """Log-scale noise of an observation; never wider when transparency grows."""
    xp = namespace(effective)
    return base_noise_sd * (1.0 - xp.clip(effective, 0.0, 1.0))


def observe(
    true_forces: Array,
    inflation: Array,
    sigma: Array,
    normal_draws: NDArray[np.floating],
    buildup: Array | float = 0.0,
) -> Array:
    """Noisy, inflated observation of forces (arrays broadcast to the observation's shape)."""
    xp = namespace(true_forces, inflation, sigma, normal_draws)
    observed = xp.exp(sigma * (normal_draws - 0.5 * sigma))
    observed = observed * (1.0 + inflation)
    observed = observed * true_forces
    return observed + buildup


def smoothing_weight(dt: float, memory_days: float) -> float:
    """Weight of a new observation in the running estimate."""
    if memory_days <= 0.0:
        return 1.0
    return float(1.0 - np.exp(-dt / memory_days))


def update_estimate(perceived: Array, observed: Array, alpha: float) -> Array:
    """Exponentially smoothed estimate of the other side's forces."""
    return perceived + alpha * (observed - perceived)


__all__ = [
    "PerceptionParams",
    "Uncertain",
    "effective_transparency",
    "noise_sd",
    "observe",
    "smoothing_weight",
    "update_estimate",
]
