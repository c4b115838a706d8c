"""Adoption studies: one doctrine adopted by several sets of actors, on common random numbers.

An *adoption set* is the actors that take the adopted doctrine; every other actor keeps the
doctrine the scenario gives it, unless a *fallback* is named, which then replaces the adopted
doctrine wherever a non-adopter held it (so that "Belarus only" means that only Belarus holds
it). Each set is one variant of a :class:`~dualtrack.experiments.study.Study`, labelled
``none``, ``all`` or its actor ids joined by ``+`` in scenario order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dualtrack.engine.outputs import RecordMode
from dualtrack.engine.run import DEFAULT_CHUNK
from dualtrack.experiments.study import Study, plan_variants
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.schema import Scenario

ALL = "all"
"""Adoption set of every actor."""
NONE = "none"
"""The empty adoption set: the scenario's doctrines (with the fallback applied)."""


@dataclass(frozen=True)
class AdoptionStudy:
    """A study whose variants are adoption sets of one doctrine."""

    study: Study
    doctrine: str
    fallback: str | None
    adopters: dict[str, tuple[str, ...]]
    """Each set's label and its actor ids."""
    assignments: dict[str, dict[str, str]]
    """Each set's label and the doctrines it replaces, by actor id."""


def parse_adopters(text: str, actor_ids: Sequence[str]) -> tuple[str, ...]:
    """Actor ids of an adoption set given as ``all``, ``none`` or comma-separated ids."""
    words = [word.strip() for word in text.split(",") if word.strip()]
    if words == [ALL]:
        return tuple(actor_ids)
    if words == [NONE] or not words:
        return ()
    unknown = [word for word in words if word not in actor_ids]
    if unknown:
        raise ValueError(
            f"unknown actor {unknown[0]!r} in adoption set {text!r}; expected {ALL}, {NONE} "
            f"or ids among {', '.join(actor_ids)}"
        )
    chosen = set(words)
    return tuple(actor for actor in actor_ids if actor in chosen)


def adoption_label(adopters: Iterable[str], actor_ids: Sequence[str]) -> str:
    """``none``, ``all``, or the adopters' ids joined by ``+`` in scenario order."""
    chosen = set(adopters)
    if not chosen:
        return NONE
    if chosen >= set(actor_ids):
        return ALL
    return "+".join(actor for actor in actor_ids if actor in chosen)


def assignment(
    scenario: Scenario, doctrine: str, adopters: Iterable[str], fallback: str | None = None
) -> dict[str, str]:
    """The doctrines one adoption set replaces, by actor id."""
    chosen = set(adopters)
    replaced = {a.id: doctrine for a in scenario.actors if a.id in chosen}
    if fallback is not None:
        replaced |= {
            a.id: fallback
            for a in scenario.actors
            if a.id not in chosen and a.doctrine.name == doctrine
        }
    return replaced


def plan_adoption(
    scenario: Scenario | str | Path | Mapping[str, Any],
    doctrine: str,
    adoption_sets: Sequence[Iterable[str]],
    *,
    fallback: str | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    record: RecordMode | str = "auto",
    chunk_size: int = DEFAULT_CHUNK,
    backend: str | None = None,
) -> AdoptionStudy:
    """Plans for each adoption set (duplicates are planned once), on the same seed.

    ``backend`` names the engine backend of every plan (``engine.backends``).
    """
    scenario = load_scenario(scenario)
    if not adoption_sets:
        raise ValueError("expected at least one adoption set")
    actor_ids = [a.id for a in scenario.actors]
    adopters: dict[str, tuple[str, ...]] = {}
    for members in adoption_sets:
        chosen = set(members)
        unknown = sorted(chosen - set(actor_ids))
        if unknown:
            raise ValueError(f"unknown actor {unknown[0]!r}; actors are {', '.join(actor_ids)}")
        label = adoption_label(chosen, actor_ids)
        adopters[label] = tuple(a for a in actor_ids if a in chosen)
    assignments = {
        label: assignment(scenario, doctrine, members, fallback)
        for label, members in adopters.items()
    }
    study = plan_variants(
        scenario,
        assignments,
        replicates=replicates,
        seed=seed,
        days=days,
        record=record,
        chunk_size=chunk_size,
        backend=backend,
    )
    return AdoptionStudy(study, doctrine, fallback, adopters, assignments)
