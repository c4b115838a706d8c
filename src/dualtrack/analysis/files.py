"""Writing analysis outputs: safe file names, and tables and figures written all or nothing."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pandas as pd


def slug(text: str) -> str:
    """A file-name-safe version of ``text``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def save_csv(table: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV beside ``path`` and move it into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    table.to_csv(temporary, index=False)
    os.replace(temporary, path)


def save_figure(figure: Any, path: Path) -> None:
    """Save a matplotlib figure as PNG beside ``path`` and move it into place."""
    temporary = path.with_name(f".{path.name}.tmp.png")
    figure.savefig(temporary, dpi=120, bbox_inches="tight")
    os.replace(temporary, path)
