"""The Typer application, its global options, the consoles and the mapping of user errors.

Every error a user can cause leaves as a located one-line message with exit status 2, never
a traceback (``--debug`` shows it). Only light libraries are imported here: each command
imports what it needs, so that ``dualtrack --help`` is quick.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from typer.core import TyperGroup

if TYPE_CHECKING:
    from pydantic import ValidationError

console = Console(width=None if sys.stdout.isatty() else 200)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 200)

SETTING_OPTIONS = {"horizon_days": "--days", "replicates": "--replicates", "seed": "--seed"}
"""Command-line options that override a scenario's settings, by settings field."""


@dataclass
class Invocation:
    """Global options of the running command and when it started."""

    debug: bool = False
    quiet: bool = False
    started: float = 0.0

    def elapsed(self) -> float:
        """Seconds since the command started."""
        return time.perf_counter() - self.started


invocation = Invocation()


class InputError(Exception):
    """Bad input a user gave, with its location (file, field or option) in the message."""


def _settings_message(error: ValidationError) -> str | None:
    """A pydantic error about scenario settings overridden on the command line, by option."""
    from dualtrack.scenario.errors import input_message

    if error.title != "Settings":
        return None
    bounds = {"le": "at most", "lt": "less than", "ge": "at least", "gt": "more than"}
    lines = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        option = SETTING_OPTIONS.get(field, f"settings.{field}")
        limits = [(key, value) for key, value in (item.get("ctx") or {}).items() if key in bounds]
        if limits:
            key, value = limits[0]
            lines.append(f"{option}: expected {bounds[key]} {value}, found {item.get('input')!r}")
        else:
            lines.append(f"{option}: {input_message(item)}")
    return "; ".join(lines)


def backend_message(error: Exception) -> str:
    """A backend's error located at ``--backend``, unless it names its place already."""
    from dualtrack.engine.backends import ENVIRONMENT

    text = str(error)
    return text if text.startswith(("--", ENVIRONMENT)) else f"--backend: {text}"


def user_error_message(error: BaseException) -> str | None:
    """The located message of an error the user caused, or None for a fault of the program."""
    from pydantic import ValidationError

    from dualtrack.engine.backends import BackendError
    from dualtrack.scenario.errors import ScenarioError

    if isinstance(error, InputError | ScenarioError):
        return str(error)
    if isinstance(error, BackendError):
        return backend_message(error)
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    if isinstance(error, ValidationError):
        return _settings_message(error)
    return None


class Commands(TyperGroup):
    """The command group: maps user errors raised by any command to located messages."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context
        """Run the command; a user error becomes a message and exit status 2."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            message = user_error_message(error)
            if message is None or invocation.debug:
                raise
            errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None


app = typer.Typer(
    cls=Commands,
    help="dualtrack: deterrence-and-dialogue (dual-track) border security simulations.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
)


class RateColumn(ProgressColumn):
    """Units finished per second."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        """The task's speed in units per second."""
        speed = task.finished_speed or task.speed
        return Text(f"-- {self.unit}/s" if speed is None else f"{speed:,.2f} {self.unit}/s")


def _progress_shown() -> bool:
    if invocation.quiet:
        return False
    return console.is_terminal or bool(os.environ.get("DUALTRACK_PROGRESS"))


def progress_bar(unit: str = "replicate-steps") -> Progress:
    """The progress bar of long commands: done/total, rate, elapsed and time left.

    Shown on a terminal; elsewhere (logs, CI) only when DUALTRACK_PROGRESS is set; never
    under ``-q``.
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
        disable=not _progress_shown(),
    )


@contextmanager
def stage(description: str) -> Iterator[None]:
    """A spinner with elapsed time for a long stage whose size is unknown (e.g. a report)."""
    with Progress(
        SpinnerColumn(),
        TextColumn(description),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not _progress_shown(),
    ) as spinner:
        spinner.add_task(description, total=None)
        yield


def say(message: str) -> None:
    """An informational line (silent under ``-q``; on stderr under ``--json``)."""
    if not invocation.quiet:
        console.print(message, highlight=False)


def warn(message: str) -> None:
    """A warning on stderr (also under ``-q``): something that will not do what it seems to."""
    errors.print(f"[bold yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


def fail(message: str) -> InputError:
    """The error for the caller to raise: printed as ``error: message``, exit status 2."""
    return InputError(message)


JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Print the table as JSON on stdout (other lines go to stderr)."),
]


def json_mode(enabled: bool) -> None:
    """Under ``--json``, informational output moves to stderr so stdout holds only JSON."""
    console.stderr = enabled


def emit_json(data: Mapping[str, Any]) -> None:
    """Write machine-readable results to stdout: tables as lists of rows, NaN as null."""
    typer.echo(json.dumps(_plain(data), indent=2, default=str))


def _plain(value: Any) -> Any:
    """JSON-ready data from tables (pandas), numpy scalars and containers of them."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a typed result
        return _plain({f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.repr})
    if hasattr(value, "to_json"):  # a pandas table: its rows, dates as ISO text
        return json.loads(value.to_json(orient="records", date_format="iso"))
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _print_version(value: bool) -> None:
    if value:
        from dualtrack._version import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only tables and errors.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
) -> None:
    """Simulate deterrence and dialogue on contested borders."""
    invocation.debug = debug
    invocation.quiet = quiet
    invocation.started = time.perf_counter()
    console.stderr = False


@contextmanager
def stopped_by_signals(outcome: Callable[[], str]) -> Iterator[None]:
    """Run a long command so that SIGINT/SIGTERM end it with one line and status 130/143.

    ``outcome`` says what the interruption left (e.g. that the output folder is unchanged).
    """
    from dualtrack.experiments.interrupts import Interrupted, stop_on_signals

    try:
        with stop_on_signals():
            yield
    except Interrupted as stop:
        errors.print(f"interrupted ({stop.name}): {outcome()}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=stop.exit_status) from None
