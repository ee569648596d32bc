"""Dependencies for route handlers: the tenant in context, the acting member, the translator."""

from __future__ import annotations

from litestar import Request

from core.accounts.roles import Actor
from core.errors import NotAuthenticated, NotFound
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


def require_member(connection, _handler) -> None:
    """Guard for the tenant API: runs before the body is read, so an anonymous request is a 401 (and an
    unknown tenant a 404) whatever it sends."""
    ctx = request_context(connection.scope)
    if ctx is None or ctx.tenant is None:
        raise NotFound()
    if ctx.actor is None:
        raise NotAuthenticated()
