"""The tabletop database: games, cells, moves, injects, adjudications and session snapshots.

Every change a person makes is a row that stays (the audit trail): a resubmitted move is a
new row, the latest counts; an adjudication records its proposal, the overrides, who decided
and why. A snapshot of the game session is stored at each turn boundary, with the move log
it came from, so that a restarted server goes on where it was (restore, or replay from the
seed and the log). The schema is created and upgraded by the Alembic migrations in
``dualtrack/web/migrations`` only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> dt.datetime:
    """The current time in UTC (every stored time is UTC)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Base of the tabletop tables."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Game(Base):
    """One exercise: a scenario, a seed and the facilitator's (hashed) token."""

    __tablename__ = "games"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    title: Mapped[str] = mapped_column(String(200))
    scenario_id: Mapped[str] = mapped_column(String(100))
    scenario_yaml: Mapped[str] = mapped_column(Text)
    """The resolved scenario (defaults filled in): what the game is replayed from."""
    scenario_hash: Mapped[str] = mapped_column(String(32))
    seed: Mapped[int] = mapped_column(Integer)
    turn_days: Mapped[int] = mapped_column(Integer)
    facilitator_token_hash: Mapped[str] = mapped_column(String(64))
    dualtrack_version: Mapped[str] = mapped_column(String(40))

    cells: Mapped[list[Cell]] = relationship(
        back_populates="game", order_by="Cell.id", cascade="all, delete-orphan"
    )


class Cell(Base):
    """A player cell (an actor) or an observer cell (no actor), with its hashed join token."""

    __tablename__ = "cells"
    __table_args__ = (UniqueConstraint("game_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[str] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(40), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    game: Mapped[Game] = relationship(back_populates="cells")


class Move(Base):
    """A move a cell submitted for a turn (the latest one per actor and turn counts)."""

    __tablename__ = "moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[str] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(40))
    move: Mapped[dict[str, Any]] = mapped_column()
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Inject(Base):
    """A contingency inject the facilitator added for a turn."""

    __tablename__ = "injects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[str] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    inject: Mapped[dict[str, Any]] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Adjudication(Base):
    """The model's proposed outcome of a turn and the facilitator's decision on it.

    ``status``: ``proposed`` (awaiting a decision), ``stale`` (a move or inject came in after
    it), ``accepted`` or ``overridden`` (committed; ``outcome`` is what was applied)."""

    __tablename__ = "adjudications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[str] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    moves: Mapped[dict[str, Any]] = mapped_column()
    """The moves adjudicated, by actor."""
    injects: Mapped[list[Any]] = mapped_column()
    proposal: Mapped[dict[str, Any]] = mapped_column()
    overrides: Mapped[list[Any]] = mapped_column(default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Snapshot(Base):
    """The game session at the start of a turn (``GameSession.snapshot()``) and its move log."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("game_id", "turn"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[str] = mapped_column(ForeignKey("games.id", ondelete="CASCADE"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    log: Mapped[list[Any]] = mapped_column()
    views: Mapped[dict[str, Any]] = mapped_column()
    """What each player actor perceived and the true state at this turn (for the review)."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
