"""A calibration's posterior: weighted parameter samples, their dataset form and the folder's file.

The posterior folder a ``dualtrack calibrate`` run writes holds ``posterior.nc``
(:data:`POSTERIOR_FILE`), an xarray Dataset with

- dims ``sample`` (the particles of the final ABC-SMC population) and ``parameter``;
- coord ``parameter``: the parameter paths as ``scenario.uncertainty`` names them
  (``mechanisms.intent.model_sd``, ``actors[2].p_opportunist``);
- var ``theta(sample, parameter)`` float64, values in the parameters' natural units;
- var ``weight(sample)`` float64, importance weights (>= 0, summing to 1);
- attrs ``scenario``, ``scenario_hash``, ``episodes`` (comma-separated names),
  ``dualtrack_version``, ``seed``, ``method``, ``command``.

:class:`Posterior` is that dataset as a frozen value; :meth:`Posterior.draw` resamples it by
weight from a :class:`numpy.random.SeedSequence`, so a seed always gives the same draws.
:func:`load_posterior` reads a folder and raises :class:`PosteriorError` (a located
:class:`~dualtrack.scenario.errors.ScenarioError`: which file or parameter, what was
expected, what was found) when the folder is not a posterior or a parameter does not exist
in the scenario the posterior is to be applied to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from dualtrack.scenario.errors import Problem, ScenarioError

if TYPE_CHECKING:
    from dualtrack.scenario.schema import Scenario

POSTERIOR_FILE = "posterior.nc"
"""The posterior's file in a calibration folder."""

ATTRS = ("scenario", "scenario_hash", "episodes", "dualtrack_version", "seed", "method", "command")
"""The attributes every posterior dataset carries."""

_WEIGHT_TOLERANCE = 1e-9


class PosteriorError(ScenarioError):
    """A posterior that cannot be used, with each problem located (file, variable, parameter)."""


@dataclass(frozen=True)
class Posterior:
    """Weighted samples of calibrated parameters: ``values[i, j]`` is sample i of parameter j."""

    parameters: tuple[str, ...]
    values: NDArray[np.float64]
    weights: NDArray[np.float64]
    attrs: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=np.float64)
        weights = np.array(self.weights, dtype=np.float64)
        problems = _shape_problems(tuple(self.parameters), values, weights)
        if problems:
            raise PosteriorError(problems)
        values.setflags(write=False)
        weights.setflags(write=False)
        object.__setattr__(self, "parameters", tuple(str(p) for p in self.parameters))
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "attrs", {str(k): str(v) for k, v in self.attrs.items()})

    @property
    def samples(self) -> int:
        """Number of weighted samples."""
        return int(self.values.shape[0])

    def to_dataset(self) -> xr.Dataset:
        """The posterior as the labelled dataset ``posterior.nc`` holds."""
        return xr.Dataset(
            {
                "theta": (("sample", "parameter"), self.values),
                "weight": (("sample",), self.weights),
            },
            coords={
                "sample": np.arange(self.samples, dtype=np.int64),
                "parameter": np.array(self.parameters, dtype=object),
            },
            attrs=dict(self.attrs),
        )

    @classmethod
    def from_dataset(cls, ds: xr.Dataset, source: str | None = None) -> Posterior:
        """The posterior a dataset holds; a located :class:`PosteriorError` if it holds none."""
        problems: list[Problem] = []
        for name, dims in (("theta", ("sample", "parameter")), ("weight", ("sample",))):
            if name not in ds.data_vars:
                problems.append(Problem(name, f"expected a variable {name}{dims}, found none"))
            elif tuple(ds[name].dims) != dims:
                problems.append(
                    Problem(name, f"expected dims {dims}, found {tuple(ds[name].dims)}")
                )
        if "parameter" not in ds.coords:
            problems.append(Problem("parameter", "expected a coordinate of parameter paths"))
        if problems:
            raise PosteriorError(problems, source)
        try:
            return cls(
                parameters=tuple(str(p) for p in ds["parameter"].values),
                values=np.asarray(ds["theta"].values, dtype=np.float64),
                weights=np.asarray(ds["weight"].values, dtype=np.float64),
                attrs={str(k): str(v) for k, v in ds.attrs.items()},
            )
        except PosteriorError as error:
            raise (error.located(source) if source else error) from None

    def draw(self, n: int, seed: int) -> NDArray[np.float64]:
        """``n`` parameter vectors ``(n, P)`` resampled by weight, from ``SeedSequence(seed)``."""
        if n < 0:
            raise ValueError(f"expected a number of draws >= 0, found {n}")
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        index = rng.choice(self.samples, size=n, replace=True, p=self.weights)
        return np.array(self.values[index], dtype=np.float64)

    def mean(self) -> NDArray[np.float64]:
        """The weighted mean of each parameter."""
        return np.asarray(self.weights @ self.values, dtype=np.float64)

    def quantiles(self, q: NDArray[np.float64] | list[float]) -> NDArray[np.float64]:
        """Weighted quantiles ``(len(q), P)`` of each parameter (inverse of the weighted CDF)."""
        q = np.asarray(q, dtype=np.float64)
        out = np.empty((q.size, len(self.parameters)))
        for j in range(len(self.parameters)):
            order = np.argsort(self.values[:, j], kind="stable")
            cdf = np.cumsum(self.weights[order])
            cdf /= cdf[-1]
            picks = np.searchsorted(cdf, q, side="left").clip(0, self.samples - 1)
            out[:, j] = self.values[order, j][picks]
        return out


