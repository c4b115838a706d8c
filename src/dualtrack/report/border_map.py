"""The border map of any scenario whose actors are countries of the vendored geometry.

Actors find their country by ISO 3166-1 alpha-3 id. A sector is drawn on the atlas's line of
the same id, or else on the land border between the two countries it lies between. Sector
lines are coloured by mean deployment intensity: threat-weighted forces per 100 km of the
sector, each actor's forces spread over the sectors as the engine spreads them
(:func:`dualtrack.scenario.deployment.sector_presence`). Where the results say which dyad's
war started a wider one (:mod:`dualtrack.analysis.cascades`), the map marks those origins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from dualtrack.analysis.cascades import REQUIRED as CASCADE_VARIABLES
from dualtrack.analysis.cascades import cascade_origins
from dualtrack.engine import outputs
from dualtrack.report import figure_spec as fs
from dualtrack.report.atlas import Atlas, BorderLine, atlas_for, known_countries
from dualtrack.report.palette import (
    INK,
    KEY_GREY,
    MAP_ACTOR_FILL,
    MAP_BACKGROUND,
    MAP_BORDER,
    MAP_COLOURMAP,
    MAP_EDGE,
    MAP_LABEL,
    MAP_ORIGIN,
    MAP_OTHER_FILL,
)
from dualtrack.report.series import category_weights, weighted
from dualtrack.scenario.deployment import sector_presence
from dualtrack.scenario.schema import Scenario

MARGIN_DEG = 0.3
"""Space around the mapped countries (degrees)."""
ORIGIN_SIZE_PT = 26.0
"""Diameter of a cascade-origin marker that holds every cascade (points; area ~ share)."""


@dataclass(frozen=True)
class MappedSector:
    """A scenario sector and the atlas line it is drawn on."""

    id: str
    name: str
    line: BorderLine
    scenario_km: float
    """Length the scenario gives the sector (km), used for intensities."""


@dataclass(frozen=True)
class Origins:
    """Cascade origins placed on the map, per doctrine."""

    dyads: list[str]
    points: NDArray[np.float64]
    """(dyad, 2) lon/lat."""
    share: NDArray[np.float64]
    """(doctrine, dyad): share of the doctrine's cascades this dyad started."""
    cascades: NDArray[np.int64]
    """(doctrine,) cascading replicates."""
    off_map: list[str]
    """Origin dyads with a side that is not a country on the map."""


@dataclass(frozen=True)
class BorderMap:
    """What the map draws and the numbers beside it."""

    atlas: Atlas
    countries: list[str]
    """Actors drawn as countries."""
    off_map: list[str]
    """Actors that are not countries of the atlas (alliances, hubs)."""
    sectors: list[MappedSector]
    unmapped: list[str]
    """Sectors with no line in the atlas."""
    doctrines: list[str]
    default_doctrine: str
    intensity: NDArray[np.float64]
    """Mean threat-weighted forces per 100 km, shape (doctrine, mapped sector)."""
    contributions: NDArray[np.float64]
    """Per actor, shape (doctrine, mapped sector, actor), same unit."""
    actors: list[str]
    basis: str
    origins: Origins | None

    @property
    def scale_max(self) -> float:
        """Top of the colour scale: the largest intensity of any doctrine and sector."""
        top = float(np.max(self.intensity)) if self.intensity.size else 0.0
        return top if top > 0 else 1.0

    def measured_borders(self) -> list[BorderLine]:
        """Atlas borders under the mapped sectors that record an official length."""
        lines = {s.line.between: self.atlas.border(*s.line.between) for s in self.sectors}
        return [b for b in lines.values() if b is not None and "official_length_km" in b.notes]


def mean_weighted_forces(results: xr.Dataset, scenario: Scenario) -> tuple[xr.DataArray, str]:
    """Mean threat-weighted forces per doctrine and actor, and what the mean is taken over."""
    weights = category_weights(scenario, results)
    per_step = outputs.per_step_mean(results, "forces")
    if per_step is not None:
        forces = weighted(per_step.mean("time"), weights)
        basis = (
            f"over all {results.sizes['replicate']:,} replicates and {results.sizes['time']} steps"
        )
    else:
        final = outputs.final_values(results, "forces")
        if final is None:
            raise KeyError("the results keep no values of 'forces'")
        forces = weighted(final.mean("replicate", skipna=False), weights)
        basis = (
            f"at the end of the horizon, over all {results.sizes['replicate']:,} replicates "
            "(a summary run keeps no time series)"
        )
    return forces.transpose("doctrine", "actor"), basis


def _sector_line(atlas: Atlas, sector_id: str, between: tuple[str, str]) -> BorderLine | None:
    line = atlas.sectors.get(sector_id)
    if line is not None and set(line.between) == set(between):
        return line
    return atlas.border(*between)


