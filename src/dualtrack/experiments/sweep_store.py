"""Incremental, resumable storage of a sweep: design first, points in parts, then one table.

Layout of a sweep folder::

    scenario.yaml         the resolved base scenario
    design.parquet        point, one column of values per parameter
    design_unit.parquet   point, the same design in the unit hypercube (what analyses use)
    manifest.json         settings, parameters, outcomes, status, checksums
    parts/part-NNNNNN.parquet   finished points, in batches (while the sweep runs)
    points.parquet        every (point, doctrine) row sorted by point then doctrine order

The design files and the manifest are written in a staging folder and swapped in whole
(:class:`~dualtrack.experiments.store.Store`) before any point runs; from then on the folder
grows in place, every file written whole (:func:`~dualtrack.experiments.store.replacing`), so
a killed sweep leaves whole files only and resumes where it stopped. A point's rows (one per
doctrine) always land in the same part, so resuming skips exactly the points already stored
and never writes one twice. ``points.parquet`` is built the same way whatever the batches,
workers or interruptions, so it is bit-identical to the table of an uninterrupted run.

The sweep manifest is read and written here only (:meth:`SweepStore.read_manifest`,
:func:`load_sweep`, :func:`find_sweep`); other floors go through these.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dualtrack.experiments.store import (
    FILES,
    SWEEP_KIND,
    OutputError,
    Store,
    checksums,
    replacing,
    write_text,
)
from dualtrack.scenario.uncertainty import UncertainParameter

KEY_COLUMNS: tuple[str, ...] = ("point", "doctrine", "seed", "feasible", "error", "replicates")
_PART = re.compile(r"^part-(\d{6,})\.parquet$")
_COMPRESSION = "zstd"


def points_schema(paths: Sequence[str], outcome_columns: Sequence[str]) -> pa.Schema:
    """Columns of the points table: keys, parameter values, outcome estimates and intervals."""
    fields = [
        pa.field("point", pa.int64(), nullable=False),
        pa.field("doctrine", pa.string(), nullable=False),
        pa.field("seed", pa.int64(), nullable=False),
        pa.field("feasible", pa.bool_(), nullable=False),
        pa.field("error", pa.string(), nullable=False),
        pa.field("replicates", pa.int64(), nullable=False),
    ]
    fields += [pa.field(path, pa.float64()) for path in paths]
    fields += [pa.field(name, pa.float64()) for name in outcome_columns]
    return pa.schema(fields)


def _write_table(table: pa.Table, path: Path) -> None:
    with replacing(path) as temporary:
        pq.write_table(table, temporary, compression=_COMPRESSION)


class SweepStore:
    """The folder of one sweep: create it, add finished points, resume, finalise."""

    def __init__(
        self,
        folder: Path | str,
        *,
        overwrite: bool = False,
        inputs: Sequence[Path | str] = (),
        option: str = "--out",
    ) -> None:
        self.store = Store(folder, option=option, overwrite=overwrite, inputs=inputs)
        self.folder = self.store.path

    @property
    def parts_dir(self) -> Path:
        """Where finished points wait, in batches, until the sweep is complete."""
        return self.folder / FILES.parts

    def exists(self) -> bool:
        """True when the folder holds a sweep (its manifest says so)."""
        return self.store.kind() == SWEEP_KIND

    def is_complete(self) -> bool:
        """True when the final points table is in place."""
        return (self.folder / FILES.points).is_file()

    def check(self, *, resume: bool = False) -> None:
        """Refuse, before any point runs, a folder this sweep cannot use (:class:`OutputError`).

        Without ``resume`` the folder must be empty (or ``overwrite`` given). With it, a folder
        holding a sweep is continued in place; an empty or missing one starts afresh; anything
        else is refused.
        """
        if resume and self.store.overwrite:
            raise OutputError("give --resume (continue a sweep) or --overwrite, not both")
        if resume and self.exists():
            self.store.check(replace=False)
            self.store.clear_temporaries(self.parts_dir)
            return
        if resume and self.store.content():
            raise OutputError(
                f"{self.store.option}: {self.folder} holds {self.store.describe()}, not a "
                "sweep; --resume continues only a folder written by `dualtrack explore`"
            )
        if self.exists() and not self.store.overwrite:
            raise OutputError(
                f"{self.store.option}: {self.folder} already holds a sweep; add --resume to "
                "continue it or --overwrite to replace it, or choose another "
                f"{self.store.option}"
            )
        self.store.check()

    def initialise(
        self,
        manifest: Mapping[str, Any],
        design_values: pd.DataFrame,
        design_unit: pd.DataFrame,
        scenario_yaml: str,
    ) -> None:
        """Write the scenario, the design and the manifest, before any point runs.

        The folder's earlier content (if ``overwrite`` was checked) is replaced as a whole.
        """
        with self.store.writing() as staging:
            write_text(staging / FILES.scenario, scenario_yaml)
            for frame, name in ((design_values, FILES.design), (design_unit, FILES.design_unit)):
                table = pa.Table.from_pandas(frame, preserve_index=False)
                _write_table(table, staging / name)
            (staging / FILES.parts).mkdir()
            record = {
                **manifest,
                "status": "running",
                "design_files": checksums(staging, (FILES.design, FILES.design_unit)),
            }
            self.store.write_manifest(record, folder=staging)

    def read_manifest(self) -> dict[str, Any]:
        """The stored manifest."""
        if not self.store.manifest_path.is_file():
            raise FileNotFoundError(
                f"{self.store.manifest_path} not found; expected the output folder of "
                "`dualtrack explore`"
            )
        try:
            return self.store.read_manifest(kind=SWEEP_KIND)
        except ValueError as error:
            raise ValueError(f"{error} (not an exploration manifest)") from None

    def write_manifest(self, record: Mapping[str, Any]) -> None:
        """Replace the manifest whole."""
        self.store.write_manifest(record)

    def _part_files(self) -> list[Path]:
        if not self.parts_dir.is_dir():
            return []
        return sorted(p for p in self.parts_dir.iterdir() if _PART.match(p.name))

    def read_parts(self) -> pa.Table | None:
        """Every stored row of the parts (None when there are none)."""
        files = self._part_files()
        if not files:
            return None
        return pa.concat_tables([pq.read_table(path) for path in files])

    def finished_points(self) -> set[int]:
        """Points whose rows are stored in a part."""
        table = self.read_parts()
        if table is None:
            return set()
        return set(np.unique(table.column("point").to_numpy()).tolist())

    def write_part(self, rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> Path:
        """Store the rows of some finished points as the next part file."""
        numbers = [int(m.group(1)) for p in self._part_files() if (m := _PART.match(p.name))]
        path = self.parts_dir / f"part-{(max(numbers) + 1) if numbers else 0:06d}.parquet"
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        _write_table(pa.Table.from_pylist(list(rows), schema=schema), path)
        return path

    def finalise(self, schema: pa.Schema, doctrines: Sequence[str], points: int) -> Path:
        """Build ``points.parquet`` from the parts (sorted by point, then doctrine order)."""
        table = self.read_parts()
        if table is None:
            raise RuntimeError(f"{self.folder}: no finished points to assemble")
        table = _sorted_unique(table.cast(schema), doctrines)
        expected = points * len(doctrines)
        if table.num_rows != expected:
            raise RuntimeError(
                f"{self.folder}: expected {expected} rows ({points} points x {len(doctrines)} "
                f"doctrines), found {table.num_rows}; resume the sweep to finish it"
            )
        path = self.folder / FILES.points
        _write_table(table.combine_chunks(), path)
        record = self.read_manifest()
        record["status"] = "complete"
        record["files"] = checksums(
            self.folder, (FILES.scenario, FILES.design, FILES.design_unit, FILES.points)
        )
        record["completed_utc"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.write_manifest(record)
        shutil.rmtree(self.parts_dir, ignore_errors=True)
        return path


def _sorted_unique(table: pa.Table, doctrines: Sequence[str]) -> pa.Table:
    """Rows sorted by (point, doctrine order), a (point, doctrine) stored twice kept once."""
    order = {name: rank for rank, name in enumerate(doctrines)}
    names = table.column("doctrine").to_pylist()
    unknown = sorted(set(names) - set(order))
    if unknown:
        raise RuntimeError(f"rows of doctrines not in this sweep: {', '.join(unknown)}")
    keys = table.column("point").to_numpy() * len(doctrines) + np.array(
        [order[n] for n in names], dtype=np.int64
    )
    index = np.argsort(keys, kind="stable")
    keep = np.ones(len(index), dtype=bool)
    keep[1:] = keys[index][1:] != keys[index][:-1]
    return table.take(pa.array(index[keep]))


@dataclass(frozen=True)
class StoredSweep:
    """A sweep read back from its folder: what the analysis floor works on."""

    folder: Path
    manifest: dict[str, Any]
    parameters: tuple[UncertainParameter, ...]
    design: pd.DataFrame
    """Parameter values, one row per point."""
    unit: pd.DataFrame
    """The design in the unit hypercube, one row per point."""
    points: pd.DataFrame
    """One row per (point, doctrine): keys, parameter values, outcome estimates, intervals."""
    complete: bool

    @property
    def paths(self) -> list[str]:
        """Parameter paths in design order."""
        return [p.path for p in self.parameters]

    @property
    def doctrines(self) -> list[str]:
        """Doctrines of the sweep, in their order."""
        return list(self.manifest["doctrines"])

    @property
    def design_kind(self) -> str:
        """lhs, sobol or morris."""
        return str(self.manifest["design"]["kind"])

    @property
    def outcome_names(self) -> list[str]:
        """Outcomes estimated at every point."""
        return [o["name"] for o in self.manifest.get("outcomes", [])]

    def rows(self, doctrine: str) -> pd.DataFrame:
        """The rows of one doctrine, sorted by point."""
        if doctrine not in self.doctrines:
            raise KeyError(
                f"doctrine {doctrine!r} was not in this sweep; its doctrines are "
                f"{', '.join(self.doctrines)}"
            )
        rows = self.points[self.points["doctrine"] == doctrine]
        return rows.sort_values("point").reset_index(drop=True)


def find_sweep(folder: Path | str) -> Path | None:
    """The sweep folder at ``folder`` or in its ``exploration`` sub-folder, if there is one."""
    folder = Path(folder)
    for candidate in (folder, folder / FILES.exploration):
        if SweepStore(candidate).exists():
            return candidate
    return None


def load_sweep(folder: Path | str, *, allow_partial: bool = False) -> StoredSweep:
    """Read a sweep folder; an unfinished sweep's parts only with ``allow_partial``."""
    store = SweepStore(folder)
    manifest = store.read_manifest()
    parameters = tuple(UncertainParameter.from_description(p) for p in manifest["parameters"])
    design = pd.read_parquet(store.folder / FILES.design)
    unit = pd.read_parquet(store.folder / FILES.design_unit)
    if store.is_complete():
        points = pd.read_parquet(store.folder / FILES.points)
        complete = True
    else:
        if not allow_partial:
            raise FileNotFoundError(
                f"{store.folder / FILES.points} not found: the sweep is unfinished; resume it "
                "with `dualtrack explore ... --resume`"
            )
        table = store.read_parts()
        points = (
            pd.DataFrame(columns=list(KEY_COLUMNS))
            if table is None
            else _sorted_unique(table, manifest["doctrines"]).to_pandas()
        )
        complete = False
    return StoredSweep(store.folder, manifest, parameters, design, unit, points, complete)


