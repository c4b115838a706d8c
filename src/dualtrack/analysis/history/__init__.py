"""History: the coded Belarus-Ukraine event timeline 2001-2024, its tension index, and replay.

- :mod:`.events` loads and validates the shipped timeline and the CAMEO/Goldstein table;
- :mod:`.tension` turns coded events into a decayed conflict-cooperation series per dyad and
  track (Goldstein 1992 scores);
- :mod:`.replay` checks a scenario's dated shocks against the coded events.

Validation of simulated patterns against the 2024 record is in
:mod:`dualtrack.analysis.validation`.
"""

from dualtrack.analysis.history.events import (
    ACTORS,
    NO_ACTOR,
    TRACKS,
    EventDataError,
    EventProblem,
    dyad_of,
    filter_events,
    load_cameo,
    load_events,
    plover_category,
    validate_events,
)
from dualtrack.analysis.history.replay import (
    EVIDENCE,
    ShockMatch,
    mismatches,
    replay_shocks,
    replay_table,
)
from dualtrack.analysis.history.tension import (
    DEFAULT_HALF_LIFE_DAYS,
    TensionIndex,
    decay_per_day,
)

__all__ = [
    "ACTORS",
    "DEFAULT_HALF_LIFE_DAYS",
    "EVIDENCE",
    "NO_ACTOR",
    "TRACKS",
    "EventDataError",
    "EventProblem",
    "ShockMatch",
    "TensionIndex",
    "decay_per_day",
    "dyad_of",
    "filter_events",
    "load_cameo",
    "load_events",
    "mismatches",
    "plover_category",
    "replay_shocks",
    "replay_table",
    "validate_events",
]
