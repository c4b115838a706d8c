"""Tension index: decayed Goldstein sums per unordered dyad and track, checked by hand."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from dualtrack.analysis.history import TensionIndex, decay_per_day, dyad_of, load_events

matplotlib.use("Agg")


def hand_events() -> pd.DataFrame:
    """Three BLR-UKR events: +7 (deterrence) on 1 Jan, +4 (dialogue) on 6 Jan, -2 (deterrence)
    on 11 Jan 2024 (the last coded UKR -> BLR, the same unordered dyad)."""
    return pd.DataFrame(
        {
            "event_id": ["E001", "E002", "E003"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-06", "2024-01-11"]),
            "actor": ["BLR", "BLR", "UKR"],
            "target": ["UKR", "UKR", "BLR"],
            "dyad": [dyad_of("BLR", "UKR"), dyad_of("BLR", "UKR"), dyad_of("UKR", "BLR")],
            "track": ["deterrence", "dialogue", "deterrence"],
            "goldstein": [7.0, 4.0, -2.0],
        }
    )


def test_decay_halves_the_index_every_half_life() -> None:
    assert decay_per_day(10.0) ** 10 == pytest.approx(0.5, rel=1e-15)
    with pytest.raises(ValueError, match="half-life > 0"):
        decay_per_day(0.0)


def test_index_matches_the_hand_computed_values() -> None:
    index = TensionIndex.from_events(hand_events(), half_life_days=10.0, end="2024-01-21")
    deterrence = index.series("BLR-UKR", "deterrence")
    dialogue = index.series("BLR-UKR", "dialogue")
    # deterrence: 7 on day 0; 7 * 2**(-5/10) on day 5; 7/2 - 2 on day 10; half that on day 20
    assert deterrence["2024-01-01"] == pytest.approx(7.0, rel=1e-12)
    assert deterrence["2024-01-06"] == pytest.approx(7.0 * 2**-0.5, rel=1e-12)
    assert deterrence["2024-01-11"] == pytest.approx(1.5, rel=1e-12)
    assert deterrence["2024-01-21"] == pytest.approx(0.75, rel=1e-12)
    # dialogue: nothing before 6 Jan, 4 on 6 Jan, 2 ten days later, 1 on 26 Jan is past `end`
    assert dialogue["2024-01-05"] == 0.0
    assert dialogue["2024-01-06"] == pytest.approx(4.0, rel=1e-12)
    assert dialogue["2024-01-16"] == pytest.approx(2.0, rel=1e-12)
    assert index.values.index[-1] == pd.Timestamp("2024-01-21")
    assert len(index.values) == 21


def test_events_on_the_same_day_add_up() -> None:
    events = hand_events()
    events.loc[1, ["track", "goldstein"]] = ["deterrence", -10.0]
    events.loc[1, "date"] = pd.Timestamp("2024-01-01")
    index = TensionIndex.from_events(events.sort_values("date"), half_life_days=10.0)
    assert index.series("BLR-UKR", "deterrence")["2024-01-01"] == pytest.approx(-3.0)


def test_events_before_the_window_still_count_decayed() -> None:
    index = TensionIndex.from_events(hand_events(), half_life_days=10.0, start="2024-01-11")
    assert index.values.index[0] == pd.Timestamp("2024-01-11")
    assert index.series("BLR-UKR", "deterrence").iloc[0] == pytest.approx(1.5, rel=1e-12)


def test_events_after_the_window_do_not_count() -> None:
    index = TensionIndex.from_events(hand_events(), half_life_days=10.0, end="2024-01-10")
    assert index.series("BLR-UKR", "deterrence")["2024-01-10"] == pytest.approx(
        7.0 * 2**-0.9, rel=1e-12
    )


def test_weekly_series_keeps_the_value_at_the_end_of_each_week() -> None:
    index = TensionIndex.from_events(hand_events(), half_life_days=10.0, end="2024-01-21")
    weekly = index.weekly().series("BLR-UKR", "deterrence")
    # weeks end on Sunday: 7, 14 and 21 Jan 2024
    assert list(weekly.index) == list(pd.to_datetime(["2024-01-07", "2024-01-14", "2024-01-21"]))
    assert weekly["2024-01-14"] == pytest.approx(1.5 * 2**-0.3, rel=1e-12)


def test_unknown_dyad_or_track_is_named() -> None:
    index = TensionIndex.from_events(hand_events())
    with pytest.raises(KeyError, match="unknown dyad 'BLR-POL'; dyads with events are BLR-UKR"):
        index.series("BLR-POL", "dialogue")
    with pytest.raises(KeyError, match="unknown track 'war'"):
        index.series("BLR-UKR", "war")
    assert (index.series("BLR-UKR", "context") == 0.0).all()


def test_index_of_the_shipped_timeline_has_both_tracks_for_blr_ukr() -> None:
    index = TensionIndex.from_events(load_events())
    assert {"BLR-UKR", "RUS-UKR", "BLR-RUS"} <= set(index.dyads)
    deterrence = index.series("BLR-UKR", "deterrence")
    dialogue = index.series("BLR-UKR", "dialogue")
    # June 2024 deployments push the deterrence track down, 13 Jul pushes dialogue up
    assert deterrence["2024-06-30"] < deterrence["2024-06-27"] < 0.0
    assert dialogue["2024-07-13"] - dialogue["2024-07-12"] == pytest.approx(7.0, abs=1e-3)
    long = index.long()
    assert set(long.columns) == {"date", "dyad", "track", "value"}
    assert index.total("deterrence")["2022-02-24"] <= -10.0


def test_plot_writes_a_png_with_one_panel_per_track(tmp_path) -> None:
    index = TensionIndex.from_events(load_events(), start="2024-01-01")
    path = tmp_path / "tension.png"
    figure = index.plot(path, events=load_events())
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(figure.axes) == 2
