"""Calibration by simulation-based inference against coded episodes of the record.

- ``episodes``: the episode files (schema, loader, located errors);
- ``statistics``: the summary statistics, observed from coded events and simulated from a
  results dataset, with the same names in the same order;
- ``inference``: the ABC-SMC fit (pyabc) and its result: ``calibrate(scenario, parameters,
  episodes, *, population, generations, replicates, seed, ...) -> CalibrationResult``
  (importable from this package; pyabc loads on first use).
"""

from typing import Any

__all__ = ["CalibrationResult", "calibrate"]


def __getattr__(name: str) -> Any:
    """``calibrate`` and ``CalibrationResult`` load pyabc only when first used."""
    if name in __all__:
        from dualtrack.analysis.calibration import inference

        return getattr(inference, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
