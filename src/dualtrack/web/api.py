"""The JSON API (``/api``), described by the app's OpenAPI document.

Tokens go in ``Authorization: Bearer TOKEN``: the facilitator's for the game, the White cell's
actions and the review; a cell's own for its view, forecast and moves. Request bodies are
validated with the game's own models (:class:`Move`, :class:`Inject`, :class:`Override`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from dualtrack.experiments.game import GameError, Inject, Move, Override
from dualtrack.scenario.schema import Scenario
from dualtrack.web import views
from dualtrack.web.games import CellSpec, Exercises, Unauthenticated
from dualtrack.web.uploads import builtin_scenario, builtins, uploaded_scenario

router = APIRouter(prefix="/api", tags=["api"])
bearer = HTTPBearer(auto_error=False, description="The facilitator's or a cell's join token.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
GameId = Annotated[str, Field(max_length=40)]


class Problem(BaseModel):
    """What was wrong with a request, located (field or file, expected, found)."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": text}
    for code, text in {
        400: "invalid move, inject, override or scenario (located message)",
        401: "no token in the Authorization header",
        403: "the token does not grant this",
        404: "no such game or cell",
        409: "does not fit the game's state (e.g. no current proposal)",
        413: "request body too large",
    }.items()
}


def required_token(credentials: Credentials) -> str:
    """The request's bearer token; 401 before anything else (even the body) when there is none."""
    if credentials is None:
        raise Unauthenticated("this needs a token: send it as 'Authorization: Bearer TOKEN'")
    return credentials.credentials


Token = Annotated[str, Depends(required_token)]


def exercises(request: Request) -> Exercises:
    """The app's games."""
    found: Exercises = request.app.state.exercises
    return found


