"""The HTML pages: create a game, join it, the facilitator's and the cells' pages, the review.

A join link (``/games/ID/join?token=T``) sets the token in an HttpOnly cookie scoped to the
holder's pages (the facilitator's: the game; a cell's: its own pages) and redirects, so the
token leaves the address bar. Every form carries the CSRF token (:mod:`security`); a POST
without the right one is refused before anything else is read.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

import plotly.offline
import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from dualtrack.experiments.game import GameError, Inject, Move, Override
from dualtrack.scenario.errors import format_path, input_message
from dualtrack.scenario.loading import dump_scenario
from dualtrack.scenario.schema import Scenario
from dualtrack.web import charts, figures, views
from dualtrack.web.games import BadRequest, CellSpec, Exercises, Forbidden
from dualtrack.web.rendering import render
from dualtrack.web.review import export_html
from dualtrack.web.security import CSRF_COOKIE, CSRF_FIELD, csrf_valid
from dualtrack.web.uploads import (
    MAX_NODES,
    aliases_explode,
    builtin_scenario,
    builtins,
    uploaded_scenario,
)

router = APIRouter(include_in_schema=False)
FACILITATOR_COOKIE = "dt_facilitator"
CELL_COOKIE = "dt_cell"
MAX_OBSERVERS = 4


def exercises(request: Request) -> Exercises:
    """The app's games."""
    found: Exercises = request.app.state.exercises
    return found


Games = Annotated[Exercises, Depends(exercises)]


async def checked_form(request: Request) -> FormData:
    """The POSTed form, once its CSRF field matches the CSRF cookie (else 403)."""
    form = await request.form()
    field = form.get(CSRF_FIELD)
    if not csrf_valid(request.cookies.get(CSRF_COOKIE), field if isinstance(field, str) else None):
        raise Forbidden("the form's CSRF token is missing or wrong; reload the page and retry")
    return form


Form = Annotated[FormData, Depends(checked_form)]


def form_message(error: RequestValidationError) -> str:
    """A located one-line message for a malformed page request."""
    return (
        "; ".join(f"{format_path(item['loc'])}: {item['msg']}" for item in error.errors())
        or "malformed request"
    )


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


SHOCK_KINDS = ("incident_rate", "channel", "perceived_buildup", "war")
"""Tags pydantic puts in a shock's error locations (the union member), left out of paths."""


def _parsed(kind: type[Any], data: dict[str, Any], where: str) -> Any:
    """``data`` as the pydantic ``kind``, or a GameError located at the first problem."""
    try:
        return kind.model_validate(data)
    except ValidationError as error:
        item = error.errors()[0]
        loc = [part for part in item["loc"] if part not in SHOCK_KINDS]
        path = format_path(loc)
        field = f"{where}.{path}" if path else where
        message = "required field is missing" if item["type"] == "missing" else input_message(item)
        raise BadRequest(f"{field}: {message}") from None


