"""Command-line interface. Each module registers its commands on the shared Typer ``app``."""

from dualtrack.cli import core, history, report, studies  # noqa: F401  (register their commands)
from dualtrack.cli.app import app

__all__ = ["app"]