Games = Annotated[Exercises, Depends(exercises)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioInfo(BaseModel):
    """A built-in scenario and its actors."""

    id: str
    description: str
    actors: dict[str, str] = Field(description="Actor ids and names.")


class CellIn(_Body):
    """A cell to create: a name, and the actor it plays (none: an observer cell)."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    actor: str | None = Field(default=None, max_length=40)


class NewGame(_Body):
    """A game to create from a built-in scenario or a whole scenario file (YAML text)."""

    scenario: str | None = Field(default=None, max_length=100, description="A built-in id.")
    scenario_yaml: str | None = Field(
        default=None, description="A whole scenario file (YAML), validated like `validate`."
    )
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    turn_days: int = Field(default=7, ge=1, le=28)
    title: str = Field(default="", max_length=200)
    cells: list[CellIn] = Field(min_length=1, max_length=12)


class CellOut(BaseModel):
    """A created cell and its join token and link (shown once)."""

    name: str
    actor: str | None
    token: str
    link: str


class GameCreated(BaseModel):
    """A created game: the facilitator's token and link, and each cell's (shown once)."""

    game_id: str
    facilitator_token: str
    facilitator_link: str
    cells: list[CellOut]


class Accepted(BaseModel):
    """A move or inject stored for a turn."""

    turn: int


class Decision(_Body):
    """Accept the proposal (no overrides) or override parts of it, each with its reason."""

    overrides: list[Override] = Field(default_factory=list, max_length=20)
    note: str = Field(default="", max_length=2000, description="The facilitator's comment.")


class ForecastRequest(_Body):
    """Candidate moves to compare on common random numbers."""

    candidates: list[Move] = Field(min_length=1, max_length=4)
    weeks: int = Field(default=4, ge=1, le=8)
    replicates: int = Field(default=200, ge=20, le=400)


class NewToken(BaseModel):
    """A reissued join token and link (the old one no longer works)."""

    cell: str
    token: str
    link: str


def scenario_of(body: NewGame) -> Scenario:
    """The scenario a new game names or carries."""
    if (body.scenario is None) == (body.scenario_yaml is None):
        raise GameError("scenario", "exactly one of scenario or scenario_yaml", "both or none")
    if body.scenario_yaml is not None:
        return uploaded_scenario(body.scenario_yaml.encode("utf-8"), "scenario_yaml")
    assert body.scenario is not None
    return builtin_scenario(body.scenario)


@router.get("/scenarios", response_model=list[ScenarioInfo])
def list_scenarios() -> list[ScenarioInfo]:
    """The built-in scenarios and their actors."""
    return [
        ScenarioInfo(
            id=name,
            description=description,
            actors={a.id: a.name for a in builtin_scenario(name).actors},
        )
        for name, description in builtins().items()
    ]


@router.post("/games", status_code=201, response_model=GameCreated, responses=ERRORS)
def create_game(body: NewGame, request: Request, games: Games) -> GameCreated:
    """Create a game; the tokens in the answer are not stored and cannot be shown again."""
    created = games.create(
        scenario_of(body),
        seed=body.seed,
        cells=[CellSpec(cell.name, cell.actor) for cell in body.cells],
        turn_days=body.turn_days,
        title=body.title,
    )
    game_id = created.game.id
    return GameCreated(
        game_id=game_id,
        facilitator_token=created.facilitator_token,
        facilitator_link=views.join_link(request, game_id, created.facilitator_token),
        cells=[
            CellOut(
                name=cell.name,
                actor=cell.actor,
                token=created.cell_tokens[cell.name],
                link=views.join_link(request, game_id, created.cell_tokens[cell.name]),
            )
            for cell in created.game.cells
        ],
    )


@router.get("/games/{game_id}", response_model=views.FacilitatorState, responses=ERRORS)
def facilitator_state(game_id: GameId, token: Token, games: Games) -> Any:
    """The White cell's picture: true state, MSEL, cells, injects and the current proposal."""
    with games.game(game_id) as (db, game):
        games.require_facilitator(game, token)
        return views.facilitator_state(games, db, game)


@router.post("/games/{game_id}/injects", status_code=201, response_model=Accepted, responses=ERRORS)
def add_inject(game_id: GameId, inject: Inject, token: Token, games: Games) -> Any:
    """Add a contingency inject to the current turn."""
    with games.game(game_id) as (db, game):
        games.require_facilitator(game, token)
        return Accepted(turn=games.add_inject(db, game, inject))


@router.post(
    "/games/{game_id}/adjudication", response_model=views.AdjudicationOut, responses=ERRORS
)
def adjudicate(game_id: GameId, token: Token, games: Games) -> Any:
    """The model's proposed outcome of the current turn (not yet committed)."""
    with games.game(game_id) as (db, game):
        games.require_facilitator(game, token)
        return views.adjudication(games.adjudicate(db, game))


@router.post("/games/{game_id}/decision", response_model=views.AdjudicationOut, responses=ERRORS)
def decide(game_id: GameId, decision: Decision, token: Token, games: Games) -> Any:
    """Accept or override the current proposal, which commits the turn."""
    with games.game(game_id) as (db, game):
        games.require_facilitator(game, token)
        return views.adjudication(games.decide(db, game, decision.overrides, decision.note))


@router.post("/games/{game_id}/cells/{cell}/token", response_model=NewToken, responses=ERRORS)
def reissue(game_id: GameId, cell: str, request: Request, token: Token, games: Games) -> Any:
    """A new join token for a cell (the facilitator's; the old token stops working)."""
    with games.game(game_id) as (_db, game):
        games.require_facilitator(game, token)
    fresh = games.reissue(game_id, cell)
    return NewToken(cell=cell, token=fresh, link=views.join_link(request, game_id, fresh))


@router.get("/games/{game_id}/cells/{cell}", response_model=views.CellState, responses=ERRORS)
def cell_state(game_id: GameId, cell: str, token: Token, games: Games) -> Any:
    """What the cell's actor perceives, its options and its move this turn (the cell's token)."""
    with games.game(game_id) as (db, game):
        found = games.require_cell(game, cell, token)
        return views.cell_state(games, db, game, found)


@router.post(
    "/games/{game_id}/cells/{cell}/moves",
    status_code=201,
    response_model=Accepted,
    responses=ERRORS,
)
def submit_move(game_id: GameId, cell: str, move: Move, token: Token, games: Games) -> Any:
    """Submit (or replace) the cell's move for the current turn."""
    with games.game(game_id) as (db, game):
        found = games.require_cell(game, cell, token)
        return Accepted(turn=games.submit_move(db, game, found, move))


@router.post(
    "/games/{game_id}/cells/{cell}/forecast",
    response_model=dict[str, Any],
    responses=ERRORS,
)
def forecast(
    game_id: GameId,
    cell: str,
    body: ForecastRequest,
    token: Token,
    games: Games,
) -> Any:
    """The model's what-if: outcome probabilities (95% intervals) of each candidate move."""
    with games.game(game_id) as (db, game):
        found = games.require_cell(game, cell, token)
        return games.forecast(db, game, found, body.candidates, body.weeks, body.replicates)


@router.get("/games/{game_id}/review", response_model=views.Review, responses=ERRORS)
def review(game_id: GameId, token: Token, games: Games) -> Any:
    """The after-action review: every turn's moves, injects, adjudication, outcome, beliefs."""
    with games.game(game_id) as (db, game):
        games.require_observer(game, token)
        return views.review(games, db, game)
