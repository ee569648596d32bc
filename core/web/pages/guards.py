"""Guards for pages: a member must be signed in (else the error handler sends them to sign in).

Guards are coroutines: Litestar runs a plain function guard in a worker thread (``sync_to_thread``),
which cost about 0.5 ms per request, more than the checks themselves."""

from __future__ import annotations

from typing import Any

from core.errors import NotAuthenticated, NotFound, PermissionDenied
from core.web.state import request_context


async def require_signed_in(connection: Any, _handler: Any) -> None:
    ctx = request_context(connection.scope)
    if ctx is None or ctx.tenant is None:
        raise NotFound()
    if ctx.actor is None:
        raise NotAuthenticated()


async def require_coordinator(connection: Any, handler: Any) -> None:
    await require_signed_in(connection, handler)
    ctx = request_context(connection.scope)
    assert ctx is not None and ctx.actor is not None
    if not ctx.actor.is_coordinator:
        raise PermissionDenied()


async def require_writer(connection: Any, handler: Any) -> None:
    """A member whose role may create records (not an observer)."""
    await require_signed_in(connection, handler)
    ctx = request_context(connection.scope)
    assert ctx is not None and ctx.actor is not None
    if not ctx.actor.can_write:
        raise PermissionDenied()


def require_role(*roles: str):
    """A guard letting in the members whose role is one of ``roles``, on pages and in the API alike
    (the API's own guard has already required a member there)."""

    async def guard(connection: Any, handler: Any) -> None:
        await require_signed_in(connection, handler)
        ctx = request_context(connection.scope)
        assert ctx is not None and ctx.actor is not None
        if ctx.actor.role not in roles:
            raise PermissionDenied()

    guard.__name__ = f"require_role_{'_'.join(roles)}"
    return guard
