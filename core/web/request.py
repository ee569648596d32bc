"""The app's request class: JSON bodies that cannot be decoded are the client's error, always.

msgspec reports most malformed JSON as a decode error, which Litestar turns into a 400; but bytes
that are not UTF-8 raise ``UnicodeDecodeError`` and very deep nesting raises ``RecursionError``,
which would otherwise surface as 500s. Both are re-raised here as Litestar's
``SerializationException`` so they take the same 400 path as any other unreadable body.
"""

from __future__ import annotations

from typing import Any

from litestar.exceptions import SerializationException, ValidationException
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar_htmx import HTMXRequest


class AppRequest(HTMXRequest):
    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError as exc:
            raise SerializationException("request body is not valid UTF-8") from exc
        except RecursionError as exc:
            raise SerializationException("request body JSON is nested too deeply") from exc


def reject_nul_middleware(app: ASGIApp) -> ASGIApp:
    """A NUL character in the path or the query string is the client's error (400). Left through,
    it reaches PostgreSQL, whose text type cannot hold it, and would surface as a 500."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (b"%00" in scope.get("query_string", b"") or "\x00" in scope["path"]):
            raise ValidationException("the request's address contains a NUL character")
        await app(scope, receive, send)

    return handle
