"""The tabletop web app: people play the actors, the model adjudicates (``dualtrack serve``).

``app`` builds the ASGI application; ``database`` and ``models`` hold the persistence;
``security`` the tokens, CSRF and limits; ``games`` the exercises on top of
:mod:`dualtrack.experiments.game`; ``api`` and ``pages`` the JSON API and the HTML pages;
``review`` the after-action review and its self-contained export.
"""
