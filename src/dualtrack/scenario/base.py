"""Building blocks of every scenario part: the strict base model, identifiers and actor pairs."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from dualtrack.scenario.dyads import pair_from_text

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", max_length=64)]
Pair = Annotated[tuple[Identifier, Identifier], BeforeValidator(pair_from_text)]
"""Two actor ids, written ``[A, B]`` or ``A-B`` (see :mod:`dualtrack.scenario.dyads`)."""


class Strict(BaseModel):
    """Base for scenario parts: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")
