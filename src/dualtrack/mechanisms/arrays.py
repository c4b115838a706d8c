"""Array namespaces: one definition of each equation for numpy and for jax.numpy arrays.

Every mechanism, doctrine and engine stage takes its array functions from its arguments
(``namespace``): numpy arrays give numpy (the reference backend, bit for bit as before), jax
arrays or tracers give ``jax.numpy`` (the compiled backend traces the same functions into one
XLA program). The few operations whose spelling differs between the two (in-place updates,
division guarded by a mask, loops that run until every element is done, scipy's special
functions) are here, once, so that the equations themselves are written only once.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

import numpy as np
from scipy import special, stats

Carry = TypeVar("Carry")


def is_jax(value: object) -> bool:
    """True for a jax array or tracer (checked by type, without importing jax)."""
    return type(value).__module__.startswith(("jax", "jaxlib"))


def namespace(*values: object) -> ModuleType:
    """``jax.numpy`` if any value is a jax array or tracer, else ``numpy``."""
    for value in values:
        if is_jax(value):
            import jax.numpy as jnp

            return jnp
    return np


def expit(x: Any) -> Any:
    """The logistic function ``1 / (1 + exp(-x))``."""
    if is_jax(x):
        import jax.scipy.special as jsp

        return jsp.expit(x)
    return special.expit(x)


def logit(p: Any) -> Any:
    """The log-odds ``log(p / (1 - p))``."""
    if is_jax(p):
        import jax.scipy.special as jsp

        return jsp.logit(p)
    return special.logit(p)


def divide_where(numerator: Any, denominator: Any, where: Any) -> Any:
    """``numerator / denominator`` where ``where`` holds, 0 elsewhere (no division there)."""
    xp = namespace(numerator, denominator, where)
    if xp is np:
        shape = np.broadcast_shapes(np.shape(numerator), np.shape(denominator), np.shape(where))
        return np.divide(numerator, denominator, out=np.zeros(shape), where=where)
    return xp.where(where, numerator / xp.where(where, denominator, 1.0), 0.0)


def put(array: Any, index: Any, values: Any) -> Any:
    """``array[index] = values``: in place for numpy (the caller owns ``array``), else a copy."""
    if is_jax(array) or is_jax(values):
        import jax.numpy as jnp

        return jnp.asarray(array).at[index].set(values)
    array[index] = values
    return array


def add(array: Any, index: Any, values: Any) -> Any:
    """``array[index] += values`` (indices distinct): in place for numpy, else a copy."""
    if is_jax(array) or is_jax(values):
        import jax.numpy as jnp

        return jnp.asarray(array).at[index].add(values)
    array[index] += values
    return array


UNROLLED = 3
"""Iterations a traced ``while_any`` runs unconditionally (fused) before it loops."""


def while_any(
    live: Callable[[Carry], Any], body: Callable[[Carry], Carry], carry: Carry, traced: bool
) -> Carry:
    """Apply ``body`` while any element of ``live(carry)`` holds (``lax.while_loop`` if traced).

    ``body`` must leave elements that are no longer live as they are: then the first
    ``UNROLLED`` iterations of a traced loop can run whatever ``live`` says (cheaper than a
    loop's test) with the same result."""
    if traced:
        from jax import lax

        for _ in range(UNROLLED):
            carry = body(carry)
        return lax.while_loop(lambda c: live(c).any(), body, carry)
    while live(carry).any():
        carry = body(carry)
    return carry


def when_any(mask: Any, compute: Callable[[], Any], otherwise: Any) -> Any:
    """``compute()`` if any element of ``mask`` is true, else ``otherwise`` (``lax.cond`` if
    traced), for work that is rarely needed."""
    if is_jax(mask):
        from jax import lax

        return lax.cond(mask.any(), compute, lambda: otherwise)
    return compute() if mask.any() else otherwise


def poisson_ppf(uniform: Any, rate: Any) -> Any:
    """Poisson inverse CDF by scipy (on the host when traced: a callback)."""
    if not (is_jax(uniform) or is_jax(rate)):
        return stats.poisson.ppf(uniform, rate)
    import jax
    import jax.numpy as jnp

    def host(u: Any, lam: Any) -> Any:
        return np.asarray(stats.poisson.ppf(np.asarray(u), np.asarray(lam)), dtype=np.float64)

    shape = jax.ShapeDtypeStruct(jnp.shape(uniform), jnp.float64)
    return jax.pure_callback(host, shape, uniform, rate, vmap_method="expand_dims")
