"""Tabletop game sessions: people play actors turn by turn, the model adjudicates.

``GameSession`` (:mod:`.session`) is one seeded world of a scenario: the played actors'
moves (:class:`Move`) replace their doctrines for a turn, the White cell adds injects
(:class:`Inject`), the facilitator commits the proposed outcome with overrides
(:class:`Override`). Each cell gets its own view (:mod:`.views`), a what-if forecast on common
random numbers (:mod:`.forecast`); a game saves to bytes (:mod:`.snapshot`) and replays from
its log. Bad submissions raise :class:`GameError` (a ValueError) located by field.

Interface (contract §3), as built::

    GameSession.start(scenario, seed, players, turn_days=7) -> GameSession
    session.turn, session.day, session.date, session.done, session.players
    session.options(actor) / view(actor) / truth() / msel()
    session.adjudicate(moves, injects=()) -> dict      # proposes, commits nothing
    session.commit(overrides=()) -> dict               # applies; turn += 1
    session.forecast(actor, candidates, weeks=4, replicates=200) -> dict
    session.snapshot() -> bytes; GameSession.restore(data) -> GameSession
    session.log -> list[dict]; GameSession.replay(scenario, seed, log) -> GameSession

Additions to the contract: ``Move.channel_type`` and ``Move.dyad`` (optional) say which
channel and which dyad a channel or inspection move concerns (default: all); ``Inject`` is
``{"shock": <a scenario shock>, "note": ...}``; ``Override`` is ``{"field", "target",
"value", "reason"}``; the log's first entry is the start (players, turn days), which
``replay`` reads.
"""

from dualtrack.experiments.game.moves import GameError, Inject, Move, Override
from dualtrack.experiments.game.session import GameSession

__all__ = ["GameError", "GameSession", "Inject", "Move", "Override"]
