"""Small real output folders (two doctrines, 60 days) written by the CLI, one per record mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import xarray as xr
from typer.testing import CliRunner

from dualtrack.analysis.comparison import paired_differences
from dualtrack.cli import app

DOCTRINES = ("deterrence-only", "dual-track")
REPLICATES = 300
DAYS = 60


def write_output_folder(folder: Path, record: str) -> Path:
    """``dualtrack run`` on the built-in scenario, plus a comparison.csv of paired differences."""
    arguments = ["run", "-n", str(REPLICATES), "--days", str(DAYS), "--workers", "1"]
    arguments += [arg for name in DOCTRINES for arg in ("-d", name)]
    result = CliRunner().invoke(app, [*arguments, "--record", record, "--out", str(folder)])
    assert result.exit_code == 0, result.output
    with xr.open_dataset(folder / "results.nc") as stored:
        results = stored.load()
    per_doctrine = {str(d): results.sel(doctrine=d) for d in results["doctrine"].values}
    paired_differences(per_doctrine, "deterrence-only").to_csv(
        folder / "comparison.csv", index=False
    )
    return folder


@pytest.fixture(scope="session")
def output_folder(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Output folder for a record mode (full, mean or summary), written once per session."""
    made: dict[str, Path] = {}

    def make(record: str) -> Path:
        if record not in made:
            made[record] = write_output_folder(tmp_path_factory.mktemp(f"run-{record}"), record)
        return made[record]

    return make


@pytest.fixture(scope="session")
def rendered(output_folder: Callable[[str], Path]) -> Callable[[str], Path]:
    """The report page rendered from the output folder of a record mode (once per session)."""
    from dualtrack.report import render_report

    pages: dict[str, Path] = {}

    def render(record: str) -> Path:
        if record not in pages:
            pages[record] = render_report(output_folder(record))
        return pages[record]

    return render
