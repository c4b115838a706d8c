"""BLAS on one thread while the engine steps: one process-wide setting shared by threads.

The engine's matrix products are small and many, where BLAS's own threads cost more than
they give (docs/performance.md); parallelism comes from running chunks side by side.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


class _OneBlasThread:
    """BLAS held to one thread while any holder is inside: the setting is the process's, so
    threads that run chunks side by side share it, set by the first to enter and restored by
    the last to leave (a setting per thread, entered and left in overlapping turns, would
    leave the wrong one behind)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._limits: threadpool_limits | None = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if not self._holders:
                self._limits = threadpool_limits(limits=1, user_api="blas")
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if not self._holders and self._limits is not None:
                    self._limits.restore_original_limits()
                    self._limits = None


one_blas_thread = _OneBlasThread()
"""Context: BLAS on one thread while the engine steps (``with one_blas_thread(): ...``)."""
