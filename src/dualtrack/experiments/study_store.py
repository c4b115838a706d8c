"""A study's output folder: the resolved scenario, the results dataset, tables and manifest.

Written through :class:`~dualtrack.experiments.store.Store`: every file goes into a staging
folder first and the folder is swapped in whole, so an earlier output is replaced, never mixed,
and a failed or interrupted run changes nothing. A sweep stored in the folder's
``exploration`` sub-folder and a regime map in its ``regimes`` sub-folder are other outputs
and are kept.
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dualtrack._version import __version__
from dualtrack.experiments.interrupts import signals_deferred
from dualtrack.experiments.store import FILES, STUDY_KIND, Store, checksums, write_text
from dualtrack.scenario.loading import dump_scenario, scenario_hash
from dualtrack.scenario.schema import Scenario


def study_store(
    path: Path | str,
    *,
    overwrite: bool = False,
    inputs: Sequence[Path | str] = (),
    option: str = "--out",
) -> Store:
    """The store of a study's folder (a sweep in its ``exploration`` sub-folder and a regime
    map in its ``regimes`` sub-folder are kept)."""
    return Store(
        path,
        option=option,
        overwrite=overwrite,
        inputs=inputs,
        keep=(FILES.exploration, FILES.regimes),
    )


def combine(results: Mapping[str, xr.Dataset], dim: str = "doctrine") -> xr.Dataset:
    """One dataset with a ``doctrine`` dimension (or ``dim``) from per-variant datasets."""
    names = list(results)
    combined = xr.concat(
        [results[n] for n in names],
        dim=pd.Index(names, name=dim),
        combine_attrs="drop_conflicts",
    )
    combined.attrs["doctrines" if dim == "doctrine" else dim] = ", ".join(names)
    return combined


def manifest(
    scenario: Scenario, settings: Mapping[str, Any], command: list[str] | None = None
) -> dict[str, Any]:
    """Provenance of a run: versions, seed, scenario hash, command and settings."""
    return {
        "kind": STUDY_KIND,
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
    store: Store,
    scenario: Scenario,
    results: Mapping[str, xr.Dataset],
    tables: Mapping[str, pd.DataFrame],
    provenance: Mapping[str, Any],
    finish: Callable[[Path], object] | None = None,
    dim: str = "doctrine",
) -> list[Path]:
    """Write scenario, results, tables (CSV) and manifest into the store's folder, whole.

    ``finish`` may add derived files (e.g. a report) to the staging folder before it is
    swapped in. Call ``store.check()`` before the work that produces the results. Returns the
    paths written. ``dim`` names the dimension along which the variants are stacked.
    """
    with store.writing() as staging:
        write_text(staging / FILES.scenario, dump_scenario(scenario))
        combined = combine(results, dim)
        encoding = {name: {"zlib": True, "complevel": 1} for name in combined.data_vars}
        with signals_deferred():  # an interrupt inside xarray's locks hangs the close
            combined.to_netcdf(staging / FILES.results, engine="netcdf4", encoding=encoding)
        for name, table in tables.items():
            table.to_csv(staging / name, index=False)
        files = checksums(staging, (FILES.scenario, FILES.results, *tables))
        store.write_manifest({**provenance, "files": files}, folder=staging)
        if finish is not None:
            finish(staging)
        names = sorted(entry.name for entry in staging.iterdir())
    return [store.path / name for name in names]


def load_results(out_dir: Path | str) -> xr.Dataset:
    """The combined results dataset stored in an output folder."""
    path = Path(out_dir) / FILES.results
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; expected the output folder of `dualtrack run`")
    with signals_deferred(), xr.open_dataset(path, engine="netcdf4") as stored:
        return stored.load()
