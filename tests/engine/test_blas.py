"""BLAS on one thread while the engine steps, shared by threads that step side by side."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from dualtrack.engine.blas import one_blas_thread


def _blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_overlapping_holders_share_one_limit_and_the_last_restores_the_setting() -> None:
    if not _blas_threads():
        pytest.skip("numpy reports no BLAS library")
    with threadpool_limits(limits=2, user_api="blas"):
        first, second = one_blas_thread(), one_blas_thread()
        first.__enter__()
        second.__enter__()  # a second thread's chunk starts before the first ends
        assert _blas_threads() == {1}
        first.__exit__(None, None, None)
        assert _blas_threads() == {1}, "the second chunk is still stepping"
        second.__exit__(None, None, None)
        assert _blas_threads() == {2}
