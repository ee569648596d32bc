"""Dependencies for route handlers: the tenant in context, the acting member, the translator."""

from __future__ import annotations

from litestar import Request

from core.accounts.roles import Actor
from core.accounts.tokens import READ_SCOPE
from core.errors import Message, NotAuthenticated, NotFound, PermissionDenied
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.tenancy.registry import TenantRuntime
from core.web.state import request_context


def provide_tenant(request: Request) -> TenantRuntime:
    ctx = request_context(request.scope)
    if ctx is None or ctx.tenant is None:
        raise NotFound()
    return ctx.tenant


def provide_actor(request: Request) -> Actor:
    ctx = request_context(request.scope)
    if ctx is None or ctx.tenant is None:
        raise NotFound()
    if ctx.actor is None:
        raise NotAuthenticated()
    return ctx.actor


def provide_translator(request: Request) -> Translator:
    ctx = request_context(request.scope)
    if ctx is None or ctx.translator is None:
        raise NotFound()
    return ctx.translator


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def require_member(connection, _handler) -> None:
    """Guard for the tenant API: runs before the body is read, so an anonymous request is a 401 (and an
    unknown tenant a 404) whatever it sends. A read-scoped token may only use safe methods: refused
    here, once for every endpoint, before any handler can write. A coroutine: Litestar runs a plain
    function guard in a worker thread."""
    ctx = request_context(connection.scope)
    if ctx is None or ctx.tenant is None:
        raise NotFound()
    actor = ctx.actor
    if actor is None:
        raise NotAuthenticated()
    if actor.token_scope == READ_SCOPE and connection.scope.get("method", "GET") not in SAFE_METHODS:
        raise PermissionDenied(Message(N_("This token may only read.")))
