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
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dualtrack.mechanisms.aggression import AggressionParams
from dualtrack.mechanisms.dialogue import DialogueParams
from dualtrack.mechanisms.escalation import EscalationParams
from dualtrack.mechanisms.incidents import IncidentParams
from dualtrack.mechanisms.intent import IntentParams
from dualtrack.mechanisms.perception import PerceptionParams
from dualtrack.mechanisms.threat import ThreatParams
from dualtrack.scenario.base import Identifier, Pair, Strict
from dualtrack.scenario.channels import ChannelType
from dualtrack.scenario.dyads import dyad_id
from dualtrack.scenario.instruments import Instrument
from dualtrack.scenario.ladder import Rung
from dualtrack.scenario.parameters import (
    Bias,
    DailyRate,
    Factor,
    LeadDays,
    LengthKm,
    Probability,
    RelativeWeight,
    ThreatPoints,
    Uncertain,
    UnitCost,
    Units,
    nominal,
)


class Category(Strict):
    """A force category, e.g. long-range strike (Iskander, Polonez)."""

    id: Identifier = Field(description="Key of the category in actors' forces.")
    name: str = Field(description="Readable name.")
    unit: str = Field(default="unit", description="What one unit of this category is.")
    threat_weight: ThreatPoints = Field(
        description="Threat points one deployed unit poses to the other side."
    )
    unit_cost: UnitCost = Field(
        default=nominal(1.0),
        description="Cost units per unit held near the border above baseline per day.",
    )


class ForceSpec(Strict):
    """An actor's forces of one category near the border."""

    baseline: Units = Field(description="Units near the border in normal times.")
    capacity: Units | None = Field(
        default=None, description="Most units the actor can hold there; none = unbounded."
    )
    deployment_rate: Probability = Field(
        description="Share of the gap to the target closed per day (1/days)."
    )
    response_share: RelativeWeight = Field(
        default=nominal(1.0),
        description="Relative share of a threat response put into this category.",
    )
    initial: Units | None = Field(
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

    name: str = Field(description="A registered doctrine (`dualtrack doctrines` lists them).")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="The doctrine's parameters (see 'Doctrine parameters'); others keep "
        "their defaults.",
    )


class Actor(Strict):
    """A state, an alliance or a non-state armed group."""

    id: Identifier = Field(description="Short id used everywhere else, e.g. BLR.")
    name: str = Field(description="Readable name.")
    kind: Literal["state", "alliance", "non-state"] = Field(
        default="state", description="What sort of actor it is."
    )
    nuclear: bool = Field(default=False, description="Has (or hosts) nuclear weapons.")
    resolve: Probability = Field(
        default=nominal(0.5), description="Willingness to run risks for its stakes (0..1)."
    )
    threat_inflation: Bias = Field(
        default=nominal(0.0),
        description="Bias by which it over-estimates adversary forces (Jervis 1976).",
    )
    p_opportunist: Probability = Field(
        default=nominal(0.0),
        description="Probability that the actor is an opportunist (would use force when it "
        "expects to gain) rather than a security seeker, drawn once per replicate; every "
        "observer's prior belief about it (Jervis 1976, ch. 3; Glaser 2010; Kydd 2005).",
    )
    stationed_with: Identifier | None = Field(
        default=None,
        description="Host actor whose side of the border this actor's forces stand on.",
    )
    doctrine: DoctrineSpec = Field(
        default_factory=lambda: DoctrineSpec(name="deterrence-only"),
        description="Policy deciding its forces and willingness to talk.",
    )
    forces: dict[str, ForceSpec] = Field(
        default_factory=dict,
        description="Forces near the border per category id; none = no military presence.",
    )
    sector_weights: dict[str, RelativeWeight] = Field(
        default_factory=dict,
        description="Relative concentration per sector (default 1): forces spread over the "
        "actor's sectors in proportion to length x weight.",
    )


class Relation(Strict):
    """A relation between two actors; pairs not listed are neutral."""

    between: Pair = Field(description="The two actors.")
    kind: Literal["adversary", "ally", "neutral"] = Field(
        description="Adversaries may form dyads; allies share threats and may be pulled in."
    )
    commitment: Probability = Field(
        default=nominal(0.0), description="Strength of the alliance commitment (allies only)."
    )
    source: str | None = Field(default=None, description="Where the relation comes from.")

    @model_validator(mode="after")
    def _distinct(self) -> Relation:
        if self.between[0] == self.between[1]:
            raise ValueError(f"expected two different actors, found {dyad_id(self.between)}")
        return self


