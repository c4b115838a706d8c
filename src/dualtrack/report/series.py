"""Time series the report draws: fan-chart quantiles, rung shares, agreement shares and spells.

Fans cover forces, perceived threat, trust and each focus side's belief that the other is an
opportunist; deliberate acts by each side and accidental incidents are counted up over time.

Fans come from the per-replicate trajectories a run kept: every replicate's (``record full``)
or the first traced replicates' (``record mean``); means and shares over all replicates come
from the per-step means a ``mean`` run kept, or are taken over every trajectory of a ``full``
run. A ``summary`` run keeps no time series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from dualtrack.analysis.outcomes import focus_pairs, focus_sides
from dualtrack.engine import outputs
from dualtrack.scenario.schema import Scenario

FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Quantiles of a fan chart: the 90% band, the 50% band and the median."""
FAN_MEMBER_LIMIT = 4096
"""Most trajectories per doctrine a fan is computed from (the first ones), to stay fast."""


@dataclass(frozen=True)
class Trajectories:
    """Where a dataset's per-replicate trajectories are, and how many there are."""

    kind: str
    """``full`` (every replicate) or ``traced`` (the first replicates of a mean run)."""
    members: int
    """Trajectories per doctrine used for fans."""
    replicates: int
    """All replicates per doctrine."""

    def describe(self) -> str:
        """Caption text saying what the fan bands were computed from."""
        if self.kind == "full":
            if self.members < self.replicates:
                return (
                    f"the full trajectories of the first {self.members:,} of "
                    f"{self.replicates:,} replicates"
                )
            return f"the full trajectories of all {self.replicates:,} replicates"
        return (
            f"the traced trajectories of the first {self.members:,} of {self.replicates:,} "
            "replicates (kept by --record mean)"
        )


def trajectories(results: xr.Dataset) -> Trajectories | None:
    """The trajectories available for fans, or None for a summary-only run."""
    replicates = int(results.sizes["replicate"])
    members = outputs.trajectories(results, "forces")
    if members is None:
        return None
    if outputs.record_of(results, "forces") == "full":
        return Trajectories("full", min(replicates, FAN_MEMBER_LIMIT), replicates)
    return Trajectories("traced", int(members.sizes["member"]), replicates)


def trajectory(results: xr.Dataset, name: str, source: Trajectories) -> xr.DataArray:
    """A trajectory variable with its replicate axis named ``member`` (the fan's members)."""
    values = outputs.trajectories(results, name)
    if values is None:
        raise KeyError(f"the results keep no trajectories of {name!r}")
    return values.isel(member=slice(0, source.members))


def category_weights(scenario: Scenario, results: xr.Dataset) -> xr.DataArray:
    """Threat weight of each force category (threat points per unit), by category."""
    weight = {c.id: c.threat_weight.value for c in scenario.categories}
    categories = [str(c) for c in results["category"].values]
    return xr.DataArray([weight[c] for c in categories], coords={"category": categories})


def weighted(forces: xr.DataArray, weights: xr.DataArray) -> xr.DataArray:
    """Threat-weighted sum of forces over categories (threat points)."""
    return xr.dot(forces.astype(np.float64), weights, dim="category")


@dataclass(frozen=True)
class Fan:
    """Quantiles over trajectories of one quantity per doctrine, and its mean over replicates."""

    title: str
    unit: str
    days: NDArray[np.float64]
    doctrines: list[str]
    quantiles: NDArray[np.float64]
    """Shape (doctrine, quantile, time), quantiles as in :data:`FAN_QUANTILES`."""
    mean: NDArray[np.float64] | None
    """Mean over all replicates, shape (doctrine, time); None when not recorded."""


def _quantiles(values: xr.DataArray) -> NDArray[np.float64]:
    data = values.transpose("doctrine", "member", "time").values.astype(np.float64)
    return np.moveaxis(np.quantile(data, FAN_QUANTILES, axis=1), 0, 1)


def _fan(
    title: str, unit: str, values: xr.DataArray, mean: xr.DataArray | None, doctrines: list[str]
) -> Fan:
    return Fan(
        title=title,
        unit=unit,
        days=values["time"].values.astype(np.float64),
        doctrines=doctrines,
        quantiles=_quantiles(values),
        mean=None if mean is None else mean.transpose("doctrine", "time").values,
    )


def border_actors(results: xr.Dataset, scenario: Scenario) -> list[str]:
    """Actors whose forces stand on the focus dyad's border and who hold any.

    The two sides of the focus dyad and the actors stationed with them (e.g. Russian forces
    in Belarus), in the scenario's order.
    """
    sides = set(focus_actors(results))
    return [a.id for a in scenario.actors if a.forces and (a.stationed_with or a.id) in sides]


def forces_fans(results: xr.Dataset, scenario: Scenario, source: Trajectories) -> dict[str, Fan]:
    """Threat-weighted forces near the border of each border actor (actor id -> fan)."""
    weights = category_weights(scenario, results)
    doctrines = [str(d) for d in results["doctrine"].values]
    names = dict(zip(results["actor"].values, results["actor_name"].values, strict=True))
    actors = border_actors(results, scenario)
    members = weighted(trajectory(results, "forces", source).sel(actor=actors), weights)
    means = weighted(_per_step_mean(results, "forces").sel(actor=actors), weights)
    return {
        actor: _fan(
            f"{names[actor]} ({actor})",
            "threat points",
            members.sel(actor=actor),
            means.sel(actor=actor),
            doctrines,
        )
        for actor in actors
    }


