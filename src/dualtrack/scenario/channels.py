"""Communication channel types and what each is good for.

Weights say how much a fully open, full-quality channel of the type contributes to three
functions (0 to 1): negotiating agreements, informing perceptions, and managing crises.
They encode the usual distinctions in the risk-reduction literature (e.g. hotlines serve crisis
management but not negotiation; backchannels serve confidential bargaining: Pruitt 2008;
Wanis-St. John 2006; Lebow 1987 on crisis communication).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

ChannelType = Literal["diplomatic", "backchannel", "mediated", "hotline", "multilateral"]


class ChannelRole(NamedTuple):
    """Contribution of a channel type to negotiation, information and crisis management."""

    negotiation: float
    information: float
    crisis: float


CHANNEL_ROLES: dict[str, ChannelRole] = {
    "diplomatic": ChannelRole(negotiation=0.7, information=0.6, crisis=0.6),
    "backchannel": ChannelRole(negotiation=0.9, information=0.3, crisis=0.5),
    "mediated": ChannelRole(negotiation=0.8, information=0.4, crisis=0.3),
    "hotline": ChannelRole(negotiation=0.1, information=0.3, crisis=1.0),
    "multilateral": ChannelRole(negotiation=0.5, information=0.7, crisis=0.3),
}

CHANNEL_TYPES: tuple[str, ...] = tuple(CHANNEL_ROLES)
