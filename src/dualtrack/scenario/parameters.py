"""Numeric parameters that carry a source and an uncertainty range.

Every number in a scenario may be written either as a plain value (``0.3``) or as a mapping
``{value: 0.3, low: 0.1, high: 0.6, distribution: triangular, source: "..."}``.  The engine
uses ``value`` (the documented nominal); exploration studies sample the range.

Every number must be finite, and each field declares the range it accepts (a :class:`Range`
in its type, e.g. a probability lies in [0, 1]); the range holds for the value and for both
ends of an uncertainty range. No number's magnitude may exceed :data:`LIMIT`, so that sums and
products over a run cannot overflow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

Distribution = Literal["uniform", "triangular", "loguniform", "truncnormal"]

LIMIT = 1e9
"""Largest magnitude of any scenario number (the neutral doctrine's 'never' ratio is 1e9)."""


def yaml_number(number: float) -> str:
    """A number as YAML writes it (``.nan``, ``.inf``, ``-.inf``, ``0.3``), for messages."""
    if isinstance(number, int):
        return str(number)
    if math.isnan(number):
        return ".nan"
    if math.isinf(number):
        return ".inf" if number > 0 else "-.inf"
    return f"{number:g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


class Uncertain(BaseModel):
    """A number with its nominal value, optional uncertainty range and source note."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float = Field(
        allow_inf_nan=False, description="Nominal value used when the range is not sampled."
    )
    low: float | None = Field(
        default=None, allow_inf_nan=False, description="Lower end of the uncertainty range."
    )
    high: float | None = Field(
        default=None, allow_inf_nan=False, description="Upper end of the uncertainty range."
    )
    distribution: Distribution = Field(
        default="uniform", description="How a study samples the range."
    )
    sd: float | None = Field(
        default=None,
        gt=0,
        le=LIMIT,
        allow_inf_nan=False,
        description="Standard deviation (truncnormal only).",
    )
    source: str | None = Field(default=None, description="Where the number comes from.")
    calibrated: bool = Field(
        default=False, description="True when the value was chosen by calibration."
    )

    @model_validator(mode="before")
    @classmethod
    def _nominal_from_range(cls, data: Any) -> Any:
        """A mapping with a range and no value takes the range's centre as nominal."""
        if isinstance(data, dict) and "value" not in data:
            low, high = data.get("low"), data.get("high")
            if isinstance(low, int | float) and isinstance(high, int | float):
                data = dict(data)
                if data.get("distribution") == "loguniform" and low > 0 and high > 0:
                    data["value"] = math.sqrt(low * high)
                else:
                    data["value"] = (low + high) / 2.0
        return data

    @model_validator(mode="after")
    def _check_range(self) -> Uncertain:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both 'low' and 'high', or neither")
        if self.low is not None and self.high is not None:
            if not self.low <= self.value <= self.high:
                raise ValueError(
                    f"expected low <= value <= high, found low={self.low}, "
                    f"value={self.value}, high={self.high}"
                )
            if self.distribution == "loguniform" and self.low <= 0:
                raise ValueError("a loguniform range needs low > 0")
        if self.distribution == "truncnormal" and self.sd is None and self.low is not None:
            raise ValueError("a truncnormal range needs 'sd'")
        return self

    @property
    def has_range(self) -> bool:
        """True when the parameter declares a range that a study can sample."""
        return self.low is not None and self.high is not None and self.high > self.low

    def with_value(self, value: float) -> Uncertain:
        """The same parameter with another nominal value (used by samplers)."""
        return self.model_copy(update={"value": float(value)})

    def __float__(self) -> float:
        return float(self.value)


def _coerce(data: Any) -> Any:
    """Accept a bare number as ``{value: number}``; reject booleans and strings clearly."""
    if isinstance(data, bool):
        raise ValueError(f"expected a number, found {data!r}")
    if isinstance(data, int | float):
        try:
            number = float(data)
        except OverflowError:
            digits = int(int(data).bit_length() * math.log10(2)) + 1
            raise ValueError(
                f"expected a number of magnitude <= {yaml_number(LIMIT)}, found an integer of "
                f"about {digits} digits"
            ) from None
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number, found {yaml_number(number)}")
        return {"value": number}
    if isinstance(data, str):
        raise ValueError(
            f"expected a number or a mapping {{value, low, high, source}}, found {data!r}"
        )
    if isinstance(data, list | tuple):
        raise ValueError(
            "expected a number or a mapping {value, low, high, source}, found a list; "
            "write a range as {low: ..., high: ...}"
        )
    return data


@dataclass(frozen=True)
class Range:
    """The values a numeric field accepts: its value and both ends of its uncertainty range.

    Placed in a field's type (``Annotated[Uncertain, Range(ge=0, le=1)]``), it is what the
    field is checked against and what the scenario-format reference lists.
    """

    le: float
    ge: float | None = None
    gt: float | None = None

    def check(self, param: Uncertain) -> Uncertain:
        """The parameter, or a ValueError naming the first number outside the range."""
        for name in ("value", "low", "high"):
            number = getattr(param, name)
            if number is None:
                continue
            if self.ge is not None and number < self.ge:
                bound = f">= {yaml_number(self.ge)}"
            elif self.gt is not None and number <= self.gt:
                bound = f"> {yaml_number(self.gt)}"
            elif number > self.le:
                bound = f"<= {yaml_number(self.le)}"
            else:
                continue
            raise ValueError(f"expected {name} {bound}, found {yaml_number(number)}")
        return param

    def __str__(self) -> str:
        """Interval notation, e.g. ``[0, 1]`` or ``(0, 1e9]``."""
        if self.ge is not None:
            low = f"[{yaml_number(self.ge)}"
        else:
            low = "(-.inf" if self.gt is None else f"({yaml_number(self.gt)}"
        return f"{low}, {yaml_number(self.le)}]"


def param(*, ge: float | None = None, gt: float | None = None, le: float = LIMIT) -> Any:
    """An annotated :class:`Uncertain` type accepting numbers in a range (e.g. a probability);
    the range is ``[-LIMIT, LIMIT]`` where no bound is given."""
    bounds = Range(le=le, ge=-LIMIT if ge is None and gt is None else ge, gt=gt)
    return Annotated[Uncertain, BeforeValidator(_coerce), bounds, AfterValidator(bounds.check)]


Real = param()
NonNegative = param(ge=0.0)
Positive = param(gt=0.0)
Probability = param(ge=0.0, le=1.0)
Fraction = Probability

# Quantities of a scenario, each with the range that keeps it meaningful.
Units = param(ge=0.0, le=1e6)
"""Force units near a border (battalion-equivalents, batteries, ...): at most a million."""
ThreatPoints = param(ge=0.0, le=1e6)
"""Threat points (one deployed reference unit = 1)."""
UnitCost = param(ge=0.0, le=1e6)
"""Cost units per unit and day."""
RelativeWeight = param(ge=0.0, le=1e3)
"""A relative weight or share (1 = the default)."""
Factor = param(ge=0.0, le=1e3)
"""A multiplying factor (1 = no change)."""
Bias = param(ge=0.0, le=10.0)
"""An over-estimation factor (0 = none, 1 = double)."""
DailyRate = param(ge=0.0, le=100.0)
"""A hazard or rate per day (events per day): at most 100."""
LeadDays = param(ge=0.0, le=365.0)
"""A warning time in days: at most a year."""
LengthKm = param(gt=0.0, le=40_075.0)
"""A length in km: no border is longer than the equator (40,075 km)."""


def nominal(
    value: float,
    source: str | None = None,
    low: float | None = None,
    high: float | None = None,
    **extra: Any,
) -> Uncertain:
    """Build a parameter default in code, with its source and range."""
    return Uncertain(value=value, source=source, low=low, high=high, **extra)
