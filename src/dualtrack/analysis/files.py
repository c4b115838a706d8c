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


def save_csv(table: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV, whole (see :func:`~dualtrack.experiments.store.replacing`)."""
    with replacing(path) as temporary:
        table.to_csv(temporary, index=False)


def save_figure(figure: Any, path: Path) -> None:
    """Save a matplotlib figure as PNG, whole."""
    with replacing(path) as temporary:
        figure.savefig(temporary, format="png", dpi=120, bbox_inches="tight")