class Sector(Strict):
    """A stretch of the border between two actors."""

    id: Identifier = Field(description="Short id, used in sector_weights and shocks.")
    name: str = Field(description="Readable name.")
    between: Pair = Field(description="The two sides; they must form a dyad.")
    length_km: LengthKm = Field(description="Length of the stretch of border (km).")
    exogenous_rate: dict[str, DailyRate] = Field(
        default_factory=dict,
        description="Daily rate of exogenous incidents suffered by each side (actor id -> rate).",
    )


class Channel(Strict):
    """A communication channel of a dyad."""

    open: bool = Field(default=True, description="Whether the channel is open at the start.")
    quality: Probability = Field(default=nominal(1.0), description="0 = useless, 1 = excellent.")


class Verification(Strict):
    """Transparency and verification between the two sides of a dyad."""

    transparency: Probability = Field(
        default=nominal(0.0), description="Standing military transparency (0..1)."
    )
    detection_rate: DailyRate = Field(
        default=nominal(0.0), description="Daily hazard that inspections detect a violation."
    )
    inspection_transparency: Probability = Field(
        default=nominal(0.0),
        description="Extra transparency while an agreement with this regime is in force.",
    )
    notification_days: LeadDays = Field(
        default=nominal(0.0),
        description="Lead time (days) of prior notification of military activities above "
        "thresholds: warning a defender gets of a limited attack (docs/model.md §7.16).",
    )
    incident_prevention: Probability = Field(
        default=nominal(0.0),
        description="Share of contact incidents an incidents-prevention agreement prevents.",
    )
    attribution: Probability = Field(
        default=nominal(0.0),
        description="Share of exogenous incidents whose origin a joint investigation "
        "establishes (not blamed on the adversary).",
    )
    intent_insight: Probability = Field(
        default=nominal(0.0),
        description="Share of each observer's model error about the other side's security "
        "needs removed by exchanged plans and holdings.",
    )


class Dyad(Strict):
    """Two adversaries whose relations the model tracks: channels, verification, ladder."""

    between: Pair = Field(
        description="Two adversaries; the dyad's id joins them in this order (BLR-UKR)."
    )
    channels: dict[ChannelType, Channel] = Field(
        default_factory=dict,
        description="Communication channels by type; undeclared types are closed for the "
        "whole run (a shock can only act on a declared one).",
    )
    verification: Verification = Field(
        default_factory=Verification, description="Transparency and inspections."
    )
    initial_rung: Rung = Field(
        default=Rung.STABLE,
        description="Escalation rung at the start, by name (tension, crisis, ...) or number.",
    )

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

    date: dt.date | None = Field(default=None, description="Day it happens (give this or start).")
    start: dt.date | None = Field(
        default=None, description="First day it acts (give this or date)."
    )
    end: dt.date | None = Field(
        default=None, description="First day it no longer acts; none = to the end of the run."
    )
    label: str | None = Field(default=None, description="Readable name for charts.")
    source: str | None = Field(default=None, description="Where the event comes from.")

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

    kind: Literal["incident_rate"] = Field(description="Tag of this kind of shock.")
    sectors: list[Identifier] | Literal["all"] = Field(
        default="all", description="Sector ids, or all sectors."
    )
    victim: Identifier = Field(
        description="Actor who suffers the incidents; sectors it is no side of are unchanged."
    )
    rate: DailyRate = Field(
        description="Daily rate of exogenous incidents in each listed sector (a factor in "
        "mode multiply)."
    )
    mode: Literal["add", "set", "multiply"] = Field(
        default="add", description="How the rate changes the sectors' rate."
    )


class ChannelShock(ShockBase):
    """Opens or closes a channel of a dyad, or changes its quality."""

    kind: Literal["channel"] = Field(description="Tag of this kind of shock.")
    dyad: Pair = Field(description="The dyad, e.g. BLR-UKR.")
    channel: ChannelType = Field(description="A channel type declared for the dyad.")
    open: bool = Field(description="Whether the channel is open while the shock acts.")
    quality: Probability | None = Field(
        default=None, description="Quality while the shock acts; none = unchanged."
    )


class PerceivedBuildupShock(ShockBase):
    """The observer believes the target holds extra forces that are not there."""

    kind: Literal["perceived_buildup"] = Field(description="Tag of this kind of shock.")
    observer: Identifier = Field(description="Actor who is mistaken.")
    target: Identifier = Field(description="Its adversary, believed to hold the forces.")
    category: Identifier = Field(description="Category of the believed forces.")
    amount: Units = Field(description="Units the observer wrongly believes are deployed.")


