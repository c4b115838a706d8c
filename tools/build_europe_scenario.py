"""Build the built-in Europe-wide scenario ``europe`` from the vendored geo data and two tables.

Inputs (all in this repository):

``src/dualtrack/data/geo/europe_countries.csv``
    The actors: every country of the geo data (50 codes, Turkey and the South Caucasus
    included) becomes a state actor, named as there.
``src/dualtrack/data/geo/europe_borders.csv``
    Land borders with geodesic lengths (Natural Earth 1:10m via world-atlas); every sector is
    one of these borders, with its length.
``tools/europe_assumptions.csv``
    One row per actor: doctrine, nuclear status, alliance commitments (to the hubs ``NATO``,
    ``USRB`` = Union State of Russia and Belarus, ``CSTO``, or bilateral), where its forces
    stand, force placeholders, resolve, threat inflation, and the sources. The three alliance
    hubs are rows too. Numbers are ``value`` or ``value[low-high]``.
``tools/europe_dyads.csv``
    The tracked relations: ``border`` rows (a dyad with one sector, the land border),
    ``hub`` rows (a dyad between an alliance hub and an adversary, no sector) and ``pair``
    rows (adversaries for perception only, no dyad), with rung, transparency, open
    channels (``type=quality;...``), exogenous incident rates and sector weights per side.
``src/dualtrack/data/scenarios/belarus-ukraine-2024.yaml``
    The flagship scenario: force categories, settings, Ukraine's forces, the Belarus-Ukraine
    dyad and the 2024 shocks are taken from it, so the two scenarios agree where they overlap.

Rules applied here (documented in ``docs/scenarios/europe.md``):

* members are allies of their hub with the commitment in the table; a hub has no forces;
* an actor stationed with a host is an adversary of the host's border opponents (the eFP
  battlegroups: Germany in Lithuania, the UK in Estonia);
* placeholder categories: special forces 0.3, air defence 0.4 and drones 0.3 times the ground
  figures, deployment rates 1.5, 1.3 and 1.5 times the ground rate (capped at 1); a number
  given without a range gets the placeholder range of a factor 2 either way;
* the war shock's rate multiplier is 1: the Belarus-Ukraine rates in the table already
  include the war, and the multiplier would otherwise apply to every border of Europe.

The scenario is validated before it is written. Re-run after changing an input::

    python tools/build_europe_scenario.py            # rewrite europe.yaml
    python tools/build_europe_scenario.py --check    # exit 1 if europe.yaml is out of date
"""

from __future__ import annotations

import argparse
import copy
import csv
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
GEO = ROOT / "src" / "dualtrack" / "data" / "geo"
SCENARIOS = ROOT / "src" / "dualtrack" / "data" / "scenarios"
ASSUMPTIONS = Path(__file__).resolve().parent / "europe_assumptions.csv"
DYADS = Path(__file__).resolve().parent / "europe_dyads.csv"
FLAGSHIP = SCENARIOS / "belarus-ukraine-2024.yaml"
OUTPUT = SCENARIOS / "europe.yaml"

HUBS = {"nato": "NATO", "usrb": "USRB", "csto": "CSTO"}
"""Assumption columns holding a commitment to an alliance hub, and the hub's actor id."""
DERIVED_CATEGORIES = {
    "special_forces": (0.3, 1.5),
    "air_defence": (0.4, 1.3),
    "drones": (0.3, 1.5),
}
"""Placeholder categories as (share of the ground figures, multiple of the ground rate)."""
PLACEHOLDER_FACTOR = 2.0
"""A number given without a range gets [value / factor, value * factor]."""
LENGTH_SOURCE = (
    "Natural Earth 1:10m via world-atlas 2.0.2, geodesic on WGS84 (europe_borders.csv); "
    "generalised lines are shorter than surveyed borders"
)
_NUMBER = re.compile(r"^\s*([0-9.]+)\s*(?:\[\s*([0-9.]+)\s*-\s*([0-9.]+)\s*\])?\s*$")


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts of stripped strings."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def parse_number(text: str, where: str) -> tuple[float, float | None, float | None]:
    """``value`` or ``value[low-high]`` as (value, low, high)."""
    match = _NUMBER.match(text)
    if match is None:
        raise ValueError(f"{where}: expected a number or value[low-high], found {text!r}")
    value, low, high = match.groups()
    return float(value), float(low) if low else None, float(high) if high else None


