"""What each role sees, as API models: the facilitator's state, a cell's, the review.

A cell's state holds only its own actor's ``view`` (what the actor perceives) and options;
the true state, the MSEL and other cells' moves appear only in the facilitator's state. An
observer cell sees the game's progress and, once turns are committed, the after-action review
(but neither the MSEL's future events nor moves before they are adjudicated).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from dualtrack.web import models
from dualtrack.web.games import Exercises
from dualtrack.web.plain import plain


def join_link(request: Request, game_id: str, token: str) -> str:
    """The absolute link that lets its holder in (sets the token cookie, then redirects)."""
    return str(request.url_for("join", game_id=game_id).include_query_params(token=token))


class GameInfo(BaseModel):
    """A game's identity and progress."""

    game_id: str
    title: str
    scenario: str
    scenario_hash: str
    seed: int
    turn_days: int
    turn: int
    day: int
    done: bool


class CellStatus(BaseModel):
    """A cell, and whether it has submitted a move this turn."""

    name: str
    actor: str | None
    submitted: bool


class AdjudicationOut(BaseModel):
    """A proposed (or decided) outcome of a turn."""

    id: int
    turn: int
    status: str = Field(description="proposed, stale, accepted or overridden")
    moves: dict[str, Any]
    injects: list[Any]
    proposal: dict[str, Any]
    overrides: list[Any]
    note: str
    outcome: dict[str, Any] | None


class FacilitatorState(BaseModel):
    """The White cell's picture of the game."""

    game: GameInfo
    cells: list[CellStatus]
    truth: dict[str, Any]
    msel: list[Any]
    injects: list[Any] = Field(description="Injects added to the current turn.")
    moves: dict[str, Any] = Field(description="Moves submitted this turn, by actor.")
    adjudication: AdjudicationOut | None


class CellState(BaseModel):
    """What a cell sees: its actor's perceived picture and options, or (observers) progress."""

    game: GameInfo
    cell: str
    actor: str | None
    view: dict[str, Any] | None
    options: dict[str, Any] | None
    move: dict[str, Any] | None = Field(description="The cell's move this turn, if submitted.")


class TurnRecord(BaseModel):
    """One committed turn of the after-action review."""

    turn: int
    day: int
    moves: dict[str, Any]
    injects: list[Any]
    proposal: dict[str, Any]
    overrides: list[Any]
    note: str
    status: str
    outcome: dict[str, Any] | None
    beliefs: dict[str, Any] = Field(description="Each played actor's view after the turn.")
    truth: dict[str, Any] = Field(description="The true state after the turn.")


class Review(BaseModel):
    """The after-action review: the game and its committed turns in order."""

    game: GameInfo
    cells: list[CellStatus]
    start: dict[str, Any] = Field(description="Views and true state before the first turn.")
    turns: list[TurnRecord]
    log: list[Any] = Field(description="The move log the game replays from (with the seed).")


def game_info(games: Exercises, db: Session, game: models.Game) -> GameInfo:
    """The game's identity and where it is."""
    session = games.session(db, game)
    return GameInfo(
        game_id=game.id,
        title=game.title,
        scenario=game.scenario_id,
        scenario_hash=game.scenario_hash,
        seed=game.seed,
        turn_days=game.turn_days,
        turn=session.turn,
        day=session.day,
        done=session.done,
    )


def adjudication(row: models.Adjudication) -> AdjudicationOut:
    """An adjudication row for the API."""
    return AdjudicationOut(
        id=row.id,
        turn=row.turn,
        status=row.status,
        moves=row.moves,
        injects=row.injects,
        proposal=row.proposal,
        overrides=row.overrides,
        note=row.reason,
        outcome=row.outcome,
    )


def cell_statuses(games: Exercises, db: Session, game: models.Game) -> list[CellStatus]:
    """Every cell and whether it moved this turn."""
    turn = games.session(db, game).turn
    moved = games.moves(db, game, turn)
    return [
        CellStatus(name=cell.name, actor=cell.actor, submitted=cell.actor in moved)
        for cell in game.cells
    ]


def facilitator_state(games: Exercises, db: Session, game: models.Game) -> FacilitatorState:
    """The facilitator's picture."""
    session = games.session(db, game)
    row = games.proposal(db, game, session.turn)
    return FacilitatorState(
        game=game_info(games, db, game),
        cells=cell_statuses(games, db, game),
        truth=plain(session.truth()),
        msel=plain(session.msel()),
        injects=[i.model_dump(mode="json") for i in games.injects(db, game, session.turn)],
        moves={
            actor: move.model_dump(mode="json", exclude_none=True)
            for actor, move in games.moves(db, game, session.turn).items()
        },
        adjudication=adjudication(row) if row is not None else None,
    )


def cell_state(games: Exercises, db: Session, game: models.Game, cell: models.Cell) -> CellState:
    """A cell's picture: its own actor's only."""
    session = games.session(db, game)
    if cell.actor is None:
        return CellState(
            game=game_info(games, db, game),
            cell=cell.name,
            actor=None,
            view=None,
            options=None,
            move=None,
        )
    move = games.moves(db, game, session.turn).get(cell.actor)
    return CellState(
        game=game_info(games, db, game),
        cell=cell.name,
        actor=cell.actor,
        view=plain(session.view(cell.actor)),
        options=plain(session.options(cell.actor)),
        move=move.model_dump(mode="json", exclude_none=True) if move is not None else None,
    )


def review(games: Exercises, db: Session, game: models.Game) -> Review:
    """Every committed turn, with the beliefs and true state after it."""
    snapshots = {
        s.turn: s
        for s in db.scalars(select(models.Snapshot).where(models.Snapshot.game_id == game.id))
    }
    decided = db.scalars(
        select(models.Adjudication)
        .where(
            models.Adjudication.game_id == game.id,
            models.Adjudication.status.in_(("accepted", "overridden")),
        )
        .order_by(models.Adjudication.turn)
    )
    turns = []
    for row in decided:
        after = snapshots.get(row.turn + 1)
        views = dict(after.views) if after is not None else {}
        truth = views.pop("truth", {})
        turns.append(
            TurnRecord(
                turn=row.turn,
                day=snapshots[row.turn].day if row.turn in snapshots else 0,
                moves=row.moves,
                injects=row.injects,
                proposal=row.proposal,
                overrides=row.overrides,
                note=row.reason,
                status=row.status,
                outcome=row.outcome,
                beliefs=views,
                truth=truth,
            )
        )
    first = snapshots[min(snapshots)] if snapshots else None
    return Review(
        game=game_info(games, db, game),
        cells=cell_statuses(games, db, game),
        start=first.views if first is not None else {},
        turns=turns,
        log=snapshots[max(snapshots)].log if snapshots else [],
    )
