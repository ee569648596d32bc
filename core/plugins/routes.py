"""Mount plugins' pages and API routes under the tenant, answered only where the plugin is enabled.

Litestar's routes are global to the app, while plugins are enabled per tenant. So each plugin's
handlers are mounted once, on a router of their own (``/t/{tenant}/<plugin>`` for pages,
``/t/{tenant}/api/v1/<plugin>`` for JSON), whose guard answers 404 for a tenant that does not enable
it, exactly as for a path that does not exist, before anything else (authentication, body) is
looked at. Everything else is core's: the tenant middleware, CSRF, security headers, problem
details and the same dependencies core's own handlers get.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Controller, Router
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler

from core.errors import TooManyRequests
from core.plugins.manager import available_plugins, build_manager, load_plugin
from core.web.deps import SAFE_METHODS, provide_actor, provide_tenant, provide_translator, require_member
from core.web.pages.guards import require_signed_in
from core.web.state import SCOPE_KEY, RequestContext, request_context

log = logging.getLogger("pilot_crm")

# Give a handler ``opt=PUBLIC`` to answer without sign-in (a call for applications, a certificate
# check); each client address then has a budget of requests (``Throttles.public_read/_write``).
PUBLIC: dict[str, Any] = {"public": True}

DEPENDENCIES = {
    "tenant": Provide(provide_tenant, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
    "translator": Provide(provide_translator, sync_to_thread=False),
}


def is_public(handler: BaseRouteHandler) -> bool:
    return bool(handler.opt.get("public"))


async def _spend_public_budget(connection: ASGIConnection) -> None:
    throttles = connection.app.state.throttles
    address = connection.client.host if connection.client else "?"
    method = connection.scope.get("method", "GET")
    throttle = throttles.public_read if method in SAFE_METHODS else throttles.public_write
    if not await throttle.attempt(address=address):
        raise TooManyRequests()


def plugin_gate(plugin: str, *, api: bool):
    """The guard of one plugin's router: 404 unless the tenant in the path enables ``plugin``; then
    a member (token for the API, session for pages) unless the handler is public."""

    async def gate(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        ctx = request_context(connection.scope)
        if ctx is None or ctx.tenant is None or plugin not in ctx.tenant.declaration.plugins:
            # Answer exactly as Litestar answers a path that does not exist, which runs no
            # middleware: forget what the tenant middleware learnt (the member, their language), so
            # neither the page nor the problem document tells the two apart.
            connection.scope["state"][SCOPE_KEY] = RequestContext(None, None)
            raise NotFoundException()
        if is_public(handler):
            await _spend_public_budget(connection)
        elif api:
            await require_member(connection, handler)
        else:
            await require_signed_in(connection, handler)

    gate.__name__ = f"plugin_gate_{plugin}"
    return gate


def document_public(handlers: list[Any]) -> list[Any]:
    """Say in the OpenAPI document that public handlers need no token: an empty requirement next to
    the router's bearer one (OpenAPI: either suffices). Controllers' handlers are looked at too."""
    found = []
    for item in handlers:
        if isinstance(item, type) and issubclass(item, Controller):
            found += [v for v in vars(item).values() if isinstance(v, HTTPRouteHandler)]
        elif isinstance(item, HTTPRouteHandler):
            found.append(item)
    for handler in found:
        if is_public(handler):
            handler.security = [*(handler.security or []), {}]
    return handlers


def contributed(pm: Any, hook: str) -> list[tuple[str, list[Any]]]:
    """``(plugin name, handlers)`` for each plugin implementing ``hook`` (no arguments)."""
    found = []
    for impl in getattr(pm.hook, hook).get_hookimpls():
        handlers = impl.function() or []
        if handlers:
            found.append((impl.plugin_name, list(handlers)))
    return found


def plugin_routers(pm: Any, only: set[str] | None = None) -> list[Router]:
    """One page router and one API router per plugin of ``pm`` (of those in ``only``, when given)
    that contributes routes. Pages stay out of the OpenAPI document; the API is in it, behind bearer
    tokens."""
    routers = []
    for hook, api, prefix in (("pilot_crm_routes", False, ""), ("pilot_crm_api_routes", True, "/api/v1")):
        for name, handlers in contributed(pm, hook):
            if only is not None and name not in only:
                continue
            routers.append(
                Router(
                    path=f"/t/{{tenant_slug:str}}{prefix}/{name}",
                    route_handlers=document_public(handlers) if api else handlers,
                    dependencies=DEPENDENCIES,
                    guards=[plugin_gate(name, api=api)],
                    include_in_schema=api,
                    security=[{"bearer": []}] if api else None,
                    tags=[name],
                )
            )
    return routers


class PluginMounts:
    """The plugins whose routes the app has mounted: those some tenant enables. Registering a
    plugin's handlers is most of the cost of making an app, so a plugin no tenant enables is not
    mounted; when a reload (``core.tenancy.watch``) brings a tenant that enables one, its routers
    are registered then, on the running app (Litestar rebuilds its routing trie and OpenAPI
    document)."""

    def __init__(self, servable: Any) -> None:
        self.servable = servable
        self.mounted: set[str] = set()

    def routers_for(self, tenants: Any) -> list[Router]:
        """The routers of the plugins ``tenants`` enable that are not mounted yet (marked mounted)."""
        known = {name for name, plugin in self.servable.list_name_plugin() if plugin}
        wanted = {name for tenant in tenants for name in tenant.declaration.plugins} & known
        new = wanted - self.mounted
        self.mounted |= new
        return plugin_routers(self.servable, only=new) if new else []

    def mount_new(self, app: Any, tenants: Any) -> None:
        for router in self.routers_for(tenants):
            app.register(router)


def servable_manager(managers: list[Any]) -> Any:
    """A manager holding every plugin the tenants' ``managers`` hold and every other installed plugin
    that passes its checks (``pilot-crm plugins check``): a tenant declared while the app runs
    (``core.tenancy.watch``) may enable any of them. Their templates are found from the start;
    their routes are mounted once some tenant enables them (:class:`PluginMounts`), and the gate
    keeps them to the tenants that do."""
    from core.plugins.startup import check_installed

    plugins = {name: p for pm in managers for name, p in pm.list_name_plugin() if name != "core" and p}
    others = sorted(available_plugins() - set(plugins))
    checked = check_installed(others)
    for name in others:
        if checked.failed([name]):
            log.warning(
                "installed plugin %r is not mounted: it fails its checks (pilot-crm plugins check)", name
            )
            continue
        plugins[name] = load_plugin(name)
    return build_manager(tuple(plugins), plugins)