def number(text: str, where: str, source: str, *, placeholder: bool = False) -> dict[str, Any]:
    """An uncertain parameter mapping; ``placeholder`` gives a factor-2 range when none is set."""
    value, low, high = parse_number(text, where)
    if low is None and placeholder and value > 0:
        low, high = value / PLACEHOLDER_FACTOR, value * PLACEHOLDER_FACTOR
    out: dict[str, Any] = {"value": _tidy(value)}
    if low is not None and high is not None and high > low:
        out["low"], out["high"] = _tidy(low), _tidy(high)
    out["source"] = source
    return out


def _tidy(value: float) -> float | int:
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


def _scaled(param: dict[str, Any], factor: float, cap: float | None = None) -> dict[str, Any]:
    out = dict(param)
    for key in ("value", "low", "high"):
        if key in out:
            scaled = out[key] * factor
            out[key] = _tidy(min(scaled, cap) if cap is not None else scaled)
    if "low" in out and out["low"] >= out["high"]:
        del out["low"], out["high"]
    return out


def forces_for(row: dict[str, str], flagship: dict[str, Any]) -> dict[str, Any]:
    """Force placeholders of one actor near its tracked borders (none without a ground row)."""
    iso = row["iso3"]
    if row["ground_baseline"] == "flagship":
        actor = next(a for a in flagship["actors"] if a["id"] == iso)
        return copy.deepcopy(actor["forces"])
    if not row["ground_capacity"]:
        return {}
    where = f"europe_assumptions.csv {iso}"
    cite = f"Placeholder: {row['force_source']}"
    ground = {
        "baseline": number(
            row["ground_baseline"], f"{where} ground_baseline", cite, placeholder=True
        ),
        "capacity": number(
            row["ground_capacity"], f"{where} ground_capacity", cite, placeholder=True
        ),
        "deployment_rate": number(
            row["ground_rate"],
            f"{where} ground_rate",
            f"Placeholder: judgement; {cite}",
            placeholder=True,
        ),
    }
    forces: dict[str, Any] = {"ground": ground}
    for category, (share, rate_factor) in DERIVED_CATEGORIES.items():
        rule = f"Placeholder rule: {share:g} x ground (tools/build_europe_scenario.py)"
        spec = {
            "baseline": {**_scaled(ground["baseline"], share), "source": rule},
            "capacity": {**_scaled(ground["capacity"], share), "source": rule},
            "deployment_rate": {
                **_scaled(ground["deployment_rate"], rate_factor, cap=1.0),
                "source": f"Placeholder rule: {rate_factor:g} x ground rate",
            },
        }
        forces[category] = spec
    if row["strike_capacity"] and parse_number(row["strike_capacity"], where)[0] > 0:
        forces["long_range_strike"] = {
            "baseline": number(row["strike_baseline"] or "0", f"{where} strike_baseline", cite),
            "capacity": number(row["strike_capacity"], f"{where} strike_capacity", cite),
            "deployment_rate": {
                **ground["deployment_rate"],
                "source": "Placeholder rule: ground rate",
            },
        }
    return forces


def parse_channels(text: str, where: str) -> dict[str, Any]:
    """``diplomatic=0.1;hotline=0.5`` as open channels with those qualities."""
    channels: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, _, quality = item.partition("=")
        channels[name.strip()] = {
            "open": True,
            "quality": number(
                quality, f"{where} channel {name}", "Judgement (tools/europe_dyads.csv)"
            ),
        }
    return channels


def border_lengths() -> dict[frozenset[str], float]:
    """Geodesic length (km) of each land border in the geo data."""
    return {
        frozenset((r["a"], r["b"])): float(r["length_km"])
        for r in read_rows(GEO / "europe_borders.csv")
    }


