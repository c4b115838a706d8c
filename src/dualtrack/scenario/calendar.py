"""The run's calendar: how many steps a horizon takes and on which steps a dated shock acts."""

from __future__ import annotations

import datetime as dt
import math

from dualtrack.scenario.schema import ShockBase


def step_count(horizon_days: float, step_days: float) -> int:
    """Steps needed to cover the horizon (the last one may reach past it)."""
    return math.ceil(horizon_days / step_days - 1e-9)


def step_window(shock: ShockBase, start: dt.date, step: float, n_steps: int) -> slice:
    """Steps during which a shock acts (first day inclusive, end exclusive)."""
    begin = (shock.begins - start).days
    first = max(0, math.ceil(begin / step - 1e-9))
    if shock.end is None:
        last = n_steps
    else:
        last = max(0, math.ceil((shock.end - start).days / step - 1e-9))
    return slice(first, min(last, n_steps))
