"""The border map: country outlines and sector lines coloured by mean deployment intensity.

Geometry is the vendored Natural Earth 1:10m data in ``dualtrack/data/geo`` (see its
ATTRIBUTION.md). Intensity is the mean threat-weighted forces per 100 km of a sector: each
actor's forces are spread over the sectors on its side of the border (its host's side for
stationed forces) in proportion to length x sector weight, as the engine does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_hex
from numpy.typing import NDArray

from dualtrack.engine import outputs
from dualtrack.report.geodesy import line_length_km
from dualtrack.report.palette import MAP_COLOURMAP
from dualtrack.report.series import category_weights, weighted
from dualtrack.scenario.deployment import sector_presence
from dualtrack.scenario.schema import Scenario

GEO_PACKAGE = "dualtrack.data"
COUNTRIES_FILE = "geo/belarus_ukraine.geojson"
SECTORS_FILE = "geo/belarus_ukraine_sectors.geojson"
ATTRIBUTION_FILE = "geo/ATTRIBUTION.md"
BORDER_ID = "BLR-UKR"
OFFICIAL_SOURCE = (
    "the official length quoted in the seed article (Y. Preiherman, Open Nuclear Network, 2024)"
)
ATTRIBUTION = (
    "Made with Natural Earth (public domain), admin-0 countries 1:10m, via the world-atlas "
    "2.0.2 TopoJSON redistribution (ISC licence); Crimea drawn as part of Ukraine "
    "(UN-recognised boundary)."
)
CITIES: tuple[tuple[str, float, float, str], ...] = (
    ("Minsk", 27.5667, 53.9000, "top center"),
    ("Kyiv", 30.5234, 50.4501, "bottom center"),
    ("Brest", 23.6847, 52.0976, "middle left"),
    ("Gomel", 30.9754, 52.4412, "top center"),
    ("Chernihiv", 31.2893, 51.4982, "middle right"),
)
"""Cities drawn for orientation (name, longitude, latitude, where the name goes)."""
BACKGROUND = "#f4f4f2"
"""Colour outside the two countries (neighbouring land and sea are not drawn)."""

Ring = NDArray[np.float64]


def _read_geojson(name: str) -> dict[str, Any]:
    text = resources.files(GEO_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class Country:
    """A country outline: its exterior rings as (n, 2) lon/lat arrays."""

    id: str
    name: str
    rings: list[Ring]


@dataclass(frozen=True)
class SectorLine:
    """A border sector drawn on the map."""

    id: str
    name: str
    line: Ring
    geometry_km: float
    """Geodesic length of the drawn line (km)."""
    scenario_km: float
    """Length the scenario gives the sector (km), used for intensities."""


def _rings(geometry: dict[str, Any]) -> list[Ring]:
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"expected a Polygon or MultiPolygon, found {geometry['type']}")
    return [np.asarray(polygon[0], dtype=np.float64) for polygon in polygons]


def border_length_km() -> float:
    """Geodesic (WGS84) length of the vendored Belarus-Ukraine border line (km)."""
    for feature in _read_geojson(COUNTRIES_FILE)["features"]:
        if feature["id"] == BORDER_ID:
            return line_length_km(feature["geometry"]["coordinates"])
    raise KeyError(f"{COUNTRIES_FILE} has no feature {BORDER_ID!r}")


def sector_line_lengths_km() -> dict[str, float]:
    """Geodesic length of each vendored sector line (km), by sector id."""
    return {
        f["id"]: line_length_km(f["geometry"]["coordinates"])
        for f in _read_geojson(SECTORS_FILE)["features"]
    }


def official_border_km() -> float:
    """The official length of the Belarus-Ukraine border recorded with the geometry (km)."""
    return float(_read_geojson(COUNTRIES_FILE)["properties"]["border_length_km_official"])


def sector_shares(scenario: Scenario) -> NDArray[np.float64]:
    """Share of each actor's forces in each sector, shape (actor, sector), rows sum to 1 or 0.

    As in the engine: an actor's forces stand on its own side of the border, or its host's
    (``stationed_with``), spread over that side's sectors in proportion to
    ``length_km x sector_weights`` (weight 1 where none is given).
    """
    return sector_presence(scenario).sum(axis=-1)


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


@dataclass(frozen=True)
class BorderMap:
    """What the map draws and the numbers beside it."""

    countries: list[Country]
    border: Ring
    sectors: list[SectorLine]
    doctrines: list[str]
    default_doctrine: str
    intensity: NDArray[np.float64]
    """Mean threat-weighted forces per 100 km, shape (doctrine, mapped sector)."""
    contributions: NDArray[np.float64]
    """Per actor, shape (doctrine, mapped sector, actor), same unit."""
    actors: list[str]
    basis: str
    border_km: float
    official_km: float
    coarse_km: float
    """Length of the same border at the coarser 1:50m scale (km), as recorded with the data."""

    def colour(self, value: float) -> str:
        """Colour of an intensity on the shared scale."""
        cmap = colormaps[MAP_COLOURMAP]
        return str(to_hex(cmap(Normalize(0.0, self.scale_max)(value))))

    @property
    def scale_max(self) -> float:
        """Top of the colour scale: the largest intensity of any doctrine and sector."""
        top = float(np.max(self.intensity)) if self.intensity.size else 0.0
        return top if top > 0 else 1.0


def build_border_map(results: xr.Dataset, scenario: Scenario) -> BorderMap | None:
    """The map of the scenario's sectors, or None when no sector has vendored geometry."""
    lines = {f["id"]: f for f in _read_geojson(SECTORS_FILE)["features"]}
    mapped = [s for s, sector in enumerate(scenario.sectors) if sector.id in lines]
    if not mapped:
        return None
    countries_data = _read_geojson(COUNTRIES_FILE)
    countries = [
        Country(f["id"], f["properties"]["name"], _rings(f["geometry"]))
        for f in countries_data["features"]
        if f["properties"].get("kind") == "country"
    ]
    border = next(f for f in countries_data["features"] if f["id"] == BORDER_ID)
    sectors = []
    for s in mapped:
        sector = scenario.sectors[s]
        line = np.asarray(lines[sector.id]["geometry"]["coordinates"], dtype=np.float64)
        sectors.append(
            SectorLine(sector.id, sector.name, line, line_length_km(line), sector.length_km.value)
        )
    forces, basis = mean_weighted_forces(results, scenario)
    shares = sector_shares(scenario)[:, mapped]  # (actor, mapped sector)
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
        countries=countries,
        border=np.asarray(border["geometry"]["coordinates"], dtype=np.float64),
        sectors=sectors,
        doctrines=doctrines,
        default_doctrine=declared if declared in doctrines else doctrines[0],
        intensity=contributions.sum(axis=2),
        contributions=contributions,
        actors=[str(a) for a in forces["actor"].values],
        basis=basis,
        border_km=line_length_km(border["geometry"]["coordinates"]),
        official_km=float(countries_data["properties"]["border_length_km_official"]),
        coarse_km=float(countries_data["properties"]["border_length_km_50m"]),
    )


