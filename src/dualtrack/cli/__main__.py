"""``python -m dualtrack.cli``: the command line, as the ``dualtrack`` script runs it."""

from dualtrack.cli import app

if __name__ == "__main__":
    app()