def _shape_problems(
    parameters: tuple[str, ...], values: NDArray[np.float64], weights: NDArray[np.float64]
) -> list[Problem]:
    if values.ndim != 2:
        return [Problem("theta", f"expected 2 dims (sample, parameter), found {values.ndim}")]
    problems = []
    if values.shape[1] != len(parameters):
        problems.append(
            Problem(
                "theta",
                f"expected {len(parameters)} columns (one per parameter), found {values.shape[1]}",
            )
        )
    if len(set(parameters)) != len(parameters):
        problems.append(Problem("parameter", f"expected distinct paths, found {list(parameters)}"))
    if weights.shape != (values.shape[0],):
        problems.append(
            Problem("weight", f"expected {values.shape[0]} weights, found shape {weights.shape}")
        )
    elif values.shape[0] == 0:
        problems.append(Problem("sample", "expected at least one sample, found none"))
    elif not np.all(np.isfinite(weights)) or np.any(weights < 0):
        problems.append(Problem("weight", "expected finite weights >= 0"))
    elif abs(float(weights.sum()) - 1.0) > _WEIGHT_TOLERANCE * max(1, weights.size):
        problems.append(Problem("weight", f"expected weights summing to 1, found {weights.sum()}"))
    if values.size and not np.all(np.isfinite(values)):
        problems.append(Problem("theta", "expected finite values, found NaN or infinity"))
    return problems


def load_posterior(folder: str | Path, scenario: Scenario | None = None) -> Posterior:
    """The posterior of a calibration folder; with ``scenario``, checked to apply to it.

    Raises :class:`PosteriorError` naming the file when the folder holds no readable
    posterior, and naming each parameter path that ``scenario`` does not have.
    """
    folder = Path(folder)
    path = folder / POSTERIOR_FILE if folder.is_dir() or folder.suffix != ".nc" else folder
    if not path.is_file():
        where = "folder" if folder.is_dir() else "path"
        raise PosteriorError(
            [
                Problem(
                    "",
                    f"expected a calibration folder holding {POSTERIOR_FILE} "
                    f"(written by `dualtrack calibrate`), found a {where} without it",
                )
            ],
            str(folder),
        )
    try:
        with xr.open_dataset(path) as opened:
            ds = opened.load()
    except (OSError, ValueError) as error:
        raise PosteriorError(
            [
                Problem(
                    "", f"expected a netCDF posterior dataset, found an unreadable file: {error}"
                )
            ],
            str(path),
        ) from None
    posterior = Posterior.from_dataset(ds, str(path))
    if scenario is not None:
        _check_applies(posterior, scenario, str(path))
    return posterior


def _check_applies(posterior: Posterior, scenario: Scenario, source: str) -> None:
    from dualtrack.scenario.uncertainty import number_at

    problems = []
    for path in posterior.parameters:
        try:
            number_at(scenario, path)
        except (KeyError, ValueError) as error:
            message = str(error).strip("'\"").removeprefix(f"{path}: ")
            problems.append(Problem(f"parameter {path}", message))
    if problems:
        raise PosteriorError(problems, source)
