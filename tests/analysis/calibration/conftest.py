"""A short episode (June-July 2024) that keeps calibration tests to seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dualtrack.analysis.calibration.episodes import Episode, load_episode

SHORT = {
    "name": "june-july",
    "title": "1 Jun - 15 Jul 2024 (a short test episode)",
    "scenario": "belarus-ukraine-2024",
    "window": {"start": "2024-06-01", "end": "2024-07-15"},
    "timings": [
        {"name": "deployment", "measure": "deployment", "event": "E050"},
        {"name": "agreement", "measure": "agreement", "event": "E053"},
    ],
    "outcomes": {"deployment": True, "agreement": True, "war": False},
}


@pytest.fixture(scope="session")
def short_episode_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = tmp_path_factory.mktemp("episodes") / "june-july.yaml"
    path.write_text(yaml.safe_dump(SHORT), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def short_episode(short_episode_file: Path) -> Episode:
    return load_episode(short_episode_file)
