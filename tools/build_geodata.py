"""Build dualtrack's vendored country geometry from Natural Earth via the world-atlas package.

This is a *build-time* tool.  It reads the TopoJSON files shipped by the ``world-atlas`` npm
package (Natural Earth admin-0 countries, public domain; packaging ISC) and writes small,
plain-text package data under ``src/dualtrack/data/geo`` that the runtime reads with the
standard library or numpy only (every length is computed here and stored):

``belarus_ukraine.geojson``
    Belarus and Ukraine outlines (1:10m), the common border as one line feature (the set of
    TopoJSON arcs used by both countries, at full 1:10m resolution), that border split at the
    meridians 25.5, 27.5 and 30.5 deg E into the four sectors of the built-in scenario, and
    cities drawn for orientation.
``europe_borders.csv``
    Every pair of the listed European countries that shares a land border (shared arcs in
    the 1:10m topology) with its geodesic length.
``europe_countries.csv``
    ISO codes, names, centroid of the European part and geodesic area of each country.
``europe.geojson``
    Simplified outlines of the same countries, clipped to a European window, and every land
    border between them as a line feature (simplified with the outlines, so they match).
``atlases.json``
    The atlases above, most detailed first: the report draws a scenario on the first one
    whose countries hold all the scenario's mapped actors.
``ATTRIBUTION.md``
    Source, licences, build date, rebuild command and the computed lengths.

All lengths and areas are geodesic on the WGS84 ellipsoid (``pyproj.Geod``).  Polygons are
written with RFC 7946 winding (exterior rings counter-clockwise).  Natural Earth 4.1.0 draws
Crimea as part of Russia; by default the tool gives it back to Ukraine (``--crimea``).  Note
that world-atlas has already quantised and simplified the Natural Earth lines, so lengths are
shorter than official figures.  Options: ``python tools/build_geodata.py --help``.

Build-time requirements: ``numpy`` and the ``geodata`` extra (``shapely>=2``, ``pyproj``).
Get the input with::

    mkdir -p /tmp/wa && cd /tmp/wa && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz

and rebuild with::

    python tools/build_geodata.py /tmp/wa/package
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pyproj import Geod, Transformer
from shapely import make_valid, set_precision
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import linemerge, unary_union

GEOD = Geod(ellps="WGS84")

Coords = NDArray[np.float64]

BLR, UKR = "112", "804"

#: Meridians (deg E) that cut the Belarus-Ukraine border into sectors, west to east.
SECTOR_CUTS: tuple[float, ...] = (25.5, 27.5, 30.5)

#: (id, human-readable name, Belarusian side, Ukrainian side), west to east.  The cut points
#: are meridians, so the oblast names describe each sector approximately.
SECTORS: tuple[tuple[str, str, str, str], ...] = (
    ("brest-volyn", "Brest (BY) - Volyn (UA)", "Brest", "Volyn"),
    (
        "polesie-west",
        "Western Polesie: Brest (BY) - Volyn/Rivne (UA)",
        "Brest",
        "Volyn, Rivne",
    ),
    (
        "polesie-east",
        "Eastern Polesie: Gomel (BY) - Zhytomyr/Kyiv (UA), incl. Chernobyl exclusion zone",
        "Gomel",
        "Rivne, Zhytomyr, Kyiv",
    ),
    ("gomel-chernihiv", "Dnieper: Gomel (BY) - Chernihiv (UA)", "Gomel", "Chernihiv"),
)

#: Cities drawn on the Belarus-Ukraine map for orientation: (name, lon, lat, where the name
#: goes relative to the point: top, bottom, left or right).
BU_PLACES: tuple[tuple[str, float, float, str], ...] = (
    ("Minsk", 27.5667, 53.9000, "top"),
    ("Kyiv", 30.5234, 50.4501, "bottom"),
    ("Brest", 23.6847, 52.0976, "left"),
    ("Gomel", 30.9754, 52.4412, "top"),
    ("Chernihiv", 31.2893, 51.4982, "right"),
)

#: Where each country's name is written on the Belarus-Ukraine map (lon, lat).
BU_LABEL_POINTS: dict[str, tuple[float, float]] = {"BLR": (27.9, 53.3), "UKR": (31.2, 48.9)}

BU_OFFICIAL_KM = 1084
BU_OFFICIAL_SOURCE = (
    "the official length quoted in the seed article (Y. Preiherman, Open Nuclear Network, 2024)"
)
#: Why the measured Belarus-Ukraine border is shorter than the official one ({coarse}: the
#: 1:50m length in km).
BU_LENGTH_NOTE = (
    "The two lengths differ because the geometry is generalised: Natural Earth's 1:10m "
    "boundaries are simplified lines (and world-atlas rounds their vertices to a 1e5 grid), "
    "so the many small bends of a border that follows rivers and marshland (Pripyat, Dnieper, "
    "Sozh) are cut short. A line's measured length grows with the detail of the map (the "
    "coastline paradox): the coarser 1:50m version of the same border measures {coarse} km. The "
    "scenario's sector lengths are each sector's share of the drawn line scaled to the "
    "official {official} km."
)

#: ISO 3166-1 alpha-3 -> (numeric code or "" if none, English short name).
EUROPE: dict[str, tuple[str, str]] = {
    "ALB": ("008", "Albania"),
    "AND": ("020", "Andorra"),
    "AUT": ("040", "Austria"),
    "BLR": ("112", "Belarus"),
    "BEL": ("056", "Belgium"),
    "BIH": ("070", "Bosnia and Herzegovina"),
    "BGR": ("100", "Bulgaria"),
    "HRV": ("191", "Croatia"),
    "CYP": ("196", "Cyprus"),
    "CZE": ("203", "Czechia"),
    "DNK": ("208", "Denmark"),
    "EST": ("233", "Estonia"),
    "FIN": ("246", "Finland"),
    "FRA": ("250", "France"),
    "DEU": ("276", "Germany"),
    "GRC": ("300", "Greece"),
    "HUN": ("348", "Hungary"),
    "ISL": ("352", "Iceland"),
    "IRL": ("372", "Ireland"),
    "ITA": ("380", "Italy"),
    "XKX": ("", "Kosovo"),
    "LVA": ("428", "Latvia"),
    "LIE": ("438", "Liechtenstein"),
    "LTU": ("440", "Lithuania"),
    "LUX": ("442", "Luxembourg"),
    "MLT": ("470", "Malta"),
    "MDA": ("498", "Moldova"),
    "MCO": ("492", "Monaco"),
    "MNE": ("499", "Montenegro"),
    "NLD": ("528", "Netherlands"),
    "MKD": ("807", "North Macedonia"),
    "NOR": ("578", "Norway"),
    "POL": ("616", "Poland"),
    "PRT": ("620", "Portugal"),
    "ROU": ("642", "Romania"),
    "RUS": ("643", "Russia"),
    "SMR": ("674", "San Marino"),
    "SRB": ("688", "Serbia"),
    "SVK": ("703", "Slovakia"),
    "SVN": ("705", "Slovenia"),
    "ESP": ("724", "Spain"),
    "SWE": ("752", "Sweden"),
    "CHE": ("756", "Switzerland"),
    "UKR": ("804", "Ukraine"),
    "GBR": ("826", "United Kingdom"),
    "VAT": ("336", "Vatican City"),
    "TUR": ("792", "Turkey"),
    "GEO": ("268", "Georgia"),
    "ARM": ("051", "Armenia"),
    "AZE": ("031", "Azerbaijan"),
}

#: Countries without a numeric id in world-atlas, matched by their ``name`` property instead.
MATCH_BY_NAME: dict[str, str] = {"XKX": "Kosovo"}

#: Natural Earth 4.1.0 (and so world-atlas 2.0.2) draws Crimea as part of Russia (its
#: "de facto" policy).  By default this tool moves it back to Ukraine, the boundary that the
#: UN recognises (UNGA resolution 68/262); ``--crimea source`` keeps Natural Earth's drawing.
#: A Russian polygon lying wholly inside this box (lon_min, lat_min, lon_max, lat_max) is
#: Crimea.
CRIMEA_BOX: tuple[float, float, float, float] = (32.0, 44.0, 36.8, 46.4)

#: The European window (lon_min, lat_min, lon_max, lat_max) for ``europe.geojson`` and for the
#: centroids: drops overseas parts (French Guiana, Reunion, Caribbean Netherlands, ...) and
#: clips Russia at 60 deg E, but keeps the Azores, Madeira, the Canaries and Svalbard.
EUROPE_WINDOW: tuple[float, float, float, float] = (-32.0, 27.0, 60.0, 84.0)


# --------------------------------------------------------------------------------------------
# TopoJSON decoding
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    """One country of the topology: its id, name and arc references (as in TopoJSON)."""

    id: str | None
    name: str
    type: str
    arcs: list[Any]

    def polygons(self) -> list[list[list[int]]]:
        """The arc references as a list of polygons, each a list of rings."""
        if self.type == "Polygon":
            return [self.arcs]
        if self.type == "MultiPolygon":
            return list(self.arcs)
        return []

    def arc_ids(self) -> set[int]:
        """Indices (non-negative) of every arc that the country's rings use."""
        return {a if a >= 0 else ~a for poly in self.polygons() for ring in poly for a in ring}


