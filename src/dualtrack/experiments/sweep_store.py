"""Incremental, resumable storage of a sweep: design first, points in parts, then one table.

Layout of a sweep folder::

    scenario.yaml         the resolved base scenario
    design.parquet        point, one column of values per parameter
    design_unit.parquet   point, the same design in the unit hypercube (what analyses use)
    manifest.json         settings, parameters, outcomes, status, checksums
    parts/part-NNNNNN.parquet   finished points, in batches (while the sweep runs)
    points.parquet        every (point, doctrine) row sorted by point then doctrine order

The design files and the manifest are written before any point runs. Every file is written to
a temporary name and moved into place with :func:`os.replace`, so a killed sweep leaves whole
files only. A point's rows (one per doctrine) always land in the same part, so resuming skips
exactly the points already stored and never writes one twice. ``points.parquet`` is built the
same way whatever the batches, workers or interruptions, so it is bit-identical to the table
of an uninterrupted run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dualtrack.scenario.uncertainty import UncertainParameter

MANIFEST_FILE = "manifest.json"
SCENARIO_FILE = "scenario.yaml"
DESIGN_FILE = "design.parquet"
UNIT_FILE = "design_unit.parquet"
POINTS_FILE = "points.parquet"
PARTS_DIR = "parts"
MANIFEST_KIND = "dualtrack-exploration"
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


def _atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write through ``write`` into a temporary file beside ``path``, then move it into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _write_table(table: pa.Table, path: Path) -> None:
    _atomic(path, lambda handle: pq.write_table(table, handle, compression=_COMPRESSION))


def _write_text(text: str, path: Path) -> None:
    def write(handle: BinaryIO) -> None:
        handle.write(text.encode("utf-8"))

    _atomic(path, write)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class SweepStore:
    """The folder of one sweep: create it, add finished points, resume, finalise."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    @property
    def parts_dir(self) -> Path:
        """Where finished points wait, in batches, until the sweep is complete."""
        return self.folder / PARTS_DIR

    def exists(self) -> bool:
        """True when the folder holds a sweep (its manifest was written)."""
        return (self.folder / MANIFEST_FILE).is_file()

    def is_complete(self) -> bool:
        """True when the final points table is in place."""
        return (self.folder / POINTS_FILE).is_file()

    def initialise(
        self,
        manifest: Mapping[str, Any],
        design_values: pd.DataFrame,
        design_unit: pd.DataFrame,
        scenario_yaml: str,
    ) -> None:
        """Write the scenario, the design and the manifest, before any point runs."""
        if self.exists():
            raise FileExistsError(
                f"{self.folder} already holds a sweep; resume it with --resume or choose "
                "another --out"
            )
        if self.folder.exists() and not self.folder.is_dir():
            raise FileExistsError(f"{self.folder} exists and is not a folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.parts_dir.mkdir(exist_ok=True)
        _write_text(scenario_yaml, self.folder / SCENARIO_FILE)
        for frame, name in ((design_values, DESIGN_FILE), (design_unit, UNIT_FILE)):
            table = pa.Table.from_pandas(frame, preserve_index=False)
            _write_table(table, self.folder / name)
        record = {
            **manifest,
            "status": "running",
            "design_files": {name: sha256(self.folder / name) for name in (DESIGN_FILE, UNIT_FILE)},
        }
        self.write_manifest(record)

    def read_manifest(self) -> dict[str, Any]:
        """The stored manifest."""
        path = self.folder / MANIFEST_FILE
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found; expected the output folder of `dualtrack explore`"
            )
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if data.get("kind") != MANIFEST_KIND:
            raise ValueError(f"{path} is not an exploration manifest (kind {data.get('kind')!r})")
        return data

    def write_manifest(self, record: Mapping[str, Any]) -> None:
        """Replace the manifest atomically."""
        _write_text(json.dumps(record, indent=2, default=str) + "\n", self.folder / MANIFEST_FILE)

    def _part_files(self) -> list[Path]:
        if not self.parts_dir.is_dir():
            return []
        return sorted(p for p in self.parts_dir.iterdir() if _PART.match(p.name))

    def clean_temporary(self) -> None:
        """Remove temporary files left by a killed writer."""
        for folder in (self.folder, self.parts_dir):
            if folder.is_dir():
                for entry in folder.iterdir():
                    if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                        entry.unlink()

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
        path = self.folder / POINTS_FILE
        _write_table(table.combine_chunks(), path)
        record = self.read_manifest()
        record["status"] = "complete"
        record["files"] = {
            name: sha256(self.folder / name)
            for name in (SCENARIO_FILE, DESIGN_FILE, UNIT_FILE, POINTS_FILE)
        }
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


def load_sweep(folder: Path | str, *, allow_partial: bool = False) -> StoredSweep:
    """Read a sweep folder; an unfinished sweep's parts only with ``allow_partial``."""
    store = SweepStore(folder)
    manifest = store.read_manifest()
    parameters = tuple(UncertainParameter.from_description(p) for p in manifest["parameters"])
    design = pd.read_parquet(store.folder / DESIGN_FILE)
    unit = pd.read_parquet(store.folder / UNIT_FILE)
    if store.is_complete():
        points = pd.read_parquet(store.folder / POINTS_FILE)
        complete = True
    else:
        if not allow_partial:
            raise FileNotFoundError(
                f"{store.folder / POINTS_FILE} not found: the sweep is unfinished; resume it "
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
        "kind": MANIFEST_KIND,
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
