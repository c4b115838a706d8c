"""What each instrument buys: paired effects, the risk-intrusiveness frontier, robustness.

Effects are paired differences against the set without instruments on common random numbers
(``comparison.paired_differences``). The frontier keeps the instrument sets that no other set
beats on both risk reduction and intrusiveness (Pareto). Robustness runs each set at points of
the uncertainty (a sweep's design or a posterior's draws): at each point the paired effect;
across points the share of points where the set helps (a Wilson interval, the points being
independent draws of the design) and the mean effect (Student-t interval over points).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from dualtrack.analysis.comparison import paired_differences
from dualtrack.analysis.outcomes import OUTCOMES, Outcome, mean_interval, proportion_interval
from dualtrack.experiments.instruments import BASELINE, InstrumentSet, RobustnessStudy

EFFECT_OUTCOMES: tuple[Outcome, ...] = tuple(
    o
    for name in ("p_crisis", "p_aggression", "p_war", "agreements", "cost")
    for o in OUTCOMES
    if o.name == name
)
"""The outcomes an instruments study reports, in order."""
HIGHER_IS_BETTER = frozenset({"agreements"})
"""Outcomes an instrument helps by raising; it helps the others by lowering them."""
RISK_OUTCOMES: tuple[str, ...] = ("p_crisis", "p_aggression", "p_war")
"""Outcomes a frontier may trade against intrusiveness."""


def _sets_frame(sets: Sequence[InstrumentSet]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "instruments": [s.name for s in sets],
            "members": [len(s.members) for s in sets],
            "intrusiveness": [s.intrusiveness for s in sets],
        }
    )


def effects_table(
    results: Mapping[str, xr.Dataset],
    sets: Sequence[InstrumentSet],
    confidence: float = 0.95,
    outcomes: Sequence[Outcome] = EFFECT_OUTCOMES,
) -> pd.DataFrame:
    """One row per instrument set and outcome: paired difference vs no instrument, interval,
    whether it helps distinguishably, the set's size and intrusiveness."""
    differences = paired_differences(results, BASELINE, confidence, outcomes)
    differences = differences.rename(columns={"doctrine": "instruments"})
    sign = np.where(differences["outcome"].isin(list(HIGHER_IS_BETTER)), 1.0, -1.0)
    differences["helps"] = differences["distinguishable"].astype(bool) & (
        sign * differences["difference"] > 0.0
    )
    return differences.merge(_sets_frame(sets), on="instruments", how="left")


def frontier(effects: pd.DataFrame, risk: str = "p_crisis") -> pd.DataFrame:
    """Risk reduction (reference minus set, with its interval) against intrusiveness, one row
    per set (the set without instruments at the origin), and whether the set is on the Pareto
    frontier: no other set reduces the risk at least as much with no more intrusiveness, and
    one of the two strictly."""
    if risk not in RISK_OUTCOMES:
        raise KeyError(
            f"expected a risk outcome, one of {', '.join(RISK_OUTCOMES)}; found {risk!r}"
        )
    rows = effects[effects["outcome"] == risk]
    table = pd.DataFrame(
        {
            "instruments": [BASELINE, *rows["instruments"]],
            "members": [0, *rows["members"]],
            "intrusiveness": [0.0, *rows["intrusiveness"]],
            "reduction": [0.0, *(-rows["difference"])],
            "reduction_low": [0.0, *(-rows["high"])],
            "reduction_high": [0.0, *(-rows["low"])],
        }
    )
    table["outcome"] = risk
    reduction = table["reduction"].to_numpy()
    cost = table["intrusiveness"].to_numpy()
    dominated = np.zeros(len(table), dtype=bool)
    for k in range(len(table)):
        better_or_equal = (reduction >= reduction[k]) & (cost <= cost[k])
        strictly = (reduction > reduction[k]) | (cost < cost[k])
        dominated[k] = bool(np.any(better_or_equal & strictly))
    table["on_frontier"] = ~dominated
    return table.sort_values(["intrusiveness", "reduction"]).reset_index(drop=True)


def point_effects(
    robustness: RobustnessStudy,
    results: Mapping[str, xr.Dataset],
    confidence: float = 0.95,
    outcomes: Sequence[Outcome] = EFFECT_OUTCOMES,
) -> pd.DataFrame:
    """Each set's paired effect at each feasible point (columns as :func:`effects_table`, plus
    ``point``)."""
    frames = []
    for point in robustness.points:
        at_point = robustness.results_at(results, point)
        table = effects_table(at_point, robustness.sets, confidence, outcomes)
        table.insert(0, "point", point)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def draw_effects(
    results: Mapping[str, xr.Dataset],
    sets: Sequence[InstrumentSet],
    replicate_blocks: Sequence[tuple[int, int]],
    confidence: float = 0.95,
    outcomes: Sequence[Outcome] = EFFECT_OUTCOMES,
) -> pd.DataFrame:
    """Each set's paired effect within each block of replicates (one posterior draw each),
    with ``point`` the draw's index (columns as :func:`point_effects`)."""
    frames = []
    for draw, (start, count) in enumerate(replicate_blocks):
        block = {n: ds.isel(replicate=slice(start, start + count)) for n, ds in results.items()}
        table = effects_table(block, sets, confidence, outcomes)
        table.insert(0, "point", draw)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def robustness_table(per_point: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per set and outcome, across points: the share of points where it helps (its estimate
    better than no instrument, Wilson interval), the share where it helps distinguishably, and
    the mean effect over points (Student-t interval), with the smallest and largest."""
    rows = []
    for (name, outcome), group in per_point.groupby(["instruments", "outcome"], sort=False):
        sign = 1.0 if outcome in HIGHER_IS_BETTER else -1.0
        effect = group["difference"].to_numpy(dtype=np.float64)
        better = int(np.sum(sign * effect > 0.0))
        n = len(effect)
        share_low, share_high = proportion_interval(better, n, confidence)
        mean_low, mean_high = mean_interval(effect, confidence)
        rows.append(
            {
                "instruments": name,
                "outcome": outcome,
                "label": group["label"].iloc[0],
                "points": n,
                "share_helps": better / n,
                "share_low": share_low,
                "share_high": share_high,
                "share_helps_distinguishably": float(group["helps"].mean()),
                "mean_effect": float(np.mean(effect)),
                "mean_low": mean_low,
                "mean_high": mean_high,
                "min_effect": float(np.min(effect)),
                "max_effect": float(np.max(effect)),
                "intrusiveness": float(group["intrusiveness"].iloc[0]),
                "confidence": confidence,
            }
        )
    return pd.DataFrame(rows)
