"""Writing analysis outputs: safe file names, and tables and figures written all or nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from dualtrack.experiments.store import replacing


def slug(text: str) -> str:
    """A file-name-safe version of ``text``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def save_csv(table: pd.DataFrame, path: Path, float_format: str | None = None) -> None:
    """Write a table as CSV, whole (see :func:`~dualtrack.experiments.store.replacing`);
    ``float_format`` (e.g. ``"%.6g"``) as pandas' ``to_csv``."""
    with replacing(path) as temporary:
        table.to_csv(temporary, index=False, float_format=float_format)


def save_figure(figure: Any, path: Path) -> None:
    """Save a matplotlib figure as PNG, whole."""
    with replacing(path) as temporary:
        figure.savefig(temporary, format="png", dpi=120, bbox_inches="tight")
