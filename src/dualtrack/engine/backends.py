"""Engine backends: their names, which are installed, and the choice of one by name.

``numpy`` steps the model with numpy arrays (the reference). ``jax`` traces the same step,
mechanisms and doctrines (``mechanisms.arrays``) into one XLA program and runs it compiled,
with the reference's random draws (same discrete outcomes, continuous values within 1e-12).
``jax-rng`` runs that program with JAX's own generator (``jax.random``, counter-based, drawn
on the device: a GPU where JAX has one), which agrees with the reference in distribution
only. ``compiled`` names the fastest compiled backend installed. Without a name the backend
is ``$DUALTRACK_BACKEND`` if set, else the fastest installed for a whole run, compilation
included: with a GPU that is ``jax-rng``; on a CPU it is ``numpy``, because XLA's compiled
step is only 1.3 to 2.4 times as fast as numpy's there and compiling it costs seconds per
scenario and doctrines (docs/performance.md has the figures). Work made of many small
programs (sweep points, regime cells, calibration particles, instrument sets) defaults to
numpy instead (:func:`resolve_per_point`). Checking names imports no backend.
"""

from __future__ import annotations

import importlib.util
import os

NUMPY = "numpy"
JAX = "jax"
JAX_RNG = "jax-rng"
COMPILED = "compiled"
ENVIRONMENT = "DUALTRACK_BACKEND"
"""Environment variable naming the default backend (the test-suite pins ``numpy``)."""

GPU_PLUGINS = ("jax_cuda13_plugin", "jax_cuda12_plugin", "jax_rocm7_plugin", "jax_rocm60_plugin")
"""JAX's GPU plugins: with one installed, ``jax-rng`` (draws on the GPU) is the fastest."""


def _gpu() -> bool:
    return any(importlib.util.find_spec(name) is not None for name in GPU_PLUGINS)


def _ranked() -> tuple[str, ...]:
    """Every backend, fastest first on this machine (measured: docs/performance.md)."""
    return (JAX_RNG, JAX, NUMPY) if _gpu() else (NUMPY, JAX, JAX_RNG)


BACKENDS: tuple[str, ...] = (JAX, JAX_RNG, NUMPY)
"""Every backend."""
COMPILED_BACKENDS: tuple[str, ...] = (JAX, JAX_RNG)
"""The compiled backends."""
NAMES: tuple[str, ...] = (*BACKENDS, COMPILED)
"""Every name a user may give."""
EXTRA = "pip install 'dualtrack[compiled]'"
PER_POINT_DEFAULT = NUMPY
"""Default backend of the work that runs many small programs (see :func:`resolve_per_point`)."""


class BackendError(ValueError):
    """A backend that is unknown, not installed, or cannot run the plan (located message)."""


def is_installed(name: str) -> bool:
    """Whether the backend's library can be imported."""
    if name == NUMPY:
        return True
    return importlib.util.find_spec("jax") is not None


def installed() -> tuple[str, ...]:
    """The installed backends, fastest first."""
    return tuple(name for name in _ranked() if is_installed(name))


def resolve(name: str | None = None, where: str = "backend") -> str:
    """The backend to use for ``name`` (None: the default); ``where`` locates errors."""
    if name is None:
        name = os.environ.get(ENVIRONMENT) or None
        where = ENVIRONMENT if name else where
    if name is None:
        return installed()[0]
    if name == COMPILED:
        found = [b for b in installed() if b in COMPILED_BACKENDS]
        if not found:
            raise BackendError(
                f"{where}: expected an installed compiled backend for {name!r}; found none "
                f"({EXTRA})"
            )
        return found[0]
    if name not in BACKENDS:
        raise BackendError(f"{where}: expected one of {', '.join(NAMES)}; found {name!r}")
    if not is_installed(name):
        raise BackendError(f"{where}: backend {name!r} is not installed ({EXTRA})")
    return name


def resolve_per_point(name: str | None = None, where: str = "backend") -> str:
    """The backend of work made of many small programs: numpy unless ``name`` names one.

    A sweep's points, a regime grid's cells, calibration's particles and an instrument
    study's sets each have parameters of their own, so each is a program of its own to
    compile, which costs more than the numpy engine's run of its few replicates; so neither
    ``$DUALTRACK_BACKEND`` nor the fastest installed backend applies there. ``where`` locates
    errors.
    """
    return resolve(name or PER_POINT_DEFAULT, where)
