"""Transparency and confidence-building instruments: the catalogue, its format, and how an
instrument changes a scenario.

An instrument (a Vienna Document measure, a hotline, an incidents agreement, a user's own) acts
on one dyad through the model's levers (docs/instruments.md; docs/model.md §7.16):

=========================== ============================================ =====================
lever                       what it sets on the dyad                     how it combines
=========================== ============================================ =====================
``transparency``            ``verification.transparency``                ``1 - (1-t)(1-x)``
``inspection_transparency`` ``verification.inspection_transparency``     ``1 - (1-t)(1-x)``
``detection_rate``          ``verification.detection_rate`` (per day)   ``t + x``
``notification_days``       ``verification.notification_days``           ``max(t, x)``
``incident_prevention``     ``verification.incident_prevention``         ``1 - (1-t)(1-x)``
``attribution``             ``verification.attribution``                 ``1 - (1-t)(1-x)``
``intent_insight``          ``verification.intent_insight``              ``1 - (1-t)(1-x)``
``channels``                opens each channel type at a quality         ``max`` of qualities
=========================== ============================================ =====================

Every rule is commutative and associative, so a combination of instruments does not depend on
their order, and a lever an instrument does not give (or gives as 0) leaves the scenario's value
untouched, bit for bit. The built-in catalogue is ``dualtrack/data/instruments/catalogue.yaml``
in this same format (a top-level ``instruments:`` list); a scenario may declare its own under
``instruments:``, validated like every other field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from dualtrack.scenario.base import Identifier, Pair, Strict
from dualtrack.scenario.channels import ChannelType
from dualtrack.scenario.dyads import dyad_id

if TYPE_CHECKING:
    from dualtrack.scenario.errors import Problem
    from dualtrack.scenario.schema import Scenario

CATALOGUE_PACKAGE = "dualtrack.data.instruments"
CATALOGUE_FILE = "catalogue.yaml"

Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
PerDay = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]
Days = Annotated[float, Field(ge=0.0, le=365.0, allow_inf_nan=False)]


class Levers(Strict):
    """What an instrument changes on its dyad; a lever not given is left as it is."""

    transparency: Share | None = Field(
        default=None, description="Standing transparency added (combined as independent)."
    )
    inspection_transparency: Share | None = Field(
        default=None,
        description="Extra transparency while an agreement is in force (verification of it).",
    )
    detection_rate: PerDay | None = Field(
        default=None, description="Daily hazard that a violation is detected, added."
    )
    notification_days: Days | None = Field(
        default=None,
        description="Lead time (days) of prior notification of activities above thresholds.",
    )
    incident_prevention: Share | None = Field(
        default=None, description="Share of contact incidents prevented by rules of conduct."
    )
    attribution: Share | None = Field(
        default=None,
        description="Share of exogenous incidents whose origin is established jointly (not "
        "misattributed to the adversary).",
    )
    intent_insight: Share | None = Field(
        default=None,
        description="Share of the observers' model error about the other side's security "
        "needs removed (what the instrument reveals about intent).",
    )
    channels: dict[ChannelType, Share] = Field(
        default_factory=dict,
        description="Channel types opened, each at least at this quality.",
    )


SHARE_LEVERS: tuple[str, ...] = (
    "transparency",
    "inspection_transparency",
    "incident_prevention",
    "attribution",
    "intent_insight",
)
"""Levers that are shares, combined as independent chances ``1 - (1 - t)(1 - x)``."""
LEVER_NAMES: tuple[str, ...] = tuple(Levers.model_fields)


class Agreement(Strict):
    """What it takes to agree on an instrument."""

    kind: Literal["unilateral", "bilateral", "multilateral"] = Field(
        description="Who has to agree: one side, the two sides, or a wider group."
    )
    parties: str = Field(description="Who must sign or consent.")
    forum: str | None = Field(default=None, description="Where it is negotiated or kept.")
    status: str | None = Field(
        default=None, description="Where the instrument stands (in force, suspended, lapsed)."
    )


class Instrument(Strict):
    """A transparency or confidence-building instrument and the levers it moves."""

    id: Identifier = Field(description="Short id, used by `dualtrack instruments --instruments`.")
    name: str = Field(description="Readable name.")
    description: str = Field(default="", description="What the instrument does.")
    source: str = Field(
        min_length=1, description="Treaty or document text it rests on, with its section."
    )
    levers: Levers = Field(description="What it changes on its dyad.")
    reveals: str = Field(
        default="", description="What it reveals about intent (how it moves beliefs)."
    )
    intrusiveness: Share = Field(
        description="How intrusive it is for the parties (0 = not at all, 1 = on-site access "
        "at will); a combination adds its members' scores."
    )
    cost: Literal["low", "medium", "high"] = Field(
        description="Running cost (staff, flights, equipment) relative to the others."
    )
    agreement: Agreement = Field(description="What it takes to agree.")
    dyad: Pair | None = Field(
        default=None, description="Dyad it acts on; default: the scenario's focus dyad."
    )


class Catalogue(Strict):
    """The built-in catalogue file: a list of instruments in the scenario format."""

    instruments: list[Instrument] = Field(min_length=1)


@cache
def catalogue() -> dict[str, Instrument]:
    """The built-in instruments by id (read and validated once)."""
    import yaml
    from pydantic import ValidationError

    from dualtrack.scenario.errors import Problem, ScenarioError
    from dualtrack.scenario.loading import problems_from

    source = f"{CATALOGUE_PACKAGE}/{CATALOGUE_FILE}"
    text = resources.files(CATALOGUE_PACKAGE).joinpath(CATALOGUE_FILE).read_text("utf-8")
    try:
        parsed = Catalogue.model_validate(yaml.safe_load(text))
    except ValidationError as error:
        raise ScenarioError(problems_from(error), source) from None
    ids = [i.id for i in parsed.instruments]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ScenarioError([Problem("instruments", f"duplicate ids {twice}")], source)
    return {i.id: i for i in parsed.instruments}


def available(scenario: Scenario) -> dict[str, Instrument]:
    """The catalogue's instruments followed by the scenario's own, by id."""
    return {**catalogue(), **{i.id: i for i in scenario.instruments}}


def instrument_problems(scenario: Scenario) -> list[Problem]:
    """Located problems with a scenario's own instruments: ids and dyads they name."""
    from dualtrack.scenario.errors import Problem

    problems: list[Problem] = []
    built_in = catalogue()
    dyads = {frozenset(d.between) for d in scenario.dyads}
    known = ", ".join(sorted(dyad_id(d.between) for d in scenario.dyads))
    seen: set[str] = set()
    for n, instrument in enumerate(scenario.instruments):
        path = f"instruments[{n}]"
        if instrument.id in built_in:
            problems.append(
                Problem(
                    f"{path}.id",
                    f"{instrument.id!r} is a built-in instrument; expected a new id (the "
                    f"catalogue has {', '.join(built_in)})",
                )
            )
        elif instrument.id in seen:
            problems.append(Problem(f"{path}.id", f"duplicate instrument id {instrument.id!r}"))
        seen.add(instrument.id)
        if instrument.dyad is not None and frozenset(instrument.dyad) not in dyads:
            problems.append(
                Problem(
                    f"{path}.dyad",
                    f"expected a declared dyad ({known}), found {dyad_id(instrument.dyad)}",
                )
            )
    return problems