class WarShock(ShockBase):
    """A war elsewhere that changes exogenous incident rates and felt threat while it lasts."""

    kind: Literal["war"] = Field(description="Tag of this kind of shock.")
    name: str = Field(description="Readable name of the war.")
    rate_multiplier: Factor = Field(
        default=nominal(1.0),
        description="Factor on the sectors' background exogenous incident rates (rates added "
        "by incident-rate shocks are not multiplied).",
    )
    threat: dict[str, ThreatPoints] = Field(
        default_factory=dict, description="Extra threat points felt per actor."
    )
    belligerents: list[Identifier] = Field(
        default_factory=list,
        description="Actors fighting this war; an ally already at war with a dyad's opponent "
        "here does not 'join' a conflict in that dyad.",
    )
    distraction: dict[str, Probability] = Field(
        default_factory=dict,
        description="Share of each actor's forces committed to this war (0..1): the "
        "opportunity it offers an aggressor elsewhere.",
    )


Shock = Annotated[
    IncidentRateShock | ChannelShock | PerceivedBuildupShock | WarShock,
    Field(discriminator="kind"),
]


class MechanismParams(Strict):
    """Global parameters of each mechanism (see docs/model.md)."""

    perception: PerceptionParams = Field(
        default_factory=PerceptionParams, description="Noisy, biased perception of forces."
    )
    threat: ThreatParams = Field(
        default_factory=ThreatParams, description="Threat from forces, incidents and rungs."
    )
    incidents: IncidentParams = Field(
        default_factory=IncidentParams, description="Contact incidents and their attribution."
    )
    dialogue: DialogueParams = Field(
        default_factory=DialogueParams, description="Talks, agreements and verification."
    )
    intent: IntentParams = Field(
        default_factory=IntentParams, description="Private types and Bayesian beliefs."
    )
    aggression: AggressionParams = Field(
        default_factory=AggressionParams,
        description="Deliberate probes and limited attacks by opportunists.",
    )
    escalation: EscalationParams = Field(
        default_factory=EscalationParams, description="Moves on the escalation ladder."
    )


class Settings(Strict):
    """Calendar, horizon, replicates and seed; which dyad and actor a study reports on."""

    start: dt.date = Field(description="First day of the run (YYYY-MM-DD).")
    horizon_days: int = Field(
        default=365, gt=0, le=36500, description="Days simulated (at most 100 years)."
    )
    step_days: float = Field(
        default=1.0, gt=0.0, le=30.0, allow_inf_nan=False, description="Days per step."
    )
    replicates: int = Field(
        default=1000, gt=0, le=10_000_000, description="Monte Carlo replicates of a run."
    )
    seed: int = Field(
        default=20240713,
        ge=0,
        le=2**63 - 1,
        description="Root of the random streams (numpy SeedSequence).",
    )
    focus: Pair | None = Field(
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

    id: Identifier = Field(description="Short id of the scenario, used in file names.")
    name: str = Field(description="Readable title.")
    description: str = Field(default="", description="What the scenario is about.")
    settings: Settings = Field(description="Calendar, horizon, replicates and seed.")
    categories: list[Category] = Field(min_length=1, description="Force categories.")
    actors: list[Actor] = Field(min_length=2, description="States, alliances, armed groups.")
    relations: list[Relation] = Field(
        default_factory=list, description="Adversaries and allies; unlisted pairs are neutral."
    )
    sectors: list[Sector] = Field(
        default_factory=list, description="Stretches of border where forces meet."
    )
    dyads: list[Dyad] = Field(min_length=1, description="Adversary pairs the model tracks.")
    shocks: list[Shock] = Field(default_factory=list, description="Dated events.")
    mechanisms: MechanismParams = Field(
        default_factory=MechanismParams, description="Global parameters of each mechanism."
    )
    instruments: list[Instrument] = Field(
        default_factory=list,
        description="User-defined transparency and confidence-building instruments, beside "
        "the built-in catalogue (docs/instruments.md); none acts unless a study applies it.",
    )

    @property
    def focus(self) -> tuple[str, str]:
        """The dyad whose outcomes studies report."""
        return self.settings.focus or self.dyads[0].between

    @property
    def subject(self) -> str:
        """The actor whose doctrine studies vary."""
        return self.settings.subject or self.focus[0]
