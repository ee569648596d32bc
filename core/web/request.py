"""What the app accepts of a request before any handler reads it, and how it reads it.

- JSON bodies that cannot be decoded are the client's error, always: msgspec reports most malformed
  JSON as a decode error (a 400), but bytes that are not UTF-8 raise ``UnicodeDecodeError`` and very
  deep nesting raises ``RecursionError``; both take the same 400 path here.
- Query strings and forms are refused, naming the parameter or field, when they hold a NUL (which
  PostgreSQL's text type cannot store) or give a parameter twice (every parameter of every route
  takes one value).
- Query strings, cookies and form bodies are parsed without Litestar's parse caches. Those are LRU
  caches of 1024 entries keyed by the raw bytes: for form bodies that is up to 1024 bodies of 2 MiB
  each kept after their requests ended, a memory growth any client could cause. Parsing once per
  request costs microseconds.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qsl

from litestar._parsers import parse_cookie_string
from litestar.datastructures import FormMultiDict
from litestar.enums import RequestEncodingType
from litestar.exceptions import SerializationException
from litestar.types import ASGIApp, Empty, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from litestar_htmx import HTMXRequest

from core.errors import Message, ValidationFailed
from core.i18n.markers import N_

# No page or API route takes more query parameters, or form fields, than this.
MAX_QUERY_PARAMETERS = 50
MAX_FORM_FIELDS = 500
# The only query parameters that may repeat: lists (an export's ``columns``, ticked one by one).
REPEATABLE_QUERY = frozenset({"columns"})

# The function behind Litestar's cookie cache (``functools.lru_cache`` keeps it as ``__wrapped__``).
_parse_cookies = parse_cookie_string.__wrapped__


def _pairs(encoded: bytes, max_fields: int) -> list[tuple[str, str]]:
    """Decoded name/value pairs, as Litestar's own parsers decode a query string or a form body;
    ValueError beyond ``max_fields``. Parsed once, the pairs serve both the checks and the state
    Litestar reads afterwards."""
    return parse_qsl(encoded.decode("latin-1"), keep_blank_values=True, max_num_fields=max_fields)


def _form_data(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """The pairs as Litestar keeps form data: a value, or a list when the name repeats."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return {key: values if len(values) > 1 else values[0] for key, values in grouped.items()}


def _pair_problems(pairs: list[tuple[str, str]], *, once: bool) -> dict[str, list[Message]]:
    """NUL characters, and (``once``) names given twice (but lists), by parameter or field name."""
    errors: dict[str, list[Message]] = {}
    seen: set[str] = set()
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:
            errors.setdefault(key.replace("\x00", ""), []).append(
                Message(N_("This value contains a NUL character."))
            )
        elif once and key in seen and key not in REPEATABLE_QUERY:
            errors.setdefault(key, []).append(Message(N_("Give this parameter only once.")))
        seen.add(key)
    return errors


class AppRequest(HTMXRequest):
    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError as exc:
            raise SerializationException("request body is not valid UTF-8") from exc
        except RecursionError as exc:
            raise SerializationException("request body JSON is nested too deeply") from exc

    async def form(self) -> FormMultiDict:
        """The form, parsed without Litestar's cache; a NUL in a field is a 400 naming the field.
        Fields may repeat (checkbox groups)."""
        state = self._connection_state
        if state.form is Empty and self.content_type[0] == RequestEncodingType.URL_ENCODED:
            body = await self.body()
            try:
                pairs = _pairs(body, MAX_FORM_FIELDS)
            except ValueError:
                raise ValidationFailed({"": [Message(N_("This form has too many fields."))]}) from None
            if errors := _pair_problems(pairs, once=False):
                raise ValidationFailed(errors)
            state.form = cast(Any, _form_data(pairs))
        return await super().form()


def read_query(query_string: bytes, path: str) -> tuple[tuple[str, str], ...]:
    """The query's name/value pairs, or ValidationFailed naming what is wrong with the address, by
    parameter ("" for the address itself): a NUL character, a parameter given twice, or more
    parameters than any route takes."""
    if "\x00" in path:
        raise ValidationFailed({"": [Message(N_("The address of this request contains a NUL character."))]})
    try:
        pairs = _pairs(query_string, MAX_QUERY_PARAMETERS)
    except ValueError:
        raise ValidationFailed({"": [Message(N_("This request has too many parameters."))]}) from None
    if errors := _pair_problems(pairs, once=True):
        raise ValidationFailed(errors)
    return tuple(pairs)


def request_guard_middleware(app: ASGIApp) -> ASGIApp:
    """Refuse a malformed address (see :func:`read_query`) with 400 and a message per parameter
    before any handler reads it, and parse the query string, cookies and a form body once, outside
    Litestar's caches, for everything after it (CSRF check, handlers) to reuse."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state = ScopeState.from_scope(scope)
            state.parsed_query = read_query(scope.get("query_string", b""), scope["path"])
            cookie = next((v for k, v in scope["headers"] if k == b"cookie"), None)
            state.cookies = _parse_cookies(cookie.decode("latin-1")) if cookie else {}
            request = AppRequest(scope, receive)
            if request.content_type[0] == RequestEncodingType.URL_ENCODED:
                await request.form()
        await app(scope, receive, send)

    return handle
