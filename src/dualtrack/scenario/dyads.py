"""How a dyad is written: ``BLR-UKR`` in messages, results and on the command line; in YAML
either ``[BLR, UKR]`` or ``BLR-UKR``.

A dyad's id is its two actor ids joined by ``-`` in the order the scenario's ``dyads`` entry
gives them. Where a pair is read (YAML or a command-line option), either order names the
same dyad. An actor id may itself contain ``-``; such a pair is written as a list in YAML,
and on the command line it is matched against the scenario's dyads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

SEPARATOR = "-"


def dyad_id(pair: Sequence[str]) -> str:
    """The id of a pair of actors, e.g. ``BLR-UKR``."""
    first, second = pair
    return f"{first}{SEPARATOR}{second}"


def pair_from_text(value: Any) -> Any:
    """A pair written ``A-B`` as ``[A, B]``; lists and other values pass unchanged.

    Used before validation, so that YAML may write a pair either way.
    """
    if not isinstance(value, str):
        return value
    parts = value.split(SEPARATOR)
    if len(parts) != 2 or not all(parts):
        raise ValueError(
            f"expected a pair of actor ids written A-B or [A, B] (a list when an id holds "
            f"'-'), found {value!r}"
        )
    return parts


def parse_dyad(text: str, dyads: Iterable[Sequence[str]]) -> tuple[str, str]:
    """The declared pair of the dyad that ``text`` names (``A-B`` or ``B-A``).

    Raises ``KeyError`` with the defined dyads' ids when no dyad matches.
    """
    declared = [(str(a), str(b)) for a, b in dyads]
    for first, second in declared:
        if text.strip() in (dyad_id((first, second)), dyad_id((second, first))):
            return first, second
    listed = ", ".join(dyad_id(pair) for pair in declared) or "none"
    raise KeyError(f"unknown dyad {text!r}; defined dyads are {listed}")
