"""The Typer application and the consoles shared by every command module."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from dualtrack import __version__
from dualtrack.experiments.interrupts import Interrupted, stop_on_signals

app = typer.Typer(
    help="dualtrack: deterrence-and-dialogue (dual-track) border security simulations.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(width=None if sys.stdout.isatty() else 200)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


class RateColumn(ProgressColumn):
    """Units finished per second."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        """The task's speed in units per second."""
        speed = task.finished_speed or task.speed
        return Text(f"-- {self.unit}/s" if speed is None else f"{speed:,.2f} {self.unit}/s")


def progress_bar(unit: str = "replicate-steps") -> Progress:
    """The progress bar of long commands: done/total, rate, elapsed and time left.

    Shown on a terminal; elsewhere (logs, CI) only when DUALTRACK_PROGRESS is set.
    """
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        RateColumn(unit),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
        transient=not console.is_terminal,
        disable=not console.is_terminal and not os.environ.get("DUALTRACK_PROGRESS"),
    )


def fail(message: str) -> typer.Exit:
    """Print an error and return the exit (code 2) for the caller to raise."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """Simulate deterrence and dialogue on contested borders."""
    if version:
        console.print(__version__)
        raise typer.Exit()


@contextlib.contextmanager
def stopped_by_signals(outcome: Callable[[], str]) -> Iterator[None]:
    """Run a long command so that SIGINT/SIGTERM end it with one line and status 130/143.

    ``outcome`` says what the interruption left (e.g. that the output folder is unchanged).
    """
    try:
        with stop_on_signals():
            yield
    except Interrupted as stop:
        errors.print(f"interrupted ({stop.name}): {outcome()}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=stop.exit_status) from None
