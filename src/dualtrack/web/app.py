"""The ASGI application: routers, limits, error handling, the database at startup.

No error leaves with a stack trace: user errors become a located message (400, 403, 404,
409, 413, 422), and anything else a plain ``internal error`` (500), logged on the server.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import URL
from starlette.exceptions import HTTPException as StarletteHTTPException

from dualtrack._version import __version__
from dualtrack.experiments.game import GameError
from dualtrack.scenario.errors import ScenarioError
from dualtrack.web import api, pages
from dualtrack.web.database import connect, migrate, sessions
from dualtrack.web.games import (
    BadRequest,
    Conflict,
    Exercises,
    Forbidden,
    NotFound,
    Unauthenticated,
)
from dualtrack.web.rendering import error_page, wants_html
from dualtrack.web.security import BodyLimit

MAX_BODY_BYTES = 2 * 1024 * 1024
log = logging.getLogger("dualtrack.web")

STATUS: dict[type[Exception], int] = {
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
    Conflict: 409,
    BadRequest: 400,
    GameError: 400,
    ScenarioError: 400,
}
"""HTTP status of each user error."""


def _answer(request: Request, status: int, message: str) -> Response:
    if wants_html(request):
        return error_page(request, status, message)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def create_app(url: URL) -> FastAPI:
    """The tabletop app on the database at ``url`` (migrated to the newest schema)."""
    engine = connect(url)
    migrate(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="dualtrack tabletop",
        version=__version__,
        description=(
            "Tabletop exercises adjudicated by the dualtrack model. The facilitator's and each "
            "cell's token go in the `Authorization: Bearer TOKEN` header."
        ),
        lifespan=lifespan,
        docs_url=None,  # FastAPI's documentation pages load their scripts from a CDN
        redoc_url=None,
    )
    app.state.exercises = Exercises(sessions(engine))
    app.state.database = url.render_as_string(hide_password=True)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("dualtrack.web").joinpath("static"))),
        name="static",
    )

    def user_error(request: Request, error: Exception) -> Response:
        status = next(code for kind, code in STATUS.items() if isinstance(error, kind))
        return _answer(request, status, str(error))

    for kind in STATUS:
        app.add_exception_handler(kind, user_error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        answer = _answer(request, error.status_code, str(error.detail))
        answer.headers.update(error.headers or {})  # e.g. Allow on 405
        return answer

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if wants_html(request):
            return error_page(request, 422, pages.form_message(error))
        return await request_validation_exception_handler(request, error)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> Response:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=error)
        return PlainTextResponse("internal error", status_code=500)

    return app
