"""Engine backends: their names, which are installed, and the choice of one by name.

``numpy`` steps the model with numpy arrays (the reference). ``jax`` traces the same step,
mechanisms and doctrines (``mechanisms.arrays``) into one XLA program and runs it compiled:
on CPU with the reference's random draws (same discrete outcomes, continuous values within
1e-12), and on a GPU likewise (``jax-gpu`` names that device). ``compiled`` names the fastest
compiled backend installed. Without a name the backend is ``$DUALTRACK_BACKEND`` if set,
else the fastest installed. Checking names imports no backend.
"""

from __future__ import annotations

import importlib.util
import os

NUMPY = "numpy"
JAX = "jax"
COMPILED = "compiled"
ENVIRONMENT = "DUALTRACK_BACKEND"
"""Environment variable naming the default backend (the test-suite pins ``numpy``)."""

BACKENDS: tuple[str, ...] = (JAX, NUMPY)
"""Every backend, fastest first."""
COMPILED_BACKENDS: tuple[str, ...] = (JAX,)
"""The compiled backends, fastest first."""
NAMES: tuple[str, ...] = (*BACKENDS, COMPILED)
"""Every name a user may give."""
EXTRA = "pip install 'dualtrack[compiled]'"


class BackendError(ValueError):
    """A backend that is unknown, not installed, or cannot run the plan (located message)."""


def is_installed(name: str) -> bool:
    """Whether the backend's library can be imported."""
    if name == NUMPY:
        return True
    return importlib.util.find_spec(name) is not None


def installed() -> tuple[str, ...]:
    """The installed backends, fastest first."""
    return tuple(name for name in BACKENDS if is_installed(name))


def resolve(name: str | None = None, where: str = "backend") -> str:
    """The backend to use for ``name`` (None: the default); ``where`` locates errors."""
    if name is None:
        name = os.environ.get(ENVIRONMENT) or None
        where = ENVIRONMENT if name else where
    if name is None:
        return installed()[0]
    if name == COMPILED:
        found = [b for b in COMPILED_BACKENDS if is_installed(b)]
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