def _combine(lever: str, current: float, added: float) -> float:
    if lever in SHARE_LEVERS:
        return current + added - current * added  # 1 - (1 - t)(1 - x), exact at t = 0
    if lever == "detection_rate":
        return min(current + added, 100.0)
    return max(current, added)  # notification_days


def _dyad_index(scenario: Scenario, instrument: Instrument) -> int:
    pair = frozenset(instrument.dyad or scenario.focus)
    for index, dyad in enumerate(scenario.dyads):
        if frozenset(dyad.between) == pair:
            return index
    known = ", ".join(dyad_id(d.between) for d in scenario.dyads)
    raise KeyError(
        f"instrument {instrument.id!r}: dyad {dyad_id(tuple(sorted(pair)))} is not declared in "
        f"scenario {scenario.id!r}; its dyads are {known}"
    )


def _apply(data: dict[str, Any], index: int, instrument: Instrument) -> None:
    dyad = data["dyads"][index]
    verification = dyad.setdefault("verification", {})
    note = f"instrument {instrument.id}"
    for lever in LEVER_NAMES:
        added = getattr(instrument.levers, lever)
        if lever == "channels" or added is None or added == 0.0:
            continue
        number = verification.get(lever, {"value": 0.0})
        current = float(number["value"] if isinstance(number, Mapping) else number)
        verification[lever] = {"value": _combine(lever, current, float(added)), "source": note}
    channels = dyad.setdefault("channels", {})
    for kind, quality in instrument.levers.channels.items():
        channel = channels.get(kind)
        kept = quality
        if channel is not None and channel.get("open", True):  # already open: keep the better
            was = channel.get("quality", {"value": 1.0})
            kept = max(float(was["value"] if isinstance(was, Mapping) else was), quality)
        channels[kind] = {"open": True, "quality": {"value": kept, "source": note}}


def apply_instruments(scenario: Scenario, instruments: Sequence[Instrument]) -> Scenario:
    """A new validated scenario in which each instrument's levers act on its dyad.

    With no instrument (or only instruments that give no lever) the scenario is returned as
    it is. A lever moved by an instrument loses its uncertainty range there (its value is the
    instrument's, recorded in the number's source).
    """
    from dualtrack.scenario.loading import validate_scenario

    if not instruments:
        return scenario
    data: dict[str, Any] = scenario.model_dump(mode="json", exclude_none=True)
    for instrument in instruments:
        _apply(data, _dyad_index(scenario, instrument), instrument)
    return validate_scenario(data, f"{scenario.id} with {', '.join(i.id for i in instruments)}")


def intrusiveness(instruments: Sequence[Instrument]) -> float:
    """Intrusiveness of a set of instruments: the sum of its members' scores."""
    return float(sum(i.intrusiveness for i in instruments))
