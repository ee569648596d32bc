"""Bring a tenant's database up to date: create it if missing (PostgreSQL), run core's and the
tenant's plugins' Piccolo migrations, then sync the topics the tenant's plugins declare and chain any
audit entries written before the audit hash chain existed (``core.audit.chain.backfill_chain``: only
entries after the newest chained one, so a gap in an existing chain is never papered over)."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.conf.apps import AppConfig

from core.db.piccolo_app import APP_CONFIG as CORE_APP
from core.db.postgres import ensure_database
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRuntime


@dataclass(frozen=True, slots=True)
class MigrationReport:
    tenant: str
    database_created: bool
    applied: dict[str, int]
    topics_added: int
    audit_chained: int = 0


def tenant_apps(tenant: TenantRuntime) -> list[AppConfig]:
    apps = [CORE_APP]
    for configs in reversed(tenant.plugins.hook.pilot_crm_piccolo_apps()):
        apps.extend(configs or ())
    return apps


async def _applied(app: AppConfig) -> set[str]:
    from piccolo.apps.migrations.tables import Migration

    return set(await Migration.get_migrations_which_ran(app_name=app.app_name))


async def migrate_tenant(tenant: TenantRuntime) -> MigrationReport:
    from core.audit.chain import backfill_chain
    from core.topics.service import sync_declared_topics

    created = False
    if tenant.declaration.engine_kind == "postgres":
        created = await ensure_database(tenant.declaration.database_url)
    applied: dict[str, int] = {}
    with tenant_context(tenant):
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
        topics_added = await sync_declared_topics(tenant)
        audit_chained = await backfill_chain()
    return MigrationReport(tenant.slug, created, applied, topics_added, audit_chained)


async def _migration_table_exists(manager: ForwardsMigrationManager) -> bool:
    from piccolo.apps.migrations.tables import Migration

    return await Migration.table_exists().run()
