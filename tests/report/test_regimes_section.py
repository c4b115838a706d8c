"""A regimes folder inside a results folder gets its section in that folder's report."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from dualtrack.cli import app
from dualtrack.report import render_report
from dualtrack.report.regimes import REGIMES_DIR


def test_report_shows_the_regime_map_of_a_regimes_subfolder(
    output_folder: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = tmp_path / "results"
    shutil.copytree(output_folder("summary"), folder)
    page = render_report(folder).read_text(encoding="utf-8")
    assert 'id="plot-regime_map"' not in page
    arguments = ["regimes", "--actor", "BLR", "--x", "mechanisms.escalation.up_rate"]
    arguments += ["--x-values", "0.005,0.03", "--y-values", "0.6,1.0", "-n", "16"]
    arguments += ["--days", "20", "--workers", "1", "--out", str(folder / REGIMES_DIR)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    page = render_report(folder).read_text(encoding="utf-8")
    assert 'id="plot-regime_map"' in page and "Where each doctrine wins" in page
    assert (folder / "figures" / "regime_map.png").is_file()
