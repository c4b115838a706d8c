"""Write a study's outputs to a folder: all files or none.

Everything is written into a temporary folder beside the destination first; only when every
file is complete are they moved into place, so a failed or interrupted run leaves no partial
output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dualtrack._version import __version__
from dualtrack.scenario.loading import dump_scenario, scenario_hash
from dualtrack.scenario.schema import Scenario

RESULTS_FILE = "results.nc"
SCENARIO_FILE = "scenario.yaml"
MANIFEST_FILE = "manifest.json"


def combine(results: Mapping[str, xr.Dataset]) -> xr.Dataset:
    """One dataset with a ``doctrine`` dimension from per-doctrine datasets."""
    names = list(results)
    combined = xr.concat(
        [results[n] for n in names],
        dim=pd.Index(names, name="doctrine"),
        combine_attrs="drop_conflicts",
    )
    combined.attrs["doctrines"] = ", ".join(names)
    return combined


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(
    scenario: Scenario, settings: Mapping[str, Any], command: list[str] | None = None
) -> dict[str, Any]:
    """Provenance of a run: versions, seed, scenario hash, command and settings."""
    return {
        "dualtrack_version": __version__,
        "scenario_id": scenario.id,
        "scenario_hash": scenario_hash(scenario),
        "seed": scenario.settings.seed,
        "command": " ".join(command if command is not None else sys.argv),
        "settings": dict(settings),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "xarray": xr.__version__,
    }


def write_outputs(
    out_dir: Path,
    scenario: Scenario,
    results: Mapping[str, xr.Dataset],
    tables: Mapping[str, pd.DataFrame],
    provenance: Mapping[str, Any],
    finish: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write scenario, results, tables (CSV) and manifest into ``out_dir``.

    ``finish`` may add derived files (e.g. a report) to the staging folder before everything
    is moved into place. Returns the paths written.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} exists and is not a folder")
    parent = out_dir.parent if str(out_dir.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
    try:
        (staging / SCENARIO_FILE).write_text(dump_scenario(scenario), encoding="utf-8")
        combined = combine(results)
        encoding = {name: {"zlib": True, "complevel": 1} for name in combined.data_vars}
        combined.to_netcdf(staging / RESULTS_FILE, engine="netcdf4", encoding=encoding)
        for name, table in tables.items():
            table.to_csv(staging / name, index=False)
        files = {name: _sha256(staging / name) for name in (SCENARIO_FILE, RESULTS_FILE, *tables)}
        record = {**provenance, "files": files}
        (staging / MANIFEST_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
        if finish is not None:
            finish(staging)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for entry in sorted(staging.iterdir()):
            target = out_dir / entry.name
            if entry.is_dir() and target.is_dir():
                shutil.rmtree(target)
            os.replace(entry, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_results(out_dir: Path) -> xr.Dataset:
    """The combined results dataset stored in an output folder."""
    path = Path(out_dir) / RESULTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; expected the output folder of `dualtrack run`")
    return xr.open_dataset(path, engine="netcdf4").load()
