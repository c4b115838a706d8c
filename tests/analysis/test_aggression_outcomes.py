"""Outcomes of deliberate aggression on the focus dyad, on a dataset built by hand."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from dualtrack.analysis.comparison import paired_differences
from dualtrack.analysis.outcomes import (
    OUTCOMES,
    estimate,
    focus_pairs,
    focus_sides,
    summary_table,
)

BY_NAME = {o.name: o for o in OUTCOMES}
PAIRS = ("B->A", "A->B", "A->C", "C->A")
# per replicate, acts of each pair (columns as PAIRS); A->C and C->A are off the focus dyad
PROBES = np.array([[0, 0, 5, 1], [2, 0, 0, 0], [0, 1, 0, 0], [1, 3, 0, 0]])
ATTACKS = np.array([[0, 0, 2, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0]])


def constructed(probes: np.ndarray = PROBES, attacks: np.ndarray = ATTACKS) -> xr.Dataset:
    """Four replicates of a three-actor run whose focus dyad is A-B (pairs listed B first)."""
    replicates = len(probes)
    return xr.Dataset(
        {
            "probes": (("replicate", "pair"), probes),
            "attacks": (("replicate", "pair"), attacks),
            "max_rung": (("replicate", "dyad"), np.zeros((replicates, 2), dtype=np.int8)),
            "agreements": (("replicate", "dyad"), np.zeros((replicates, 2))),
            "days_elevated": (("replicate", "actor"), np.zeros((replicates, 3))),
            "cost": (("replicate", "actor"), np.zeros((replicates, 3))),
        },
        coords={
            "replicate": np.arange(replicates),
            "actor": ["A", "B", "C"],
            "dyad": ["A-C", "A-B"],
            "pair": list(PAIRS),
            "pair_observer": ("pair", [p.split("->")[0] for p in PAIRS]),
            "pair_target": ("pair", [p.split("->")[1] for p in PAIRS]),
        },
        attrs={"focus_dyad": "A-B", "subject": "A", "seed": 1},
    )


def value(name: str, ds: xr.Dataset) -> float:
    return estimate(BY_NAME[name], ds)["estimate"]


def test_the_focus_dyad_names_its_sides_and_pairs_in_its_order() -> None:
    ds = constructed()
    assert focus_sides(ds) == ("A", "B")
    assert focus_pairs(ds) == ("A->B", "B->A")


def test_deliberate_aggression_counts_either_side_of_the_focus_dyad_only() -> None:
    ds = constructed()
    # replicate 0 acts only against C; 1: B probes; 2: A probes; 3: both sides act
    assert value("p_aggression", ds) == pytest.approx(3 / 4)
    assert value("p_aggression_side1", ds) == pytest.approx(2 / 4)  # A: replicates 2, 3
    assert value("p_aggression_side2", ds) == pytest.approx(2 / 4)  # B: replicates 1, 3
    assert value("probes", ds) == pytest.approx((2 + 1 + 1 + 3) / 4)
    assert value("attacks", ds) == pytest.approx(1 / 4)


def test_an_attack_alone_is_aggression() -> None:
    attacks = np.zeros_like(ATTACKS)
    attacks[0, 0] = 1  # B attacks A in replicate 0, nobody probes
    ds = constructed(np.zeros_like(PROBES), attacks)
    assert value("p_aggression", ds) == pytest.approx(1 / 4)
    assert value("p_aggression_side1", ds) == 0.0
    assert value("p_aggression_side2", ds) == pytest.approx(1 / 4)
    assert value("probes", ds) == 0.0


def test_tables_name_the_initiators_and_intervals_are_wilson() -> None:
    ds = constructed()
    table = summary_table({"x": ds}).set_index("outcome")
    assert table.loc["p_aggression_side1", "label"] == "P(aggression by A)"
    assert table.loc["p_aggression_side2", "label"] == "P(aggression by B)"
    assert table.loc["p_aggression", "interval"] == "wilson"
    assert table.loc["probes", "interval"] == "student-t"
    assert table.loc["p_aggression", "low"] < 0.75 < table.loc["p_aggression", "high"]


def test_paired_differences_of_aggression_pair_replicates() -> None:
    reference = constructed()
    quiet = constructed(np.zeros_like(PROBES), np.zeros_like(ATTACKS))
    rows = paired_differences({"ref": reference, "quiet": quiet}, "ref").set_index("outcome")
    assert rows.loc["p_aggression", "difference"] == pytest.approx(-3 / 4)
    assert rows.loc["probes", "difference"] == pytest.approx(-7 / 4)
    assert rows.loc["p_aggression_side2", "label"] == "P(aggression by B)"
