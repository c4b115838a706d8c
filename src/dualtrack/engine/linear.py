"""Fixed index matrices applied to replicate-major arrays, stored sparse when that pays.

The engine maps between entities with matrices (pairs to actors, sectors to pairs, alliance
slots to dyads). In a many-actor scenario these are mostly zeros, so they are kept in
compressed sparse form and the work grows with the border graph, not with actors squared;
in small scenarios dense products are faster and are used instead. ``x @ linear_map`` works
for any array whose last axis matches the matrix's rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from dualtrack.mechanisms.arrays import is_jax, namespace

SPARSE_MIN_SIZE = 2048
"""Matrices with fewer entries stay dense."""
SPARSE_MAX_DENSITY = 0.15
"""Matrices with more non-zeros than this share stay dense."""


class LinearMap:
    """A matrix ``M`` applied from the right: ``x @ M``, dense or sparse by size and density."""

    __array_ufunc__ = None  # make numpy defer ``ndarray @ LinearMap`` to __rmatmul__

    def __init__(self, matrix: ArrayLike) -> None:
        dense = np.asarray(matrix, dtype=np.float64)
        if dense.ndim != 2:
            raise ValueError(f"expected a 2-d matrix, found shape {dense.shape}")
        self.shape: tuple[int, int] = (dense.shape[0], dense.shape[1])
        density = np.count_nonzero(dense) / max(dense.size, 1)
        self.is_sparse = dense.size >= SPARSE_MIN_SIZE and density <= SPARSE_MAX_DENSITY
        self._dense = None if self.is_sparse else dense
        self._transposed = sparse.csr_array(dense.T) if self.is_sparse else None

    def __rmatmul__(self, x: ArrayLike) -> NDArray[np.float64]:
        if is_jax(x):
            return self._traced_product(x)
        values = np.asarray(x, dtype=np.float64)
        if self._dense is not None:
            return values @ self._dense
        assert self._transposed is not None
        flat = values.reshape(-1, self.shape[0])
        product = self._transposed @ flat.T
        return np.ascontiguousarray(product.T).reshape(*values.shape[:-1], self.shape[1])

    def _traced_product(self, x: Any) -> Any:
        """``x @ M`` for a jax array: a dense product, or gathers and a scatter-add if sparse."""
        import jax.numpy as jnp

        values = jnp.asarray(x, dtype=jnp.float64)
        if self._dense is not None:
            return values @ self._dense
        assert self._transposed is not None
        coo = self._transposed.tocoo()  # rows: output columns, cols: input columns
        flat = values.reshape(-1, self.shape[0])
        terms = flat[:, coo.col] * coo.data
        out = jnp.zeros((flat.shape[0], self.shape[1])).at[:, coo.row].add(terms)
        return out.reshape(*values.shape[:-1], self.shape[1])

    def toarray(self) -> NDArray[np.float64]:
        """The matrix as a dense array (for inspection and tests)."""
        if self._dense is not None:
            return self._dense.copy()
        assert self._transposed is not None
        return np.asarray(self._transposed.T.toarray())

    def __repr__(self) -> str:
        kind = "sparse" if self.is_sparse else "dense"
        return f"LinearMap({self.shape[0]}x{self.shape[1]}, {kind})"


def with_no_dyad(values: Any) -> Any:
    """Append a zero column, so that index ``n_dyads`` of a pair-to-dyad map means 'no dyad'."""
    xp = namespace(values)
    return xp.concatenate([values, xp.zeros(values.shape[:-1] + (1,), values.dtype)], axis=-1)
