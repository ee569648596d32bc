"""Bring a tenant's database up to date: create it if missing (PostgreSQL), run core's and the
tenant's plugins' Piccolo migrations, give the database its identity (``core.db.identity``, once),
seed the topics the tenant's plugins declare (``core.topics.seeding``: never over people's edits)
and chain any audit entries written before the audit hash chain existed
(``core.audit.service.chain_legacy``: only entries after the newest chained one, so a gap in an
existing chain is never papered over). Whatever code writes into data people see is audited as the
system; running it again changes nothing."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.conf.apps import AppConfig

from core.db.identity import ensure_identity
from core.db.piccolo_app import APP_CONFIG as CORE_APP
from core.db.postgres import ensure_database
from core.plugins.manager import in_plugin_order
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRuntime


@dataclass(frozen=True, slots=True)
class MigrationReport:
    tenant: str
    database_created: bool
    applied: dict[str, int]
    topics_added: int
    topics_updated: int = 0  # existing topics whose changed declaration reached untouched fields
    audit_chained: int = 0
    identity_created: bool = False


def tenant_apps(tenant: TenantRuntime) -> list[AppConfig]:
    return [CORE_APP, *in_plugin_order(tenant.plugins.hook.pilot_crm_piccolo_apps())]


async def _applied(app: AppConfig) -> set[str]:
    from piccolo.apps.migrations.tables import Migration

    return set(await Migration.get_migrations_which_ran(app_name=app.app_name))


async def migrate_tenant(tenant: TenantRuntime) -> MigrationReport:
    from core.audit.service import chain_legacy
    from core.topics.seeding import sync_declared_topics

    created = False
    if tenant.declaration.engine_kind == "postgres":
        created = await ensure_database(tenant.declaration.database_url)
    with tenant_context(tenant):
        applied = await apply_migrations(tenant)
        identity_created = await ensure_identity(tenant.slug)
        topics = await sync_declared_topics(tenant)
        audit_chained = await chain_legacy()
    return MigrationReport(
        tenant.slug, created, applied, topics.added, topics.updated, audit_chained, identity_created
    )


async def apply_migrations(tenant: TenantRuntime) -> dict[str, int]:
    """Run core's and the tenant's plugins' pending Piccolo migrations on its (existing) database,
    inside its tenant context; how many ran, per app. Nothing else: no identity, no topics."""
    applied: dict[str, int] = {}
    for app in tenant_apps(tenant):
        manager = ForwardsMigrationManager(app_name=app.app_name)
        before = await _applied(app) if await _migration_table_exists(manager) else set()
        # Piccolo prints progress with emoji; the CLI prints its own one-line summary instead.
        with contextlib.redirect_stdout(io.StringIO()):
            await manager.create_migration_table()
            result = await manager.run_migrations(app)
        if not result.success:
            raise RuntimeError(f"{tenant.slug}: migrations of {app.app_name} failed: {result.message}")
        applied[app.app_name] = len(await _applied(app) - before)
    return applied


async def pending_migrations(tenant: TenantRuntime) -> int:
    """How many of core's and the tenant's plugins' migrations have not run on its database."""
    from piccolo.apps.migrations.tables import Migration

    with tenant_context(tenant):
        ran_any = await Migration.table_exists().run()
        pending = 0
        for app in tenant_apps(tenant):
            manager = ForwardsMigrationManager(app_name=app.app_name)
            known = manager.get_migration_modules(app.resolved_migrations_folder_path)
            pending += len(set(known) - (await _applied(app) if ran_any else set()))
    return pending


async def _migration_table_exists(manager: ForwardsMigrationManager) -> bool:
    from piccolo.apps.migrations.tables import Migration

    return await Migration.table_exists().run()
