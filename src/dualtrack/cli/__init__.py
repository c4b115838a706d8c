"""Command-line interface. Each module registers its commands on the shared Typer ``app``."""

from dualtrack.cli import core  # noqa: F401  (registers the core commands)
from dualtrack.cli.app import app

__all__ = ["app"]
