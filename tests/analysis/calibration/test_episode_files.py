"""Episode files: the built-in 2024 episode and located errors for every kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dualtrack.analysis.calibration.episodes import (
    EpisodeError,
    builtin_episodes,
    episode_summary,
    load_episode,
)
from dualtrack.analysis.validation import observed_record

GOOD = {
    "name": "trial",
    "title": "A trial episode",
    "scenario": "belarus-ukraine-2024",
    "window": {"start": "2024-06-01", "end": "2024-09-30"},
    "timings": [{"name": "deployment", "measure": "deployment", "event": "E050"}],
    "outcomes": {"war": False},
}


def _write(tmp_path: Path, data: dict, name: str = "trial") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_2024_episode_dates_the_validation_patterns() -> None:
    episode = load_episode("2024-summer")
    assert "2024-summer" in builtin_episodes()
    assert episode.scenario.id == "belarus-ukraine-2024"
    assert episode.dyad == "BLR-UKR"
    assert episode.days == 214  # 1 Jun - 31 Dec 2024
    observed = observed_record(episode.scenario, episode.events)
    days = episode.observed_days()
    assert days == {
        "deployment": observed.days["a_deployment"],
        "agreement": observed.days["b_agreement"],
        "redeployment": observed.days["c_redeployment"],
    }
    assert days == {"deployment": 27, "agreement": 42, "redeployment": 70}
    assert episode_summary(episode)["outcomes"]["war"] is False


def test_a_good_file_loads(tmp_path: Path) -> None:
    episode = load_episode(_write(tmp_path, GOOD))
    assert episode.name == "trial"
    assert episode.days == 122


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"timings": [{"name": "d", "measure": "deployment", "event": "E999"}]},
            r"timings\[0\]\.event: unknown event 'E999'",
        ),
        (
            {"timings": [{"name": "d", "measure": "nonsense", "event": "E050"}]},
            r"timings\[0\]\.measure: expected one of deployment, .*found 'nonsense'",
        ),
        (
            {
                "timings": [{"name": "d", "measure": "deployment", "event": "E056"}],
                "window": {"start": "2024-06-01", "end": "2024-07-31"},
            },
            r"timings\[0\]\.event: expected an event inside the window .* found E056 on 2024-08-10",
        ),
        ({"outcomes": {"peace": True}}, r"outcomes\.peace: expected one of deployment"),
        (
            {"window": {"start": "2024-05-01", "end": "2024-07-31"}},
            r"window\.start: expected on or after the scenario's start 2024-06-01",
        ),
        (
            {"window": {"start": "2024-07-01", "end": "2024-06-30"}},
            r"window: expected end on or after start",
        ),
        ({"colour": "red"}, r"colour: unknown key 'colour'"),
        ({"scenario": "atlantis"}, r"scenario: cannot load 'atlantis'"),
        ({"dyad": ["BLR", "POL"]}, r"dyad: expected two of the scenario's actors"),
        ({"name": "other"}, r"name: expected the file's name 'trial', found 'other'"),
    ],
)
def test_mistakes_are_located(tmp_path: Path, change: dict, message: str) -> None:
    path = _write(tmp_path, {**GOOD, **change})
    with pytest.raises(EpisodeError, match=message) as error:
        load_episode(path)
    assert str(error.value).startswith(str(path))


def test_an_unknown_episode_lists_the_built_in_ones() -> None:
    with pytest.raises(
        EpisodeError, match="not a built-in episode; built-in episodes: .*2024-summer"
    ):
        load_episode("1812-winter")
