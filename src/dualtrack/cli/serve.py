"""The ``serve`` command: the tabletop web app (needs the ``web`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from dualtrack.cli.app import InputError, app, say

WEB_EXTRA = "pip install 'dualtrack[web]'"


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(help="Address to listen on; the default answers this machine only."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            help="Database URL: sqlite:///PATH or postgresql://USER@HOST/DB; default: "
            "tabletop.sqlite in the data folder ($DUALTRACK_DATA, else "
            "~/.local/share/dualtrack)."
        ),
    ] = None,
) -> None:
    """Run the tabletop exercise web app: people play the actors, the model adjudicates.

    Open the printed address, create a game, and hand each cell its join link."""
    import socket

    try:
        import uvicorn

        from dualtrack.web.app import create_app
        from dualtrack.web.database import DatabaseUrlError, database_url
    except ImportError as error:
        raise InputError(f"serve needs the web extra ({WEB_EXTRA}): {error}") from None
    from sqlalchemy.exc import SQLAlchemyError

    try:
        url = database_url(db)
    except DatabaseUrlError as error:
        raise InputError(f"--db: {error}") from None
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise InputError(
            f"--host/--port: cannot listen on {host}:{port}: {error.strerror}"
        ) from None
    try:
        application = create_app(url)
    except (SQLAlchemyError, OSError) as error:
        listener.close()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        shown = url.render_as_string(hide_password=True)
        raise InputError(f"--db: cannot open {shown}: {reason}") from None
    say(
        f"dualtrack tabletop on http://{host}:{port}/ (database "
        f"{url.render_as_string(hide_password=True)}); Ctrl-C stops it"
    )
    server = uvicorn.Server(uvicorn.Config(application, log_level="warning", access_log=False))
    server.run(sockets=[listener])