def label_offset(sector: SectorLine, order: int) -> tuple[float, float]:
    """Where a sector's label goes relative to the line's middle (pixels, y up).

    Mostly west-east stretches alternate below and above the line; a stretch running more
    north-south than west-east gets its label to the lower right.
    """
    lon_span = float(np.ptp(sector.line[:, 0])) * float(np.cos(np.radians(sector.line[0, 1])))
    lat_span = float(np.ptp(sector.line[:, 1]))
    if lat_span > lon_span:
        return 48.0, -40.0
    return (0.0, -36.0) if order % 2 == 0 else (0.0, 36.0)


def _aspect(border_map: BorderMap) -> float:
    """Vertical stretch of latitude against longitude at the border's latitude."""
    latitude = float(np.mean(border_map.border[:, 1]))
    return 1.0 / float(np.cos(np.radians(latitude)))


def _hover(border_map: BorderMap, d: int, s: int) -> str:
    sector = border_map.sectors[s]
    parts = [
        f"<b>{sector.name}</b> ({sector.id})",
        f"{border_map.doctrines[d]}: {border_map.intensity[d, s]:.2f} threat points per 100 km",
    ]
    for a, actor in enumerate(border_map.actors):
        value = border_map.contributions[d, s, a]
        if value > 0:
            parts.append(f"&nbsp;&nbsp;{actor}: {value:.2f}")
    parts.append(f"length {sector.scenario_km:.0f} km (drawn line {sector.geometry_km:.0f} km)")
    return "<br>".join(parts)


