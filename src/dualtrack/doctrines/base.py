"""What a doctrine sees and decides, and the registry that users extend.

A doctrine is a policy: each step it reads an :class:`Observation` for its actor (arrays over
replicates) and returns a :class:`Decision`: the force levels it wants near the border (the
deterrence track) and its willingness to talk (the dialogue track). Doctrines with memory keep
it in a state dictionary of arrays, which the engine stores with the rest of the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from dualtrack.mechanisms.arrays import namespace

Array = NDArray[np.float64]
DoctrineState = dict[str, NDArray[Any]]


@dataclass(frozen=True)
class Observation:
    """What an actor knows at a step; arrays have the replicate axis first."""

    day: float
    dt: float
    threat: Array
    """Total perceived threat (threat points), shape (replicates,)."""
    tolerated_threat: float
    """Threat felt at the status quo (initial forces with the habitual bias, background
    incidents, standing rung, wars elsewhere): the level a doctrine may accept."""
    adversary_strength: Array
    """Perceived weighted forces of its adversaries (threat points), shape (replicates,)."""
    attributed_incidents: Array
    """Incidents this actor blamed on an adversary in the last step, shape (replicates,)."""
    in_agreement: NDArray[np.bool_]
    """True where at least one of its withdrawal agreements is in force, shape (replicates,)."""
    forces: Array
    """Own forces near the border, shape (replicates, categories)."""
    baseline: Array
    capacity: Array
    share_per_weight: Array
    """Response share per category divided by its threat weight, shape (categories,)."""
    threat_noise: Array
    """Threat points of ``threat`` that the actor's own perception noise explains (the noise
    band times the sd of its smoothed estimates, docs/model.md §7.2): an excess within it is
    not answered, shape (replicates,)."""
    belief: Array
    """The actor's belief that at least one of its adversaries is an opportunist,
    ``1 - prod_j (1 - b_j)`` over its adversaries (types are independent), shape
    (replicates,)."""

    @property
    def replicates(self) -> int:
        """Number of replicates in the observation."""
        return int(self.threat.shape[0])

    @property
    def xp(self) -> ModuleType:
        """The array namespace of the observation (numpy, or jax.numpy when compiled)."""
        return namespace(self.threat)


@dataclass(frozen=True)
class Decision:
    """What a doctrine wants this step."""

    target: Array
    """Desired forces near the border, shape (replicates, categories)."""
    talk: Array
    """Willingness to negotiate (0..1), shape (replicates,)."""


class Doctrine:
    """Base class: subclasses set the class attributes and implement :meth:`decide`."""

    name: ClassVar[str]
    """Registry key, e.g. ``"dual-track"``."""
    names: ClassVar[tuple[str, ...]] = ()
    """Names the policy is known by, each with its bibliography key."""
    source: ClassVar[str]
    """Full citation of the policy's origin."""
    classifier: ClassVar[dict[str, Any]]
    """Declared properties, checked by the test-suite: ``tracks`` (deterrence, dialogue),
    ``observes`` (Observation fields read), ``memory`` (needs state), ``stochastic``."""
    Params: ClassVar[type[BaseModel]]
    """Pydantic model of the doctrine's parameters with documented defaults."""
    traceable: ClassVar[bool] = False
    """True when :meth:`decide` takes its array functions from ``obs.xp`` and branches on
    no array's value, so that the compiled backend can trace it (``engine.backends``)."""

    params: BaseModel
    """The validated parameters."""

    def __init__(self, **params: Any) -> None:
        self.params = self.Params.model_validate(params)

    @property
    def breakout_ratio(self) -> float:
        """Growth of perceived threat over its lowest level since signing that makes it break
        out of an agreement (infinite: never)."""
        ratio = getattr(self.params, "breakout_ratio", None)
        return np.inf if ratio is None else float(ratio)

    def initial_state(self, replicates: int) -> DoctrineState:
        """Memory of the doctrine per replicate; stateless doctrines keep none."""
        return {}

    def decide(self, obs: Observation, state: DoctrineState) -> Decision:
        """Targets and willingness to talk; may update ``state`` in place."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.model_dump().items())
        return f"{type(self).__name__}({args})"


class DoctrineParams(BaseModel):
    """Base for doctrine parameter models: unknown parameters are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


REGISTRY: dict[str, type[Doctrine]] = {}


def register(cls: type[Doctrine]) -> type[Doctrine]:
    """Class decorator adding a doctrine to the registry under ``cls.name``."""
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise ValueError(f"a doctrine named {cls.name!r} is already registered")
    REGISTRY[cls.name] = cls
    return cls


def get_doctrine(name: str) -> type[Doctrine]:
    """The doctrine class registered under ``name``, with a helpful error otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown doctrine {name!r}; known doctrines are {known}") from None


def make_doctrine(name: str, params: dict[str, Any] | None = None) -> Doctrine:
    """An instance of the named doctrine with the given parameters."""
    return get_doctrine(name)(**(params or {}))
