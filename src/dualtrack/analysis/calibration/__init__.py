"""Calibration by simulation-based inference against coded episodes of the record.

- ``episodes``: the episode files (schema, loader, located errors);
- ``statistics``: the summary statistics, observed from coded events and simulated from a
  results dataset, with the same names in the same order;
- ``inference``: the ABC-SMC fit (pyabc) and its result, :class:`CalibrationResult`.
"""
