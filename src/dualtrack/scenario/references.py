"""Cross-reference checks: every id a scenario names must be defined, and fit its role."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from dualtrack.doctrines import REGISTRY
from dualtrack.scenario.dyads import dyad_id
from dualtrack.scenario.errors import Problem, format_path, input_message
from dualtrack.scenario.instruments import instrument_problems
from dualtrack.scenario.schema import (
    ChannelShock,
    IncidentRateShock,
    PerceivedBuildupShock,
    Scenario,
    WarShock,
)


def _known(kind: str, ids: Iterable[str]) -> str:
    return f"defined {kind} are {', '.join(sorted(ids))}"


def _parameter_message(item: Mapping[str, Any], params_model: type[BaseModel]) -> str:
    """What is wrong with one doctrine parameter, with what was expected and found."""
    if item["type"] == "extra_forbidden":
        known = ", ".join(params_model.model_fields) or "none"
        return f"unknown parameter {item['loc'][-1]!r}; expected one of {known}"
    return input_message(item)


def _duplicates(items: list[str], path: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for index, item in enumerate(items):
        if item in seen:
            problems.append(
                Problem(
                    f"{path}[{index}].id", f"duplicate id {item!r} (first at {path}[{seen[item]}])"
                )
            )
        seen.setdefault(item, index)
    return problems


def check_references(scenario: Scenario) -> list[Problem]:
    """Every problem with the references between the parts of a scenario."""
    problems: list[Problem] = []
    categories = [c.id for c in scenario.categories]
    actors = [a.id for a in scenario.actors]
    sectors = [s.id for s in scenario.sectors]
    problems += _duplicates(categories, "categories")
    problems += _duplicates(actors, "actors")
    problems += _duplicates(sectors, "sectors")

    def actor_ref(actor: str, path: str) -> bool:
        if actor not in actors:
            problems.append(Problem(path, f"unknown actor {actor!r}; {_known('actors', actors)}"))
            return False
        return True

    for i, actor in enumerate(scenario.actors):
        for category in actor.forces:
            if category not in categories:
                problems.append(
                    Problem(
                        f"actors[{i}].forces.{category}",
                        f"unknown category {category!r}; {_known('categories', categories)}",
                    )
                )
        for category, spec in actor.forces.items():
            if spec.deployment_rate.value * scenario.settings.step_days > 1.0:
                problems.append(
                    Problem(
                        f"actors[{i}].forces.{category}.deployment_rate",
                        f"expected deployment_rate x step_days <= 1 (step_days = "
                        f"{scenario.settings.step_days:g}), found {spec.deployment_rate.value:g}",
                    )
                )
        for sector_id in actor.sector_weights:
            if sector_id not in sectors:
                problems.append(
                    Problem(
                        f"actors[{i}].sector_weights.{sector_id}",
                        f"unknown sector {sector_id!r}; {_known('sectors', sectors)}",
                    )
                )
        if actor.stationed_with is not None:
            path = f"actors[{i}].stationed_with"
            if actor_ref(actor.stationed_with, path) and actor.stationed_with == actor.id:
                problems.append(Problem(path, "an actor cannot be stationed with itself"))
        doctrine = actor.doctrine
        if doctrine.name not in REGISTRY:
            problems.append(
                Problem(
                    f"actors[{i}].doctrine.name",
                    f"unknown doctrine {doctrine.name!r}; known doctrines are "
                    f"{', '.join(sorted(REGISTRY))}",
                )
            )
        else:
            params_model = REGISTRY[doctrine.name].Params
            try:
                params_model.model_validate(doctrine.params)
            except ValidationError as error:
                for item in error.errors():
                    path = format_path((f"actors[{i}]", "doctrine", "params", *item["loc"]))
                    problems.append(Problem(path, _parameter_message(item, params_model)))

    relation_kind: dict[frozenset[str], str] = {}
    for i, relation in enumerate(scenario.relations):
        ok = [actor_ref(a, f"relations[{i}].between[{k}]") for k, a in enumerate(relation.between)]
        if not all(ok):
            continue
        pair = frozenset(relation.between)
        if pair in relation_kind:
            problems.append(
                Problem(f"relations[{i}]", f"duplicate relation {dyad_id(relation.between)}")
            )
        relation_kind[pair] = relation.kind
        if relation.kind == "ally" and relation.commitment.value <= 0.0:
            problems.append(
                Problem(f"relations[{i}].commitment", "expected a commitment > 0 for allies")
            )
        if relation.kind != "ally" and relation.commitment.value > 0.0:
            problems.append(
                Problem(f"relations[{i}].commitment", f"a {relation.kind} has no commitment")
            )

    dyads: dict[frozenset[str], tuple[str, str]] = {}
    dyad_channels: dict[frozenset[str], set[str]] = {}
    for i, dyad in enumerate(scenario.dyads):
        ok = [actor_ref(a, f"dyads[{i}].between[{k}]") for k, a in enumerate(dyad.between)]
        if not all(ok):
            continue
        pair = frozenset(dyad.between)
        if len(pair) < 2:
            problems.append(Problem(f"dyads[{i}].between", "expected two different actors"))
            continue
        if pair in dyads:
            problems.append(Problem(f"dyads[{i}]", f"duplicate dyad {dyad_id(dyad.between)}"))
        if relation_kind.get(pair) != "adversary":
            problems.append(
                Problem(
                    f"dyads[{i}].between",
                    f"expected a pair declared adversaries in 'relations', found "
                    f"{relation_kind.get(pair, 'neutral')}",
                )
            )
        dyads.setdefault(pair, dyad.between)
        dyad_channels[pair] = set(dyad.channels)

    def dyad_ref(pair_list: tuple[str, str], path: str) -> frozenset[str] | None:
        pair = frozenset(pair_list)
        if pair not in dyads:
            listed = ", ".join(dyad_id(d) for d in dyads.values()) or "none"
            problems.append(
                Problem(path, f"unknown dyad {dyad_id(pair_list)}; defined dyads are {listed}")
            )
            return None
        return pair

    for i, sector in enumerate(scenario.sectors):
        if all(actor_ref(a, f"sectors[{i}].between[{k}]") for k, a in enumerate(sector.between)):
            dyad_ref(sector.between, f"sectors[{i}].between")
        for victim in sector.exogenous_rate:
            if victim not in sector.between:
                problems.append(
                    Problem(
                        f"sectors[{i}].exogenous_rate.{victim}",
                        f"expected one of the sector's sides {list(sector.between)}, found "
                        f"{victim!r}",
                    )
                )

    for i, shock in enumerate(scenario.shocks):
        path = f"shocks[{i}]"
        if isinstance(shock, IncidentRateShock):
            actor_ref(shock.victim, f"{path}.victim")
            if shock.sectors != "all":
                for k, sector_id in enumerate(shock.sectors):
                    if sector_id not in sectors:
                        problems.append(
                            Problem(
                                f"{path}.sectors[{k}]",
                                f"unknown sector {sector_id!r}; {_known('sectors', sectors)}",
                            )
                        )
        elif isinstance(shock, ChannelShock):
            if all(actor_ref(a, f"{path}.dyad[{k}]") for k, a in enumerate(shock.dyad)):
                shock_pair = dyad_ref(shock.dyad, f"{path}.dyad")
                if shock_pair is not None and shock.channel not in dyad_channels[shock_pair]:
                    declared = ", ".join(sorted(dyad_channels[shock_pair])) or "none"
                    problems.append(
                        Problem(
                            f"{path}.channel",
                            f"channel {shock.channel!r} is not declared for dyad "
                            f"{dyad_id(dyads[shock_pair])}; declared channels are {declared}",
                        )
                    )
        elif isinstance(shock, PerceivedBuildupShock):
            both = actor_ref(shock.observer, f"{path}.observer") & actor_ref(
                shock.target, f"{path}.target"
            )
            if both and relation_kind.get(frozenset((shock.observer, shock.target))) != "adversary":
                problems.append(Problem(f"{path}.target", "expected an adversary of the observer"))
            if shock.category not in categories:
                problems.append(
                    Problem(
                        f"{path}.category",
                        f"unknown category {shock.category!r}; {_known('categories', categories)}",
                    )
                )
        elif isinstance(shock, WarShock):
            for actor_id in shock.threat:
                actor_ref(actor_id, f"{path}.threat.{actor_id}")
            for actor_id in shock.distraction:
                actor_ref(actor_id, f"{path}.distraction.{actor_id}")
            for k, actor_id in enumerate(shock.belligerents):
                actor_ref(actor_id, f"{path}.belligerents[{k}]")

    settings = scenario.settings
    if settings.focus is not None and all(
        actor_ref(a, f"settings.focus[{k}]") for k, a in enumerate(settings.focus)
    ):
        dyad_ref(settings.focus, "settings.focus")
    if settings.subject is not None and actor_ref(settings.subject, "settings.subject"):
        focus = scenario.focus
        if settings.subject not in focus:
            problems.append(
                Problem(
                    "settings.subject",
                    f"expected a side of the focus dyad {dyad_id(focus)}, "
                    f"found {settings.subject!r}",
                )
            )
    problems += instrument_problems(scenario)
    return problems
