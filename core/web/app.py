"""The Litestar application factory: wiring only; behaviour lives in the domain services."""

from __future__ import annotations

import logging

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar_htmx import HTMXPlugin

from core import __version__
from core.accounts.throttle import Throttles
from core.audit.api import audit_export, audit_log
from core.db.budget import PoolLimits
from core.db.budget import configure as configure_pools
from core.plugins.routes import PluginMounts, servable_manager
from core.plugins.startup import verify_plugins
from core.settings import Settings
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from core.tenancy.watch import DeclarationWatcher
from core.web import metrics
from core.web.deps import provide_actor, provide_tenant, provide_translator, require_member
from core.web.forms_api import form_definition, form_list
from core.web.guard import GuardedLitestar
from core.web.health import healthz, readyz
from core.web.middleware import tenant_middleware_factory
from core.web.observe import observed
from core.web.pages.home import home
from core.web.problems import EXCEPTION_HANDLERS
from core.web.request import AppRequest, request_guard_middleware
from core.web.security import security_headers_hook
from core.web.templating import FONTS_DIR, STATIC_DIR, template_config

log = logging.getLogger("pilot_crm")


def api_controllers() -> list:
    from core.actions.api import ActionController
    from core.contacts.api import ContactController
    from core.meetings.api import MeetingController
    from core.organizations.api import OrganizationController
    from core.records.finding_api import SearchController
    from core.topics.api import TopicController

    return [
        OrganizationController,
        ContactController,
        MeetingController,
        ActionController,
        TopicController,
        SearchController,
    ]


def page_handlers() -> list:
    from core.accounts.link_pages import (
        accept_invite,
        accept_invite_page,
        forgot,
        forgot_page,
        reset,
        reset_page,
    )
    from core.accounts.pages import MemberPages, ProfilePages
    from core.actions.pages import ActionPages
    from core.audit.pages import audit_export_page, audit_export_xlsx_page, audit_page
    from core.contacts.pages import ContactPages
    from core.dashboard.pages import dashboard
    from core.duplicates.pages import HANDLERS as DUPLICATES_PAGES
    from core.imports.pages import HANDLERS as IMPORT_PAGES
    from core.meetings.feed_pages import calendar_feed
    from core.meetings.pages import MeetingPages
    from core.organizations.pages import OrganizationPages
    from core.reports.pages import roadmap_page, roadmap_pdf
    from core.topics.pages import TopicPages
    from core.web.pages.auth import login, login_page, logout, set_language
    from core.web.pages.pick import HANDLERS as PICK_PAGES
    from core.web.pages.search import search_page

    return [
        login_page,
        login,
        logout,
        set_language,
        accept_invite_page,
        accept_invite,
        forgot_page,
        forgot,
        reset_page,
        reset,
        OrganizationPages,
        ContactPages,
        TopicPages,
        MeetingPages,
        calendar_feed,
        ActionPages,
        ProfilePages,
        MemberPages,
        audit_page,
        audit_export_page,
        audit_export_xlsx_page,
        *DUPLICATES_PAGES,
        *IMPORT_PAGES,
        dashboard,
        roadmap_page,
        roadmap_pdf,
        *PICK_PAGES,
        search_page,
    ]


def create_app(settings: Settings | None = None, registry: TenantRegistry | None = None) -> Litestar:
    """The app for ``settings`` and ``registry``. Called with neither (as ``pilot-crm serve`` has
    uvicorn do in each worker process: ``core.web.app:create_app`` with ``factory=True``), it reads
    its settings from the environment (PILOT_CRM_DATA_DIR, PILOT_CRM_TENANTS_DIR and the rest)."""
    settings = settings or Settings.from_env()
    configure_pools(PoolLimits.from_env())  # PILOT_CRM_PG_* (core.db.budget)
    registry = registry or TenantRegistry.load(settings)
    verify_plugins(registry)  # a broken plugin stops the app here, with one line (core.plugins.startup)
    plugins = servable_manager([tenant.plugins for tenant in registry])
    mounts = PluginMounts(plugins)
    plugin_templates = [d for dirs in plugins.hook.pilot_crm_template_dirs() for d in dirs]

    api = Router(
        path="/t/{tenant_slug:str}/api/v1",
        route_handlers=[*api_controllers(), form_list, form_definition, audit_log, audit_export],
        dependencies={
            "tenant": Provide(provide_tenant, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
            "translator": Provide(provide_translator, sync_to_thread=False),
        },
        guards=[require_member],
        security=[{"bearer": []}],
    )

    pages = Router(
        path="/t/{tenant_slug:str}",
        route_handlers=page_handlers(),
        dependencies={
            "actor": Provide(provide_actor, sync_to_thread=False),
            "tenant": Provide(provide_tenant, sync_to_thread=False),
            "translator": Provide(provide_translator, sync_to_thread=False),
        },
        include_in_schema=False,
    )

    async def start_tenants() -> None:
        """Say which SQLite tenants are not migrated (their requests would fail). Nothing connects to
        PostgreSQL here: with hundreds of tenants a connection each would exceed the server's limit
        (``core.db.budget``); their pools open on their first request, and the readiness check
        reaches every tenant's database."""
        from core.topics.tables import Topic

        for tenant in registry:
            if tenant.declaration.engine_kind == "postgres":
                continue
            with tenant_context(tenant):
                try:
                    migrated = await Topic.table_exists().run()
                except OSError as exc:
                    log.error("tenant %s: database unreachable: %s", tenant.slug, exc)
                    continue
            if not migrated:
                log.warning(
                    "tenant %s is not migrated: run `pilot-crm migrate --tenant %s`", tenant.slug, tenant.slug
                )

    # New, changed, moved and removed tenants without a restart; plugins a new tenant enables are
    # mounted on the running app.
    watcher = DeclarationWatcher(registry, on_reload=lambda fresh: mounts.mount_new(app, fresh))

    async def close_all() -> None:
        await registry.close()

    app = GuardedLitestar(
        route_handlers=[
            healthz,
            readyz,
            metrics.metrics_handler(),
            home,
            api,
            pages,
            *mounts.routers_for(registry),
            create_static_files_router(path="/static", directories=[STATIC_DIR]),
            create_static_files_router(path="/fonts", directories=[FONTS_DIR], name="fonts"),
        ],
        template_config=template_config(plugin_templates),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            exclude=[r"^/t/[^/]+/api/", r"^/(healthz|readyz|metrics)$", r"^/schema"],
        ),
        plugins=[HTMXPlugin()],
        request_class=AppRequest,
        middleware=[tenant_middleware_factory(registry), request_guard_middleware],
        before_send=[security_headers_hook(tls=settings.secure_cookies)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        on_startup=[start_tenants, watcher.start],
        on_shutdown=[watcher.stop, close_all, metrics.process_ending],
        openapi_config=OpenAPIConfig(
            title="Pilot CRM",
            version=__version__,
            path="/schema",
            # The document only: the browsable UIs load scripts from CDNs, which the CSP refuses.
            render_plugins=[JsonRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", description="API token"),
                }
            ),
        ),
        request_max_body_size=2 * 1024 * 1024,
        # Logging is the process's (core.web.logs, set by `serve`): Litestar's default would replace
        # the root handler with its own text format. Unhandled errors are logged by core.web.problems.
        logging_config=None,
    )
    app.state.registry = registry
    app.state.settings = settings
    app.asgi_handler = observed(app.asgi_handler, app)  # request ids, access lines, metrics
    app.state.throttles = Throttles.keyed(settings.secret_key)
    return app
