"""Tenant middleware: resolve ``/t/{slug}/…``, put the tenant in context, identify the member (API
bearer token, or the browser's session cookie) against *that tenant's* database, and choose the
request's locale.

A token or session of tenant A sent to tenant B is simply unknown in B's database.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from litestar.types import ASGIApp, Receive, Scope, Send

from core.accounts.service import user_for_token
from core.accounts.sessions import user_for_session
from core.errors import Message, Unavailable
from core.i18n.markers import N_
from core.i18n.negotiate import choose_locale
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry, TenantRuntime
from core.web.state import SCOPE_KEY, RequestContext

SESSION_COOKIE = "pcrm_session"
LANG_COOKIE = "pcrm_lang"
DISABLED_RETRY_AFTER = 3600  # a disabled tenant stays closed until an operator enables it


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _cookies(scope: Scope) -> dict[str, str]:
    raw = _header(scope, b"cookie")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header is ignored, not an error
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def tenant_middleware_factory(registry: TenantRegistry):
    def middleware(app: ASGIApp) -> ASGIApp:
        async def handle(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] not in ("http", "websocket"):
                await app(scope, receive, send)
                return
            state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
            parts = scope["path"].split("/", 3)
            tenant = registry.get(parts[2]) if len(parts) > 2 and parts[1] == "t" else None
            if tenant is None:
                state[SCOPE_KEY] = RequestContext(None, None)
                await app(scope, receive, send)
                return
            tenant.in_flight += 1  # a runtime a reload replaced is closed once this is back to 0
            try:
                await _serve_tenant(app, tenant, registry, scope, receive, send)
            finally:
                tenant.in_flight -= 1

        return handle

    return middleware


async def _serve_tenant(
    app: ASGIApp, tenant: TenantRuntime, registry: TenantRegistry, scope: Scope, receive: Receive, send: Send
) -> None:
    state = scope["state"]  # type: ignore[typeddict-item]
    with tenant_context(tenant):
        decl = tenant.declaration
        if not decl.enabled:
            # ``tenants disable``: answered before any credential is looked at, in the asker's language.
            asked = choose_locale(None, _header(scope, b"accept-language"), decl.locales, decl.default_locale)
            state[SCOPE_KEY] = RequestContext(tenant, tenant.translator(asked))
            raise Unavailable(Message(N_("This pilot is closed for the moment.")), DISABLED_RETRY_AFTER)
        user = None
        session_token = None
        session_expired = False
        auth = _header(scope, b"authorization")
        cookies = _cookies(scope)
        # Each surface has one kind of credential: API tokens for the API (their read-only
        # scope is enforced by its guard), session cookies (with CSRF) for the pages. A token
        # sent to a page is ignored, or a read-only token could write through a form.
        on_api = scope["path"].startswith(f"/t/{tenant.slug}/api/")
        if on_api:
            if auth and auth[:7].lower() == "bearer ":
                user = await user_for_token(auth[7:].strip())
        elif SESSION_COOKIE in cookies:
            session_token = cookies[SESSION_COOKIE]
            lookup = await user_for_session(session_token, registry.settings.session_idle)
            user, session_expired = lookup.user, lookup.expired
        # Pages: the saved language (or the switcher's cookie) first. API: an explicit
        # Accept-Language first, as the README documents, then the saved language.
        saved = user["locale"] if user else None
        preferred = saved if on_api else saved or cookies.get(LANG_COOKIE)
        locale = choose_locale(
            preferred,
            _header(scope, b"accept-language"),
            decl.locales,
            decl.default_locale,
            header_first=on_api,
        )
        state[SCOPE_KEY] = RequestContext(
            tenant, tenant.translator(locale), user, session_token, session_expired
        )
        await app(scope, receive, send)
