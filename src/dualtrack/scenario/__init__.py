"""Scenario: the declarative description of actors, borders, forces, channels and shocks.

Import from the submodules (``schema``, ``loading``, ``parameters``) or from :mod:`dualtrack`.
"""
