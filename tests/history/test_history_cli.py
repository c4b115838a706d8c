"""The history commands end to end: timeline table, tension plot, pattern validation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from dualtrack.cli import app

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"


def test_history_prints_the_whole_coded_timeline() -> None:
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 0, result.output
    assert "70 of 70" in result.output
    for event_id in ("E001", "E024", "E053", "E059"):
        assert event_id in result.output
    assert "Sign formal agreement" in result.output  # CAMEO label of the Minsk documents


def test_history_filters_by_date_and_writes_the_tension_plot(tmp_path: Path) -> None:
    plot = tmp_path / "tension.png"
    args = ["history", "--from", "2024-07-13", "--to", "2024-08", "--plot", str(plot)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "(7 of 70)" in result.output  # E053-E058 and E069 (Kursk, 6 Aug)
    assert "E053" in result.output and "E058" in result.output
    assert "E052" not in result.output and "E059" not in result.output
    assert plot.read_bytes()[:8] == PNG
    assert f"wrote {plot}" in result.output


def test_history_year_bounds_keep_the_whole_year() -> None:
    result = runner.invoke(app, ["history", "--from", "2014", "--to", "2015"])
    assert result.exit_code == 0, result.output
    assert "(9 of 70)" in result.output  # E002-E009 and E060


def test_history_rejects_a_bad_date_with_the_option_named() -> None:
    result = runner.invoke(app, ["history", "--from", "2024-13-01"])
    assert result.exit_code == 2
    assert "--from: expected a date YYYY-MM-DD" in result.output
    assert "'2024-13-01'" in result.output
    result = runner.invoke(app, ["history", "--from", "2024", "--to", "2023"])
    assert result.exit_code == 2
    assert "--to: expected a date on or after --from (2024-01-01)" in result.output


def test_validate_history_prints_the_pattern_table_and_writes_csv_and_png(
    tmp_path: Path,
) -> None:
    out = tmp_path / "validation"
    result = runner.invoke(app, ["validate-history", "-n", "200", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for text in ("dual-track", "deterrence-only", "(a)", "(b)", "(c)", "NOT reproduced"):
        assert text in result.output
    table = pd.read_csv(out / "patterns.csv")
    assert len(table) == 8
    assert set(table["doctrine"]) == {"dual-track", "deterrence-only"}
    assert (table["runs"] == 200).all()
    assert (out / "patterns.png").read_bytes()[:8] == PNG
