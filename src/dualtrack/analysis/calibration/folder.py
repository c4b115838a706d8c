"""The calibration folder: what ``dualtrack calibrate`` writes, and reading it back for reports.

Files (besides ``report.html`` and ``figures/``, written by the report):

- ``posterior.nc``: the posterior (:mod:`dualtrack.experiments.posterior`, the contract);
- ``prior_predictive.nc``, ``posterior_predictive.nc``: predictive draws, ``theta(draw,
  parameter)`` and ``statistics(draw, replicate, statistic)``;
- ``prior_posterior.csv``: per parameter, prior and posterior mean, 90% interval, width ratio;
- ``predictive_check.csv``: per statistic, observed value, predictive quantiles, tail p;
- ``generations.csv``: per ABC-SMC generation, epsilon, simulations, acceptance rate;
- ``observed.csv``: the observed statistics and the distance's scale of each;
- ``manifest.json``: kind ``dualtrack-calibration``, the command that re-runs it, settings;
- ``abc/``: pyabc's history (``history.db``), the pilot and the settings a ``--resume``
  checks; it survives an ``--overwrite`` of the outputs only when resuming.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import xarray as xr

from dualtrack.analysis.calibration.checks import predictive_check
from dualtrack.analysis.files import save_csv
from dualtrack.experiments.interrupts import signals_deferred
from dualtrack.experiments.posterior import POSTERIOR_FILE, Posterior, load_posterior
from dualtrack.experiments.store import Store, replacing

if TYPE_CHECKING:
    from dualtrack.analysis.calibration.inference import CalibrationResult

CALIBRATION_KIND = "dualtrack-calibration"
WORK_DIR = "abc"
PRIOR_PREDICTIVE = "prior_predictive.nc"
POSTERIOR_PREDICTIVE = "posterior_predictive.nc"
PRIOR_POSTERIOR = "prior_posterior.csv"
PREDICTIVE_CHECK = "predictive_check.csv"
GENERATIONS = "generations.csv"
OBSERVED = "observed.csv"
INTERVAL_LEVEL = 0.90
"""Level of the central intervals of the prior-posterior table (``prior_posterior.csv``)."""


def _netcdf(ds: xr.Dataset, path: Path) -> None:
    with replacing(path) as temporary, signals_deferred():
        ds.to_netcdf(temporary)


def write_calibration(
    folder: Path, result: CalibrationResult, predictive: xr.Dataset
) -> list[Path]:
    """Write the posterior, predictive draws and tables of a calibration into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    check = predictive_check(result.observed, result.pilot, predictive)
    generations = pd.DataFrame(
        [
            {
                "t": g.t,
                "epsilon": g.epsilon,
                "simulations": g.samples,
                "particles": g.particles,
                "acceptance_rate": g.acceptance_rate,
            }
            for g in result.generations
        ]
    )
    observed = pd.DataFrame(
        {
            "statistic": result.observed.index,
            "observed": result.observed.to_numpy(),
            "scale": result.scales.loc[result.observed.index].to_numpy(),
        }
    )
    _netcdf(result.posterior.to_dataset(), folder / POSTERIOR_FILE)
    _netcdf(result.pilot, folder / PRIOR_PREDICTIVE)
    _netcdf(predictive, folder / POSTERIOR_PREDICTIVE)
    tables = {
        PRIOR_POSTERIOR: result.prior_posterior_table(INTERVAL_LEVEL),
        PREDICTIVE_CHECK: check,
        GENERATIONS: generations,
        OBSERVED: observed,
    }
    for name, table in tables.items():
        save_csv(table, folder / name, float_format="%.6g")
    names = [POSTERIOR_FILE, PRIOR_PREDICTIVE, POSTERIOR_PREDICTIVE, *tables]
    return [folder / name for name in names]


@dataclass(frozen=True)
class CalibrationFolder:
    """A calibration folder read back: what its report shows."""

    path: Path
    manifest: dict[str, Any]
    posterior: Posterior
    prior_posterior: pd.DataFrame
    check: pd.DataFrame
    generations: pd.DataFrame
    observed: pd.DataFrame
    prior_predictive: xr.Dataset
    posterior_predictive: xr.Dataset


def is_calibration_folder(folder: Path | str) -> bool:
    """True when ``folder`` holds the output of ``dualtrack calibrate``."""
    return Store(folder).kind() == CALIBRATION_KIND


def _dataset(path: Path) -> xr.Dataset:
    with signals_deferred(), xr.open_dataset(path) as opened:
        return opened.load()


def load_calibration(folder: Path | str) -> CalibrationFolder:
    """Read a calibration folder (its manifest must be of kind ``dualtrack-calibration``)."""
    folder = Path(folder)
    manifest = Store(folder).read_manifest(CALIBRATION_KIND)
    return CalibrationFolder(
        path=folder,
        manifest=manifest,
        posterior=load_posterior(folder),
        prior_posterior=pd.read_csv(folder / PRIOR_POSTERIOR),
        check=pd.read_csv(folder / PREDICTIVE_CHECK),
        generations=pd.read_csv(folder / GENERATIONS),
        observed=pd.read_csv(folder / OBSERVED),
        prior_predictive=_dataset(folder / PRIOR_PREDICTIVE),
        posterior_predictive=_dataset(folder / POSTERIOR_PREDICTIVE),
    )
