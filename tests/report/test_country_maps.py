"""Maps of scenarios whose actors are countries: the europe scenario's, and a user's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from dualtrack.cli import app
from dualtrack.report import load_output_folder, render_report
from dualtrack.report.border_map import build_border_map, map_figure, mean_weighted_forces
from dualtrack.report.figure_spec import Points, ScaleLines

HUBS = ["NATO", "USRB", "CSTO"]


@pytest.fixture(scope="module")
def europe_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("europe")
    arguments = ["run", "europe", "-d", "deterrence-only", "-d", "dual-track", "-n", "16"]
    arguments += ["--days", "20", "--record", "summary", "--workers", "1", "--out", str(folder)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return folder


def test_europe_map_draws_every_country_actor_and_every_sector(europe_folder: Path) -> None:
    folder = load_output_folder(europe_folder)
    border_map = build_border_map(folder.results, folder.scenario)
    assert border_map is not None
    assert border_map.atlas.file == "europe.geojson"
    assert len(border_map.countries) == 50 and border_map.off_map == HUBS
    assert [s.id for s in border_map.sectors] == [s.id for s in folder.scenario.sectors]
    assert border_map.unmapped == []
    # the drawn line of each sector is the atlas border the scenario's length was taken from
    for sector in border_map.sectors:
        assert sector.line.length_km == pytest.approx(sector.scenario_km, abs=0.06)


def test_europe_intensities_account_for_the_forces_on_its_borders(europe_folder: Path) -> None:
    folder = load_output_folder(europe_folder)
    border_map = build_border_map(folder.results, folder.scenario)
    assert border_map is not None
    lengths = np.array([sector.scenario_km for sector in border_map.sectors])
    on_map = (border_map.intensity * lengths / 100.0).sum(axis=1)
    forces, _ = mean_weighted_forces(folder.results, folder.scenario)
    with_sectors = [
        a.id
        for a in folder.scenario.actors
        if any((a.stationed_with or a.id) in s.between for s in folder.scenario.sectors)
    ]
    expected = forces.sel(actor=with_sectors).sum("actor").values
    np.testing.assert_allclose(on_map, expected, rtol=1e-12)
    assert border_map.origins is None  # 20 days: no war spread


def test_cascade_origins_are_marked_where_the_first_war_began(europe_folder: Path) -> None:
    folder = load_output_folder(europe_folder)
    results = folder.results.copy(deep=True)
    war = results["first_war_day"]
    # replicate 0 of dual-track: Poland-Russia at war on day 3, Belarus-Ukraine on day 7
    war.loc[{"doctrine": "dual-track", "replicate": 0, "dyad": "POL-RUS"}] = 3.0
    war.loc[{"doctrine": "dual-track", "replicate": 0, "dyad": "BLR-UKR"}] = 7.0
    results["first_war_day"] = war
    border_map = build_border_map(results, folder.scenario)
    assert border_map is not None and border_map.origins is not None
    origins = border_map.origins
    assert origins.dyads == ["POL-RUS"]
    d = border_map.doctrines.index("dual-track")
    assert origins.share[d].tolist() == [1.0] and origins.cascades[d] == 1
    assert origins.share[border_map.doctrines.index("deterrence-only")].tolist() == [0.0]
    border = border_map.atlas.border("POL", "RUS")
    assert border is not None
    np.testing.assert_allclose(origins.points[0], border.middle())
    spec = map_figure(border_map)
    marks = spec.panels[0][0].marks  # type: ignore[index]
    circles = next(m for m in marks if isinstance(m, Points) and m.group == "cascade origin")
    assert circles.sizes[d, 0] > 0 and circles.sizes[1 - d, 0] == 0
    lines = next(m for m in marks if isinstance(m, ScaleLines))
    assert lines.values.shape == (2, len(border_map.sectors))


def test_europe_report_has_the_map_and_names_the_actors_it_cannot_draw(
    europe_folder: Path,
) -> None:
    html = render_report(europe_folder).read_text(encoding="utf-8")
    assert 'id="plot-border_map"' in html
    assert "Actors not drawn as countries on this map: NATO, USRB, CSTO" in html
    assert (europe_folder / "figures" / "border_map.png").is_file()


def test_a_users_scenario_between_two_vendored_countries_gets_a_map(
    make_two_actor: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    text = yaml.safe_dump(make_two_actor())
    text = text.replace("- A\n", "- POL\n").replace("- B\n", "- LTU\n")
    text = text.replace("id: A\n", "id: POL\n").replace("id: B\n", "id: LTU\n")
    scenario = tmp_path / "poland-lithuania.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["run", str(scenario), "-n", "8", "--days", "5", "--record", "summary"]
    result = CliRunner().invoke(app, [*arguments, "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    folder = load_output_folder(out)
    border_map = build_border_map(folder.results, folder.scenario)
    assert border_map is not None
    assert border_map.atlas.file == "europe.geojson" and border_map.countries == ["POL", "LTU"]
    (sector,) = border_map.sectors
    assert sector.id == "border" and sector.line.id == "LTU-POL"  # the Suwalki gap border
    assert sector.line.length_km == pytest.approx(100.0, rel=0.25)
