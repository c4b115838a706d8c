"""The ``report`` command: re-render the HTML report of saved results (nothing is re-run)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dualtrack.cli.app import InputError, app, fail, invocation, say, stage


def changed_files(folder: Path) -> list[str]:
    """Files the folder's manifest lists whose checksum no longer matches (or that are gone)."""
    from dualtrack.experiments.store import Store
    from dualtrack.experiments.store import changed_files as changed

    store = Store(folder)
    if not store.manifest_path.is_file():
        return []  # not an output folder: the report says so
    try:
        return changed(folder, store.read_manifest())
    except ValueError as error:
        raise InputError(str(error)) from None


@app.command()
def report(
    results_dir: Annotated[
        Path,
        typer.Argument(
            help="Output folder of `dualtrack run`, `compare`, `regimes`, `calibrate` or "
            "`instruments` "
            "(holding scenario.yaml, manifest.json, results.nc)."
        ),
    ],
) -> None:
    """Write report.html (self-contained, opens offline) and figures/*.png into RESULTS_DIR.

    The folder's files are first checked against the checksums in its manifest."""
    from dualtrack.analysis.calibration.folder import is_calibration_folder
    from dualtrack.report import NotAnOutputFolder, render_report  # plotting loads lazily
    from dualtrack.report.calibration_section import render_calibration_report
    from dualtrack.report.instruments_section import (
        is_instruments_folder,
        render_instruments_report,
    )
    from dualtrack.report.regimes import is_regimes_folder, render_regimes_report

    changed = changed_files(results_dir)
    if changed:
        raise InputError(
            f"{results_dir}: {', '.join(changed)} changed since the run wrote "
            "manifest.json (checksums differ); re-run the command recorded in the manifest"
        )
    try:
        render = (
            render_calibration_report
            if is_calibration_folder(results_dir)
            else render_instruments_report
            if is_instruments_folder(results_dir)
            else render_regimes_report
            if is_regimes_folder(results_dir)
            else render_report
        )
        with stage("rendering the report"):
            page = render(results_dir)
    except NotAnOutputFolder as error:
        raise fail(str(error)) from None
    say(f"wrote {page} and {page.parent / 'figures'}/*.png in {invocation.elapsed():.1f} s")
