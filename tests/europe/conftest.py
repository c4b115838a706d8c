"""Fixtures for the Europe-wide scenario tests: the scenario, its compiled form, the builder."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import dualtrack
from dualtrack.engine.compiled import Compiled, compile_scenario

ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "src" / "dualtrack" / "data" / "geo"


@pytest.fixture(scope="session")
def europe() -> dualtrack.Scenario:
    """The validated built-in Europe scenario."""
    return dualtrack.load_scenario("europe")


@pytest.fixture(scope="session")
def europe_compiled(europe: dualtrack.Scenario) -> Compiled:
    """The Europe scenario compiled under its own doctrines."""
    return compile_scenario(europe)


@pytest.fixture(scope="session")
def geo_borders() -> dict[frozenset[str], float]:
    """Land borders of the vendored geo data with their lengths (km)."""
    with (GEO / "europe_borders.csv").open(newline="", encoding="utf-8") as handle:
        return {frozenset((r["a"], r["b"])): float(r["length_km"]) for r in csv.DictReader(handle)}


@pytest.fixture(scope="session")
def builder() -> ModuleType:
    """tools/build_europe_scenario.py as a module."""
    path = ROOT / "tools" / "build_europe_scenario.py"
    spec = importlib.util.spec_from_file_location("build_europe_scenario", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