class Topology:
    """A decoded TopoJSON topology: absolute lon/lat arcs and the ``countries`` object."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        transform = data.get("transform")
        self.arcs: list[Coords] = []
        for raw in data["arcs"]:
            pts = np.asarray(raw, dtype=np.float64)
            if transform is not None:
                pts = np.cumsum(pts, axis=0) * transform["scale"] + transform["translate"]
            self.arcs.append(pts)
        self.countries: list[Country] = [
            Country(
                id=g.get("id"),
                name=g.get("properties", {}).get("name", ""),
                type=g.get("type", ""),
                arcs=g.get("arcs", []),
            )
            for g in data["objects"]["countries"]["geometries"]
        ]

    def move_polygons(
        self, from_id: str, to_id: str, bbox: tuple[float, float, float, float]
    ) -> int:
        """Give ``to_id`` every polygon of ``from_id`` whose outer ring lies inside ``bbox``.

        Returns how many polygons moved.  Arcs are untouched, so the boundary between the
        moved polygon and its new owner stops being a border (both sides are one country).
        """
        src, dst = self.find(from_id), self.find(to_id)
        if src is None or dst is None:
            raise SystemExit(f"cannot move polygons from {from_id} to {to_id}: id missing")
        lon0, lat0, lon1, lat1 = bbox
        keep: list[list[list[int]]] = []
        move: list[list[list[int]]] = []
        for poly in src.polygons():
            ring = self.ring(poly[0])
            inside = (
                lon0 <= ring[:, 0].min()
                and ring[:, 0].max() <= lon1
                and lat0 <= ring[:, 1].min()
                and ring[:, 1].max() <= lat1
            )
            (move if inside else keep).append(poly)
        if move:
            new_src = Country(src.id, src.name, "MultiPolygon", keep)
            new_dst = Country(dst.id, dst.name, "MultiPolygon", dst.polygons() + move)
            self.countries = [
                new_src if c is src else new_dst if c is dst else c for c in self.countries
            ]
        return len(move)

    def find(self, numeric: str, name: str | None = None) -> Country | None:
        """The country with ISO numeric id ``numeric``, or the id-less one called ``name``."""
        for c in self.countries:
            if numeric and c.id == numeric:
                return c
        if name is not None:
            for c in self.countries:
                if c.id is None and c.name == name:
                    return c
        return None

    def arc(self, ref: int, arcs: Sequence[Coords] | None = None) -> Coords:
        """Coordinates of arc reference ``ref`` (``~i`` means arc ``i`` reversed)."""
        source = self.arcs if arcs is None else arcs
        return source[ref] if ref >= 0 else source[~ref][::-1]

    def ring(self, refs: Iterable[int], arcs: Sequence[Coords] | None = None) -> Coords:
        """Stitch arc references into one closed ring (shared end points kept once)."""
        parts: list[Coords] = []
        for i, ref in enumerate(refs):
            pts = self.arc(ref, arcs)
            parts.append(pts if i == 0 else pts[1:])
        return np.concatenate(parts, axis=0)


# --------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------


def unwrap_lon(ring: Coords) -> Coords:
    """Remove +-360 jumps across the antimeridian so that the ring is planar-valid.

    The ring is then shifted by a multiple of 360 so that its westernmost point lies in
    [-180, 180); the large Russian ring, for instance, spans about 19..190 deg E.
    """
    out = ring.copy()
    jumps = np.diff(out[:, 0])
    shift = np.concatenate(([0.0], -360.0 * np.cumsum(np.round(jumps / 360.0))))
    out[:, 0] += shift
    out[:, 0] -= 360.0 * math.floor((out[:, 0].min() + 180.0) / 360.0)
    return out


def country_shape(
    topo: Topology, country: Country, arcs: Sequence[Coords] | None = None
) -> MultiPolygon:
    """A shapely MultiPolygon (planar lon/lat, antimeridian unwrapped, RFC 7946 winding)."""
    polys: list[Polygon] = []
    for poly in country.polygons():
        rings = [unwrap_lon(topo.ring(r, arcs)) for r in poly]
        rings = [r for r in rings if len(r) >= 4]
        if not rings:
            continue
        shape = Polygon(rings[0], rings[1:])
        if not shape.is_valid:
            shape = make_valid(shape)
        polys.extend(_polygons_of(shape))
    # Simplified islands may overlap their mainland: union the parts into a valid whole.
    merged = unary_union([p for p in polys if not p.is_empty])
    return MultiPolygon([orient(p, sign=1.0) for p in _polygons_of(merged)])


def _polygons_of(geom: BaseGeometry) -> list[Polygon]:
    """The polygon parts of any shapely geometry (drops points and lines)."""
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygons_of(g)]
    return []


def geodesic_area_km2(topo: Topology, country: Country) -> float:
    """Geodesic area of the full country (all parts, holes subtracted) in km^2."""
    total = 0.0
    for poly in country.polygons():
        for i, refs in enumerate(poly):
            ring = topo.ring(refs)
            area, _ = GEOD.polygon_area_perimeter(ring[:, 0], ring[:, 1])
            total += abs(area) if i == 0 else -abs(area)
    return total / 1e6


def line_length_km(lines: Iterable[Coords]) -> float:
    """Geodesic length of polylines (lon/lat columns) in km."""
    return sum(GEOD.line_length(ln[:, 0], ln[:, 1]) for ln in lines) / 1000.0


def shared_arcs(a: Country, b: Country) -> set[int]:
    """Arc indices used by both countries: their common (land) boundary."""
    return a.arc_ids() & b.arc_ids()


def merged_lines(
    topo: Topology, arc_ids: Iterable[int], arcs: Sequence[Coords] | None = None
) -> list[Coords]:
    """Join arcs (``arcs``, default the topology's) into as few polylines as possible, each
    oriented west to east."""
    source = topo.arcs if arcs is None else arcs
    merged = linemerge(MultiLineString([source[i] for i in sorted(arc_ids)]))
    parts = list(merged.geoms) if isinstance(merged, MultiLineString) else [merged]
    lines = [np.asarray(p.coords, dtype=np.float64) for p in parts]
    lines = [ln[::-1] if ln[0, 0] > ln[-1, 0] else ln for ln in lines]
    return sorted(lines, key=lambda ln: float(ln[:, 0].min()))


def split_at_meridians(line: Coords, cuts: Sequence[float]) -> list[Coords]:
    """Split a west-to-east polyline at the first crossing of each meridian in ``cuts``."""
    pieces: list[Coords] = []
    start = 0
    head: Coords | None = None
    for cut in cuts:
        rel = line[:, 0] - cut
        idx = next(
            (i for i in range(start, len(line) - 1) if rel[i] < 0 <= rel[i + 1]),
            None,
        )
        if idx is None:
            raise ValueError(f"border does not cross {cut} deg E after vertex {start}")
        p0, p1 = line[idx], line[idx + 1]
        t = (cut - p0[0]) / (p1[0] - p0[0])
        point = p0 + t * (p1 - p0)
        body = line[start : idx + 1]
        piece = np.vstack([body, point]) if head is None else np.vstack([head, body, point])
        pieces.append(piece)
        head = point[None, :]
        start = idx + 1
    tail = line[start:]
    pieces.append(tail if head is None else np.vstack([head, tail]))
    return pieces


def meridian_crossings(line: Coords, cut: float) -> int:
    """How many times a polyline crosses the meridian ``cut`` (1 = cleanly split)."""
    side = np.sign(line[:, 0] - cut)
    side = side[side != 0]
    return int(np.count_nonzero(np.diff(side)))


def simplify_arcs(arcs: Sequence[Coords], tolerance: float) -> list[Coords]:
    """Douglas-Peucker each arc on its own (degrees), keeping its end points.

    Simplifying arcs rather than polygons keeps neighbouring outlines topologically
    consistent: a shared border is simplified once and used by both countries.
    """
    if tolerance <= 0:
        return list(arcs)
    out: list[Coords] = []
    for arc in arcs:
        if len(arc) <= 2:
            out.append(arc)
            continue
        simple = LineString(arc).simplify(tolerance, preserve_topology=False)
        out.append(np.asarray(simple.coords, dtype=np.float64))
    return out


def centroid_lonlat(shape: BaseGeometry) -> tuple[float, float]:
    """Area centroid computed in a Lambert azimuthal equal-area projection (lon, lat)."""
    minx, miny, maxx, maxy = shape.bounds
    lon0, lat0 = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    proj = f"+proj=laea +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=m"
    fwd = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
    inv = Transformer.from_crs(proj, "EPSG:4326", always_xy=True)
    projected = [
        Polygon(
            np.column_stack(fwd.transform(*np.asarray(p.exterior.coords).T)),
            [np.column_stack(fwd.transform(*np.asarray(h.coords).T)) for h in p.interiors],
        )
        for p in _polygons_of(shape)
    ]
    c = MultiPolygon(projected).centroid
    lon, lat = inv.transform(c.x, c.y)
    return float(lon), float(lat)


def polygon_geojson(geom: BaseGeometry, ndigits: int) -> dict[str, Any]:
    """Valid, RFC 7946-wound (Multi)Polygon mapping snapped to a 10**-ndigits degree grid.

    ``set_precision`` snaps with GEOS's precision reducer, which keeps the result valid
    (plain rounding can make thin parts self-intersect).
    """
    snapped = set_precision(geom, 10.0**-ndigits)
    parts = [orient(p, sign=1.0) for p in _polygons_of(make_valid(snapped)) if not p.is_empty]
    if not parts:
        raise ValueError("polygon vanished when snapped to the coordinate grid")
    shape = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    return rounded(mapping(shape), ndigits)


def rounded(geom: dict[str, Any], ndigits: int) -> dict[str, Any]:
    """A GeoJSON geometry mapping with coordinates rounded to ``ndigits`` decimals."""

    def walk(x: Any) -> Any:
        if isinstance(x, list | tuple):
            if x and isinstance(x[0], float | int):
                return [round(float(v), ndigits) for v in x]
            return [walk(v) for v in x]
        return x

    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}


def line_geometry(lines: Sequence[Coords]) -> dict[str, Any]:
    """GeoJSON LineString (one part) or MultiLineString geometry mapping."""
    if len(lines) == 1:
        return mapping(LineString(lines[0]))
    return mapping(MultiLineString(list(lines)))


def write_json(path: Path, obj: Any) -> int:
    """Write compact JSON with a trailing newline; return the size in bytes."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path.stat().st_size


# --------------------------------------------------------------------------------------------
# Build steps
# --------------------------------------------------------------------------------------------


def require(topo: Topology, numeric: str, label: str) -> Country:
    """The country with id ``numeric``; fail loudly if the topology lacks it."""
    country = topo.find(numeric)
    if country is None:
        raise SystemExit(f"{label}: no country with id {numeric}")
    return country


def border_blr_ukr(topo: Topology) -> list[Coords]:
    """The Belarus-Ukraine border as west-to-east polylines."""
    blr, ukr = require(topo, BLR, "Belarus"), require(topo, UKR, "Ukraine")
    arcs = shared_arcs(blr, ukr)
    if not arcs:
        raise SystemExit("Belarus and Ukraine share no arc")
    return merged_lines(topo, arcs)


def build_belarus_ukraine(
    topo10: Topology,
    topo50: Topology,
    out_dir: Path,
    *,
    tolerance: float,
    meta: dict[str, Any],
) -> dict[str, Any]:
    """Write the two Belarus/Ukraine GeoJSON files; return the computed lengths."""
    border10 = border_blr_ukr(topo10)
    border50 = border_blr_ukr(topo50)
    len10, len50 = line_length_km(border10), line_length_km(border50)
    shared = shared_arcs(require(topo10, BLR, "Belarus"), require(topo10, UKR, "Ukraine"))

    # Simplify only the arcs that are not the common border; the border stays at 1:10m.
    arcs = simplify_arcs(topo10.arcs, tolerance)
    for i in shared:
        arcs[i] = topo10.arcs[i]

    features: list[dict[str, Any]] = []
    for numeric, iso3, name in ((BLR, "BLR", "Belarus"), (UKR, "UKR", "Ukraine")):
        country = require(topo10, numeric, name)
        shape = country_shape(topo10, country, arcs)
        features.append(
            {
                "type": "Feature",
                "id": iso3,
                "properties": {
                    "id": iso3,
                    "name": name,
                    "kind": "country",
                    "label_point": list(BU_LABEL_POINTS[iso3]),
                },
                "geometry": polygon_geojson(shape, 4),
            }
        )
    features.append(
        {
            "type": "Feature",
            "id": "BLR-UKR",
            "properties": {
                "id": "BLR-UKR",
                "name": "Belarus-Ukraine border",
                "kind": "border",
                "between": ["BLR", "UKR"],
                "length_km": round(len10, 1),
                "official_length_km": BU_OFFICIAL_KM,
                "official_source": BU_OFFICIAL_SOURCE,
                "length_note": BU_LENGTH_NOTE.format(
                    coarse=f"{len50:.1f}", official=f"{BU_OFFICIAL_KM:,}"
                ),
                "length_km_10m": round(len10, 1),
                "length_km_50m": round(len50, 1),
            },
            "geometry": rounded(line_geometry(border10), 4),
        }
    )
    if len(border10) != 1:
        raise SystemExit(f"expected one continuous border line, got {len(border10)}")
    line = border10[0]
    pieces = split_at_meridians(line, SECTOR_CUTS)
    bounds = (-180.0, *SECTOR_CUTS, 180.0)
    sector_lengths: dict[str, float] = {}
    for k, (piece, (sid, sname, by_side, ua_side)) in enumerate(zip(pieces, SECTORS, strict=True)):
        length = line_length_km([piece])
        sector_lengths[sid] = length
        features.append(
            {
                "type": "Feature",
                "id": sid,
                "properties": {
                    "id": sid,
                    "name": sname,
                    "kind": "sector",
                    "between": ["BLR", "UKR"],
                    "order": k + 1,
                    "length_km": round(length, 1),
                    "oblast_by": by_side,
                    "oblast_ua": ua_side,
                    "lon_from": None if k == 0 else bounds[k],
                    "lon_to": None if k == len(SECTORS) - 1 else bounds[k + 1],
                },
                "geometry": rounded(mapping(LineString(piece)), 4),
            }
        )
    for name, lon, lat, position in BU_PLACES:
        features.append(
            {
                "type": "Feature",
                "id": name,
                "properties": {"id": name, "name": name, "kind": "place", "label": position},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    crossings = {str(c): meridian_crossings(line, c) for c in SECTOR_CUTS}
    collection = {
        "type": "FeatureCollection",
        "properties": {
            **meta,
            "scale": "1:10m",
            "outline_simplification_deg": tolerance,
            "border_simplification": "none (full 1:10m world-atlas resolution)",
            "border_length_km_10m": round(len10, 1),
            "border_length_km_50m": round(len50, 1),
            "border_length_km_official": BU_OFFICIAL_KM,
            "length_method": "geodesic on WGS84 (pyproj.Geod.line_length)",
            "winding": "RFC 7946 (exterior rings counter-clockwise)",
            "cut_meridians_deg_e": list(SECTOR_CUTS),
            "cut_rule": "first west-to-east crossing of each meridian",
            "meridian_crossings": crossings,
            "oblast_note": "oblast names are approximate: the cuts are meridians",
        },
        "features": features,
    }
    size = write_json(out_dir / "belarus_ukraine.geojson", collection)
    return {
        "len10": len10,
        "len50": len50,
        "points10": int(sum(len(b) for b in border10)),
        "points50": int(sum(len(b) for b in border50)),
        "sectors": sector_lengths,
        "crossings": crossings,
        "size": size,
    }


def border_arcs(topo: Topology, countries: dict[str, Country]) -> dict[tuple[str, str], set[int]]:
    """The arcs of every shared land border between ``countries``.

    A border is the set of arcs used by exactly two of the countries; keys are ISO3 pairs
    sorted alphabetically.
    """
    users: dict[int, set[str]] = defaultdict(set)
    for iso3, country in countries.items():
        for arc in country.arc_ids():
            users[arc].add(iso3)
    pair_arcs: dict[tuple[str, str], set[int]] = defaultdict(set)
    for arc, who in users.items():
        if len(who) == 2:
            a, b = sorted(who)
            pair_arcs[(a, b)].add(arc)
    return dict(pair_arcs)


def border_pairs(topo: Topology, countries: dict[str, Country]) -> dict[tuple[str, str], float]:
    """Geodesic length (km) of every shared land border between ``countries`` (full detail)."""
    return {
        pair: line_length_km(topo.arcs[i] for i in arcs)
        for pair, arcs in border_arcs(topo, countries).items()
    }


def build_europe(
    topo10: Topology,
    topo50: Topology,
    out_dir: Path,
    *,
    tolerance: float,
    ndigits: int,
    meta: dict[str, Any],
) -> dict[str, Any]:
    """Write the European border table, country table and outlines; return a summary.

    A country that is missing from either scale is skipped.  A microstate whose 1:10m
    polygon world-atlas collapsed to zero area (the Vatican) takes its outline, area,
    centroid and borders from the 1:50m topology instead.
    """
    found10: dict[str, Country] = {}
    found50: dict[str, Country] = {}
    skipped: list[str] = []
    for iso3, (numeric, _name) in EUROPE.items():
        c10 = topo10.find(numeric, MATCH_BY_NAME.get(iso3))
        c50 = topo50.find(numeric, MATCH_BY_NAME.get(iso3))
        if c10 is None or c50 is None:
            skipped.append(iso3)
            continue
        found10[iso3], found50[iso3] = c10, c50
    fallback = sorted(iso3 for iso3, c in found10.items() if country_shape(topo10, c).is_empty)

    # Land borders from the 1:10m topology, except those of fallback countries (1:50m).
    pairs = {
        pair: length
        for pair, length in border_pairs(topo10, found10).items()
        if not set(pair) & set(fallback)
    }
    pairs.update(
        (pair, length)
        for pair, length in border_pairs(topo50, found50).items()
        if set(pair) & set(fallback)
    )
    pairs = dict(sorted(pairs.items()))
    with (out_dir / "europe_borders.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["a", "b", "length_km"])
        for (a, b), length in pairs.items():
            writer.writerow([a, b, f"{length:.1f}"])

    window = box(*EUROPE_WINDOW)
    simple_arcs = simplify_arcs(topo10.arcs, tolerance)
    features: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    for iso3 in sorted(found10):
        numeric, name = EUROPE[iso3]
        use50 = iso3 in fallback
        topo = topo50 if use50 else topo10
        country = found50[iso3] if use50 else found10[iso3]
        full = country_shape(topo, country)
        europe_part = make_valid(full.intersection(window))
        lon, lat = centroid_lonlat(europe_part)
        area = geodesic_area_km2(topo, country)
        rows.append([iso3, name, numeric, f"{lon:.4f}", f"{lat:.4f}", f"{area:.1f}"])

        if use50:
            parts = _polygons_of(europe_part)
        else:
            outline = country_shape(topo10, country, simple_arcs).intersection(window)
            parts = [orient(p, sign=1.0) for p in _polygons_of(make_valid(outline))]
            if not parts:  # collapsed by simplification: keep it unsimplified
                parts = _polygons_of(europe_part)
        geom = parts[0] if len(parts) == 1 else MultiPolygon(parts)
        features.append(
            {
                "type": "Feature",
                "id": iso3,
                "properties": {
                    "id": iso3,
                    "name": name,
                    "numeric": numeric,
                    "ne_name": country.name,
                    "scale": "1:50m" if use50 else "1:10m",
                    "centroid": [round(lon, 4), round(lat, 4)],
                    "area_km2": round(area, 1),
                },
                "geometry": polygon_geojson(geom, ndigits),
            }
        )
    for (a, b), length in pairs.items():
        use50 = bool({a, b} & set(fallback))
        topo, found = (topo50, found50) if use50 else (topo10, found10)
        arc_ids = border_arcs(topo, {a: found[a], b: found[b]})[(a, b)]
        lines = merged_lines(topo, arc_ids, topo.arcs if use50 else simple_arcs)
        features.append(
            {
                "type": "Feature",
                "id": f"{a}-{b}",
                "properties": {
                    "id": f"{a}-{b}",
                    "name": f"{EUROPE[a][1]} - {EUROPE[b][1]}",
                    "kind": "border",
                    "between": [a, b],
                    "length_km": round(length, 1),
                    "scale": "1:50m" if use50 else "1:10m",
                },
                "geometry": rounded(line_geometry(lines), ndigits),
            }
        )
    with (out_dir / "europe_countries.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["iso3", "name", "numeric", "centroid_lon", "centroid_lat", "area_km2"])
        writer.writerows(rows)

    collection = {
        "type": "FeatureCollection",
        "properties": {
            **meta,
            "scale": "1:10m",
            "simplification_deg": tolerance,
            "coordinate_decimals": ndigits,
            "window_lon_lat": list(EUROPE_WINDOW),
            "winding": "RFC 7946 (exterior rings counter-clockwise)",
            "skipped": skipped,
            "from_1_50m": fallback,
        },
        "features": features,
    }
    size = write_json(out_dir / "europe.geojson", collection)
    return {
        "pairs": pairs,
        "countries": len(found10),
        "skipped": skipped,
        "fallback": fallback,
        "size": size,
    }


def attribution(
    out_dir: Path,
    world_atlas: Path,
    built: str,
    bu: dict[str, Any],
    eu: dict[str, Any],
    crimea: str,
) -> None:
    """Write ATTRIBUTION.md with source, licences, rebuild command and computed lengths."""
    version = json.loads((world_atlas / "package.json").read_text(encoding="utf-8"))["version"]
    sector_lines = "\n".join(
        f"| `{sid}` | {name} | {bu['sectors'][sid]:.1f} |" for sid, name, _, _ in SECTORS
    )
    skipped = ", ".join(eu["skipped"]) or "none"
    fallback = ", ".join(eu["fallback"]) or "none"
    text = f"""# Geographic data: attribution

Files in this folder are derived from **Natural Earth** Admin 0 - Countries
(<https://www.naturalearthdata.com/>), which is in the **public domain**
("Made with Natural Earth").  They were taken from the TopoJSON redistribution in the
npm package **world-atlas {version}** (Natural Earth 4.1.0; packaging by Mike Bostock,
**ISC licence**), files `countries-10m.json` (1:10m) and `countries-50m.json` (1:50m).

- Scale used: **1:10m** for all geometry and lengths; 1:50m only for the comparison length
  of the Belarus-Ukraine border and for the countries listed under "Europe" below.
  world-atlas quantises coordinates to a 1e5 grid (0.0036 deg in longitude) and simplifies
  the Natural Earth lines, so measured lengths are shorter than official figures (line
  lengths grow with map detail).
- Lengths and areas: geodesic on the WGS84 ellipsoid (`pyproj.Geod`).
- {crimea}.  Natural Earth 4.1.0 assigns Crimea to
  Russia; rebuild with `--crimea source` to keep that.
- Built: {built}

Rebuild (needs numpy, shapely and pyproj; npm only to fetch the input):

```
mkdir -p /tmp/wa && cd /tmp/wa && npm pack world-atlas@{version}
tar xzf world-atlas-{version}.tgz && cd -
python tools/build_geodata.py /tmp/wa/package
```

## Belarus-Ukraine border

| resolution | length (km) |
| --- | --- |
| 1:10m | {bu["len10"]:.1f} |
| 1:50m | {bu["len50"]:.1f} |
| official | 1084 |

Sectors (1:10m, cut at the meridians {", ".join(f"{c} E" for c in SECTOR_CUTS)}):

| id | name | length (km) |
| --- | --- | --- |
{sector_lines}

## Europe

{eu["countries"]} countries, {len(eu["pairs"])} land-border pairs (shared arcs of the 1:10m
topology; boundaries through lakes count).  Skipped: {skipped}.  Taken from the 1:50m
topology because world-atlas collapsed their 1:10m polygon to zero area: {fallback}.
`area_km2` is the whole country as in Natural Earth (overseas parts included);
`centroid_lon`/`centroid_lat` are of the part inside the window
{EUROPE_WINDOW} (lon_min, lat_min, lon_max, lat_max), which is also the extent of
`europe.geojson`.  Cyprus is the Republic-controlled area only: Natural Earth keeps
Northern Cyprus and the UN buffer zone apart.  Serbia excludes Kosovo.
"""
    (out_dir / "ATTRIBUTION.md").write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "world_atlas", type=Path, help="directory holding countries-10m.json and countries-50m.json"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "src" / "dualtrack" / "data" / "geo",
        help="output directory (default: src/dualtrack/data/geo)",
    )
    parser.add_argument(
        "--bu-tolerance",
        type=float,
        default=0.0,
        help="Douglas-Peucker tolerance in degrees for the Belarus/Ukraine outlines "
        "(the common border is never simplified; default 0 = none)",
    )
    parser.add_argument(
        "--europe-tolerance",
        type=float,
        default=0.01,
        help="Douglas-Peucker tolerance in degrees for europe.geojson (default 0.01)",
    )
    parser.add_argument(
        "--europe-decimals", type=int, default=3, help="coordinate decimals in europe.geojson"
    )
    parser.add_argument(
        "--built", default=dt.date.today().isoformat(), help="build date to record (ISO)"
    )
    parser.add_argument(
        "--crimea",
        choices=("ukraine", "source"),
        default="ukraine",
        help="draw Crimea as part of Ukraine (default, UN-recognised) or as the source does",
    )
    args = parser.parse_args(argv)

    topo10 = Topology(args.world_atlas / "countries-10m.json")
    topo50 = Topology(args.world_atlas / "countries-50m.json")
    moved = 0
    if args.crimea == "ukraine":
        moved = topo10.move_polygons("643", UKR, CRIMEA_BOX)
        if moved != 1 or topo50.move_polygons("643", UKR, CRIMEA_BOX) != 1:
            raise SystemExit("expected exactly one Crimean polygon in each topology")
    crimea_note = (
        "Crimea drawn as part of Ukraine (UN-recognised boundary; moved from Natural Earth's RUS)"
        if moved
        else "Crimea as in Natural Earth 4.1.0 (part of RUS)"
    )
    version = json.loads((args.world_atlas / "package.json").read_text(encoding="utf-8"))
    meta = {
        "source": "Natural Earth admin-0 countries (public domain)",
        "via": f"world-atlas {version['version']} (npm, ISC)",
        "built": args.built,
        "crimea": crimea_note,
    }
    args.out.mkdir(parents=True, exist_ok=True)

    bu = build_belarus_ukraine(topo10, topo50, args.out, tolerance=args.bu_tolerance, meta=meta)
    print(
        f"BLR-UKR border: {bu['len10']:.1f} km at 1:10m ({bu['points10']} points), "
        f"{bu['len50']:.1f} km at 1:50m ({bu['points50']} points); official 1084 km"
    )
    for sid, length in bu["sectors"].items():
        print(f"  sector {sid:16s} {length:7.1f} km")
    print(f"  meridian crossings: {bu['crossings']}")
    print(f"  belarus_ukraine.geojson {bu['size'] / 1024:.0f} KiB")

    eu = build_europe(
        topo10,
        topo50,
        args.out,
        tolerance=args.europe_tolerance,
        ndigits=args.europe_decimals,
        meta=meta,
    )
    print(
        f"Europe: {eu['countries']} countries, {len(eu['pairs'])} border pairs, "
        f"skipped: {', '.join(eu['skipped']) or 'none'}; "
        f"from 1:50m: {', '.join(eu['fallback']) or 'none'}; europe.geojson "
        f"{eu['size'] / 1024:.0f} KiB"
    )
    write_json(
        args.out / "atlases.json",
        {
            "note": "most detailed first; the report draws a scenario on the first atlas whose "
            "countries hold all the scenario's mapped actors",
            "atlases": ["belarus_ukraine.geojson", "europe.geojson"],
        },
    )
    attribution(args.out, args.world_atlas, args.built, bu, eu, crimea_note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
