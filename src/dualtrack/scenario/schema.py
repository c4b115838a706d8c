"""The declarative scenario: actors, alliances, sectors, forces, channels, shocks, settings.

A scenario is plain data validated by pydantic. Structural problems (types, bounds, unknown
keys) are caught field by field; references between parts (an actor named in a sector, a
channel named in a shock, a doctrine's parameters) are checked by :func:`check_references`,
which reports every problem with its path.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dualtrack.mechanisms.dialogue import DialogueParams
from dualtrack.mechanisms.escalation import EscalationParams
from dualtrack.mechanisms.incidents import IncidentParams
from dualtrack.mechanisms.perception import PerceptionParams
from dualtrack.mechanisms.threat import ThreatParams
from dualtrack.mechanisms.trust import TrustParams
from dualtrack.scenario.channels import ChannelType
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.parameters import (
    NonNegative,
    Positive,
    Probability,
    Uncertain,
    nominal,
)

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", max_length=64)]


class Strict(BaseModel):
    """Base for scenario parts: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Category(Strict):
    """A force category, e.g. long-range strike (Iskander, Polonez)."""

    id: Identifier
    name: str
    unit: str = Field(default="unit", description="What one unit of this category is.")
    threat_weight: NonNegative = Field(
        description="Threat points one deployed unit poses to the other side."
    )
    unit_cost: NonNegative = Field(
        default=nominal(1.0),
        description="Cost units per unit held near the border above baseline per day.",
    )


class ForceSpec(Strict):
    """An actor's forces of one category near the border."""

    baseline: NonNegative = Field(description="Units near the border in normal times.")
    capacity: NonNegative | None = Field(
        default=None, description="Most units the actor can hold there; none = unbounded."
    )
    deployment_rate: Probability = Field(
        description="Share of the gap to the target closed per day (1/days)."
    )
    response_share: NonNegative = Field(
        default=nominal(1.0),
        description="Relative share of a threat response put into this category.",
    )
    initial: NonNegative | None = Field(
        default=None, description="Units at the start; defaults to the baseline."
    )

    @field_validator("capacity")
    @classmethod
    def _capacity_not_below_baseline(
        cls, capacity: Uncertain | None, info: ValidationInfo
    ) -> Uncertain | None:
        baseline = info.data.get("baseline")
        if capacity is not None and baseline is not None and capacity.value < baseline.value:
            raise ValueError(
                f"expected capacity >= baseline ({baseline.value:g}), found {capacity.value:g}"
            )
        return capacity

    @field_validator("initial")
    @classmethod
    def _initial_within_capacity(
        cls, initial: Uncertain | None, info: ValidationInfo
    ) -> Uncertain | None:
        capacity = info.data.get("capacity")
        if initial is not None and capacity is not None and initial.value > capacity.value:
            raise ValueError(
                f"expected initial <= capacity ({capacity.value:g}), found {initial.value:g}"
            )
        return initial


