"""The report's figures of intent: beliefs over time and deliberate aggression apart from
accidents, built from real output folders and drawn by both renderers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from dualtrack.engine import outputs
from dualtrack.report import figures, load_output_folder, matplotlib_renderer, plotly_renderer
from dualtrack.report.distributions import aggression, focus_sectors, opportunist_shares
from dualtrack.report.figure_spec import StackedBars
from dualtrack.report.series import acts_over_time, belief_fans, trajectories

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def results_of(folder: Path) -> xr.Dataset:
    return load_output_folder(folder).results


def draw_both(spec: figures.FigureSpec, target: Path) -> None:
    figure = plotly_renderer.draw(spec)
    assert len(figure.data) > 0
    matplotlib_renderer.save_png(spec, target)
    assert target.read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize("record", ["full", "mean"])
def test_belief_fans_show_each_side_about_the_other_in_both_renderings(
    output_folder: Callable[[str], Path], record: str, tmp_path: Path
) -> None:
    results = results_of(output_folder(record))
    source = trajectories(results)
    assert source is not None
    fans = belief_fans(results, source)
    assert list(fans) == ["BLR->UKR", "UKR->BLR"]
    for pair, fan in fans.items():
        mean = outputs.per_step_mean(results, "belief")
        assert mean is not None
        expected = mean.sel(pair=pair).transpose("doctrine", "time").values
        assert fan.mean is not None
        np.testing.assert_allclose(fan.mean, expected)
        assert fan.quantiles.shape == (2, 5, results.sizes["time"])
        assert ((fan.quantiles >= 0.0) & (fan.quantiles <= 1.0)).all()  # probabilities
    # the first day's belief is the prior about the target, moved by one step of evidence
    actors = load_output_folder(output_folder(record)).scenario.actors
    prior = {a.id: a.p_opportunist.value for a in actors}
    assert abs(fans["UKR->BLR"].quantiles[0, 2, 0] - prior["BLR"]) < 0.2
    assert abs(fans["BLR->UKR"].quantiles[0, 2, 0] - prior["UKR"]) < 0.2
    spec = figures.fan_figure(list(fans.values()), [], "beliefs")
    assert spec.rows == 2 and spec.cols == 2
    draw_both(spec, tmp_path / "beliefs.png")


def test_summary_runs_keep_no_belief_trajectories(output_folder: Callable[[str], Path]) -> None:
    results = results_of(output_folder("summary"))
    assert trajectories(results) is None
    assert outputs.per_step_mean(results, "belief") is None


@pytest.mark.parametrize("record", ["full", "mean", "summary"])
def test_aggression_figure_counts_acts_by_initiator_beside_accidents(
    output_folder: Callable[[str], Path], record: str, tmp_path: Path
) -> None:
    folder = load_output_folder(output_folder(record))
    results = folder.results
    acts = aggression(results, folder.scenario)
    assert acts.sides == ("BLR", "UKR")
    assert focus_sectors(results, folder.scenario) == list(acts.sectors)
    assert len(acts.sectors) == 4  # every built-in sector lies on the BLR-UKR border
    by_blr = results["probes"].sel(pair="BLR->UKR").mean("replicate").values
    np.testing.assert_allclose(acts.probes[0], by_blr)
    by_ukr = results["attacks"].sel(pair="UKR->BLR").mean("replicate").values
    np.testing.assert_allclose(acts.attacks[1], by_ukr)
    incidents = results["incidents_total"].sum("sector").mean("replicate").values
    assert acts.incidents is not None
    np.testing.assert_allclose(acts.incidents, incidents)
    assert (acts.incidents > 0).all()  # 60 days on the border always bring accidents
    spec = figures.aggression_figure(acts, folder.doctrines)
    deliberate, accidental = spec.panels[0]
    assert deliberate is not None and accidental is not None
    bars = deliberate.marks[0]
    assert isinstance(bars, StackedBars)
    assert [layer.name for layer in bars.layers] == [
        "probes by BLR on UKR",
        "attacks by BLR on UKR",
        "probes by UKR on BLR",
        "attacks by UKR on BLR",
    ]
    draw_both(spec, tmp_path / "aggression.png")


@pytest.mark.parametrize("record", ["full", "mean"])
def test_acts_over_time_add_up_to_the_tallies_in_both_renderings(
    output_folder: Callable[[str], Path], record: str, tmp_path: Path
) -> None:
    folder = load_output_folder(output_folder(record))
    results = folder.results
    sectors = focus_sectors(results, folder.scenario)
    over_time = acts_over_time(results, sectors)
    assert over_time.acts.shape == (2, 2, results.sizes["time"])
    assert (np.diff(over_time.acts, axis=-1) >= 0).all()  # counted up
    for side, pair in enumerate(("BLR->UKR", "UKR->BLR")):
        tally = (results["probes"] + results["attacks"]).sel(pair=pair).mean("replicate")
        np.testing.assert_allclose(over_time.acts[side, :, -1], tally.values)
    assert over_time.incidents is not None
    total = results["incidents_total"].sel(sector=sectors).sum("sector").mean("replicate")
    np.testing.assert_allclose(over_time.incidents[:, -1], total.values)
    spec = figures.acts_time_figure(over_time, folder.doctrines, [])
    assert spec.cols == 2
    draw_both(spec, tmp_path / "aggression_time.png")


def test_opportunist_shares_are_the_priors_realised(output_folder: Callable[[str], Path]) -> None:
    folder = load_output_folder(output_folder("summary"))
    shares = opportunist_shares(folder.results)
    replicates = folder.results.sizes["replicate"]
    for actor in folder.scenario.actors:
        prior = actor.p_opportunist.value
        spread = 4 * np.sqrt(prior * (1 - prior) / replicates) + 1e-12
        assert abs(shares[actor.id] - prior) <= spread, actor.id
    # common random numbers: every doctrine draws the same types
    types = folder.results["opportunist"]
    assert (types.isel(doctrine=0) == types.isel(doctrine=1)).all()


def test_the_page_says_who_acts_and_shows_the_priors(rendered: Callable[[str], Path]) -> None:
    html = rendered("full").read_text(encoding="utf-8")
    assert "P(aggression by BLR)" in html and "P(aggression by UKR)" in html
    assert "P(deliberate aggression)" in html
    assert "of runs with an act by BLR" in html
    assert "opportunist in runs" in html
    assert 'id="plot-beliefs"' in html and "BLR's belief about UKR" in html
