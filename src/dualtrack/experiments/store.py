"""The output store: every command's folder of files, checked first, written whole, checksummed.

Defined here, and only here:

- :data:`FILES`, the names of the files and folders that outputs hold;
- :func:`replacing`, the one write-then-rename: a file is written beside its destination and
  moved into place, so a reader never sees half a file;
- :func:`sha256`, :func:`checksums` and :func:`changed_files`, the checksums manifests record;
- :class:`Store`, one output folder. :meth:`Store.check` runs before any work starts and
  raises :class:`OutputError` (naming the option) when the folder is a file, cannot be
  written, is not empty and ``overwrite`` was not asked, or would replace an input file.
  :meth:`Store.writing` yields a staging folder beside the destination; when the block ends
  well the staging folder is swapped in (old content moved aside, new moved in, old removed),
  otherwise it is removed, so a folder never mixes two outputs. A folder that grows in place
  (a resumable sweep) writes its files one by one with :func:`replacing`. Staging and
  set-aside folders carry the writer's process id; one whose process is gone (a killed run)
  is cleared by the next check on that folder. The manifest is read and written here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dualtrack.experiments.interrupts import remove_if_abandoned, signals_deferred


@dataclass(frozen=True)
class OutputFiles:
    """Names of the files and folders in output folders."""

    scenario: str = "scenario.yaml"
    manifest: str = "manifest.json"
    results: str = "results.nc"
    summary: str = "summary.csv"
    comparison: str = "comparison.csv"
    report: str = "report.html"
    figures: str = "figures"
    design: str = "design.parquet"
    design_unit: str = "design_unit.parquet"
    points: str = "points.parquet"
    parts: str = "parts"
    exploration: str = "exploration"
    """Sub-folder of a study's folder that may hold a sweep (kept when the study is replaced)."""
    regimes: str = "regimes"
    """Sub-folder of a study's folder that may hold a regime map (kept when the study is
    replaced)."""


FILES = OutputFiles()
STUDY_KIND = "dualtrack-study"
SWEEP_KIND = "dualtrack-exploration"
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.tmp$")


