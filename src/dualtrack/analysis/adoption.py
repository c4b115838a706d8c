"""Continental outcomes of an adoption study: war anywhere, and where cascades start.

The outcomes of :mod:`dualtrack.analysis.outcomes` read the focus dyad; these read every dyad
of the scenario at once. A replicate counts for P(war, any dyad) when at least one dyad
reached war during the run (its highest rung, which includes the starting rung), and so on up
the ladder; P(cascade) is the share of replicates in which war spread
(:mod:`dualtrack.analysis.cascades`, at least two dyads newly at war or an ally pulled in).
Adoption sets run on common random numbers, so their differences get paired intervals
(:func:`dualtrack.analysis.comparison.paired_differences`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from dualtrack.analysis.cascades import cascade_origins, origin_credit
from dualtrack.analysis.comparison import paired_differences
from dualtrack.analysis.outcomes import Outcome, summary_table
from dualtrack.experiments.study_store import combine
from dualtrack.scenario.ladder import Rung


def _anywhere(rung: Rung) -> Callable[[xr.Dataset], NDArray[np.float64]]:
    return lambda ds: (ds.max_rung.max("dyad") >= int(rung)).values.astype(np.float64)


def _cascaded(ds: xr.Dataset) -> NDArray[np.float64]:
    return (origin_credit(ds).values.sum(axis=1) > 0).astype(np.float64)


def _dyads_at_war(ds: xr.Dataset) -> NDArray[np.float64]:
    return (ds.max_rung >= int(Rung.WAR)).sum("dyad").values.astype(np.float64)


CONTINENTAL_OUTCOMES: tuple[Outcome, ...] = (
    Outcome("p_crisis_any", "P(crisis, any dyad)", "probability", "1", _anywhere(Rung.CRISIS)),
    Outcome("p_war_any", "P(war, any dyad)", "probability", "1", _anywhere(Rung.WAR)),
    Outcome(
        "p_horizontal_any",
        "P(horizontal escalation, any dyad)",
        "probability",
        "1",
        _anywhere(Rung.HORIZONTAL_ESCALATION),
    ),
    Outcome(
        "p_nuclear_any", "P(nuclear use, any dyad)", "probability", "1", _anywhere(Rung.NUCLEAR_USE)
    ),
    Outcome("p_cascade", "P(cascade)", "probability", "1", _cascaded),
    Outcome("dyads_at_war", "E[dyads at war]", "mean", "count", _dyads_at_war),
)
"""Outcomes over the whole scenario, one value per replicate each."""


def _by_adopters(table: pd.DataFrame) -> pd.DataFrame:
    return table.rename(columns={"doctrine": "adopters"})


def continental_summary(
    results: Mapping[str, xr.Dataset], confidence: float = 0.95
) -> pd.DataFrame:
    """One row per adoption set and continental outcome: estimate and interval."""
    return _by_adopters(summary_table(results, confidence, CONTINENTAL_OUTCOMES))


def continental_differences(
    results: Mapping[str, xr.Dataset], reference: str, confidence: float = 0.95
) -> pd.DataFrame:
    """Each adoption set's continental outcomes minus the reference set's, paired."""
    table = paired_differences(results, reference, confidence, CONTINENTAL_OUTCOMES)
    return _by_adopters(table)


def adoption_origins(
    results: Mapping[str, xr.Dataset], min_wars: int = 2, confidence: float = 0.95
) -> pd.DataFrame:
    """Which dyads start cascades under each adoption set, with Wilson intervals."""
    return _by_adopters(cascade_origins(combine(results), min_wars, confidence))
