"""Join tokens, CSRF protection and request size limits of the tabletop app.

- Tokens: ``secrets.token_urlsafe(32)`` (256 bits); only their SHA-256 is stored, and a
  presented token is compared with the stored digest by :func:`hmac.compare_digest`. A token
  this strong needs no slow hash: it cannot be guessed, only stolen.
- CSRF (double submit): every page sets a random ``dt_csrf`` cookie (SameSite=Strict); every
  form carries the same value in a hidden ``csrf`` field, and a POST whose field does not
  match its cookie is refused (403). Another site can neither read the cookie nor set it.
  The JSON API takes its token in the ``Authorization`` header, which a browser never sends
  by itself, so it needs no CSRF token.
- Size: :class:`BodyLimit` refuses a request whose body is larger than the limit (413),
  whether it declares its length or streams it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_BYTES = 32
CSRF_COOKIE = "dt_csrf"
CSRF_FIELD = "csrf"


def new_token() -> str:
    """A fresh join token (URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    """Whether a presented token is the one whose hash is stored (constant time)."""
    if not token:
        return False
    return hmac.compare_digest(token_hash(token), stored_hash)


def matching(token: str | None, stored: Iterable[tuple[str, str]]) -> str | None:
    """The key of the (key, hash) pair the token matches, comparing with every one."""
    found = None
    for key, stored_hash in stored:
        if token_matches(token, stored_hash) and found is None:
            found = key
    return found


def csrf_valid(cookie: str | None, field: str | None) -> bool:
    """Whether a form's CSRF field matches the browser's CSRF cookie."""
    if not cookie or not field:
        return False
    return hmac.compare_digest(cookie.encode("utf-8"), field.encode("utf-8"))


class BodyTooLarge(Exception):
    """The request body went over the limit while it was read."""


class BodyLimit:
    """ASGI middleware: 413 for request bodies over ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        received = 0
        refused = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal refused
            if received <= self.limit:
                await send(message)
            elif not refused:  # the app answered an overlong body in its own way: replace it
                refused = True
                await self._refuse(send)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted, sending)
        if received > self.limit and not refused:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = f"request body too large: at most {self.limit} bytes".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
