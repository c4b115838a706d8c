"""A regime grid built by hand, for the analysis and the figure."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr


@pytest.fixture
def constructed_grid() -> xr.Dataset:
    """A 2 x 1 grid whose max rungs are set by hand: at x=0 'b' never reaches a crisis while
    'a' often does; at x=1 both always reach one."""
    replicates = 50
    rungs = np.zeros((2, 1, 2, replicates, 1), dtype=np.int8)
    rungs[0, 0, 0, :25, 0] = 3  # 'a' reaches a crisis in half the runs at x=0
    rungs[1, :, :, :, 0] = 3
    results = xr.Dataset(
        {"max_rung": (("x", "y", "doctrine", "replicate", "dyad"), rungs)},
        coords={"x": [0.0, 1.0], "y": [0.5], "doctrine": ["a", "b"], "dyad": ["A-B"]},
        attrs={"focus_dyad": "A-B", "subject": "A", "x_path": "px", "y_path": "py"},
    )
    results["replicate"] = np.arange(replicates)
    return results
