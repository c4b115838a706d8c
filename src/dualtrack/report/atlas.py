"""The vendored country geometry: atlases of outlines, border and sector lines, and places.

Read from ``dualtrack/data/geo`` (Natural Earth 1:10m via world-atlas, built by
``tools/build_geodata.py``; see its ATTRIBUTION.md). ``atlases.json`` lists the atlases most
detailed first. Countries are keyed by ISO 3166-1 alpha-3 code, which is how a scenario's
actors find their country; every length was measured at build time (``pyproj.Geod`` on WGS84)
and is read here, never recomputed.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

GEO_PACKAGE = "dualtrack.data"
GEO_DIR = "geo"
INDEX_FILE = "atlases.json"

Line = NDArray[np.float64]
"""An (n, 2) array of lon/lat points; parts of a multi-part line are separated by NaN rows."""


@dataclass(frozen=True)
class Country:
    """A country outline: exterior rings as (n, 2) lon/lat arrays, and where its name goes."""

    id: str
    name: str
    rings: tuple[Line, ...]
    label_point: tuple[float, float]


@dataclass(frozen=True)
class BorderLine:
    """A line of the atlas between two countries: a whole land border or a sector of one."""

    id: str
    name: str
    between: tuple[str, str]
    line: Line
    length_km: float
    """Geodesic length on WGS84 of the full-detail line (km)."""
    notes: dict[str, Any] = field(default_factory=dict)
    """Further properties recorded with the line (e.g. an official length and its source)."""

    def middle(self) -> tuple[float, float]:
        """The line's middle vertex (lon, lat)."""
        points = self.line[np.isfinite(self.line[:, 0])]
        middle = points[len(points) // 2]
        return float(middle[0]), float(middle[1])


@dataclass(frozen=True)
class Place:
    """A labelled point drawn for orientation (a city)."""

    name: str
    lon: float
    lat: float
    label: str
    """Where the name goes: ``top``, ``bottom``, ``left`` or ``right``."""


@dataclass(frozen=True)
class Atlas:
    """One vendored geometry file."""

    file: str
    countries: dict[str, Country]
    borders: dict[frozenset[str], BorderLine]
    sectors: dict[str, BorderLine]
    places: tuple[Place, ...]
    properties: dict[str, Any]
    """What the file records about itself: source, licence, scale, build date."""

    def border(self, a: str, b: str) -> BorderLine | None:
        """The land border between two countries, if they share one here."""
        return self.borders.get(frozenset((a, b)))


def _read(name: str) -> Any:
    text = resources.files(GEO_PACKAGE).joinpath(GEO_DIR, name).read_text(encoding="utf-8")
    return json.loads(text)


def _rings(geometry: dict[str, Any]) -> tuple[Line, ...]:
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"expected a Polygon or MultiPolygon, found {geometry['type']}")
    return tuple(np.asarray(polygon[0], dtype=np.float64) for polygon in polygons)


def _line(geometry: dict[str, Any]) -> Line:
    if geometry["type"] == "LineString":
        return np.asarray(geometry["coordinates"], dtype=np.float64)
    if geometry["type"] == "MultiLineString":
        gap = np.full((1, 2), np.nan)
        parts = [np.asarray(part, dtype=np.float64) for part in geometry["coordinates"]]
        return np.concatenate([p for part in parts for p in (part, gap)][:-1])
    raise ValueError(f"expected a LineString or MultiLineString, found {geometry['type']}")


def _label_point(properties: dict[str, Any], rings: tuple[Line, ...]) -> tuple[float, float]:
    point = properties.get("label_point") or properties.get("centroid")
    if point is None:
        largest = max(rings, key=len)
        return float(largest[:, 0].mean()), float(largest[:, 1].mean())
    return float(point[0]), float(point[1])


def _atlas(file: str) -> Atlas:
    countries: dict[str, Country] = {}
    borders: dict[frozenset[str], BorderLine] = {}
    sectors: dict[str, BorderLine] = {}
    places: list[Place] = []
    data = _read(file)
    for feature in data["features"]:
        properties = feature["properties"]
        kind = properties.get("kind", "country")
        if kind == "country":
            rings = _rings(feature["geometry"])
            countries[feature["id"]] = Country(
                feature["id"], properties["name"], rings, _label_point(properties, rings)
            )
        elif kind in ("border", "sector"):
            a, b = properties["between"]
            known = {"id", "name", "kind", "between", "length_km"}
            line = BorderLine(
                feature["id"],
                properties["name"],
                (a, b),
                _line(feature["geometry"]),
                float(properties["length_km"]),
                {k: v for k, v in properties.items() if k not in known},
            )
            if kind == "border":
                borders[frozenset((a, b))] = line
            else:
                sectors[feature["id"]] = line
        elif kind == "place":
            lon, lat = feature["geometry"]["coordinates"]
            places.append(
                Place(properties["name"], float(lon), float(lat), properties.get("label", "top"))
            )
    return Atlas(file, countries, borders, sectors, tuple(places), data["properties"])


@cache
def atlases() -> tuple[Atlas, ...]:
    """Every vendored atlas, most detailed first."""
    return tuple(_atlas(file) for file in _read(INDEX_FILE)["atlases"])


def known_countries() -> set[str]:
    """ISO3 codes of every country in any atlas."""
    return {code for atlas in atlases() for code in atlas.countries}


def atlas_for(countries: Collection[str]) -> Atlas | None:
    """The most detailed atlas holding all ``countries``, or None when none holds them all."""
    return next((a for a in atlases() if set(countries) <= set(a.countries)), None)


def attribution() -> str:
    """The credit every page and map carries, from what the atlases record about their source."""
    first = atlases()[0].properties
    return (
        f"Made with Natural Earth (public domain), admin-0 countries {first['scale']}, via the "
        f"{first['via']} TopoJSON redistribution; {first['crimea']}."
    )
