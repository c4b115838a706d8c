"""Numeric parameters that carry a source and an uncertainty range.

Every number in a scenario may be written either as a plain value (``0.3``) or as a mapping
``{value: 0.3, low: 0.1, high: 0.6, distribution: triangular, source: "..."}``.  The engine
uses ``value`` (the documented nominal); exploration studies sample the range.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Distribution = Literal["uniform", "triangular", "loguniform", "truncnormal"]


class Uncertain(BaseModel):
    """A number with its nominal value, optional uncertainty range and source note."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float = Field(description="Nominal value used when the range is not sampled.")
    low: float | None = Field(default=None, description="Lower end of the uncertainty range.")
    high: float | None = Field(default=None, description="Upper end of the uncertainty range.")
    distribution: Distribution = Field(
        default="uniform", description="How a study samples the range."
    )
    sd: float | None = Field(
        default=None, gt=0, description="Standard deviation (truncnormal only)."
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
        return {"value": float(data)}
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


def _bounded(ge: float | None, le: float | None, gt: float | None):
    """Validator checking value and range ends against the parameter's physical bounds."""

    def check(param: Uncertain) -> Uncertain:
        for name in ("value", "low", "high"):
            number = getattr(param, name)
            if number is None:
                continue
            if ge is not None and number < ge:
                raise ValueError(f"expected {name} >= {ge}, found {number}")
            if gt is not None and number <= gt:
                raise ValueError(f"expected {name} > {gt}, found {number}")
            if le is not None and number > le:
                raise ValueError(f"expected {name} <= {le}, found {number}")
        return param

    return check


def param(*, ge: float | None = None, le: float | None = None, gt: float | None = None) -> Any:
    """An annotated :class:`Uncertain` type with physical bounds (e.g. a probability)."""
    from pydantic import AfterValidator

    return Annotated[Uncertain, BeforeValidator(_coerce), AfterValidator(_bounded(ge, le, gt))]


Real = param()
NonNegative = param(ge=0.0)
Positive = param(gt=0.0)
Probability = param(ge=0.0, le=1.0)
Fraction = Probability


def nominal(
    value: float,
    source: str | None = None,
    low: float | None = None,
    high: float | None = None,
    **extra: Any,
) -> Uncertain:
    """Build a parameter default in code, with its source and range."""
    return Uncertain(value=value, source=source, low=low, high=high, **extra)
