"""The after-action review as one self-contained HTML file, made with the report's machinery.

The same page as ``dualtrack report`` writes (report/html.py, plotly.js inlined, opens
offline): the game's facts; the escalation rungs and beliefs turn by turn (the review
page's own specs, :mod:`dualtrack.web.figures`) drawn by the plotly renderer, each with its
static PNG inlined as a ``data:`` URI; the timeline of moves, injects, adjudications (with
overrides and their reasons) and outcomes; and what each played actor believed after each turn.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg

from dualtrack._version import __version__
from dualtrack.report import figure_spec as fs
from dualtrack.report import matplotlib_renderer, plotly_renderer
from dualtrack.report.html import Block, Section, figure_html, render_page, text_block
from dualtrack.report.tables import Cell, Table
from dualtrack.scenario.ladder import RUNG_LABELS
from dualtrack.web import figures
from dualtrack.web.views import Review


def _png_uri(spec: fs.FigureSpec) -> str:
    with matplotlib_renderer.report_style():
        figure = matplotlib_renderer.draw(spec)
        FigureCanvasAgg(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, dpi=matplotlib_renderer.DPI, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(spec: fs.FigureSpec, slug: str, title: str, caption: str) -> Block:
    return Block(
        "figure",
        slug=slug,
        title=title,
        caption=caption,
        html=figure_html(plotly_renderer.draw(spec), slug),
        png=_png_uri(spec),
    )


def _move_text(move: Mapping[str, Any]) -> str:
    parts = []
    for key, value in move.items():
        if key == "posture":
            parts.append(
                "posture " + ", ".join(f"{cat} {100 * v:.0f}%" for cat, v in value.items())
            )
        else:
            parts.append(f"{key} {value}")
    return "; ".join(parts) or "doctrine"


def _shock_text(inject: Mapping[str, Any]) -> str:
    shock = inject.get("shock", inject)
    label = shock.get("label") or shock.get("kind", "shock")
    when = shock.get("date") or shock.get("start") or ""
    note = f" ({inject['note']})" if inject.get("note") else ""
    return f"{label} from {when}{note}"


def _outcome_text(outcome: Mapping[str, Any] | None) -> str:
    if not outcome:
        return "–"
    parts = [
        f"{dyad}: {d['rung_before']} → {d['rung']}"
        + (", agreement in force" if d["agreement_in_force"] else "")
        + (f", {d['agreements_formed']} formed" if d["agreements_formed"] else "")
        for dyad, d in outcome["dyads"].items()
    ]
    incidents = sum(s["incidents"] for s in outcome["sectors"].values())
    parts.append(f"{incidents} incidents")
    return "; ".join(parts)


def _decision_text(status: str, overrides: Sequence[Mapping[str, Any]], note: str) -> str:
    if status == "accepted":
        text = "accepted the model's adjudication"
    else:
        text = "overrode: " + "; ".join(
            f"{o['field']} of {o['target']} set to {o['value']} (reason: {o['reason']})"
            for o in overrides
        )
    return f"{text}. Note: {note}" if note else text


def timeline_table(review: Review) -> Table:
    """Every committed turn: moves, injects, the decision on the adjudication, the outcome."""
    rows = []
    for turn in review.turns:
        outcome = turn.outcome or {}
        rows.append(
            [
                Cell(str(turn.turn + 1)),
                Cell(f"{outcome.get('from_date', '')} to {outcome.get('to_date', '')}"),
                Cell("; ".join(f"{a}: {_move_text(m)}" for a, m in turn.moves.items()) or "–"),
                Cell("; ".join(_shock_text(i) for i in turn.injects) or "–"),
                Cell(_outcome_text(turn.proposal)),
                Cell(_decision_text(turn.status, turn.overrides, turn.note)),
                Cell(_outcome_text(turn.outcome)),
            ]
        )
    return Table(
        "Timeline",
        ["turn", "dates", "moves", "injects", "model's proposal", "facilitator", "outcome"],
        rows,
        slug="timeline",
    )


def beliefs_table(review: Review) -> Table:
    """What each played actor believed of each adversary after each turn."""
    rows = []
    for turn in review.turns:
        for actor, view in turn.beliefs.items():
            for target, belief in view.get("beliefs", {}).items():
                rows.append(
                    [
                        Cell(str(turn.turn + 1)),
                        Cell(actor),
                        Cell(target),
                        Cell(f"{100 * belief['belief']:.0f}%", css="num"),
                        Cell(f"{view.get('threat', float('nan')):.2f}", css="num"),
                    ]
                )
    return Table(
        "Beliefs after each turn",
        ["turn", "actor", "of", "P(opportunist)", "threat felt"],
        rows,
        note="What each played actor perceived, from its own (noisy) picture.",
        slug="beliefs",
    )


def export_html(review: Review) -> str:
    """The review as one HTML page with every asset inlined."""
    game = review.game
    sections = [
        Section(
            "timeline",
            "Timeline",
            "Each committed turn: the moves the cells submitted (a field left out followed the "
            "actor's doctrine), the White cell's injects, the model's proposed outcome, what "
            "the facilitator decided (overrides with their reasons) and the outcome applied.",
            blocks=[Block("table", table=timeline_table(review))],
        )
    ]
    if review.turns:
        sections.append(
            Section(
                "outcomes",
                "Escalation and beliefs",
                f"Rungs: {', '.join(f'{i} {label}' for i, label in enumerate(RUNG_LABELS))}.",
                blocks=[
                    _figure(
                        figures.rungs(review),
                        "rungs",
                        "Escalation rung of each dyad",
                        "The true rung at the end of each turn.",
                    ),
                    _figure(
                        figures.beliefs(review),
                        "beliefs",
                        "Beliefs, observer → target",
                        "Each actor's belief that the other is an opportunist.",
                    ),
                    Block("table", table=beliefs_table(review)),
                ],
            )
        )
    else:
        sections.append(Section("outcomes", "Escalation and beliefs", "No turn committed yet."))
    sections.append(
        Section(
            "reproduce",
            "Reproduce",
            blocks=[
                text_block(
                    "The game replays exactly from its scenario (hash below), its seed and its "
                    "move log (GameSession.replay). The log:"
                ),
                Block("method", text=json.dumps(review.log, separators=(",", ":"))),
            ],
        )
    )
    return render_page(
        title=f"After-action review: {game.title}",
        description=f"Tabletop exercise {game.game_id} on scenario {game.scenario}.",
        facts=[
            ("scenario", game.scenario),
            ("scenario hash", game.scenario_hash),
            ("seed", str(game.seed)),
            ("turn", f"{game.turn_days} days"),
            ("turns played", str(len(review.turns))),
            ("cells", ", ".join(f"{c.name} ({c.actor or 'observer'})" for c in review.cells)),
        ],
        sections=sections,
        version=__version__,
        folder_files=f"the tabletop database (game {game.game_id})",
        attribution="",
        rerender="the Export link of the game's review page",
    )
