"""Options shared by the commands that simulate, and the checks made on them before any work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from dualtrack.cli.app import InputError

if TYPE_CHECKING:
    from dualtrack.experiments.posterior import Posterior
    from dualtrack.scenario.schema import Scenario

DEFAULT_SCENARIO = "belarus-ukraine-2024"

ScenarioArg = Annotated[str, typer.Argument(help="Built-in scenario id or scenario YAML file.")]
DoctrinesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--doctrines",
        "-d",
        help="Doctrines for the actor, comma-separated or repeated (-d a -d b).",
        show_default=False,
    ),
]
ActorOpt = Annotated[
    str | None,
    typer.Option(help="Actor whose doctrine varies; default: the scenario's settings.subject."),
]
ReplicatesOpt = Annotated[
    int | None,
    typer.Option(
        "--replicates",
        "-n",
        min=1,
        help="Replicates per doctrine; default: the scenario's settings.replicates.",
    ),
]
DaysOpt = Annotated[
    int | None,
    typer.Option(min=1, help="Horizon in days; default: the scenario's settings.horizon_days."),
]
SeedOpt = Annotated[
    int | None, typer.Option(min=0, help="Random seed; default: the scenario's settings.seed.")
]
OutOpt = Annotated[Path | None, typer.Option(help="Output folder; default: results/<scenario id>.")]
RecordOpt = Annotated[
    Literal["auto", "full", "mean", "summary"],
    typer.Option(
        help="What to keep: full trajectories, per-step means (+256 traced replicates), "
        "end-of-run summary, or auto (full up to 100 million values, else mean).",
    ),
]
WorkersOpt = Annotated[int, typer.Option(min=1, help="Worker processes; default: the cores.")]
OverwriteOpt = Annotated[
    bool,
    typer.Option(
        "--overwrite", help="Replace the content of a non-empty --out folder, as a whole."
    ),
]
_BACKENDS_HELP = (
    "Engine backend: numpy (the reference), compiled (the fastest compiled one installed), jax "
    "or jax-rng (JAX's own generator, for GPUs); default: "
)
BackendOpt = Annotated[
    str | None,
    typer.Option(
        "--backend",
        help=_BACKENDS_HELP + "$DUALTRACK_BACKEND, else the fastest installed. See "
        "docs/performance.md.",
        show_default=False,
    ),
]
PerPointBackendOpt = Annotated[
    str | None,
    typer.Option(
        "--backend",
        help=_BACKENDS_HELP + "numpy, because each point, cell, particle or set is a program "
        "of its own to compile. See docs/performance.md.",
        show_default=False,
    ),
]
DEFAULT_WORKERS = max(1, os.cpu_count() or 1)


DaskWorkersOpt = Annotated[
    int | None, typer.Option(min=1, help="Start a local Dask cluster of N worker processes.")
]
SchedulerOpt = Annotated[
    str | None, typer.Option(help="Run on an existing Dask cluster: tcp://HOST:PORT.")
]
ProcessesOpt = Annotated[
    int | None,
    typer.Option(
        min=1, help="Local worker processes without Dask (default: one per core; 1: no pool)."
    ),
]


def backend_args(backend: str) -> list[str]:
    """``--backend NAME`` for a recorded command (nothing for the reference, numpy)."""
    return [] if backend == "numpy" else ["--backend", backend]


def check_backend(name: str | None, option: str = "--backend") -> str | None:
    """Refuse an unknown or uninstalled backend before any work; returns the name as given."""
    from dualtrack.engine.backends import BackendError, resolve

    try:
        resolve(name, where=option)
    except BackendError as error:
        raise InputError(str(error)) from None
    return name


def check_per_point_backend(name: str | None, option: str = "--backend") -> str:
    """The backend of a command of many small programs (numpy unless named), checked before
    any work (``engine.backends.resolve_per_point``)."""
    from dualtrack.engine.backends import BackendError, resolve_per_point

    try:
        return resolve_per_point(name, where=option)
    except BackendError as error:
        raise InputError(str(error)) from None


def parse_doctrines(values: list[str] | None) -> list[str] | None:
    """Doctrine names from ``--doctrines a,b`` and repeated ``-d a -d b`` (None when not given)."""
    if not values:
        return None
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    return list(dict.fromkeys(names))


def check_doctrines(names: list[str], option: str = "--doctrines") -> None:
    """Refuse a doctrine that is not registered, listing the known ones."""
    from dualtrack.doctrines import REGISTRY

    unknown = [name for name in names if name not in REGISTRY]
    if unknown:
        raise InputError(
            f"{option}: unknown doctrine {unknown[0]!r}; known doctrines are "
            f"{', '.join(sorted(REGISTRY))}"
        )


def check_out_dir(out_dir: Path, option: str = "--out") -> None:
    """Refuse an output folder that is a file or cannot be written, before any work starts."""
    from dualtrack.experiments.store import OutputError, Store

    try:
        Store(out_dir, option=option).check(replace=False)
    except OutputError as error:
        raise InputError(str(error)) from None


POSTERIOR_HELP = (
    "Calibration folder (`dualtrack calibrate --out DIR`): each block of 256 replicates runs "
    "one draw of its posterior instead of the nominal values (common random numbers across "
    "doctrines kept); default: the nominal values."
)
PosteriorOpt = Annotated[
    Path | None, typer.Option("--posterior", help=POSTERIOR_HELP, show_default=False)
]


def check_posterior(
    folder: Path | None, scenario: Scenario, option: str = "--posterior"
) -> Posterior | None:
    """The posterior of ``folder`` checked against ``scenario`` (None when not given).

    A folder that holds no posterior, or one whose parameters the scenario lacks, is a located
    input error before any work starts."""
    if folder is None:
        return None
    from dualtrack.experiments.posterior import PosteriorError, load_posterior

    try:
        return load_posterior(folder, scenario)
    except PosteriorError as error:
        raise InputError(f"{option}: {error}") from None
