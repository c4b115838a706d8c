"""Read a dualtrack output folder (scenario, manifest, results, tables) for the report.

The report works on stored results only, never on live models: everything it shows comes
from the files ``dualtrack run`` or ``dualtrack compare`` wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr
import yaml
from pydantic import ValidationError

from dualtrack.analysis.comparison import paired_differences
from dualtrack.analysis.outcomes import summary_table
from dualtrack.engine import outputs
from dualtrack.experiments.interrupts import signals_deferred
from dualtrack.experiments.store import FILES
from dualtrack.scenario.errors import ScenarioError
from dualtrack.scenario.loading import load_scenario
from dualtrack.scenario.schema import Scenario

SCENARIO_FILE = FILES.scenario
MANIFEST_FILE = FILES.manifest
RESULTS_FILE = FILES.results
SUMMARY_FILE = FILES.summary
COMPARISON_FILE = FILES.comparison
REQUIRED_FILES = (SCENARIO_FILE, MANIFEST_FILE, RESULTS_FILE)
UNUSED_VARIABLES = (
    outputs.TRACED_PREFIX + "incidents",
    outputs.TRACED_PREFIX + "escalation",
)
"""Stored variables the report does not draw (left on disk to load faster)."""
DEFAULT_REFERENCE = "deterrence-only"
"""Reference doctrine for paired differences when the folder has no comparison.csv."""


class NotAnOutputFolder(ValueError):
    """The folder given is not (or not a complete) dualtrack output folder."""


@dataclass(frozen=True)
class OutputFolder:
    """Everything the report reads from one output folder."""

    path: Path
    scenario: Scenario
    manifest: dict[str, Any]
    results: xr.Dataset
    """Combined results with a ``doctrine`` dimension (loaded into memory)."""
    summary: pd.DataFrame
    """Doctrine x outcome estimates with intervals (summary.csv)."""
    comparison: pd.DataFrame | None
    """Paired differences against a reference doctrine, or None with a single doctrine."""
    comparison_source: str
    """Where the comparison came from: the folder's comparison.csv or the report itself."""

    @property
    def record(self) -> str:
        """What the run kept: ``full``, ``mean`` or ``summary``."""
        return str(self.results.attrs.get("record", "summary"))

    @property
    def doctrines(self) -> list[str]:
        """Doctrines run, in study order."""
        return [str(name) for name in self.results["doctrine"].values]

    @property
    def replicates(self) -> int:
        """Replicates per doctrine."""
        return int(self.results.sizes["replicate"])

    @property
    def reference(self) -> str | None:
        """The doctrine the others are compared with."""
        if self.comparison is None or self.comparison.empty:
            return None
        return str(self.comparison["reference"].iloc[0])

    @property
    def subject(self) -> str:
        """The actor whose doctrine the study varies."""
        return str(self.results.attrs.get("subject", self.scenario.subject))

    @property
    def focus_dyad(self) -> str:
        """The dyad whose outcomes the study reports, e.g. ``BLR-UKR``."""
        return str(self.results.attrs.get("focus_dyad", "-".join(self.scenario.focus)))


def _read_scenario(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError:
        # e.g. a doctrine registered by a plugin that is not imported now: the report does not
        # need the doctrine classes, so the structural validation is enough
        try:
            return Scenario.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (ValidationError, yaml.YAMLError) as error:
            raise NotAnOutputFolder(f"{path}: not a valid scenario: {error}") from None


def _read_results(path: Path) -> xr.Dataset:
    try:
        with signals_deferred(), xr.open_dataset(path, engine="netcdf4") as stored:
            results = stored.drop_vars(UNUSED_VARIABLES, errors="ignore").load()
    except (OSError, ValueError) as error:
        raise NotAnOutputFolder(f"{path}: cannot read the results dataset: {error}") from None
    if "doctrine" not in results.dims or "replicate" not in results.dims:
        raise NotAnOutputFolder(
            f"{path}: expected a results dataset with dimensions 'doctrine' and 'replicate'; "
            f"found dimensions {', '.join(map(str, results.dims)) or 'none'}"
        )
    return results


def _per_doctrine(results: xr.Dataset) -> dict[str, xr.Dataset]:
    return {str(name): results.sel(doctrine=name) for name in results["doctrine"].values}


def load_output_folder(folder: Path | str) -> OutputFolder:
    """Read an output folder written by ``dualtrack run`` or ``dualtrack compare``.

    Raises :class:`NotAnOutputFolder` naming what is missing or unreadable. A missing
    summary.csv or comparison.csv is recomputed from results.nc (paired differences against
    ``deterrence-only`` when it was run, else against the first doctrine).
    """
    path = Path(folder)
    if not path.is_dir():
        raise NotAnOutputFolder(
            f"{path} is not a folder; expected the output folder of `dualtrack run` or "
            "`dualtrack compare`"
        )
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise NotAnOutputFolder(
            f"{path} is not a dualtrack output folder: missing {', '.join(missing)} "
            f"(expected {', '.join(REQUIRED_FILES)}, written by `dualtrack run`)"
        )
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise NotAnOutputFolder(f"{path / MANIFEST_FILE}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise NotAnOutputFolder(f"{path / MANIFEST_FILE}: expected a JSON object")
    scenario = _read_scenario(path / SCENARIO_FILE)
    results = _read_results(path / RESULTS_FILE)
    per_doctrine = _per_doctrine(results)
    summary_path = path / SUMMARY_FILE
    summary = pd.read_csv(summary_path) if summary_path.is_file() else summary_table(per_doctrine)
    comparison: pd.DataFrame | None = None
    comparison_path = path / COMPARISON_FILE
    if comparison_path.is_file():
        comparison = pd.read_csv(comparison_path)
        source = f"{COMPARISON_FILE} in the output folder"
    elif len(per_doctrine) > 1:
        reference = (
            DEFAULT_REFERENCE if DEFAULT_REFERENCE in per_doctrine else next(iter(per_doctrine))
        )
        comparison = paired_differences(per_doctrine, reference)
        source = f"computed by the report from {RESULTS_FILE} (no {COMPARISON_FILE} found)"
    else:
        source = "A single doctrine was run: there is nothing to compare."
    return OutputFolder(
        path=path,
        scenario=scenario,
        manifest=manifest,
        results=results,
        summary=summary,
        comparison=comparison,
        comparison_source=source,
    )
