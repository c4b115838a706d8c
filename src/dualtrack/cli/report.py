"""The ``report`` command: re-render the HTML report of saved results (nothing is re-run)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from dualtrack.cli.app import app, console, fail


@app.command()
def report(
    results_dir: Annotated[
        Path,
        typer.Argument(
            help="Output folder of `dualtrack run`, `compare` or `regimes` "
            "(holding scenario.yaml, manifest.json, results.nc)."
        ),
    ],
) -> None:
    """Write report.html (self-contained, opens offline) and figures/*.png into RESULTS_DIR."""
    from dualtrack.report import NotAnOutputFolder, render_report  # plotting loads lazily
    from dualtrack.report.regimes import is_regimes_folder, render_regimes_report

    started = time.perf_counter()
    try:
        render = render_regimes_report if is_regimes_folder(results_dir) else render_report
        page = render(results_dir)
    except NotAnOutputFolder as error:
        raise fail(str(error)) from None
    console.print(
        f"wrote {page} and {page.parent / 'figures'}/*.png in "
        f"{time.perf_counter() - started:.1f} s",
        highlight=False,
    )
