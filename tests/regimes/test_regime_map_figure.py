"""The regime map is one FigureSpec that both renderers draw."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from dualtrack.analysis.regimes import NO_CLEAR_WINNER, analyse_regimes
from dualtrack.report import figure_spec as fs
from dualtrack.report import matplotlib_renderer, plotly_renderer
from dualtrack.report.palette import doctrine_colour
from dualtrack.report.regimes import NO_WINNER_FILL, regime_map_figure


def test_cells_are_filled_by_their_winner_or_as_no_clear_winner(
    constructed_grid: xr.Dataset,
) -> None:
    regime_map = analyse_regimes(constructed_grid, ["p_crisis", "p_war"])
    spec = regime_map_figure(regime_map)
    assert spec.rows == 1 and spec.cols == 2
    crisis = spec.panels[0][0]
    assert crisis is not None and crisis.title == "Lowest P(crisis)"
    areas = crisis.marks[0]
    assert isinstance(areas, fs.Areas)
    assert areas.fills == (doctrine_colour(1), NO_WINNER_FILL)  # 'b' wins at x=0 only
    # cells meet half-way between the values and tile the axes' range
    (left,), (right,) = areas.rings
    assert left[:, 0].max() == right[:, 0].min() == 0.5
    assert crisis.x.limits == (-0.5, 1.5)
    assert [k.name for k in spec.keys] == ["a", "b", NO_CLEAR_WINNER]
    assert areas.names == ("b", NO_CLEAR_WINNER)
    hovers = crisis.marks[1]
    assert isinstance(hovers, fs.Points)
    assert "b − a: -0.500" in hovers.hovers[0][0]
    assert "cannot be told apart: a, b" in hovers.hovers[0][1]


def test_the_regime_map_renders_both_ways(tmp_path: Path, constructed_grid: xr.Dataset) -> None:
    spec = regime_map_figure(analyse_regimes(constructed_grid, ["p_crisis"]))
    figure = plotly_renderer.draw(spec)
    fills = [trace.fillcolor for trace in figure.data if trace.fill == "toself"]
    assert fills == [doctrine_colour(1), NO_WINNER_FILL]
    png = matplotlib_renderer.save_png(spec, tmp_path / "regime_map.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
