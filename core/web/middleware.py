"""Tenant middleware: resolve ``/t/{slug}/…``, put the tenant in context, authenticate a bearer
token against *that tenant's* database, and choose the request's locale.

A token of tenant A sent to tenant B is simply unknown in B's database, so it is a 401 there.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from core.accounts.service import user_for_token
from core.i18n.negotiate import choose_locale
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from core.web.state import SCOPE_KEY, RequestContext


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def tenant_middleware_factory(registry: TenantRegistry):
    def middleware(app: ASGIApp) -> ASGIApp:
        async def handle(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] not in ("http", "websocket"):
                await app(scope, receive, send)
                return
            state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
            parts = scope["path"].split("/", 3)
            tenant = registry.get(parts[2]) if len(parts) > 2 and parts[1] == "t" else None
            accept = _header(scope, b"accept-language")
            if tenant is None:
                state[SCOPE_KEY] = RequestContext(None, None)
                await app(scope, receive, send)
                return
            with tenant_context(tenant):
                user = None
                auth = _header(scope, b"authorization")
                if auth and auth[:7].lower() == "bearer ":
                    user = await user_for_token(auth[7:].strip())
                decl = tenant.declaration
                locale = choose_locale(
                    user["locale"] if user else None, accept, decl.locales, decl.default_locale
                )
                ctx = RequestContext(tenant, tenant.translator(locale), user)
                state[SCOPE_KEY] = ctx
                await app(scope, receive, send)

        return handle

    return middleware
