"""Experiments: studies and sweeps planned, run on executors, and stored.

- ``study``: the same scenario and random streams under several doctrines; ``design`` and
  ``sweep``: designs over uncertain parameters and runs at every point; ``regimes``: doctrine
  studies at every cell of a two-parameter grid.
- ``executors``: where tasks run (this process, a local process pool, Dask), one interface.
- ``store``: output folders (file names, whole writes, checksums, manifests, checks);
  ``study_store`` and ``sweep_store``: what studies and sweeps keep in them.
- ``interrupts``: SIGINT/SIGTERM end a command promptly and cleanly; workers die with parent.
"""