def _origins(results: xr.Dataset, scenario: Scenario, atlas: Atlas) -> Origins | None:
    if any(name not in results for name in CASCADE_VARIABLES):
        return None
    table = cascade_origins(results)
    if table.empty:
        return None
    doctrines = [str(d) for d in results["doctrine"].values]
    pairs = {f"{a}-{b}": (a, b) for a, b in (d.between for d in scenario.dyads)}
    dyads, points, off_map = [], [], []
    for dyad in dict.fromkeys(table["dyad"]):
        a, b = pairs.get(dyad, ("", ""))
        if a not in atlas.countries or b not in atlas.countries:
            off_map.append(dyad)
            continue
        border = atlas.border(a, b)
        if border is not None:
            points.append(border.middle())
        else:
            ends = np.array([atlas.countries[a].label_point, atlas.countries[b].label_point])
            points.append(tuple(ends.mean(axis=0)))
        dyads.append(dyad)
    if not dyads:
        return None
    share = np.zeros((len(doctrines), len(dyads)))
    cells = table.set_index(["doctrine", "dyad"])["share"]
    for d, doctrine in enumerate(doctrines):
        for k, dyad in enumerate(dyads):
            share[d, k] = float(cells.get((doctrine, dyad), 0.0))
    cascades = table.groupby("doctrine")["cascades"].first().reindex(doctrines, fill_value=0)
    return Origins(dyads, np.array(points), share, cascades.values.astype(np.int64), off_map)


def build_border_map(results: xr.Dataset, scenario: Scenario) -> BorderMap | None:
    """The map of the scenario, or None when its sectors lie between no vendored countries."""
    known = known_countries()
    sides = {side for sector in scenario.sectors for side in sector.between if side in known}
    atlas = atlas_for(sides) if sides else None
    if atlas is None:
        return None
    mapped, unmapped, lines = [], [], []
    for s, sector in enumerate(scenario.sectors):
        line = _sector_line(atlas, sector.id, sector.between)
        if line is None:
            unmapped.append(sector.id)
        else:
            mapped.append(s)
            lines.append(line)
    if not mapped:
        return None
    sectors = [
        MappedSector(
            scenario.sectors[s].id,
            scenario.sectors[s].name,
            line,
            scenario.sectors[s].length_km.value,
        )
        for s, line in zip(mapped, lines, strict=True)
    ]
    forces, basis = mean_weighted_forces(results, scenario)
    shares = sector_presence(scenario).sum(axis=-1)[:, mapped]  # (actor, mapped sector)
    actor_order = [a.id for a in scenario.actors]
    index = [actor_order.index(str(a)) for a in forces["actor"].values]
    lengths = np.array([sector.scenario_km for sector in sectors])
    contributions = (
        forces.values[:, None, :] * shares[index].T[None, :, :] / lengths[None, :, None] * 100.0
    )
    doctrines = [str(d) for d in results["doctrine"].values]
    subject = str(results.attrs.get("subject", scenario.subject))
    declared = next(a.doctrine.name for a in scenario.actors if a.id == subject)
    return BorderMap(
        atlas=atlas,
        countries=[a for a in actor_order if a in atlas.countries],
        off_map=[a for a in actor_order if a not in atlas.countries],
        sectors=sectors,
        unmapped=unmapped,
        doctrines=doctrines,
        default_doctrine=declared if declared in doctrines else doctrines[0],
        intensity=contributions.sum(axis=2),
        contributions=contributions,
        actors=[str(a) for a in forces["actor"].values],
        basis=basis,
        origins=_origins(results, scenario, atlas),
    )


def label_offset(line: NDArray[np.float64], order: int) -> tuple[float, float]:
    """Where a sector's label goes relative to the line's middle (points, y up).

    Mostly west-east stretches alternate below and above the line; a stretch running more
    north-south than west-east gets its label to the lower right.
    """
    points = line[np.isfinite(line[:, 0])]
    lon_span = float(np.ptp(points[:, 0])) * float(np.cos(np.radians(points[0, 1])))
    lat_span = float(np.ptp(points[:, 1]))
    if lat_span > lon_span:
        return 36.0, -30.0
    return (0.0, -27.0) if order % 2 == 0 else (0.0, 27.0)


def _hover(border_map: BorderMap, d: int, s: int) -> str:
    sector = border_map.sectors[s]
    parts = [
        f"{sector.name} ({sector.id})",
        f"{border_map.doctrines[d]}: {border_map.intensity[d, s]:.2f} threat points per 100 km",
    ]
    for a, actor in enumerate(border_map.actors):
        value = border_map.contributions[d, s, a]
        if value > 0:
            parts.append(f"  {actor}: {value:.2f}")
    parts.append(f"length {sector.scenario_km:.0f} km (drawn line {sector.line.length_km:.0f} km)")
    return "\n".join(parts)


