"""Plain JSON values for the database and the API: non-finite numbers become null.

PostgreSQL's JSON and strict JSON parsers reject NaN and infinities, and a value stored and
read back must compare equal to the one computed (tuples become lists, numpy scalars Python
numbers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def plain(value: Any) -> Any:
    """``value`` with every float finite or None, every sequence a list, keys strings."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
