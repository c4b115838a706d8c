"""The HTML report, rendered from real output folders of every record mode."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dualtrack.cli import app
from dualtrack.report import NotAnOutputFolder, load_output_folder, render_report

EXTERNAL_SOURCE = re.compile(
    r"<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIME_FIGURES = ("forces", "perception", "beliefs", "aggression_time", "escalation")
ALWAYS_FIGURES = (
    "differences",
    "max_rung",
    "aggression",
    "tallies",
    "agreements_time",
    "agreement_fates",
    "border_map",
)


def page_text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


@pytest.mark.parametrize("record", ["full", "mean", "summary"])
def test_report_is_written_beside_the_results(rendered: Callable[[str], Path], record: str) -> None:
    page = rendered(record)
    assert page.name == "report.html"
    assert (page.parent / "results.nc").is_file()


@pytest.mark.parametrize("record", ["full", "mean", "summary"])
def test_report_opens_offline_with_plotly_inlined(
    rendered: Callable[[str], Path], record: str
) -> None:
    html = page_text(rendered(record))
    assert EXTERNAL_SOURCE.search(html) is None
    assert "plotly.js v" in html  # the library itself, inlined from the installed package
    assert html.count("Plotly.newPlot") >= len(ALWAYS_FIGURES)


@pytest.mark.parametrize("record", ["full", "mean", "summary"])
def test_report_has_the_headline_tables_and_the_method_note(
    rendered: Callable[[str], Path], record: str
) -> None:
    html = page_text(rendered(record))
    assert 'id="table-summary"' in html
    assert 'id="table-differences"' in html
    assert "P(crisis)" in html and "Days elevated" in html
    assert "Paired difference vs deterrence-only" in html
    assert "Wilson" in html and "Student-t" in html and "common random numbers" in html
    assert 'class="badge yes"' in html  # dual-track differs clearly from deterrence-only


@pytest.mark.parametrize("record", ["full", "mean", "summary"])
def test_report_has_the_border_map_with_lengths_and_attribution(
    rendered: Callable[[str], Path], record: str
) -> None:
    html = page_text(rendered(record))
    assert 'id="plot-border_map"' in html
    assert "863 km" in html and "1,084 km" in html
    assert "Made with Natural Earth" in html
    for sector in ("brest-volyn", "polesie-west", "polesie-east", "gomel-chernihiv"):
        assert sector in html


@pytest.mark.parametrize("record", ["full", "mean"])
def test_time_series_charts_are_drawn_when_the_run_kept_them(
    rendered: Callable[[str], Path], record: str
) -> None:
    html = page_text(rendered(record))
    for slug in TIME_FIGURES:
        assert f'id="plot-{slug}"' in html
    assert "Russia-Ukraine war" in html  # the shock key
    assert "S2+S3" in html  # shocks with the same dates share one tagged band


def test_full_record_fans_say_they_use_every_replicate(rendered: Callable[[str], Path]) -> None:
    assert "full trajectories of all 300 replicates" in page_text(rendered("full"))


def test_mean_record_fans_say_they_use_the_traced_replicates(
    rendered: Callable[[str], Path],
) -> None:
    html = page_text(rendered("mean"))
    assert "traced trajectories of the first 256 of 300 replicates" in html


def test_summary_record_shows_distributions_and_says_time_series_need_more(
    rendered: Callable[[str], Path],
) -> None:
    html = page_text(rendered("summary"))
    for slug in TIME_FIGURES:
        assert f'id="plot-{slug}"' not in html
    assert "--record full" in html and "--record mean" in html
    assert 'id="plot-max_rung"' in html and 'id="plot-tallies"' in html


@pytest.mark.parametrize("record", ["full", "mean", "summary"])
def test_every_figure_has_a_static_png_beside_the_page(
    rendered: Callable[[str], Path], record: str
) -> None:
    page = rendered(record)
    html = page_text(page)
    expected = ALWAYS_FIGURES + (TIME_FIGURES if record != "summary" else ())
    for slug in expected:
        png = page.parent / "figures" / f"{slug}.png"
        assert png.read_bytes()[:8] == PNG_SIGNATURE, png
        assert f'href="figures/{slug}.png"' in html


def test_report_lists_the_scenario_and_the_manifest(rendered: Callable[[str], Path]) -> None:
    html = page_text(rendered("mean"))
    for table in ("settings", "actors", "forces", "doctrines", "relations", "channels", "shocks"):
        assert f'id="table-{table}"' in html
    folder = load_output_folder(rendered("mean").parent)
    assert str(folder.manifest["scenario_hash"]) in html
    assert "dualtrack run belarus-ukraine-2024" in html  # the command that reproduces it


def test_paired_differences_are_computed_when_the_folder_has_no_comparison(
    output_folder: Callable[[str], Path], tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(output_folder("summary"), copy, ignore=shutil.ignore_patterns("report*"))
    (copy / "comparison.csv").unlink()
    folder = load_output_folder(copy)
    assert folder.reference == "deterrence-only"
    assert "computed by the report" in folder.comparison_source


def test_cli_report_re_renders_from_saved_results(
    output_folder: Callable[[str], Path], tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(
        output_folder("summary"), copy, ignore=shutil.ignore_patterns("report*", "fig*")
    )
    before = {p.name: p.stat().st_mtime_ns for p in copy.iterdir()}
    result = CliRunner().invoke(app, ["report", str(copy)])
    assert result.exit_code == 0, result.output
    assert (copy / "report.html").is_file()
    assert (copy / "figures" / "border_map.png").is_file()
    for name, stamp in before.items():  # nothing re-run: the results are untouched
        assert (copy / name).stat().st_mtime_ns == stamp


def test_cli_report_on_a_folder_without_results_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not results")
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a dualtrack output folder" in result.output
    assert "results.nc" in result.output


def test_cli_report_on_a_missing_folder_fails_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "is not a folder" in result.output


def test_unreadable_results_raise_a_clear_error(
    output_folder: Callable[[str], Path], tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(output_folder("summary"), copy, ignore=shutil.ignore_patterns("report*"))
    (copy / "results.nc").write_bytes(b"not a netCDF file")
    with pytest.raises(NotAnOutputFolder, match="cannot read the results dataset"):
        render_report(copy)


def test_single_doctrine_run_on_a_scenario_without_vendored_geometry(
    make_two_actor: Callable[[], dict[str, object]], tmp_path: Path
) -> None:
    scenario = tmp_path / "two-actors.yaml"
    scenario.write_text(yaml.safe_dump(make_two_actor()), encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["run", str(scenario), "-d", "dual-track", "-n", "64", "--days", "20"]
    result = CliRunner().invoke(
        app, [*arguments, "--record", "full", "--workers", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = page_text(render_report(out))
    assert "No vendored geometry matches this scenario" in html
    assert "A single doctrine was run" in html
    assert 'id="plot-forces"' in html and 'id="plot-border_map"' not in html
