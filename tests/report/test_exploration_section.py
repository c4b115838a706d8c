"""The report shows a stored exploration (sweep, sensitivity, discovery) when there is one."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dualtrack.cli import app
from dualtrack.report import render_report

runner = CliRunner()


def test_report_gains_an_exploration_section_from_stored_sweep_results(tmp_path: Path) -> None:
    out = tmp_path / "run"
    small = ["--days", "40", "--workers", "1"]
    assert (
        runner.invoke(
            app, ["run", "-n", "256", "-d", "dual-track", *small, "--out", str(out)]
        ).exit_code
        == 0
    )
    page = render_report(out)
    assert 'id="exploration"' not in page.read_text(encoding="utf-8")

    sweep = out / "exploration"
    explore = [
        "explore",
        "belarus-ukraine-2024",
        "--design",
        "morris",
        "--points",
        "4",
        "--replicates",
        "32",
        "--days",
        "40",
        "--doctrines",
        "dual-track",
        "--parameters",
        "mechanisms.escalation.up_*",
        "--processes",
        "1",
        "--out",
        str(sweep),
    ]
    assert runner.invoke(app, explore).exit_code == 0
    assert runner.invoke(app, ["sensitivity", str(sweep)]).exit_code == 0
    discover = [
        "discover",
        str(sweep),
        "--outcome",
        "p_crisis",
        "--threshold",
        "0.2",
        "--doctrine",
        "dual-track",
    ]
    assert runner.invoke(app, discover).exit_code == 0

    html = render_report(out).read_text(encoding="utf-8")
    assert 'id="exploration"' in html
    assert "Outcomes across the sampled points" in html
    assert "Most influential parameters on p_crisis (morris)" in html
    assert "(PRIM)" in html
    assert "data:image/png;base64," in html  # figures embedded: the page stays one file
