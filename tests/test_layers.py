"""The floors of docs/architecture.md: every import inside the package runs downward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dualtrack

PACKAGE = Path(dualtrack.__file__).parent
FLOORS = {
    "_version": 0,
    "data": 0,
    "scenario": 1,
    "mechanisms": 1,
    "doctrines": 1,
    "engine": 2,
    "experiments": 3,
    "analysis": 4,
    "report": 5,
    "cli": 5,
    "web": 5,
}
"""Floor of each top-level module of the package (model, engine, experiments, ...)."""


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n == "dualtrack" or n.startswith("dualtrack.")}


def _floor_of(module: str) -> int | None:
    parts = module.split(".")
    return FLOORS.get(parts[1]) if len(parts) > 1 else None


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE)


def test_every_package_has_a_floor() -> None:
    packages = {p.relative_to(PACKAGE).parts[0] for p in MODULES}
    assert packages <= FLOORS.keys(), f"give these a floor: {sorted(packages - FLOORS.keys())}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_downward(path: Path) -> None:
    own = FLOORS[path.relative_to(PACKAGE).parts[0]]
    upward = sorted(
        name
        for name in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if (floor := _floor_of(name)) is not None and floor > own
    )
    assert not upward, f"{path.relative_to(PACKAGE)} (floor {own}) imports upward: {upward}"


def test_nothing_below_the_root_imports_the_package_root() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in MODULES
        if "dualtrack" in _imported(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not offenders, f"import from a submodule instead of the package root: {offenders}"