class OutputError(ValueError):
    """An output location that cannot be used; the message names the option."""


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; moved onto ``path`` when the block ends well."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write a UTF-8 text file whole (see :func:`replacing`)."""
    with replacing(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_json(path: Path, record: Mapping[str, Any]) -> None:
    """Write a JSON object whole, indented, with a final newline."""
    write_text(path, json.dumps(record, indent=2, default=str) + "\n")


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """SHA-256 of each named file in ``folder``, for a manifest's ``files``."""
    return {name: sha256(folder / name) for name in names}


def changed_files(folder: Path | str, manifest: Mapping[str, Any]) -> list[str]:
    """Files listed in the manifest's checksums that no longer match, or ``NAME (missing)``."""
    folder = Path(folder)
    changed = []
    for name, digest in dict(manifest.get("files", {})).items():
        if not (folder / name).is_file():
            changed.append(f"{name} (missing)")
        elif sha256(folder / name) != digest:
            changed.append(name)
    return changed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class Store:
    """One output folder: checked before work starts, written whole or grown file by file."""

    def __init__(
        self,
        path: Path | str,
        *,
        option: str = "--out",
        overwrite: bool = False,
        inputs: Sequence[Path | str] = (),
        keep: Sequence[str] = (),
    ) -> None:
        self.path = Path(path)
        self.option = option
        self.overwrite = overwrite
        self.inputs = tuple(Path(p) for p in inputs)
        self.keep = tuple(keep)
        """Entries that belong to other outputs (a sweep inside a study's folder): they do not
        count as content and survive a replacement."""

    @property
    def absolute(self) -> Path:
        """The folder's absolute, normalised path (``--out .`` has a name and a parent)."""
        return Path(os.path.abspath(self.path))

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # -- the manifest ------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        """Where the manifest is."""
        return self.path / FILES.manifest

    def kind(self) -> str | None:
        """The kind recorded in the manifest (None without a readable manifest)."""
        try:
            found = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        kind = found.get("kind", STUDY_KIND) if isinstance(found, dict) else None
        return str(kind) if kind is not None else None

    def read_manifest(self, kind: str | None = None) -> dict[str, Any]:
        """The stored manifest; with ``kind``, one of that kind only."""
        path = self.manifest_path
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found; expected a dualtrack output folder")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise ValueError(f"{path}: not valid JSON ({error})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object")
        found = data.get("kind", STUDY_KIND)
        if kind is not None and found != kind:
            raise ValueError(f"{path}: expected a {kind} manifest, found kind {found!r}")
        return data

    def write_manifest(self, record: Mapping[str, Any], folder: Path | None = None) -> None:
        """Write the manifest whole (into ``folder``, e.g. a staging folder, if given)."""
        write_json((folder or self.path) / FILES.manifest, record)

    # -- what the folder holds ---------------------------------------------------------------

    def content(self) -> list[Path]:
        """Entries of the folder that belong to its output (kept entries and temporaries aside)."""
        if not self.path.is_dir():
            return []
        return sorted(
            entry
            for entry in self.path.iterdir()
            if entry.name not in self.keep and not _TEMPORARY.match(entry.name)
        )

    def describe(self) -> str:
        """What the folder holds, briefly: its kind and first entries."""
        names = [e.name + ("/" if e.is_dir() else "") for e in self.content()]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        kind = self.kind()
        what = {STUDY_KIND: "the outputs of run or compare", SWEEP_KIND: "a sweep"}.get(kind or "")
        return f"{what}: {shown}" if what else shown

    def _sibling(self, role: str, pid: int | None = None) -> Path:
        where = self.absolute
        return where.with_name(f".{where.name}.{role}-{pid or os.getpid()}")

    def _stale(self) -> Iterator[tuple[str, Path]]:
        parent = self.absolute.parent
        if not parent.is_dir():
            return
        pattern = re.compile(rf"^\.{re.escape(self.absolute.name)}\.(staging|aside)-(\d+)$")
        for entry in parent.iterdir():
            match = pattern.match(entry.name)
            if match and not _alive(int(match.group(2))):
                yield match.group(1), entry

    def clear_stale(self) -> None:
        """Remove what a killed writer left: staging folders, and a set-aside old folder
        (moved back when the new one never arrived); temporary files inside the folder."""
        for role, entry in sorted(self._stale(), key=lambda found: found[0] != "aside"):
            if role == "aside" and not self.path.exists():
                os.rename(entry, self.path)
                continue
            if role == "aside":
                for name in self.keep:
                    if (entry / name).exists() and not (self.path / name).exists():
                        os.rename(entry / name, self.path / name)
            shutil.rmtree(entry, ignore_errors=True)
        self.clear_temporaries(self.path)

    def clear_temporaries(self, *folders: Path) -> None:
        """Remove temporary files of :func:`replacing` whose writer is gone."""
        for folder in folders:
            if folder.is_dir():
                for entry in folder.iterdir():
                    match = _TEMPORARY.match(entry.name)
                    if match and entry.is_file() and not _alive(int(match.group(1))):
                        entry.unlink()

    # -- checks ------------------------------------------------------------------------------

    def _error(self, problem: str) -> OutputError:
        return OutputError(f"{self.option}: {self.path}: {problem}")

    def check(self, *, replace: bool = True) -> None:
        """Refuse a location that cannot take this output, before any work starts.

        ``replace=False`` checks a folder that will grow in place (a resumed sweep): only that
        it can be written and replaces no input. Clears what a killed writer left.
        """
        path = self.path
        if path.exists() and not path.is_dir():
            raise OutputError(f"{self.option}: {path} exists and is not a folder")
        existing = self.absolute if path.exists() else self.absolute.parent
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            raise OutputError(f"{self.option}: cannot create {path}: {existing} is not a folder")
        resolved = path.resolve()
        for source in self.inputs:
            if source.exists() and _within(source.resolve(), resolved):
                raise self._error(
                    f"holds the input {source}; an output never replaces an input: choose "
                    f"another {self.option}"
                )
        self._check_writable(existing)
        if not replace:
            self.clear_stale()
            return
        if path.exists():
            self._check_writable(self.absolute.parent)  # the staging folder goes beside it
        self.clear_stale()
        if self.content():
            if not self.overwrite:
                raise self._error(
                    f"is not empty ({self.describe()}); add --overwrite to replace its "
                    f"content, or choose another {self.option}"
                )
            if _within(Path.cwd().resolve(), resolved):
                raise self._error(
                    "is the current folder or holds it; --overwrite replaces the folder as a "
                    "whole, so run from outside it"
                )

    def _check_writable(self, folder: Path) -> None:
        """Refuse a folder this process cannot create files in (permissions, read-only mounts)."""
        problem = None if os.access(folder, os.W_OK | os.X_OK) else "is not writable"
        if problem is None:
            try:  # a file system may refuse what the permissions allow (read-only mounts, /proc)
                handle, probe = tempfile.mkstemp(prefix=".dualtrack-probe-", dir=folder)
            except OSError as error:
                problem = str(error.strerror)
            else:
                os.close(handle)
                os.unlink(probe)
        if problem is not None:
            raise OutputError(f"{self.option}: cannot write to {self.path}: {folder} {problem}")

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """A staging folder beside the destination, swapped in whole when the block ends well.

        Checks the destination first (again: callers check before their work starts).
        """
        self.check()
        self.absolute.parent.mkdir(parents=True, exist_ok=True)
        staging = self._sibling("staging")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            with remove_if_abandoned(staging):
                yield staging
                with signals_deferred():
                    self._swap_in(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _swap_in(self, staging: Path) -> None:
        if not self.path.exists():
            os.rename(staging, self.path)
            return
        if not self.content():  # empty, or only kept entries: move the files in, manifest last
            for entry in sorted(staging.iterdir(), key=lambda e: e.name == FILES.manifest):
                target = self.path / entry.name
                if target.is_dir():
                    shutil.rmtree(target)
                os.replace(entry, target)
            return
        aside = self._sibling("aside")
        os.rename(self.path, aside)
        os.rename(staging, self.path)
        for name in self.keep:
            if (aside / name).exists():
                os.rename(aside / name, self.path / name)
        shutil.rmtree(aside, ignore_errors=True)