def tabulate(flagship: dict[str, Any]) -> dict[str, Any]:
    """The Europe scenario from the tables, before calibration (not yet validated)."""
    countries = read_rows(GEO / "europe_countries.csv")
    assumptions = {row["iso3"]: row for row in read_rows(ASSUMPTIONS)}
    tracked = read_rows(DYADS)
    lengths = border_lengths()
    names = {c["iso3"]: c["name"] for c in countries}
    missing = sorted(set(names) - set(assumptions))
    if missing:
        raise ValueError(f"europe_assumptions.csv: no row for {', '.join(missing)}")
    hubs = [iso for iso, row in assumptions.items() if row["kind"] == "alliance"]
    order = [c["iso3"] for c in countries] + hubs
    unknown = sorted(set(assumptions) - set(order))
    if unknown:
        raise ValueError(f"europe_assumptions.csv: {', '.join(unknown)} not in the geo data")

    sectors: list[dict[str, Any]] = []
    dyads: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    weights: dict[str, dict[str, Any]] = {iso: {} for iso in order}
    opponents: dict[str, set[str]] = {iso: set() for iso in order}
    flagship_dyad = flagship["dyads"][0]
    for row in tracked:
        a, b, kind = row["a"], row["b"], row["kind"]
        where = f"europe_dyads.csv {a}-{b}"
        source = row["source"]
        relations.append({"between": [a, b], "kind": "adversary", "source": source})
        if kind == "pair":
            continue
        if kind == "border":
            pair = frozenset((a, b))
            if pair not in lengths:
                raise ValueError(f"{where}: {a} and {b} share no land border in europe_borders.csv")
            sector_id = f"{a.lower()}-{b.lower()}"
            sector: dict[str, Any] = {
                "id": sector_id,
                "name": f"{names[a]} - {names[b]}",
                "between": [a, b],
                "length_km": {"value": lengths[pair], "source": LENGTH_SOURCE},
                "exogenous_rate": {
                    side: number(row[f"exo_{key}"], f"{where} exo_{key}", f"Judgement: {source}")
                    for side, key in ((a, "a"), (b, "b"))
                },
            }
            sectors.append(sector)
            opponents[a].add(b)
            opponents[b].add(a)
            for side, key in ((a, "a"), (b, "b")):
                value, _, _ = parse_number(row[f"weight_{key}"], where)
                if value != 1.0:
                    weights[side][sector_id] = number(
                        row[f"weight_{key}"], f"{where} weight_{key}", f"Judgement: {source}"
                    )
        if row["channels"] == "flagship":
            dyad = copy.deepcopy(flagship_dyad)
            if sorted(dyad["between"]) != sorted((a, b)):
                raise ValueError(f"{where}: the flagship's dyad is {dyad['between']}")
        else:
            dyad = {
                "between": [a, b],
                "initial_rung": row["initial_rung"],
                "channels": parse_channels(row["channels"], where),
                "verification": {
                    "transparency": number(
                        row["transparency"], f"{where} transparency", f"Judgement: {source}"
                    )
                },
            }
        dyads.append(dyad)

    # stationed forces face their host's opponents (eFP battlegroups)
    for iso, row in assumptions.items():
        host = row["stationed_with"]
        for opponent in sorted(opponents.get(host, set())) if host else ():
            relations.append(
                {
                    "between": [iso, opponent],
                    "kind": "adversary",
                    "source": f"Stationed with {host} (enhanced Forward Presence), facing {host}'s "
                    f"opponent",
                }
            )

    allied: dict[frozenset[str], dict[str, Any]] = {}
    for iso, row in assumptions.items():
        links = [(hub, row[column]) for column, hub in HUBS.items() if row[column]]
        for item in filter(None, row["allies"].split(";")):
            other, _, text = item.partition(":")
            links.append((other, text))
        for other, text in links:
            allies = frozenset((iso, other))
            commitment = number(text, f"europe_assumptions.csv {iso} ally {other}", row["source"])
            if allies in allied:
                if allied[allies]["commitment"]["value"] != commitment["value"]:
                    raise ValueError(f"europe_assumptions.csv: {iso}-{other} commitments differ")
                continue
            allied[allies] = {"between": [other, iso], "kind": "ally", "commitment": commitment}
    relations += list(allied.values())

    actors = []
    for iso in order:
        row = assumptions[iso]
        where = f"europe_assumptions.csv {iso}"
        actor: dict[str, Any] = {
            "id": iso,
            "name": row["name"] or names[iso],
            "kind": row["kind"],
            "nuclear": row["nuclear"] == "true",
        }
        for field in ("resolve", "threat_inflation"):
            if row[field]:
                actor[field] = number(row[field], f"{where} {field}", f"Judgement: {row['source']}")
        in_flagship = next((a for a in flagship["actors"] if a["id"] == iso), None)
        if in_flagship is not None and "p_opportunist" in in_flagship:
            # the flagship's sourced prior that the actor is an opportunist (model.md §7.12)
            actor["p_opportunist"] = copy.deepcopy(in_flagship["p_opportunist"])
        if row["stationed_with"]:
            actor["stationed_with"] = row["stationed_with"]
        actor["doctrine"] = {"name": row["doctrine"]}
        if row["ground_baseline"] == "flagship":
            actor["doctrine"] = copy.deepcopy(
                next(a for a in flagship["actors"] if a["id"] == iso)["doctrine"]
            )
        elif row["reactivity"]:
            actor["doctrine"]["params"] = {
                "reactivity": number(
                    row["reactivity"], f"{where} reactivity", f"Judgement: {row['source']}"
                )
            }
        forces = forces_for(row, flagship)
        if forces:
            actor["forces"] = forces
        if weights[iso]:
            actor["sector_weights"] = weights[iso]
        actors.append(actor)

    flagship_sectors = {s["id"] for s in flagship["sectors"]}
    shocks = []
    for shock in copy.deepcopy(flagship["shocks"]):
        if shock["kind"] == "war":
            shock["rate_multiplier"] = {
                "value": 1.0,
                "source": "Europe: the Belarus-Ukraine rates already include the war "
                "(tools/europe_dyads.csv); a multiplier would apply to every border",
            }
        elif shock["kind"] == "incident_rate":
            listed = shock.get("sectors", "all")
            if listed == "all" or set(listed) <= flagship_sectors:
                shock["sectors"] = ["blr-ukr"]
        shocks.append(shock)

    settings = copy.deepcopy(flagship["settings"])
    return {
        "id": "europe",
        "name": "Europe, 2024: every border with Russia and Belarus, and the blocs",
        "description": "Europe-wide dual-track scenario: 50 states of the geo data and the "
        "NATO, Union State and CSTO hubs, with every NATO-Russia/Belarus border, the "
        "Belarus-Ukraine border and the other contested borders as dyads, June 2024 - May 2025.",
        "settings": settings,
        "categories": copy.deepcopy(flagship["categories"]),
        "actors": actors,
        "relations": relations,
        "sectors": sectors,
        "dyads": dyads,
        "shocks": shocks,
    }


