"""Border geometry: geodesic lengths, sector shares of forces, shocks on the time axis."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import dualtrack
from dualtrack.report import load_output_folder
from dualtrack.report.atlas import atlas_for, atlases, known_countries
from dualtrack.report.border_map import build_border_map, mean_weighted_forces
from dualtrack.report.shocks import axis_bands, shock_marks, throughout_note


def geodesic_km(line: np.ndarray) -> float:
    pyproj = pytest.importorskip("pyproj")
    geod = pyproj.Geod(ellps="WGS84")
    parts = np.split(line, np.flatnonzero(np.isnan(line[:, 0])))
    return (
        sum(geod.line_length(p[:, 0], p[:, 1]) for p in (q[np.isfinite(q[:, 0])] for q in parts))
        / 1000.0
    )


def test_the_belarus_ukraine_border_is_863_km_on_the_vendored_geometry() -> None:
    atlas = atlas_for({"BLR", "UKR"})
    assert atlas is not None and atlas.file == "belarus_ukraine.geojson"  # the finest atlas
    border = atlas.border("UKR", "BLR")
    assert border is not None
    assert border.length_km == pytest.approx(863.0, abs=0.05)  # as ATTRIBUTION.md records
    assert border.notes["official_length_km"] == 1084
    assert geodesic_km(border.line) == pytest.approx(border.length_km, abs=0.05)


def test_sector_lines_add_up_to_the_border(builtin_scenario: dualtrack.Scenario) -> None:
    atlas = atlas_for({"BLR", "UKR"})
    assert atlas is not None
    assert set(atlas.sectors) == {s.id for s in builtin_scenario.sectors}
    total = sum(line.length_km for line in atlas.sectors.values())
    assert total == pytest.approx(atlas.borders[frozenset(("BLR", "UKR"))].length_km, abs=0.5)
    for line in atlas.sectors.values():
        assert geodesic_km(line.line) == pytest.approx(line.length_km, abs=0.05)


def test_every_european_land_border_is_a_line_of_the_europe_atlas() -> None:
    europe = atlases()[-1]
    assert len(europe.countries) == 50 and len(europe.borders) == 96
    poland_russia = europe.border("RUS", "POL")  # Kaliningrad
    assert poland_russia is not None
    assert poland_russia.length_km == pytest.approx(210.0, rel=0.1)
    assert {"POL", "RUS", "XKX", "VAT"} <= known_countries()
    assert atlas_for({"BLR", "UKR", "POL"}) is europe
    assert atlas_for({"BLR", "USA"}) is None


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
