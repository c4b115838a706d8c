"""The ``cascades`` command: which dyads most often start a war that spreads."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from dualtrack.cli.app import JsonOpt, app, console, emit_json, fail, json_mode, say

if TYPE_CHECKING:
    import pandas as pd


def _print_tables(
    summary: pd.DataFrame, origins: pd.DataFrame, min_wars: int, top: int, confidence: float
) -> None:
    """Per doctrine: the share of runs with a cascade, then the dyads that start them."""
    percent = f"{confidence:.0%}"
    for row in summary.itertuples():
        title = (
            f"{escape(row.doctrine) or 'run'}: {row.cascades} cascade(s) in {row.replicates} "
            f"replicates, P(cascade) = {row.p_cascade:.3f} [{row.low:.3f}, {row.high:.3f}] "
            f"({percent} Wilson; >= {min_wars} dyads at war or an ally pulled in)"
        )
        console.print(title, highlight=False)
        mine = origins[origins["doctrine"] == row.doctrine].head(top)
        if mine.empty:
            continue
        table = Table("origin dyad", "origins", "share", f"{percent} interval", box=None)
        for origin in mine.itertuples():
            table.add_row(
                escape(origin.dyad),
                f"{origin.origins:g}",
                f"{origin.share:.3f}",
                f"[{origin.low:.3f}, {origin.high:.3f}]",
            )
        console.print(table)
        if row.tied:
            console.print(
                f"  {row.tied} cascade(s) had tied origins; their credit is split equally",
                highlight=False,
            )


@app.command()
def cascades(
    results_dir: Annotated[
        Path, typer.Argument(help="Output folder of `dualtrack run` or `dualtrack compare`.")
    ],
    min_wars: Annotated[
        int, typer.Option(min=1, help="Dyads at war that make a cascade (or an ally pulled in).")
    ] = 2,
    top: Annotated[int, typer.Option(min=1, help="Origin dyads listed per doctrine.")] = 10,
    confidence: Annotated[
        float, typer.Option(min=0.5, max=0.999, help="Confidence level of the intervals.")
    ] = 0.95,
    csv: Annotated[
        Path | None, typer.Option(help="Also write the origin table to this CSV file.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Which dyads most often start a cascade (war spreading to other dyads or allies)."""
    from dualtrack.analysis.cascades import cascade_origins, cascade_summary
    from dualtrack.analysis.files import save_csv
    from dualtrack.experiments.study_store import load_results

    json_mode(as_json)
    try:
        ds = load_results(results_dir)
        summary = cascade_summary(ds, min_wars, confidence)
        origins = cascade_origins(ds, min_wars, confidence)
    except (FileNotFoundError, ValueError) as error:
        raise fail(str(error)) from None
    if as_json:
        emit_json({"summary": summary, "origins": origins})
    else:
        _print_tables(summary, origins, min_wars, top, confidence)
    if csv is not None:
        save_csv(origins, csv)
        say(f"wrote {csv}")
