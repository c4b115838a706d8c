"""Command-line interface. Each module registers its commands on the shared Typer ``app``.

``app`` (errors, signals, JSON, quiet and debug modes), ``options`` (shared options and
checks), ``budget`` (memory and time estimates), then one module per group of commands.
"""

from dualtrack.cli import (  # noqa: F401  (each registers its commands)
    adopt,
    authoring,
    calibrate,
    cascades,
    core,
    explore,
    history,
    instruments,
    regimes,
    report,
    studies,
)
from dualtrack.cli.app import app

__all__ = ["app"]