class DoctrineSpec(Strict):
    """Which doctrine an actor follows and its parameters."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)


class Actor(Strict):
    """A state, an alliance or a non-state armed group."""

    id: Identifier
    name: str
    kind: Literal["state", "alliance", "non-state"] = "state"
    nuclear: bool = Field(default=False, description="Has (or hosts) nuclear weapons.")
    resolve: Probability = Field(
        default=nominal(0.5), description="Willingness to run risks for its stakes (0..1)."
    )
    threat_inflation: NonNegative = Field(
        default=nominal(0.0),
        description="Bias by which it over-estimates adversary forces (Jervis 1976).",
    )
    stationed_with: Identifier | None = Field(
        default=None,
        description="Host actor whose side of the border this actor's forces stand on.",
    )
    doctrine: DoctrineSpec = Field(default_factory=lambda: DoctrineSpec(name="deterrence-only"))
    forces: dict[str, ForceSpec] = Field(default_factory=dict)
    sector_weights: dict[str, NonNegative] = Field(
        default_factory=dict,
        description="Relative concentration per sector (default 1): forces spread over the "
        "actor's sectors in proportion to length x weight.",
    )


class Relation(Strict):
    """A relation between two actors; pairs not listed are neutral."""

    between: tuple[Identifier, Identifier]
    kind: Literal["adversary", "ally", "neutral"]
    commitment: Probability = Field(
        default=nominal(0.0), description="Strength of the alliance commitment (allies only)."
    )
    source: str | None = None

    @model_validator(mode="after")
    def _distinct(self) -> Relation:
        if self.between[0] == self.between[1]:
            raise ValueError(f"expected two different actors, found {list(self.between)}")
        return self


class Sector(Strict):
    """A stretch of the border between two actors."""

    id: Identifier
    name: str
    between: tuple[Identifier, Identifier]
    length_km: Positive
    exogenous_rate: dict[str, NonNegative] = Field(
        default_factory=dict,
        description="Daily rate of exogenous incidents suffered by each side (actor id -> rate).",
    )


class Channel(Strict):
    """A communication channel of a dyad."""

    open: bool = True
    quality: Probability = Field(default=nominal(1.0), description="0 = useless, 1 = excellent.")


class Verification(Strict):
    """Transparency and verification between the two sides of a dyad."""

    transparency: Probability = Field(
        default=nominal(0.0), description="Standing military transparency (0..1)."
    )
    detection_rate: NonNegative = Field(
        default=nominal(0.0), description="Daily hazard that inspections detect a violation."
    )
    inspection_transparency: Probability = Field(
        default=nominal(0.0),
        description="Extra transparency while an agreement with this regime is in force.",
    )


class Dyad(Strict):
    """Two adversaries whose relations the model tracks: channels, verification, ladder."""

    between: tuple[Identifier, Identifier]
    channels: dict[ChannelType, Channel] = Field(default_factory=dict)
    verification: Verification = Field(default_factory=Verification)
    initial_trust: Probability = Field(default=nominal(0.3))
    initial_rung: Rung = Rung.STABLE

    @field_validator("initial_rung", mode="before")
    @classmethod
    def _parse_rung(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return Rung.parse(value)
            except KeyError:
                names = ", ".join(r.label for r in Rung)
                raise ValueError(f"expected one of {names}; found {value!r}") from None
        return value


class ShockBase(Strict):
    """When a shock acts: from ``date`` (or ``start``) until ``end`` (exclusive) or forever."""

    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    label: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _one_start(self) -> ShockBase:
        if (self.date is None) == (self.start is None):
            raise ValueError("give exactly one of 'date' or 'start'")
        begin = self.begins
        if self.end is not None and self.end <= begin:
            raise ValueError(f"expected 'end' after {begin}, found {self.end}")
        return self

    @property
    def begins(self) -> dt.date:
        """First day the shock acts."""
        return self.date if self.date is not None else self.start  # type: ignore[return-value]


class IncidentRateShock(ShockBase):
    """Changes the exogenous incident rate (e.g. drone incursions) in sectors."""

    kind: Literal["incident_rate"]
    sectors: list[Identifier] | Literal["all"] = "all"
    victim: Identifier
    rate: NonNegative = Field(
        description="Daily rate of exogenous incidents in each listed sector."
    )
    mode: Literal["add", "set", "multiply"] = "add"


class ChannelShock(ShockBase):
    """Opens or closes a channel of a dyad, or changes its quality."""

    kind: Literal["channel"]
    dyad: tuple[Identifier, Identifier]
    channel: ChannelType
    open: bool
    quality: Probability | None = None


class PerceivedBuildupShock(ShockBase):
    """The observer believes the target holds extra forces that are not there."""

    kind: Literal["perceived_buildup"]
    observer: Identifier
    target: Identifier
    category: Identifier
    amount: NonNegative = Field(description="Units the observer wrongly believes are deployed.")


class WarShock(ShockBase):
    """A war elsewhere that changes exogenous incident rates and felt threat while it lasts."""

    kind: Literal["war"]
    name: str
    rate_multiplier: NonNegative = Field(
        default=nominal(1.0),
        description="Factor on the sectors' background exogenous incident rates (rates added "
        "by incident-rate shocks are not multiplied).",
    )
    threat: dict[str, NonNegative] = Field(
        default_factory=dict, description="Extra threat points felt per actor."
    )


Shock = Annotated[
    IncidentRateShock | ChannelShock | PerceivedBuildupShock | WarShock,
    Field(discriminator="kind"),
]


class MechanismParams(Strict):
    """Global parameters of each mechanism (see docs/model.md)."""

    perception: PerceptionParams = Field(default_factory=PerceptionParams)
    threat: ThreatParams = Field(default_factory=ThreatParams)
    incidents: IncidentParams = Field(default_factory=IncidentParams)
    dialogue: DialogueParams = Field(default_factory=DialogueParams)
    trust: TrustParams = Field(default_factory=TrustParams)
    escalation: EscalationParams = Field(default_factory=EscalationParams)


class Settings(Strict):
    """Calendar, horizon, replicates and seed; which dyad and actor a study reports on."""

    start: dt.date
    horizon_days: int = Field(default=365, gt=0, le=36500)
    step_days: float = Field(default=1.0, gt=0.0, le=30.0)
    replicates: int = Field(default=1000, gt=0)
    seed: int = Field(default=20240713, ge=0)
    focus: tuple[Identifier, Identifier] | None = Field(
        default=None, description="Dyad whose outcomes studies report; default: the first dyad."
    )
    subject: Identifier | None = Field(
        default=None, description="Actor whose doctrine studies vary; default: focus's first."
    )
    elevated_threshold: Probability = Field(
        default=nominal(0.25),
        description="Posture above baseline (fraction) counted as elevated.",
    )


class Scenario(Strict):
    """A complete, validated scenario."""

    id: Identifier
    name: str
    description: str = ""
    settings: Settings
    categories: list[Category] = Field(min_length=1)
    actors: list[Actor] = Field(min_length=2)
    relations: list[Relation] = Field(default_factory=list)
    sectors: list[Sector] = Field(default_factory=list)
    dyads: list[Dyad] = Field(min_length=1)
    shocks: list[Shock] = Field(default_factory=list)
    mechanisms: MechanismParams = Field(default_factory=MechanismParams)

    @property
    def focus(self) -> tuple[str, str]:
        """The dyad whose outcomes studies report."""
        return self.settings.focus or self.dyads[0].between

    @property
    def subject(self) -> str:
        """The actor whose doctrine studies vary."""
        return self.settings.subject or self.focus[0]
