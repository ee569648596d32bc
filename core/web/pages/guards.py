"""Guards for pages: a member must be signed in (else the error handler sends them to sign in)."""

from __future__ import annotations

from typing import Any

from core.errors import NotAuthenticated, NotFound, PermissionDenied
from core.web.state import request_context


def require_signed_in(connection: Any, _handler: Any) -> None:
    ctx = request_context(connection.scope)
    if ctx is None or ctx.tenant is None:
        raise NotFound()
    if ctx.actor is None:
        raise NotAuthenticated()


def require_coordinator(connection: Any, handler: Any) -> None:
    require_signed_in(connection, handler)
    ctx = request_context(connection.scope)
    assert ctx is not None and ctx.actor is not None
    if not ctx.actor.is_coordinator:
        raise PermissionDenied()
