"""The app's request class: JSON bodies that cannot be decoded are the client's error, always.

msgspec reports most malformed JSON as a decode error, which Litestar turns into a 400; but bytes
that are not UTF-8 raise ``UnicodeDecodeError`` and very deep nesting raises ``RecursionError``,
which would otherwise surface as 500s. Both are re-raised here as Litestar's
``SerializationException`` so they take the same 400 path as any other unreadable body.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from litestar.exceptions import SerializationException
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar_htmx import HTMXRequest

from core.errors import Message, ValidationFailed
from core.i18n.markers import N_


class AppRequest(HTMXRequest):
    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError as exc:
            raise SerializationException("request body is not valid UTF-8") from exc
        except RecursionError as exc:
            raise SerializationException("request body JSON is nested too deeply") from exc


# No page or API route takes more query parameters than this; more is not a request a person made.
MAX_QUERY_PARAMETERS = 50


def query_problems(query_string: bytes, path: str) -> dict[str, list[Message]]:
    """What is wrong with a request's address, by parameter ("" for the address itself).

    A NUL character (PostgreSQL's text type cannot hold it), a parameter given twice (every
    parameter of every route takes one value: which one would count is a guess), or more parameters
    than any route takes."""
    if "\x00" in path:
        return {"": [Message(N_("The address of this request contains a NUL character."))]}
    text = query_string.decode("latin-1")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_QUERY_PARAMETERS)
    except ValueError:
        return {"": [Message(N_("This request has too many parameters."))]}
    errors: dict[str, list[Message]] = {}
    seen: set[str] = set()
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:
            errors.setdefault(key.replace("\x00", ""), []).append(
                Message(N_("This value contains a NUL character."))
            )
        elif key in seen:
            errors.setdefault(key, []).append(Message(N_("Give this parameter only once.")))
        seen.add(key)
    return errors


def query_guard_middleware(app: ASGIApp) -> ASGIApp:
    """Refuse a malformed address (see :func:`query_problems`) with 400 and a message per parameter,
    before any handler reads it."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            errors = query_problems(scope.get("query_string", b""), scope["path"])
            if errors:
                raise ValidationFailed(errors)
        await app(scope, receive, send)

    return handle
