"""Cascade origins on hand-made results with known answers, and the ``cascades`` command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from dualtrack.analysis.cascades import cascade_origins, cascade_summary, origin_credit
from dualtrack.analysis.outcomes import proportion_interval
from dualtrack.cli import app

NAN = np.nan
DYADS = ["A-B", "B-C", "C-D", "NATO-X"]
ACTORS = ["A", "B", "NATO"]


def hand_made(escalation: np.ndarray | None = None) -> xr.Dataset:
    """Six replicates with known cascades (see the comments)."""
    first_war_day = np.array(
        [
            [NAN, NAN, NAN, NAN],  # 0: no war
            [10.0, 12.0, NAN, NAN],  # 1: A-B then B-C: origin A-B
            [NAN, 5.0, NAN, NAN],  # 2: B-C with an ally pulled in: origin B-C
            [7.0, NAN, 7.0, NAN],  # 3: A-B and C-D on the same day: a tie
            [20.0, NAN, NAN, NAN],  # 4: one war, nobody pulled in: no cascade
            [31.0, 30.0, 0.0, NAN],  # 5: C-D at war from the start; B-C then A-B: origin B-C
        ]
    )
    pulled_in = np.zeros((6, 3), dtype=bool)
    pulled_in[2, 2] = True
    max_rung = np.where(np.isnan(first_war_day), 2, 6).astype(np.int8)
    data = {
        "first_war_day": (("replicate", "dyad"), first_war_day),
        "max_rung": (("replicate", "dyad"), max_rung),
        "pulled_in": (("replicate", "actor"), pulled_in),
    }
    if escalation is not None:
        data["escalation"] = (("replicate", "time", "dyad"), escalation)
    return xr.Dataset(
        data,
        coords={"replicate": np.arange(6), "dyad": DYADS, "actor": ACTORS},
        attrs={"doctrine": "dual-track"},
    )


def test_replicates_that_do_not_spread_have_no_origin():
    credit = origin_credit(hand_made())
    assert credit.sel(replicate=[0, 4]).sum() == 0
    np.testing.assert_allclose(credit.sum("dyad").values, [0, 1, 1, 1, 0, 1])


def test_origin_shares_are_the_known_ones():
    table = cascade_origins(hand_made()).set_index("dyad")
    assert table["cascades"].unique().tolist() == [4]
    assert table.loc["A-B", "origins"] == 1.5  # replicate 1, and half of the tie
    assert table.loc["B-C", "origins"] == 2.0  # replicates 2 and 5
    assert table.loc["C-D", "origins"] == 0.5  # half of the tie; not replicate 5's status quo
    assert "NATO-X" not in table.index
    np.testing.assert_allclose(table["share"], [0.5, 0.375, 0.125])
    assert list(table.index) == ["B-C", "A-B", "C-D"]  # most frequent first


def test_origin_intervals_are_wilson_intervals_of_the_counts():
    table = cascade_origins(hand_made(), confidence=0.9).set_index("dyad")
    assert (table.loc["B-C", "low"], table.loc["B-C", "high"]) == proportion_interval(2, 4, 0.9)


def test_trajectories_break_a_tie_by_who_climbed_first():
    escalation = np.zeros((6, 10, 4), dtype=np.int8)
    escalation[3, 3:, 0] = 5  # A-B at limited conflict from step 3
    escalation[3, 7:, 0] = 7
    escalation[3, 7:, 2] = 6  # C-D dragged straight to war at step 7
    table = cascade_origins(hand_made(escalation)).set_index("dyad")
    assert table.loc["A-B", "origins"] == 2.0
    assert "C-D" not in table.index
    assert cascade_summary(hand_made(escalation))["tied"].item() == 0
    assert cascade_summary(hand_made())["tied"].item() == 1


def test_summary_gives_the_share_of_replicates_that_cascade():
    row = cascade_summary(hand_made()).iloc[0]
    assert (row["replicates"], row["cascades"], row["p_cascade"]) == (6, 4, pytest.approx(4 / 6))
    assert (row["low"], row["high"]) == proportion_interval(4, 6, 0.95)


def test_a_stricter_definition_counts_fewer_cascades():
    assert cascade_summary(hand_made(), min_wars=3)["cascades"].item() == 1  # only the pull-in


def test_a_study_gives_rows_per_doctrine():
    one = hand_made()
    quiet = one.copy(deep=True)
    quiet["first_war_day"][:] = NAN
    quiet["pulled_in"][:] = False
    study = xr.concat([one, quiet], dim=pd.Index(["dual-track", "dialogue-only"], name="doctrine"))
    summary = cascade_summary(study).set_index("doctrine")
    assert summary.loc["dialogue-only", "cascades"] == 0
    assert np.isnan(cascade_origins(study, include_zero=True).query("cascades == 0")["share"]).all()
    assert set(cascade_origins(study)["doctrine"]) == {"dual-track"}


def test_a_dataset_without_the_variables_is_refused():
    with pytest.raises(ValueError, match="missing pulled_in"):
        origin_credit(hand_made().drop_vars("pulled_in"))


def test_cascades_command_prints_the_origins(tmp_path):
    study = xr.concat([hand_made()], dim=pd.Index(["dual-track"], name="doctrine"))
    study.to_netcdf(tmp_path / "results.nc")
    result = CliRunner().invoke(app, ["cascades", str(tmp_path), "--csv", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    assert "4 cascade(s) in 6 replicates" in result.output
    assert "B-C" in result.output and "0.500" in result.output
    assert pd.read_csv(tmp_path / "c.csv")["dyad"].tolist() == ["B-C", "A-B", "C-D"]


def test_cascades_command_explains_a_missing_folder(tmp_path):
    result = CliRunner().invoke(app, ["cascades", str(tmp_path / "nothing")])
    assert result.exit_code == 2