def loop_gain(scenario: Any) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """The linearised Richardson loop of a scenario at its status quo, and the actor ids.

    Entry (i, j) is the deterrent strength actor i adds per threat point that actor j adds:
    its reactivity times the weight with which it counts j's forces (its own adversary pairs
    and its allies' shared pairs, the share of j's forces facing it, its perception bias).
    Actors without headroom to deploy have zero rows. The status quo is stable when the
    spectral radius is below 1 (Richardson 1960); doctrines' capacity and sufficiency bounds act
    only far from it.
    """
    from dualtrack.engine.compiled import compile_scenario

    compiled = compile_scenario(scenario)
    n_actors = len(compiled.actor_ids)
    weights = compiled.aggregation.toarray()
    gain = np.zeros((n_actors, n_actors))
    can_deploy = np.any((compiled.capacity > compiled.baseline) & (compiled.weight > 0), axis=1)
    for actor in np.flatnonzero(can_deploy):
        reactivity = getattr(compiled.doctrines[actor].params, "reactivity", None)
        if reactivity is None:
            continue
        for pair in np.flatnonzero(weights[:, actor]):
            target = compiled.pair_target[pair]
            bias = 1.0 + compiled.initial_bias[pair]
            facing = compiled.pair_facing[pair]
            gain[actor, target] += reactivity.value * weights[pair, actor] * facing * bias
    return gain, compiled.actor_ids


def spectral_radius(matrix: NDArray[np.float64]) -> float:
    """Largest modulus of the eigenvalues (0 for an empty matrix)."""
    return float(np.max(np.abs(np.linalg.eigvals(matrix)))) if matrix.size else 0.0


def components(gain: NDArray[np.float64]) -> list[NDArray[np.int64]]:
    """Groups of actors coupled through the loop (connected, ignoring direction)."""
    from scipy.sparse.csgraph import connected_components

    _, labels = connected_components(gain != 0, directed=False)
    return [np.flatnonzero(labels == label) for label in np.unique(labels)]


