"""What players, the White cell and the facilitator submit: moves, injects, overrides.

Each is a pydantic model (the web app validates request bodies with them and puts their JSON
schema in its OpenAPI document). A submission that cannot apply to the game raises
:class:`GameError`, located by field, with what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dualtrack.scenario.channels import ChannelType
from dualtrack.scenario.errors import format_path
from dualtrack.scenario.schema import Shock


class GameError(ValueError):
    """A move, inject or override that cannot apply: where, what was expected, what was found."""

    def __init__(self, field: str, expected: str, found: object) -> None:
        self.field = field
        self.expected = expected
        self.found = found
        super().__init__(f"{field}: expected {expected}, found {found!r}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Move(_Strict):
    """One played actor's move for a turn; what it leaves out its doctrine decides.

    The posture and talks hold for the turn; a channel opened or closed and an inspection
    invited or refused stand until a later move changes them.
    """

    posture: dict[str, float] = Field(
        default_factory=dict,
        description="Target forces per force category as a fraction of capacity (0..1); a "
        "category left out follows the actor's doctrine.",
    )
    talks: Literal["propose", "accept", "refuse"] | None = Field(
        default=None,
        description="Propose or accept talks (willingness 1) or refuse them (0); none: the "
        "doctrine's willingness.",
    )
    channel: Literal["open", "close"] | None = Field(
        default=None, description="Open or close communication channels from now on."
    )
    channel_type: ChannelType | None = Field(
        default=None,
        description="The channel type opened or closed; none: every type the dyad declares.",
    )
    dyad: str | None = Field(
        default=None,
        description="The dyad (e.g. BLR-UKR) a channel or inspection move concerns; none: "
        "every dyad of the actor.",
    )
    inspection: Literal["invite", "refuse"] | None = Field(
        default=None,
        description="Invite inspections of the actor's forces (its adversaries see them with "
        "the dyad's inspection transparency even without an agreement) or refuse them (not "
        "even under an agreement), from now on.",
    )
    unilateral_step: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="An announced unilateral reduction: the share (0..1) of the turn's target "
        "above baseline given up (GRIT's step, Osgood 1962).",
    )


class Inject(_Strict):
    """A White-cell inject: a scenario shock (scenario format) starting at or after today."""

    shock: Shock = Field(description="A shock in the scenario format (kind, dates, fields).")
    note: str | None = Field(default=None, description="Why the White cell injects it.")


class Override(_Strict):
    """A facilitator's change to the proposed outcome of a turn, with the reason."""

    field: Literal["escalation", "agreement", "incident"] = Field(
        description="escalation (a dyad's rung), agreement (a dyad's agreement in force), "
        "incident (a sector's incidents this turn)."
    )
    target: str = Field(description="The dyad (escalation, agreement) or sector (incident).")
    value: int | bool | str = Field(
        description="Rung (name or number), agreement in force (true/false), or incident count."
    )
    reason: str = Field(min_length=1, description="Why the facilitator overrides the model.")


Model = TypeVar("Model", bound=BaseModel)


def parse(kind: type[Model], value: Model | Mapping[str, Any], where: str) -> Model:
    """``value`` as a ``kind``; a pydantic error becomes a :class:`GameError` at ``where``."""
    if isinstance(value, kind):
        return value
    try:
        return kind.model_validate(value)
    except ValidationError as error:
        item = error.errors()[0]
        path = format_path(item["loc"])
        field = f"{where}.{path}" if path else where
        expected = str(item["msg"]).removeprefix("Value error, ")
        raise GameError(field, expected, item.get("input")) from None
