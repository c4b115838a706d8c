"""An asynchronous engine's draws: every step reads the numbers drawn for it, not later ones.

A compiled step returns before it has run and, on a CPU, reads the host's arrays in place;
if the next step's draws went into the same arrays, a step could run on numbers drawn for
a later one (a summary-only run of the ``jax`` backend at 4,096 replicates did, until each
step got arrays of its own).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dualtrack.engine.run import NumpyEngine, advance, plan_run, start_state
from dualtrack.engine.streams import ChunkStreams


class _Deferred(NumpyEngine):
    """Steps like the reference, but reads each step's draws only after every step has been
    dispatched, as an asynchronous engine may."""

    asynchronous = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.given: list[tuple[int, tuple[Any, ...], tuple[Any, ...]]] = []

    def advance(self, state: Any, t: int, *draws: Any) -> Any:
        copies = tuple(None if d is None else d.copy() for d in draws)
        self.given.append((t, draws, copies))
        return super().advance(state, t, *draws)


def test_each_step_of_an_asynchronous_engine_keeps_its_own_draws() -> None:
    plan = plan_run("belarus-ukraine-2024", replicates=300, days=12, record="summary")
    engine = _Deferred(plan.compiled, 300)
    streams = ChunkStreams(plan.seed, 0, 300, 300)
    advance(engine, start_state(engine, streams, 300), streams, 300, range(12))
    assert len(engine.given) == 12
    for t, draws, at_call in engine.given:  # read after the whole run, as a late step would
        for late, then in zip(draws, at_call, strict=True):
            if then is not None:
                np.testing.assert_array_equal(late, then, err_msg=f"step {t}")
