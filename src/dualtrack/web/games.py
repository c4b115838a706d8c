"""Exercises: games in the database, played through :class:`GameSession`.

The database is the truth; the live sessions are a cache. Each game's session is kept in
memory with the id of the snapshot it came from; an operation first checks that this is still
the newest snapshot of the game (otherwise another process moved on, or the server
restarted) and restores it, or, when a snapshot cannot be restored (a different dualtrack
version), replays the game from its seed and the move log stored with the snapshot.

A turn: cells submit moves (a later one replaces an earlier one), the facilitator adds
injects, asks for the model's adjudication, then accepts it or overrides parts of it (each
override with its reason) and so commits the turn. A move or inject that arrives after the
proposal makes it stale: the facilitator must adjudicate again. Committing re-proposes from
the stored moves and injects first, so that a restart between proposal and decision loses
nothing; the proposal must come out the same, or the commit is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dualtrack._version import __version__
from dualtrack.experiments.game import GameError, GameSession, Inject, Move, Override
from dualtrack.scenario.loading import dump_scenario, scenario_hash, validate_scenario
from dualtrack.scenario.schema import Scenario
from dualtrack.web import models
from dualtrack.web.plain import plain
from dualtrack.web.security import matching, new_token, token_hash, token_matches

CELL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_CELLS = 12


class NotFound(LookupError):
    """No such game or cell."""


class Unauthenticated(PermissionError):
    """No token came with a request that needs one (401)."""


class Forbidden(PermissionError):
    """The token does not grant this."""


class BadRequest(ValueError):
    """A located problem with a request's form or body (400)."""


class Conflict(RuntimeError):
    """The request does not fit the game's state (e.g. nothing to commit)."""


@dataclass(frozen=True)
class CellSpec:
    """A cell to create: its name and the actor it plays (None: an observer cell)."""

    name: str
    actor: str | None


@dataclass(frozen=True)
class Created:
    """A new game with its tokens, shown once (only their hashes are stored)."""

    game: models.Game
    facilitator_token: str
    cell_tokens: Mapping[str, str]


def check_cells(scenario: Scenario, cells: Sequence[CellSpec]) -> None:
    """Cells must have distinct names and distinct actors of the scenario; a GameError if not."""
    actors = [actor.id for actor in scenario.actors]
    if not cells or len(cells) > MAX_CELLS:
        raise GameError("cells", f"1 to {MAX_CELLS} cells", len(cells))
    names: set[str] = set()
    played: set[str] = set()
    for index, cell in enumerate(cells):
        where = f"cells[{index}]"
        if not CELL_NAME.match(cell.name):
            raise GameError(f"{where}.name", "1-40 letters, digits, '-' or '_'", cell.name)
        if cell.name in names:
            raise GameError(f"{where}.name", "a name no other cell has", cell.name)
        names.add(cell.name)
        if cell.actor is None:
            continue
        if cell.actor not in actors:
            raise GameError(f"{where}.actor", f"one of {', '.join(actors)} or none", cell.actor)
        if cell.actor in played:
            raise GameError(f"{where}.actor", "an actor no other cell plays", cell.actor)
        played.add(cell.actor)
    if not played:
        raise GameError("cells", "at least one cell that plays an actor", "observers only")


def _game_id() -> str:
    return new_token()[:12].replace("-", "x").replace("_", "y")