def _extent(border_map: BorderMap) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    points = np.concatenate(
        [ring for c in border_map.countries for ring in border_map.atlas.countries[c].rings]
    )
    low, high = points.min(axis=0) - MARGIN_DEG, points.max(axis=0) + MARGIN_DEG
    return low, high


def map_figure(border_map: BorderMap) -> fs.FigureSpec:
    """The map as a figure: countries, sector lines by intensity, places, cascade origins."""
    atlas = border_map.atlas
    low, high = _extent(border_map)
    actors = set(border_map.countries)
    countries = [
        c
        for c in atlas.countries.values()
        if any(
            (ring.max(axis=0) >= low).all() and (ring.min(axis=0) <= high).all() for ring in c.rings
        )
    ]
    scale = fs.ColourScale(MAP_COLOURMAP, border_map.scale_max, "threat points\nper 100 km")
    sectors = border_map.sectors
    marks: list[fs.Mark] = [
        fs.Areas(
            tuple(c.rings for c in countries),
            tuple(c.name for c in countries),
            tuple(MAP_ACTOR_FILL if c.id in actors else MAP_OTHER_FILL for c in countries),
            MAP_EDGE,
        )
    ]
    for border in {b.id: b for b in border_map.measured_borders()}.values():
        marks.append(fs.PolyLine(border.line, MAP_BORDER))
    marks.append(
        fs.ScaleLines(
            tuple(s.line.line for s in sectors),
            tuple(s.id for s in sectors),
            border_map.intensity,
            tuple(
                tuple(_hover(border_map, d, s) for s in range(len(sectors)))
                for d in range(len(border_map.doctrines))
            ),
            scale,
            width=6.5 if len(sectors) <= 6 else 4.0,
        )
    )
    if len(sectors) <= 6:  # room to name each sector
        marks.append(
            fs.Callouts(
                np.array([s.line.middle() for s in sectors]),
                tuple(s.id for s in sectors),
                tuple(label_offset(s.line.line, k) for k, s in enumerate(sectors)),
            )
        )
    if atlas.places:
        marks.append(
            fs.Points(
                np.array([(p.lon, p.lat) for p in atlas.places]),
                tuple(p.name for p in atlas.places),
                KEY_GREY,
                np.full((1, len(atlas.places)), 5.0),
                tuple(p.label for p in atlas.places),
            )
        )
    if len(border_map.countries) <= 6:
        for code in border_map.countries:
            country = atlas.countries[code]
            marks.append(fs.Text(*country.label_point, country.name.upper(), MAP_LABEL, 11))
    keys: list[fs.Key] = []
    origins = border_map.origins
    if origins is not None:
        sizes = ORIGIN_SIZE_PT * np.sqrt(origins.share)
        hovers = tuple(
            tuple(
                f"{dyad}: started {100 * origins.share[d, k]:.1f}% of the "
                f"{origins.cascades[d]:,} cascades ({doctrine})"
                for k, dyad in enumerate(origins.dyads)
            )
            for d, doctrine in enumerate(border_map.doctrines)
        )
        marks.append(
            fs.Points(
                origins.points,
                tuple(origins.dyads),
                MAP_ORIGIN,
                sizes,
                hovers=hovers,
                group="cascade origin",
                edge=INK,
                alpha=0.5,
            )
        )
        keys.append(fs.Key("cascade origin (area: share of cascades)", MAP_ORIGIN, "swatch", 0.5))
    latitude = float((low[1] + high[1]) / 2.0)
    width = 8.0
    aspect = 1.0 / float(np.cos(np.radians(latitude)))
    height = min(9.5, max(5.0, width * 0.82 * (high[1] - low[1]) * aspect / (high[0] - low[0])))
    panel = fs.Panel(
        marks,
        x=fs.Axis("longitude", limits=(float(low[0]), float(high[0])), suffix="°E"),
        y=fs.Axis("latitude", limits=(float(low[1]), float(high[1])), suffix="°N"),
        aspect=aspect,
        background=MAP_BACKGROUND,
    )
    return fs.FigureSpec(
        [[panel]],
        size=(width, height),
        title="Deployment intensity by sector",
        keys=keys,
        legend="bottom",
        margins=(0.7, 0.3, 0.45, 0.85 if keys else 0.6),
        views=border_map.doctrines,
        default_view=border_map.doctrines.index(border_map.default_doctrine),
        view_label="doctrine:",
        footnote="Made with Natural Earth (public domain)",
    )
