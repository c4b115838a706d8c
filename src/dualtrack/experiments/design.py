"""Experimental designs over a scenario's uncertain parameters: LHS, Sobol (Saltelli), Morris.

Every design is drawn in the unit hypercube (one column per parameter) and mapped to values
through each parameter's distribution (:func:`~dualtrack.scenario.uncertainty.unit_to_values`),
so the analyses that need the sampling structure (Saltelli's estimators, Morris's elementary
effects) see the design exactly as drawn, whatever the distributions.

- ``lhs``: Latin hypercube (McKay, Beckman & Conover 1979) via ``scipy.stats.qmc``; ``points``
  is the number of points. Good for scenario discovery.
- ``sobol``: Saltelli's (2002, 2010) extension of a scrambled Sobol' sequence via SALib;
  ``points`` is the base sample N (a power of two) and the design has ``N (D + 2)`` points
  (``N (2D + 2)`` with second-order indices). For first-order and total Sobol' indices.
- ``morris``: Morris (1991) one-at-a-time trajectories on a ``levels`` grid via SALib;
  ``points`` is the number of trajectories and the design has ``points (D + 1)`` points.
  For screening (mu*, sigma).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import qmc

from dualtrack.scenario.uncertainty import UncertainParameter, unit_to_values

DesignKind = Literal["lhs", "sobol", "morris"]
DESIGN_KINDS: tuple[str, ...] = ("lhs", "sobol", "morris")


@dataclass(frozen=True)
class Design:
    """Points of an experiment: unit-hypercube samples and the parameter values they map to."""

    kind: DesignKind
    parameters: tuple[UncertainParameter, ...]
    unit: NDArray[np.float64] = field(repr=False)
    """Samples in [0, 1], shape (points, parameters)."""
    values: NDArray[np.float64] = field(repr=False)
    """Parameter values, shape (points, parameters)."""
    seed: int
    size: int
    """What was asked: points (lhs), base sample N (sobol) or trajectories (morris)."""
    levels: int = 4
    second_order: bool = False

    @property
    def n_points(self) -> int:
        """Number of points to evaluate."""
        return int(self.unit.shape[0])

    @property
    def paths(self) -> tuple[str, ...]:
        """Parameter paths, in column order."""
        return tuple(p.path for p in self.parameters)

    def settings(self) -> dict[str, Any]:
        """What identifies the design (for manifests and resume checks)."""
        return {
            "kind": self.kind,
            "size": self.size,
            "points": self.n_points,
            "seed": self.seed,
            "levels": self.levels,
            "second_order": self.second_order,
        }

    def problem(self) -> dict[str, Any]:
        """The SALib problem of the design: the unit hypercube, one dimension per parameter."""
        return unit_problem([p.path for p in self.parameters])

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(values, unit) tables, one row per point, a ``point`` column and one per parameter."""
        point = pd.Series(np.arange(self.n_points, dtype=np.int64), name="point")
        values = pd.DataFrame(self.values, columns=list(self.paths))
        unit = pd.DataFrame(self.unit, columns=list(self.paths))
        return pd.concat([point, values], axis=1), pd.concat([point, unit], axis=1)


def unit_problem(names: Sequence[str]) -> dict[str, Any]:
    """A SALib problem on the unit hypercube."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def _latin_hypercube(dimensions: int, points: int, seed: int) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    try:
        sampler = qmc.LatinHypercube(d=dimensions, rng=rng)
    except TypeError:  # scipy < 1.15 names the argument ``seed``
        sampler = qmc.LatinHypercube(d=dimensions, seed=rng)
    return np.asarray(sampler.random(points), dtype=np.float64)


def make_design(
    kind: str,
    parameters: Sequence[UncertainParameter],
    size: int,
    seed: int,
    *,
    levels: int = 4,
    second_order: bool = False,
) -> Design:
    """Draw a design of the given kind over the parameters (see the module docstring)."""
    if kind not in DESIGN_KINDS:
        raise ValueError(f"unknown design {kind!r}; expected one of {', '.join(DESIGN_KINDS)}")
    if not parameters:
        raise ValueError("expected at least one uncertain parameter to sample")
    if size < 1:
        raise ValueError(f"expected a design size >= 1, found {size}")
    names = [p.path for p in parameters]
    dimensions = len(names)
    if kind == "lhs":
        unit = _latin_hypercube(dimensions, size, seed)
    elif kind == "sobol":
        if size & (size - 1):
            lower = 1 << (size.bit_length() - 1)
            raise ValueError(
                f"a Sobol' design needs a base sample that is a power of two, found {size}; "
                f"try {lower} or {lower * 2}"
            )
        from SALib.sample import sobol as sobol_sample

        unit = sobol_sample.sample(
            unit_problem(names), size, calc_second_order=second_order, seed=seed
        )
    else:
        if levels < 2 or levels % 2:
            raise ValueError(f"a Morris design needs an even number of levels >= 2, found {levels}")
        from SALib.sample import morris as morris_sample

        unit = morris_sample.sample(unit_problem(names), size, num_levels=levels, seed=seed)
    unit = np.ascontiguousarray(unit, dtype=np.float64)
    return Design(
        kind=cast(DesignKind, kind),
        parameters=tuple(parameters),
        unit=unit,
        values=unit_to_values(parameters, unit),
        seed=int(seed),
        size=int(size),
        levels=int(levels),
        second_order=bool(second_order),
    )


def design_from_tables(
    settings: Mapping[str, Any],
    parameters: Sequence[UncertainParameter],
    values: pd.DataFrame,
    unit: pd.DataFrame,
) -> Design:
    """A design rebuilt from its stored tables and settings."""
    paths = [p.path for p in parameters]
    return Design(
        kind=cast(DesignKind, settings["kind"]),
        parameters=tuple(parameters),
        unit=unit.sort_values("point")[paths].to_numpy(dtype=np.float64),
        values=values.sort_values("point")[paths].to_numpy(dtype=np.float64),
        seed=int(settings["seed"]),
        size=int(settings["size"]),
        levels=int(settings.get("levels", 4)),
        second_order=bool(settings.get("second_order", False)),
    )
