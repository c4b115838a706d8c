"""Command-line interface. Each module registers its commands on the shared Typer ``app``."""

from dualtrack.cli import (  # noqa: F401  (each registers its commands)
    adopt,
    authoring,
    cascades,
    core,
    explore,
    history,
    report,
    studies,
)
from dualtrack.cli.app import app

__all__ = ["app"]