@functools.cache
def _plotly_js() -> str:
    return str(plotly.offline.get_plotlyjs())


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js from the installed plotly package: the file the exported review inlines,
    served by the app so the pages' figures need no CDN."""
    return Response(
        _plotly_js(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


# --- creating a game -----------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """The start page: pick a built-in scenario or upload one."""
    return render(request, "home.html.j2", scenarios=builtins())


def _cells_page(
    request: Request, scenario: Scenario, source: str, seed: int, days: int
) -> Response:
    return render(
        request,
        "cells.html.j2",
        scenario=scenario,
        source=source,
        scenario_yaml=dump_scenario(scenario) if source == "upload" else "",
        seed=seed,
        turn_days=days,
        observers=MAX_OBSERVERS,
    )


def _int(form: FormData, name: str, low: int, high: int, default: int) -> int:
    text = _text(form, name)
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise GameError(name, f"a whole number from {low} to {high}", text)
    return int(text)


@router.post("/new", response_class=HTMLResponse)
async def new_game(request: Request, form: Form) -> Response:
    """Step 1: the scenario (built-in or uploaded), seed and turn length; then the cells."""
    seed = _int(form, "seed", 0, 2**32 - 1, 0)
    days = _int(form, "turn_days", 1, 28, 7)
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        scenario = uploaded_scenario(await upload.read(), upload.filename)
        return _cells_page(request, scenario, "upload", seed, days)
    name = _text(form, "scenario")
    return _cells_page(request, builtin_scenario(name), name, seed, days)


@router.post("/games", response_class=HTMLResponse)
def create_game(request: Request, form: Form, games: Games) -> Response:
    """Step 2: create the game with its cells; shows every join link once."""
    source = _text(form, "source")
    if source == "upload":
        scenario = uploaded_scenario(_text(form, "scenario_yaml").encode("utf-8"), "upload")
    else:
        scenario = builtin_scenario(source)
    cells = [
        CellSpec(_text(form, f"name.{actor.id}") or actor.id, actor.id)
        for actor in scenario.actors
        if form.get(f"play.{actor.id}")
    ]
    observers = _int(form, "observers", 0, MAX_OBSERVERS, 0)
    cells += [CellSpec(f"observer-{n + 1}", None) for n in range(observers)]
    created = games.create(
        scenario,
        seed=_int(form, "seed", 0, 2**32 - 1, 0),
        cells=cells,
        turn_days=_int(form, "turn_days", 1, 28, 7),
        title=_text(form, "title")[:200],
    )
    game_id = created.game.id
    links = [
        (cell.name, cell.actor, views.join_link(request, game_id, created.cell_tokens[cell.name]))
        for cell in created.game.cells
    ]
    response = render(
        request,
        "created.html.j2",
        game=created.game,
        facilitator_link=views.join_link(request, game_id, created.facilitator_token),
        links=links,
    )
    _set_token(response, FACILITATOR_COOKIE, created.facilitator_token, f"/games/{game_id}")
    return response


def _set_token(response: Response, name: str, token: str, path: str) -> None:
    response.set_cookie(name, token, httponly=True, samesite="lax", path=path)


@router.get("/games/{game_id}/join", name="join")
def join(game_id: str, token: str, games: Games) -> Response:
    """Let the link's holder in: the token goes into a cookie, then to the holder's page."""
    role = games.role(game_id, token)
    if role is None:
        raise Forbidden("this join link is not valid for this game (reissued, or mistyped)")
    if role == "facilitator":
        response = _see_other(f"/games/{game_id}/facilitator")
        _set_token(response, FACILITATOR_COOKIE, token, f"/games/{game_id}")
    else:
        path = f"/games/{game_id}/cells/{role}"
        response = _see_other(path)
        _set_token(response, CELL_COOKIE, token, path)
    return response


# --- the facilitator -----------------------------------------------------------------------


@router.get("/games/{game_id}/facilitator", response_class=HTMLResponse)
def facilitator(request: Request, game_id: str, games: Games) -> Response:
    """The White cell's page: true state, MSEL, injects, the turn's moves and adjudication."""
    with games.game(game_id) as (db, game):
        games.require_facilitator(game, request.cookies.get(FACILITATOR_COOKIE))
        state = views.facilitator_state(games, db, game)
    return render(
        request,
        "facilitator.html.j2",
        state=state,
        truth=charts.truth_picture(state.truth),
        targets=charts.override_targets(state.truth),
    )


def _inject_from(form: FormData) -> Inject:
    """The inject in the form: a shock in the scenario format (YAML, safe-loaded, its aliases
    checked like an uploaded scenario's) and a note."""
    text = _text(form, "shock")
    expected = "a shock in the scenario format (YAML)"
    if aliases_explode(text):
        raise GameError("shock", f"{expected} without aliases", f"more than {MAX_NODES} nodes")
    try:
        shock = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as error:
        raise GameError("shock", expected, str(error)[:200]) from None
    note = _text(form, "note") or None
    inject: Inject = _parsed(Inject, {"shock": shock, "note": note}, "inject")
    return inject


@router.post("/games/{game_id}/facilitator/injects")
def add_inject(request: Request, game_id: str, form: Form, games: Games) -> Response:
    """Add an inject written as a scenario shock (read once the facilitator is known)."""
    with games.game(game_id) as (db, game):
        games.require_facilitator(game, request.cookies.get(FACILITATOR_COOKIE))
        games.add_inject(db, game, _inject_from(form))
    return _see_other(f"/games/{game_id}/facilitator#turn")


@router.post("/games/{game_id}/facilitator/adjudicate")
def adjudicate(request: Request, game_id: str, form: Form, games: Games) -> Response:
    """Ask the model for the turn's outcome."""
    with games.game(game_id) as (db, game):
        games.require_facilitator(game, request.cookies.get(FACILITATOR_COOKIE))
        games.adjudicate(db, game)
    return _see_other(f"/games/{game_id}/facilitator#adjudication")


def _value(text: str) -> int | bool | str:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lstrip("-").isdigit():
        return int(text)
    return text


def _overrides_from(form: FormData) -> list[Override]:
    """The override rows of the decision form that have a value (none: accept)."""
    rows = _text(form, "rows")
    overrides: list[Override] = []
    for index in range(int(rows) if rows.isdigit() else 0):
        value = _text(form, f"value.{index}")
        if not value:
            continue
        field, _, where = _text(form, f"target.{index}").partition(":")
        overrides.append(
            _parsed(
                Override,
                {
                    "field": field,
                    "target": where,
                    "value": _value(value),
                    "reason": _text(form, f"reason.{index}"),
                },
                f"overrides[{len(overrides)}]",
            )
        )
    return overrides


@router.post("/games/{game_id}/facilitator/decision")
def decide(request: Request, game_id: str, form: Form, games: Games) -> Response:
    """Accept the proposal or override its rows that have a value; commits the turn."""
    with games.game(game_id) as (db, game):
        games.require_facilitator(game, request.cookies.get(FACILITATOR_COOKIE))
        games.decide(db, game, _overrides_from(form), _text(form, "note")[:2000])
    return _see_other(f"/games/{game_id}/facilitator")


@router.post("/games/{game_id}/facilitator/cells/{cell}/token", response_class=HTMLResponse)
def reissue(request: Request, game_id: str, cell: str, form: Form, games: Games) -> Response:
    """A new join link for a cell that lost its own."""
    with games.game(game_id) as (_db, game):
        games.require_facilitator(game, request.cookies.get(FACILITATOR_COOKIE))
    token = games.reissue(game_id, cell)
    return render(
        request,
        "reissued.html.j2",
        game_id=game_id,
        cell=cell,
        link=views.join_link(request, game_id, token),
    )


# --- a cell --------------------------------------------------------------------------------


def _move_from(form: FormData, options: dict[str, Any]) -> Move:
    """A move from the cell's form: blank fields are left to the actor's doctrine."""
    data: dict[str, Any] = {}
    posture = {}
    for category in charts.posture_categories(options):
        text = _text(form, f"posture.{category}")
        if text:
            try:
                posture[category] = float(text)
            except ValueError:
                raise GameError(f"posture.{category}", "a fraction from 0 to 1", text) from None
    if posture:
        data["posture"] = posture
    for name in ("talks", "channel", "channel_type", "dyad", "inspection"):
        if _text(form, name):
            data[name] = _text(form, name)
    step = _text(form, "unilateral_step")
    if step:
        try:
            data["unilateral_step"] = float(step)
        except ValueError:
            raise GameError("unilateral_step", "a fraction from 0 to 1", step) from None
    move: Move = _parsed(Move, data, "move")
    return move


def _cell_page(
    request: Request,
    games: Games,
    game_id: str,
    cell: str,
    forecast: dict[str, Any] | None = None,
    candidate: Move | None = None,
) -> Response:
    with games.game(game_id) as (db, game):
        found = games.require_cell(game, cell, request.cookies.get(CELL_COOKIE))
        state = views.cell_state(games, db, game, found)
    return render(
        request,
        "cell.html.j2",
        state=state,
        picture=charts.view_picture(state.view) if state.view is not None else None,
        form=charts.move_form(
            state.options,
            candidate.model_dump(mode="json", exclude_none=True) if candidate else state.move,
        )
        if state.options is not None
        else None,
        forecast=charts.forecast_table(forecast) if forecast is not None else None,
    )


@router.get("/games/{game_id}/cells/{cell}", response_class=HTMLResponse)
def cell_page(request: Request, game_id: str, cell: str, games: Games) -> Response:
    """A cell's page: its actor's picture and beliefs, its options, its move."""
    return _cell_page(request, games, game_id, cell)


@router.post("/games/{game_id}/cells/{cell}/moves")
def submit_move(request: Request, game_id: str, cell: str, form: Form, games: Games) -> Response:
    """Submit the cell's move for this turn."""
    with games.game(game_id) as (db, game):
        found = games.require_cell(game, cell, request.cookies.get(CELL_COOKIE))
        options = games.session(db, game).options(found.actor) if found.actor else {}
        games.submit_move(db, game, found, _move_from(form, options))
    return _see_other(f"/games/{game_id}/cells/{cell}")


@router.post("/games/{game_id}/cells/{cell}/forecast", response_class=HTMLResponse)
def forecast(request: Request, game_id: str, cell: str, form: Form, games: Games) -> Response:
    """The model's what-if for the move in the form against the actor's own doctrine."""
    with games.game(game_id) as (db, game):
        found = games.require_cell(game, cell, request.cookies.get(CELL_COOKIE))
        options = games.session(db, game).options(found.actor) if found.actor else {}
        candidate = _move_from(form, options)
        result = games.forecast(db, game, found, [Move(), candidate], 4, 200)
    return _cell_page(request, games, game_id, cell, forecast=result, candidate=candidate)


# --- the after-action review ---------------------------------------------------------------


def _reviewer(request: Request, games: Exercises, game_id: str, cell: str | None) -> None:
    with games.game(game_id) as (_db, game):
        token = request.cookies.get(CELL_COOKIE if cell else FACILITATOR_COOKIE)
        role = games.require_observer(game, token)
        if cell is not None and role != cell:
            raise Forbidden(f"this needs observer cell {cell}'s token")


def _review_page(request: Request, games: Exercises, game_id: str, base: str) -> Response:
    with games.game(game_id) as (db, game):
        review = views.review(games, db, game)
    timeline = (
        charts.Picture(
            charts=[
                (
                    "Escalation rung of each dyad (day of the game)",
                    figures.markup(figures.rungs(review), "rungs"),
                ),
                (
                    "Beliefs: P(the other is an opportunist), observer → target",
                    figures.markup(figures.beliefs(review), "beliefs"),
                ),
            ]
        )
        if review.turns
        else charts.Picture()
    )
    return render(request, "review.html.j2", review=review, timeline=timeline, base=base)


@router.get("/games/{game_id}/review", response_class=HTMLResponse)
def review_page(request: Request, game_id: str, games: Games) -> Response:
    """The after-action review (facilitator)."""
    _reviewer(request, games, game_id, None)
    return _review_page(request, games, game_id, f"/games/{game_id}")


@router.get("/games/{game_id}/cells/{cell}/review", response_class=HTMLResponse)
def observer_review_page(request: Request, game_id: str, cell: str, games: Games) -> Response:
    """The after-action review (an observer cell)."""
    _reviewer(request, games, game_id, cell)
    return _review_page(request, games, game_id, f"/games/{game_id}/cells/{cell}")


def _export(games: Exercises, game_id: str) -> Response:
    with games.game(game_id) as (db, game):
        review = views.review(games, db, game)
    return HTMLResponse(
        export_html(review),
        headers={"Content-Disposition": f'attachment; filename="review-{game_id}.html"'},
    )


@router.get("/games/{game_id}/review/export")
def export(request: Request, game_id: str, games: Games) -> Response:
    """The review as one self-contained HTML file (facilitator)."""
    _reviewer(request, games, game_id, None)
    return _export(games, game_id)


@router.get("/games/{game_id}/cells/{cell}/review/export")
def observer_export(request: Request, game_id: str, cell: str, games: Games) -> Response:
    """The review as one self-contained HTML file (an observer cell)."""
    _reviewer(request, games, game_id, cell)
    return _export(games, game_id)
