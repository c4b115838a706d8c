"""Summary statistics: observed and simulated vectors share names, order and definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from dualtrack.analysis.calibration.episodes import Episode, load_episode
from dualtrack.analysis.calibration.statistics import (
    QUADS,
    SIMULATED_CODES,
    _spell_starts,
    measure_days,
    observed_statistics,
    replicate_statistics,
    simulated_events,
    simulated_outcomes,
    simulated_statistics,
    statistic_names,
)
from dualtrack.analysis.history.events import load_cameo
from dualtrack.analysis.history.tension import TensionIndex
from dualtrack.engine.run import simulate


@pytest.fixture(scope="module")
def episode() -> Episode:
    return load_episode("2024-summer")


@pytest.fixture(scope="module")
def run(episode: Episode) -> xr.Dataset:
    return simulate(episode.scenario, replicates=12, seed=11, record="full", days=episode.days)


def test_observed_statistics_of_the_2024_record(episode: Episode) -> None:
    observed = observed_statistics(episode)
    assert list(observed.index) == statistic_names(episode)
    assert observed["timing.deployment"] == 27
    assert observed["timing.agreement"] == 42
    assert observed["timing.redeployment"] == 70
    # E053 0356 + E059 010 | E054 087 | E051, E055, E058 | E049, E050, E052, E056, E057
    assert [observed[f"quad.{q}"] for q in QUADS] == [2, 1, 3, 5]
    assert [n for n in observed.index if n.startswith("tension.")] == [
        f"tension.2024-{m:02d}" for m in range(6, 13)
    ]
    assert observed["tension.2024-06"] < 0 < observed["tension.2024-07"]


def test_simulated_statistics_have_the_same_names_and_are_reproducible(
    episode: Episode, run: xr.Dataset
) -> None:
    per_replicate = replicate_statistics(run, episode)
    assert list(per_replicate.columns) == statistic_names(episode)
    assert len(per_replicate) == 12
    mean = simulated_statistics(run, episode)
    pd.testing.assert_series_equal(mean, per_replicate.mean(axis=0), check_names=False)
    again = simulate(episode.scenario, replicates=12, seed=11, record="full", days=episode.days)
    pd.testing.assert_frame_equal(replicate_statistics(again, episode), per_replicate)


def test_timings_are_the_measures_censored_after_the_window(
    episode: Episode, run: xr.Dataset
) -> None:
    days = measure_days(run, episode)
    stats = replicate_statistics(run, episode)
    for name in ("deployment", "agreement", "redeployment"):
        expected = days[name].fillna(episode.days).to_numpy()
        np.testing.assert_array_equal(stats[f"timing.{name}"].to_numpy(), expected)
    outcomes = simulated_outcomes(run, episode)
    assert list(outcomes.columns) == list(episode.spec.outcomes)
    np.testing.assert_array_equal(outcomes["war"], days["war_occurred"])


def test_simulated_tension_is_the_coded_events_index(episode: Episode, run: xr.Dataset) -> None:
    """Coding one run's events as rows of the timeline gives the same index via TensionIndex."""
    events = simulated_events(run, episode)
    cameo = load_cameo()
    start = pd.Timestamp(episode.scenario.settings.start)
    stats = replicate_statistics(run, episode)
    for replicate in (0, 5):
        rows = [
            {
                "date": start + pd.Timedelta(days=int(step)),
                "dyad": episode.dyad,
                "track": "deterrence",
                "goldstein": float(cameo.loc[code.cameo, "goldstein"]),
            }
            for code in SIMULATED_CODES
            for step, _ in np.argwhere(events[code.kind][replicate])
        ]
        frame = pd.DataFrame(rows, columns=["date", "dyad", "track", "goldstein"])
        end = episode.spec.window.end
        if frame.empty:
            continue
        index = TensionIndex.from_events(frame, start=start, end=end).values.sum(axis=1)
        for column in (c for c in stats.columns if c.startswith("tension.")):
            month_end = pd.Timestamp(column.removeprefix("tension.")) + pd.offsets.MonthEnd(0)
            assert stats[column].iloc[replicate] == pytest.approx(index.loc[month_end], abs=1e-9)


def test_spells_start_after_a_quiet_gap() -> None:
    hits = np.array([[1, 1, 0, 0, 1, 0, 0, 0, 1, 1]], dtype=bool)
    np.testing.assert_array_equal(_spell_starts(hits, gap=2), [[1, 0, 0, 0, 1, 0, 0, 0, 1, 0]])
    np.testing.assert_array_equal(_spell_starts(hits, gap=3), [[1, 0, 0, 0, 0, 0, 0, 0, 1, 0]])