def store_evaluations(
    folder: Path | str,
    design: Any,
    outcomes: Mapping[str, Sequence[float]],
    *,
    doctrine: str = "model",
    labels: Mapping[str, str] | None = None,
) -> Path:
    """Store a design with outcomes computed elsewhere, as a sweep folder the analyses read.

    ``design`` is a :class:`~dualtrack.experiments.design.Design`; ``outcomes`` maps a name to
    one value per design point. Lets sensitivity and discovery run on any model's evaluations
    (and lets tests feed known functions through the same code path as a sweep).
    """
    names = list(outcomes)
    arrays = {name: np.asarray(outcomes[name], dtype=np.float64) for name in names}
    for name, values in arrays.items():
        if values.shape != (design.n_points,):
            raise ValueError(
                f"outcome {name!r}: expected {design.n_points} values, found {values.shape}"
            )
    columns = [f"{name}{suffix}" for name in names for suffix in ("", "_low", "_high")]
    settings = {"design": design.settings(), "parameters": list(design.paths)}
    manifest = {
        "kind": SWEEP_KIND,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "settings": settings,
        "design": design.settings(),
        "doctrines": [doctrine],
        "replicates": 1,
        "parameters": [p.describe() for p in design.parameters],
        "outcomes": [
            {"name": n, "label": (labels or {}).get(n, n), "kind": "mean", "unit": "1"}
            for n in names
        ],
        "columns": columns,
    }
    values, unit = design.frames()
    store = SweepStore(folder)
    store.check()
    store.initialise(manifest, values, unit, "# outcomes stored by store_evaluations\n")
    schema = points_schema(design.paths, columns)
    rows = []
    for point in range(design.n_points):
        row: dict[str, Any] = {
            "point": point,
            "doctrine": doctrine,
            "seed": 0,
            "feasible": True,
            "error": "",
            "replicates": 1,
        }
        row.update(zip(design.paths, design.values[point].tolist(), strict=True))
        for name, values_of in arrays.items():
            value = float(values_of[point])
            row.update({name: value, f"{name}_low": value, f"{name}_high": value})
        rows.append(row)
    store.write_part(rows, schema)
    return store.finalise(schema, [doctrine], design.n_points)
