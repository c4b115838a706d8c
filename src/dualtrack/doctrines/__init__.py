"""Doctrines: policies for the deterrence and dialogue tracks, in a registry users can extend."""

from dualtrack.doctrines.base import (
    REGISTRY,
    Decision,
    Doctrine,
    Observation,
    get_doctrine,
    make_doctrine,
    register,
)
from dualtrack.doctrines.deterrence import DeterrenceOnly
from dualtrack.doctrines.grit import Grit
from dualtrack.doctrines.harmel import DualTrack
from dualtrack.doctrines.neutrality import DialogueOnly
from dualtrack.doctrines.titfortat import TitForTat

BUILTIN_DOCTRINES: tuple[str, ...] = (
    DeterrenceOnly.name,
    DialogueOnly.name,
    DualTrack.name,
    TitForTat.name,
    Grit.name,
)

__all__ = [
    "BUILTIN_DOCTRINES",
    "REGISTRY",
    "Decision",
    "DeterrenceOnly",
    "DialogueOnly",
    "Doctrine",
    "DualTrack",
    "Grit",
    "Observation",
    "TitForTat",
    "get_doctrine",
    "make_doctrine",
    "register",
]