def focus_actors(results: xr.Dataset) -> list[str]:
    """The two actors of the focus dyad, e.g. ``['BLR', 'UKR']``."""
    return list(focus_sides(results))


def _fans(
    results: xr.Dataset,
    source: Trajectories,
    name: str,
    dim: str,
    titles: dict[str, str],
    unit: str,
) -> dict[str, Fan]:
    """One fan per ``dim`` label of output ``name`` (label -> fan, titled by ``titles``)."""
    doctrines = [str(d) for d in results["doctrine"].values]
    labels = list(titles)
    members = trajectory(results, name, source).sel({dim: labels})
    means = _per_step_mean(results, name).sel({dim: labels})
    return {
        label: _fan(title, unit, members.sel({dim: label}), means.sel({dim: label}), doctrines)
        for label, title in titles.items()
    }


def threat_fans(results: xr.Dataset, source: Trajectories) -> dict[str, Fan]:
    """Perceived threat of each actor of the focus dyad (actor id -> fan)."""
    titles = {actor: f"threat felt by {actor}" for actor in focus_actors(results)}
    return _fans(results, source, "perceived_threat", "actor", titles, "threat points")


def trust_fan(results: xr.Dataset, source: Trajectories) -> Fan:
    """Trust (0..1) within the focus dyad."""
    dyad = results.attrs["focus_dyad"]
    return _fans(results, source, "trust", "dyad", {dyad: f"trust {dyad}"}, "0..1")[dyad]


def belief_fans(results: xr.Dataset, source: Trajectories) -> dict[str, Fan]:
    """Each focus side's belief that the other is an opportunist (pair id -> fan)."""
    pairs = list(focus_pairs(results))
    observers = results["pair_observer"].sel(pair=pairs).values.astype(str)
    targets = results["pair_target"].sel(pair=pairs).values.astype(str)
    titles = {
        pair: f"{observer}'s belief about {target}"
        for pair, observer, target in zip(pairs, observers, targets, strict=True)
    }
    return _fans(results, source, "belief", "pair", titles, "P(opportunist)")


@dataclass(frozen=True)
class ActsOverTime:
    """Deliberate acts by each focus side and accidents, counted up to each step (means per run).

    ``acts``: shape (side, doctrine, time), the steps with a probe or attack by side 1 and by
    side 2 of the focus dyad against the other; ``incidents``: (doctrine, time), accidental
    and exogenous incidents on ``sectors`` (None: no sector lies between the sides).
    """

    sides: tuple[str, str]
    days: NDArray[np.float64]
    acts: NDArray[np.float64]
    incidents: NDArray[np.float64] | None
    sectors: tuple[str, ...]


def acts_over_time(results: xr.Dataset, sectors: list[str]) -> ActsOverTime:
    """Cumulative means over all replicates of the focus dyad's deliberate acts and accidents."""
    pairs = list(focus_pairs(results))
    acts = _per_step_mean(results, "deliberate_act").sel(pair=pairs)
    acts = acts.astype(np.float64).cumsum("time").transpose("pair", "doctrine", "time")
    incidents = None
    if sectors:
        per_step = _per_step_mean(results, "incidents").sel(sector=sectors).sum("sector")
        incidents = per_step.astype(np.float64).cumsum("time").transpose("doctrine", "time")
    return ActsOverTime(
        focus_sides(results),
        results["time"].values.astype(np.float64),
        acts.values,
        None if incidents is None else incidents.values,
        tuple(sectors),
    )


def _per_step_mean(results: xr.Dataset, name: str) -> xr.DataArray:
    mean = outputs.per_step_mean(results, name)
    if mean is None:
        raise KeyError(f"the results keep no per-step series of {name!r}")
    return mean


def rung_shares(results: xr.Dataset) -> xr.DataArray:
    """Share of all replicates on each rung of the focus dyad, (doctrine, time, rung)."""
    dyad = results.attrs["focus_dyad"]
    shares = _per_step_mean(results, "escalation").sel(dyad=dyad)
    return shares.transpose("doctrine", "time", "rung")


def agreement_shares(results: xr.Dataset) -> xr.DataArray:
    """Share of all replicates with an agreement in force in the focus dyad, (doctrine, time)."""
    dyad = results.attrs["focus_dyad"]
    active = _per_step_mean(results, "agreement_in_force").sel(dyad=dyad)
    return active.transpose("doctrine", "time")


def agreement_spells(
    results: xr.Dataset, source: Trajectories
) -> dict[str, tuple[NDArray[np.float64], NDArray[np.bool_]]]:
    """Length (days) of every spell with an agreement in force in the focus dyad's trajectories.

    Per doctrine: the spell lengths and whether each was still running at the horizon
    (censored: its true length is longer).
    """
    dyad = results.attrs["focus_dyad"]
    active = trajectory(results, "agreement_in_force", source).sel(dyad=dyad)
    active = active.transpose("doctrine", "member", "time")
    step = float(results.attrs.get("step_days", 1.0))
    spells = {}
    for doctrine, runs in zip(
        results["doctrine"].values, active.values.astype(np.int8), strict=True
    ):
        padded = np.pad(runs, ((0, 0), (1, 1)))
        edges = np.diff(padded, axis=1)
        _, starts = np.nonzero(edges == 1)
        _, stops = np.nonzero(edges == -1)
        # nonzero walks rows in order, so starts and stops pair up run by run
        lengths = (stops - starts).astype(np.float64) * step
        censored = stops == runs.shape[1]
        spells[str(doctrine)] = (lengths, censored)
    return spells
