"""Border geometry: geodesic lengths, sector shares of forces, shocks on the time axis."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import dualtrack
from dualtrack.engine.compiled import compile_scenario
from dualtrack.report import load_output_folder
from dualtrack.report.border_map import (
    border_length_km,
    build_border_map,
    mean_weighted_forces,
    official_border_km,
    sector_line_lengths_km,
    sector_shares,
)
from dualtrack.report.geodesy import haversine_segments_m, line_length_km, vincenty_segments_m
from dualtrack.report.shocks import axis_bands, shock_marks, throughout_note


def dms(degrees: float, minutes: float, seconds: float) -> float:
    sign = -1.0 if degrees < 0 else 1.0
    return sign * (abs(degrees) + minutes / 60.0 + seconds / 3600.0)


def test_vincenty_reproduces_the_flinders_peak_to_buninyong_geodesic() -> None:
    # Vincenty (1975) / Geoscience Australia's worked example on the ellipsoid: 54,972.271 m
    # (GRS80; WGS84 differs from it by well under a millimetre over this distance)
    flinders = (dms(144, 25, 29.52440), dms(-37, 57, 3.72030))
    buninyong = (dms(143, 55, 35.38390), dms(-37, 39, 10.15610))
    distance = vincenty_segments_m([flinders, buninyong])[0]
    assert distance == pytest.approx(54_972.271, abs=0.01)


def test_haversine_agrees_with_vincenty_to_half_a_percent_on_the_border() -> None:
    points = np.array([[23.6, 51.5], [25.5, 51.9], [27.5, 51.6], [30.5, 51.3], [31.8, 52.1]])
    ratio = haversine_segments_m(points).sum() / vincenty_segments_m(points).sum()
    assert ratio == pytest.approx(1.0, abs=0.005)


def test_zero_length_segments_measure_zero() -> None:
    assert line_length_km([[30.0, 50.0], [30.0, 50.0], [30.0, 50.0]]) == 0.0


def test_border_length_from_the_vendored_geometry_is_about_863_km() -> None:
    assert border_length_km() == pytest.approx(863.0, rel=0.05)
    assert border_length_km() == pytest.approx(863.0, abs=0.5)  # as ATTRIBUTION.md records
    assert official_border_km() == 1084


def test_border_length_matches_pyproj_when_installed() -> None:
    pyproj = pytest.importorskip("pyproj")
    from dualtrack.report.border_map import BORDER_ID, COUNTRIES_FILE, _read_geojson

    feature = next(f for f in _read_geojson(COUNTRIES_FILE)["features"] if f["id"] == BORDER_ID)
    line = np.asarray(feature["geometry"]["coordinates"])
    expected = pyproj.Geod(ellps="WGS84").line_length(line[:, 0], line[:, 1]) / 1000.0
    assert border_length_km() == pytest.approx(expected, abs=1e-6)


def test_sector_lines_add_up_to_the_border(builtin_scenario: dualtrack.Scenario) -> None:
    lengths = sector_line_lengths_km()
    assert set(lengths) == {s.id for s in builtin_scenario.sectors}
    assert sum(lengths.values()) == pytest.approx(border_length_km(), abs=0.5)


def test_sector_shares_spread_forces_as_the_engine_does(
    builtin_scenario: dualtrack.Scenario,
) -> None:
    compiled = compile_scenario(builtin_scenario)
    n_actors, n_sectors = len(compiled.actor_ids), len(compiled.sector_ids)
    presence = compiled.presence
    dense = presence.toarray() if hasattr(presence, "toarray") else np.asarray(presence)
    engine = dense.reshape(n_actors, n_sectors, 2).sum(axis=2)
    np.testing.assert_allclose(sector_shares(builtin_scenario), engine, atol=1e-12)


def test_stationed_forces_stand_on_their_hosts_side(
    builtin_scenario: dualtrack.Scenario,
) -> None:
    shares = sector_shares(builtin_scenario)
    actors = [a.id for a in builtin_scenario.actors]
    np.testing.assert_allclose(shares[actors.index("RUS")].sum(), 1.0)  # Russia, via Belarus
    assert shares[actors.index("NATO")].sum() == 0.0  # no sector of its own


def test_shocks_are_counted_in_days_from_the_start(builtin_scenario: dualtrack.Scenario) -> None:
    marks = {m.label: m for m in shock_marks(builtin_scenario)}
    buildup = marks["Minsk perceives a Ukrainian build-up"]
    assert (buildup.start_day, buildup.end_day) == (0.0, 42.0)  # 1 Jun to 13 Jul 2024
    drones = marks["Drone incursions into Belarusian airspace"]
    assert (drones.start_day, drones.end_day) == (61.0, 85.0)  # 1 Aug to 25 Aug 2024
    assert marks["Russia-Ukraine war"].throughout


def test_shocks_with_the_same_dates_share_a_band_and_background_shocks_are_noted(
    builtin_scenario: dualtrack.Scenario,
) -> None:
    marks = shock_marks(builtin_scenario)
    bands = axis_bands(marks, horizon_days=365.0)
    assert [(b.x0, b.x1, b.text) for b in bands] == [(0.0, 42.0, "S2+S3"), (61.0, 85.0, "S4")]
    assert "Russia-Ukraine war" in throughout_note(marks)


def test_shocks_beyond_the_horizon_are_not_drawn(builtin_scenario: dualtrack.Scenario) -> None:
    bands = axis_bands(shock_marks(builtin_scenario), horizon_days=50.0)
    assert [(b.x0, b.x1) for b in bands] == [(0.0, 42.0)]


def test_sector_intensities_account_for_every_force_near_the_border(
    output_folder: Callable[[str], Path],
) -> None:
    folder = load_output_folder(output_folder("mean"))
    border_map = build_border_map(folder.results, folder.scenario)
    assert border_map is not None
    lengths = np.array([sector.scenario_km for sector in border_map.sectors])
    per_doctrine = (border_map.intensity * lengths / 100.0).sum(axis=1)
    forces, _ = mean_weighted_forces(folder.results, folder.scenario)
    np.testing.assert_allclose(per_doctrine, forces.sum("actor").values, rtol=1e-12)
    assert border_map.default_doctrine == "dual-track"  # Belarus's own doctrine in the scenario