def _base_reactivity(doctrine: dict[str, Any]) -> dict[str, Any] | None:
    """An actor's reactivity as written, else its doctrine's documented default and range."""
    from dualtrack.doctrines import REGISTRY

    base = doctrine.get("params", {}).get("reactivity")
    if base is not None:
        return dict(base) if isinstance(base, dict) else {"value": base}
    field = REGISTRY[doctrine["name"]].Params.model_fields.get("reactivity")
    if field is None:
        return None
    default = field.default
    return {
        key: getattr(default, key)
        for key in ("value", "low", "high", "source")
        if getattr(default, key) is not None
    }


def calibrate_reactivity(data: dict[str, Any], target: float, keep: str) -> dict[str, float]:
    """Scale reactivities, per coupled group of actors, so no loop gain exceeds ``target``.

    The actor ``keep`` (the study subject) keeps its reactivity, so that runs that replace its
    doctrine compare documented defaults; the others in its group share one scale, found by
    bisection. Returns the scale applied to each group (named by its first actors).
    """
    from dualtrack.scenario.loading import validate_scenario

    gain, ids = loop_gain(validate_scenario(data, "europe (before calibration)"))
    actors = {a["id"]: a for a in data["actors"]}
    scales: dict[str, float] = {}
    for group in components(gain):
        block = gain[np.ix_(group, group)]
        if len(group) < 2 or spectral_radius(block) <= target:
            continue
        scaled_rows = np.array([ids[i] != keep for i in group])

        def radius(
            scale: float,
            block: NDArray[np.float64] = block,
            rows: NDArray[np.bool_] = scaled_rows,
        ) -> float:
            return spectral_radius(np.where(rows[:, None], scale * block, block))

        low, high = 0.0, 1.0
        for _ in range(60):
            middle = 0.5 * (low + high)
            low, high = (middle, high) if radius(middle) <= target else (low, middle)
        scale = round(low, 4)
        name = "+".join(ids[i] for i in group[:4]) + ("+..." if len(group) > 4 else "")
        scales[name] = scale
        for i, scaled in zip(group, scaled_rows, strict=True):
            doctrine = actors[ids[i]]["doctrine"]
            base = _base_reactivity(doctrine)
            if not scaled or not gain[i].any() or base is None:
                continue
            calibrated: dict[str, Any] = {
                key: _tidy(round(base[key] * scale, 4))
                for key in ("value", "low", "high")
                if key in base
            }
            calibrated["source"] = (
                f"Calibrated: {base['value']:g} ({base.get('source', 'doctrine default')}) "
                f"x {scale:g}, so that the linearised Richardson loop gain of the {len(group)} "
                f"coupled actors equals the flagship's {target:.3f} with {keep}'s reactivity "
                "kept (tools/build_europe_scenario.py)"
            )
            calibrated["calibrated"] = True
            doctrine.setdefault("params", {})["reactivity"] = calibrated
    return scales


def build(flagship: dict[str, Any] | None = None) -> dict[str, Any]:
    """The calibrated Europe scenario as a plain mapping (validate before use)."""
    from dualtrack.scenario.loading import validate_scenario

    flagship = flagship or yaml.safe_load(FLAGSHIP.read_text(encoding="utf-8"))
    data = tabulate(flagship)
    gain, _ = loop_gain(validate_scenario(flagship, "flagship"))
    calibrate_reactivity(data, spectral_radius(gain), data["settings"]["subject"])
    return data


HEADER = """\
# GENERATED by tools/build_europe_scenario.py from src/dualtrack/data/geo/europe_*.csv,
# tools/europe_assumptions.csv, tools/europe_dyads.csv and belarus-ukraine-2024.yaml.
# Do not edit by hand: change the inputs and run `python tools/build_europe_scenario.py`.
# Where every number comes from, and which are placeholders: docs/scenarios/europe.md.
"""


def render(data: dict[str, Any]) -> str:
    """The scenario as YAML text with the generated-file header."""
    body = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None
    )
    return HEADER + body


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if europe.yaml is stale")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="where to write the YAML")
    args = parser.parse_args(list(argv) if argv is not None else None)

    from dualtrack.scenario.loading import validate_scenario  # validate before writing

    data = build()
    scenario = validate_scenario(data, "generated europe scenario")
    text = render(data)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date; run python tools/build_europe_scenario.py")
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.out}: {len(scenario.actors)} actors, {len(scenario.relations)} relations, "
        f"{len(scenario.sectors)} sectors, {len(scenario.dyads)} dyads, "
        f"{len(scenario.shocks)} shocks"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
