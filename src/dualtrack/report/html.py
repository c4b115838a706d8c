"""The report page: one self-contained HTML file with plotly.js inlined (opens offline)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2
import plotly.io
import plotly.offline

from dualtrack.report.shocks import ShockMark
from dualtrack.report.tables import Table

TEMPLATE = "report.html.j2"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class Block:
    """One item of a section: a figure, the map, a table, a note or the shock key."""

    kind: str
    slug: str = ""
    title: str = ""
    caption: str = ""
    html: str = ""
    png: str = ""
    text: str = ""
    css: str | None = None
    table: Table | None = None
    marks: Sequence[ShockMark] = ()
    border_km: str = ""
    official_km: str = ""
    length_note: str = ""
    attribution: str = ""


@dataclass
class Section:
    """A titled part of the page."""

    slug: str
    title: str
    intro: str = ""
    notice: str = ""
    blocks: list[Block] = field(default_factory=list)


def figure_html(figure: Any, slug: str) -> str:
    """The ``<div>`` and script that draw one plotly figure (plotly.js itself not included)."""
    html: str = plotly.io.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=f"plot-{slug}",
        config=PLOTLY_CONFIG,
        default_width="100%",
        default_height=f"{int(figure.layout.height or 450)}px",
        validate=False,
    )
    return html


def table_block(table: Table, collapsed: bool = False) -> Block:
    """A table, shown or folded away under its title."""
    return Block("details" if collapsed else "table", title=table.title, table=table)


def text_block(text: str, css: str | None = None) -> Block:
    """A paragraph."""
    return Block("text", text=text, css=css)


_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("dualtrack.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_page(
    *,
    title: str,
    description: str,
    facts: Sequence[tuple[str, str]],
    sections: Sequence[Section],
    version: str,
    folder_files: str,
    attribution: str,
    rerender: str = "dualtrack report RESULTS_DIR",
) -> str:
    """The whole page as one HTML string, plotly.js inlined from the installed package;
    ``rerender`` says how to make it again."""
    return _environment.get_template(TEMPLATE).render(
        title=title,
        description=description,
        facts=facts,
        sections=sections,
        version=version,
        folder_files=folder_files,
        attribution=attribution,
        rerender=rerender,
        plotly_js=plotly.offline.get_plotlyjs(),
    )