def plotly_map(border_map: BorderMap) -> Any:
    """Interactive map with a doctrine selector (plotly Figure, Cartesian lon/lat axes)."""
    import plotly.graph_objects as go

    from dualtrack.report.figures import TEMPLATE

    cmap = colormaps[MAP_COLOURMAP]
    figure = go.Figure()
    fills = {"BLR": "#eef2e6", "UKR": "#e8eef6"}
    for country in border_map.countries:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in country.rings:
            xs += [*ring[:, 0].round(4).tolist(), None]
            ys += [*ring[:, 1].round(4).tolist(), None]
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=fills.get(country.id, "#f2f2f2"),
                line={"color": "#8c8c8c", "width": 0.8},
                name=country.name,
                hoverinfo="name",
                showlegend=False,
            )
        )
    figure.add_trace(
        go.Scatter(
            x=border_map.border[:, 0],
            y=border_map.border[:, 1],
            mode="lines",
            line={"color": "#444444", "width": 1.0},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    default = border_map.doctrines.index(border_map.default_doctrine)
    first_sector = len(figure.data)
    for s, sector in enumerate(border_map.sectors):
        figure.add_trace(
            go.Scatter(
                x=sector.line[:, 0],
                y=sector.line[:, 1],
                mode="lines",
                line={"color": border_map.colour(border_map.intensity[default, s]), "width": 9},
                name=sector.id,
                hovertext=_hover(border_map, default, s),
                hoverinfo="text",
                hoveron="points",
                showlegend=False,
            )
        )
    for s, sector in enumerate(border_map.sectors):
        middle = sector.line[len(sector.line) // 2]
        dx, dy = label_offset(sector, s)
        figure.add_annotation(
            x=float(middle[0]),
            y=float(middle[1]),
            text=sector.id,
            showarrow=True,
            arrowhead=0,
            arrowcolor="#666666",
            ax=dx,
            ay=-dy,  # plotly's ay points down
            font={"size": 11, "color": "#222222"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    figure.add_trace(
        go.Scatter(
            x=[c[1] for c in CITIES],
            y=[c[2] for c in CITIES],
            mode="markers+text",
            text=[c[0] for c in CITIES],
            textposition=[c[3] for c in CITIES],
            textfont={"size": 10, "color": "#555555"},
            marker={"size": 5, "color": "#555555"},
            hoverinfo="text",
            showlegend=False,
        )
    )
    for country in border_map.countries:
        label = {"BLR": (27.9, 53.3), "UKR": (31.2, 48.9)}.get(country.id)
        if label is not None:
            figure.add_annotation(
                x=label[0],
                y=label[1],
                text=country.name.upper(),
                showarrow=False,
                font={"size": 14, "color": "#9a9a9a"},
            )
    samples = np.linspace(0.0, 1.0, 11)
    figure.add_trace(
        go.Scatter(
            x=[float(border_map.border[0, 0])],
            y=[float(border_map.border[0, 1])],
            mode="markers",
            marker={
                "color": [0.0],
                "cmin": 0.0,
                "cmax": border_map.scale_max,
                "colorscale": [[float(v), str(to_hex(cmap(v)))] for v in samples],
                "showscale": True,
                "size": 0.1,
                "opacity": 0.0,
                "colorbar": {
                    "title": {"text": "threat points<br>per 100 km", "side": "right"},
                    "thickness": 14,
                    "len": 0.6,
                },
            },
            hoverinfo="skip",
            showlegend=False,
        )
    )
    sector_traces = list(range(first_sector, first_sector + len(border_map.sectors)))
    buttons = []
    for d, doctrine in enumerate(border_map.doctrines):
        buttons.append(
            {
                "label": doctrine,
                "method": "restyle",
                "args": [
                    {
                        "line.color": [
                            border_map.colour(border_map.intensity[d, s])
                            for s in range(len(border_map.sectors))
                        ],
                        "hovertext": [
                            _hover(border_map, d, s) for s in range(len(border_map.sectors))
                        ],
                    },
                    sector_traces,
                ],
            }
        )
    figure.add_annotation(
        text="doctrine:",
        x=0.0,
        xref="paper",
        xanchor="left",
        y=1.0,
        yref="paper",
        yanchor="bottom",
        yshift=12,
        showarrow=False,
    )
    lon = np.concatenate([r[:, 0] for c in border_map.countries for r in c.rings])
    lat = np.concatenate([r[:, 1] for c in border_map.countries for r in c.rings])
    figure.update_layout(
        template=TEMPLATE,
        height=760,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor=BACKGROUND,
        updatemenus=[
            {
                "buttons": buttons,
                "active": default,
                "x": 0.1,
                "xanchor": "left",
                "y": 1.0,
                "yanchor": "bottom",
                "pad": {"b": 6},
                "showactive": True,
            }
        ],
    )
    figure.update_xaxes(
        range=[float(lon.min()) - 0.3, float(lon.max()) + 0.3],
        showgrid=False,
        zeroline=False,
        ticksuffix="°E",
        constrain="domain",
    )
    figure.update_yaxes(
        range=[float(lat.min()) - 0.3, float(lat.max()) + 0.3],
        showgrid=False,
        zeroline=False,
        ticksuffix="°N",
        scaleanchor="x",
        scaleratio=_aspect(border_map),
        constrain="domain",
    )
    return figure


def matplotlib_map(border_map: BorderMap, doctrine: str | None = None) -> Any:
    """Static map for one doctrine (matplotlib Figure; default: the subject's own doctrine)."""
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Polygon

    doctrine = doctrine or border_map.default_doctrine
    d = border_map.doctrines.index(doctrine)
    figure = Figure(figsize=(8.0, 7.2), dpi=100)
    axes = figure.add_subplot()
    fills = {"BLR": "#eef2e6", "UKR": "#e8eef6"}
    for country in border_map.countries:
        for ring in country.rings:
            axes.add_patch(
                Polygon(
                    ring,
                    closed=True,
                    facecolor=fills.get(country.id, "#f2f2f2"),
                    edgecolor="#8c8c8c",
                    linewidth=0.6,
                )
            )
    axes.plot(border_map.border[:, 0], border_map.border[:, 1], color="#444444", linewidth=0.8)
    norm = Normalize(0.0, border_map.scale_max)
    collection = LineCollection(
        [sector.line for sector in border_map.sectors],
        cmap=colormaps[MAP_COLOURMAP],
        norm=norm,
        linewidths=6,
        capstyle="butt",
    )
    collection.set_array(border_map.intensity[d])
    axes.add_collection(collection)
    for s, sector in enumerate(border_map.sectors):
        middle = sector.line[len(sector.line) // 2]
        axes.annotate(
            sector.id,
            xy=(middle[0], middle[1]),
            xytext=label_offset(sector, s),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "#666666", "linewidth": 0.6},
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
        )
    placements = {
        "top center": ((0, 4), "center", "bottom"),
        "bottom center": ((0, -4), "center", "top"),
        "middle left": ((-4, 0), "right", "center"),
        "middle right": ((4, 0), "left", "center"),
    }
    for name, city_lon, city_lat, position in CITIES:
        offset, ha, va = placements[position]
        axes.plot(city_lon, city_lat, "o", color="#555555", markersize=3)
        axes.annotate(
            name,
            (city_lon, city_lat),
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=7,
            color="#555555",
        )
    for country in border_map.countries:
        label = {"BLR": (27.9, 53.3), "UKR": (31.2, 48.9)}.get(country.id)
        if label is not None:
            axes.text(*label, country.name.upper(), ha="center", color="#9a9a9a", fontsize=11)
    lon = np.concatenate([r[:, 0] for c in border_map.countries for r in c.rings])
    lat = np.concatenate([r[:, 1] for c in border_map.countries for r in c.rings])
    axes.set_xlim(lon.min() - 0.3, lon.max() + 0.3)
    axes.set_ylim(lat.min() - 0.3, lat.max() + 0.3)
    axes.set_aspect(_aspect(border_map))
    axes.set_facecolor(BACKGROUND)
    axes.set_xlabel("longitude (°E)")
    axes.set_ylabel("latitude (°N)")
    colourbar = figure.colorbar(collection, ax=axes, shrink=0.7)
    colourbar.set_label("mean threat-weighted forces per 100 km")
    axes.set_title(f"Deployment intensity by sector: {doctrine}", fontsize=11)
    figure.text(0.01, 0.01, "Made with Natural Earth (public domain)", fontsize=7, color="#666666")
    figure.subplots_adjust(left=0.1, right=0.97, top=0.94, bottom=0.08)
    return figure
