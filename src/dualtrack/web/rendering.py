"""Server-rendered pages: the Jinja2 templates of the package, the CSRF cookie, error pages."""

from __future__ import annotations

import math
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from dualtrack._version import __version__
from dualtrack.web.security import CSRF_COOKIE, new_token

environment = jinja2.Environment(
    loader=jinja2.PackageLoader("dualtrack.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _number(value: Any, digits: int = 2) -> str:
    """A number for a table: fixed decimals, integers as they are, none as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def _percent(value: Any) -> str:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "–"
    return f"{100 * value:.0f}%"


environment.filters["number"] = _number
environment.filters["percent"] = _percent


def wants_html(request: Request) -> bool:
    """Whether the request is for a page (everything outside ``/api``)."""
    return not request.url.path.startswith("/api")


def csrf_token(request: Request) -> str:
    """The browser's CSRF token (from its cookie, or a new one set with the page)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf", None)
    if token is None:
        token = new_token()
        request.state.csrf = token
    return str(token)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from a template, with the CSRF token for its forms (cookie set when new)."""
    token = csrf_token(request)
    html = environment.get_template(template).render(csrf=token, version=__version__, **context)
    response = HTMLResponse(html, status_code=status)
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
        "'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A page saying what went wrong (never a stack trace)."""
    return render(request, "error.html.j2", status=status, status_code=status, message=message)