class Exercises:
    """The games of one database, with their live sessions."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._live: dict[str, tuple[int, GameSession]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def game(self, game_id: str) -> Iterator[tuple[Session, models.Game]]:
        """The game (locked against concurrent changes) in a database transaction."""
        with self._guard:
            lock = self._locks.setdefault(game_id, threading.Lock())
        with lock:
            try:
                with self.factory.begin() as db:
                    game = db.get(models.Game, game_id)
                    if game is None:
                        raise NotFound(f"no game {game_id!r}")
                    yield db, game
            except BaseException:
                # the live session may be ahead of the database that was rolled back
                self._live.pop(game_id, None)
                raise

    # --- creating and joining ---------------------------------------------------------

    def create(
        self,
        scenario: Scenario,
        seed: int,
        cells: Sequence[CellSpec],
        turn_days: int = 7,
        title: str = "",
    ) -> Created:
        """A new game at turn 0, its first snapshot stored, with fresh tokens."""
        check_cells(scenario, cells)
        players = [cell.actor for cell in cells if cell.actor is not None]
        session = GameSession.start(scenario, seed=seed, players=players, turn_days=turn_days)
        facilitator = new_token()
        tokens = {cell.name: new_token() for cell in cells}
        game = models.Game(
            id=_game_id(),
            title=title or scenario.name,
            scenario_id=scenario.id,
            scenario_yaml=dump_scenario(scenario),
            scenario_hash=scenario_hash(scenario),
            seed=seed,
            turn_days=turn_days,
            facilitator_token_hash=token_hash(facilitator),
            dualtrack_version=__version__,
            cells=[
                models.Cell(
                    name=cell.name, actor=cell.actor, token_hash=token_hash(tokens[cell.name])
                )
                for cell in cells
            ],
        )
        with self.factory.begin() as db:
            db.add(game)
            db.flush()
            snapshot = self._store_snapshot(db, game, session)
        self._live[game.id] = (snapshot.id, session)
        return Created(game, facilitator, tokens)

    def reissue(self, game_id: str, cell_name: str) -> str:
        """A new join token for a cell (the old one stops working)."""
        with self.game(game_id) as (_db, game):
            cell = self._cell(game, cell_name)
            token = new_token()
            cell.token_hash = token_hash(token)
        return token

    def role(self, game_id: str, token: str | None) -> str | None:
        """``facilitator``, a cell's name, or None: whom the token identifies in the game."""
        with self.factory() as db:
            game = db.get(models.Game, game_id)
            if game is None:
                return None
            stored = [("facilitator", game.facilitator_token_hash)]
            stored += [(cell.name, cell.token_hash) for cell in game.cells]
            return matching(token, stored)

    @staticmethod
    def require_facilitator(game: models.Game, token: str | None) -> None:
        """Forbidden unless the token is the facilitator's."""
        if not token_matches(token, game.facilitator_token_hash):
            raise Forbidden("this needs the facilitator's token")

    def require_cell(self, game: models.Game, cell_name: str, token: str | None) -> models.Cell:
        """The cell, Forbidden unless the token is that cell's own."""
        cell = self._cell(game, cell_name)
        if not token_matches(token, cell.token_hash):
            raise Forbidden(f"this needs cell {cell_name}'s token")
        return cell

    def require_observer(self, game: models.Game, token: str | None) -> str:
        """``facilitator`` or the observer cell's name; Forbidden for anyone else.

        The review shows every actor's moves and beliefs: not for a cell that plays one."""
        stored = [("facilitator", game.facilitator_token_hash)]
        stored += [(c.name, c.token_hash) for c in game.cells if c.actor is None]
        role = matching(token, stored)
        if role is None:
            raise Forbidden("this needs the facilitator's or an observer cell's token")
        return role

    @staticmethod
    def _cell(game: models.Game, name: str) -> models.Cell:
        for cell in game.cells:
            if cell.name == name:
                return cell
        raise NotFound(f"no cell {name!r} in game {game.id}")

    # --- the live session ----------------------------------------------------------------

    def session(self, db: Session, game: models.Game) -> GameSession:
        """The game's session at its newest snapshot (cached; restored or replayed)."""
        snapshot = self._latest(db, game)
        live = self._live.get(game.id)
        if live is not None and live[0] == snapshot.id:
            return live[1]
        try:
            session = GameSession.restore(snapshot.data)
        except Exception:  # noqa: BLE001  (another version's snapshot: replay from the log)
            session = GameSession.replay(self.scenario(game), game.seed, snapshot.log)
        self._live[game.id] = (snapshot.id, session)
        return session

    @staticmethod
    def scenario(game: models.Game) -> Scenario:
        """The game's scenario, as stored."""
        return validate_scenario(yaml.safe_load(game.scenario_yaml), f"game {game.id}")

    @staticmethod
    def _latest(db: Session, game: models.Game) -> models.Snapshot:
        snapshot = db.scalars(
            select(models.Snapshot)
            .where(models.Snapshot.game_id == game.id)
            .order_by(models.Snapshot.turn.desc())
            .limit(1)
        ).first()
        if snapshot is None:
            raise Conflict(f"game {game.id} has no stored session")
        return snapshot

    def _store_snapshot(
        self, db: Session, game: models.Game, session: GameSession
    ) -> models.Snapshot:
        views: dict[str, Any] = {actor: session.view(actor) for actor in session.players}
        views["truth"] = session.truth()
        snapshot = models.Snapshot(
            game_id=game.id,
            turn=session.turn,
            day=session.day,
            data=session.snapshot(),
            log=plain(session.log),
            views=plain(views),
        )
        db.add(snapshot)
        db.flush()
        return snapshot

    # --- the turn ----------------------------------------------------------------------------

    @staticmethod
    def moves(db: Session, game: models.Game, turn: int) -> dict[str, Move]:
        """The latest move of each actor for the turn."""
        rows = db.scalars(
            select(models.Move)
            .where(models.Move.game_id == game.id, models.Move.turn == turn)
            .order_by(models.Move.id)
        )
        return {row.actor: Move.model_validate(row.move) for row in rows}

    @staticmethod
    def injects(db: Session, game: models.Game, turn: int) -> list[Inject]:
        """The injects added for the turn, in order."""
        rows = db.scalars(
            select(models.Inject)
            .where(models.Inject.game_id == game.id, models.Inject.turn == turn)
            .order_by(models.Inject.id)
        )
        return [Inject.model_validate(row.inject) for row in rows]

    @staticmethod
    def proposal(db: Session, game: models.Game, turn: int) -> models.Adjudication | None:
        """The turn's newest adjudication (proposed, stale or decided), if any."""
        return db.scalars(
            select(models.Adjudication)
            .where(models.Adjudication.game_id == game.id, models.Adjudication.turn == turn)
            .order_by(models.Adjudication.id.desc())
            .limit(1)
        ).first()

    def _stale(self, db: Session, game: models.Game, turn: int) -> None:
        current = self.proposal(db, game, turn)
        if current is not None and current.status == "proposed":
            current.status = "stale"

    def _open_session(self, db: Session, game: models.Game) -> GameSession:
        session = self.session(db, game)
        if session.done:
            raise Conflict(f"game {game.id} is over (day {session.day})")
        return session

    def submit_move(self, db: Session, game: models.Game, cell: models.Cell, move: Move) -> int:
        """Store the cell's move for the current turn (checked against its options)."""
        if cell.actor is None:
            raise Forbidden(f"cell {cell.name} observes; it plays no actor")
        session = self._open_session(db, game)
        move = session.check_move(cell.actor, move, "move")
        db.add(
            models.Move(
                game_id=game.id,
                turn=session.turn,
                cell_id=cell.id,
                actor=cell.actor,
                move=move.model_dump(mode="json", exclude_none=True),
            )
        )
        self._stale(db, game, session.turn)
        return session.turn

    def add_inject(self, db: Session, game: models.Game, inject: Inject) -> int:
        """Store an inject for the current turn, checked by a trial adjudication (it must refer
        to the scenario's actors, dyads and sectors and start today or later)."""
        session = self._open_session(db, game)
        # checked as the adjudication will use it: with the turn's moves and injects
        session.adjudicate(
            self.moves(db, game, session.turn), [*self.injects(db, game, session.turn), inject]
        )
        db.add(
            models.Inject(
                game_id=game.id,
                turn=session.turn,
                inject=inject.model_dump(mode="json", exclude_none=True),
                note=inject.note or "",
            )
        )
        self._stale(db, game, session.turn)
        return session.turn

    def adjudicate(self, db: Session, game: models.Game) -> models.Adjudication:
        """The model's proposed outcome of the current turn, stored for the decision."""
        session = self._open_session(db, game)
        self._stale(db, game, session.turn)
        moves = self.moves(db, game, session.turn)
        injects = self.injects(db, game, session.turn)
        proposal = plain(session.adjudicate(moves, injects))
        row = models.Adjudication(
            game_id=game.id,
            turn=session.turn,
            status="proposed",
            moves={
                actor: move.model_dump(mode="json", exclude_none=True)
                for actor, move in moves.items()
            },
            injects=[inject.model_dump(mode="json", exclude_none=True) for inject in injects],
            proposal=proposal,
            overrides=[],
        )
        db.add(row)
        db.flush()
        return row

    def decide(
        self, db: Session, game: models.Game, overrides: Sequence[Override], note: str = ""
    ) -> models.Adjudication:
        """Accept the proposal (no overrides) or override parts of it; commits the turn."""
        session = self._open_session(db, game)
        row = self.proposal(db, game, session.turn)
        if row is None or row.status != "proposed":
            state = "stale: a move or inject came in after it" if row is not None else "none"
            raise Conflict(
                f"no current proposal for turn {session.turn} ({state}); adjudicate first"
            )
        again = plain(
            session.adjudicate(
                self.moves(db, game, session.turn), self.injects(db, game, session.turn)
            )
        )
        if again != row.proposal:
            row.status = "stale"
            raise Conflict("the proposal changed since it was shown; adjudicate again")
        outcome = plain(session.commit(overrides))
        row.status = "overridden" if overrides else "accepted"
        row.overrides = [o.model_dump(mode="json") for o in overrides]
        row.reason = note
        row.outcome = outcome
        row.decided_at = dt.datetime.now(dt.UTC)
        snapshot = self._store_snapshot(db, game, session)
        self._live[game.id] = (snapshot.id, session)
        return row

    def forecast(
        self,
        db: Session,
        game: models.Game,
        cell: models.Cell,
        candidates: Sequence[Move],
        weeks: int,
        replicates: int,
    ) -> dict[str, Any]:
        """The model's what-if for the cell's own actor (nothing is stored or changed)."""
        if cell.actor is None:
            raise Forbidden(f"cell {cell.name} observes; it plays no actor")
        session = self._open_session(db, game)
        result: dict[str, Any] = plain(
            session.forecast(cell.actor, candidates, weeks=weeks, replicates=replicates)
        )
        return result
