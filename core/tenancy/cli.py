"""``pilot-crm tenants``: list, check, create, disable, enable, move and drop-source.

Every command that changes a tenant writes its declaration atomically (``core.tenancy.files``);
running app processes pick the change up within a second or two (``core.tenancy.watch``), so none
needs a restart. Bad input ends with exit code 1 and one line; nothing is left half-made.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from core.cli.context import load_registry, run
from core.cli.errors import acting_on, fail, reason, say_error
from core.settings import Settings
from core.tenancy import files
from core.tenancy.declaration import SLUG_RE, TenantConfigError, TenantDeclaration
from core.tenancy.registry import TenantRuntime, check_catalogs

T = TypeVar("T")


@click.group()
def tenants() -> None:
    """Declare, inspect, disable and move tenants (running processes follow without a restart)."""


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj["settings"]
    if not settings.tenants_dir.is_dir():
        fail(
            f"{settings.tenants_dir}: no such tenants directory "
            "(give --tenants-dir or set PILOT_CRM_TENANTS_DIR)"
        )
    return settings


def _runtime(settings: Settings, slug: str) -> TenantRuntime:
    """The runtime of ``slug``'s declaration alone (others' declarations are not read)."""
    try:
        runtime = TenantRuntime(files.read_declaration(settings.tenants_dir, slug, settings.data_dir))
    except TenantConfigError as exc:
        fail(str(exc))
    acting_on(runtime)
    return runtime


def _run(runtime: TenantRuntime, work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        try:
            return await work()
        finally:
            await runtime.close()

    return asyncio.run(main())


def _edit(ctx: click.Context, slug: str, edit: dict[str, str | bool | list[str] | None]) -> TenantDeclaration:
    settings = _settings(ctx)
    _runtime(settings, slug)  # unknown or unreadable: one line
    try:
        return files.replace(settings.tenants_dir, slug, settings.data_dir, edit)
    except TenantConfigError as exc:
        fail(str(exc))


@tenants.command("list")
@click.pass_context
def tenants_list(ctx: click.Context) -> None:
    """List declared tenants (a disabled one, or one with a source copy left by a move, says so)."""
    from core.tenancy.moving import shown

    for tenant in load_registry(ctx):
        d = tenant.declaration
        notes = ([] if d.enabled else ["disabled"]) + (
            [f"moved from {shown(d.moved_from)}"] if d.moved_from else []
        )
        click.echo(
            f"{d.slug}\t{d.name}\t{d.country}\t{d.default_locale} ({','.join(d.locales)})\t"
            f"{d.engine_kind}\t{','.join(d.plugins) or '-'}" + "".join(f"\t{note}" for note in notes)
        )


@tenants.command("check")
@click.pass_context
def tenants_check(ctx: click.Context) -> None:
    """Validate every declaration, the plugins each tenant enables (``plugins check``), and check
    each database answers and is fully migrated."""
    from core.db.failures import NotMigrated
    from core.db.migrate import pending_migrations
    from core.plugins.startup import PluginCheckFailed, verify_plugins

    registry = load_registry(ctx)
    failed = 0
    said: set[str] = set()
    for tenant in registry:
        try:
            verify_plugins([tenant])  # before its database, as migrate and serve do
        except PluginCheckFailed as exc:
            if str(exc) not in said:  # a plugin several tenants enable is named once
                say_error(str(exc))
                said.add(str(exc))
            failed += 1
            continue
        try:
            if pending := run(registry, functools.partial(pending_migrations, tenant), tenant):
                raise NotMigrated(f"{pending} migrations not applied")
        except Exception as exc:  # report every tenant, then exit 1
            say_error(reason(exc, tenant))
            failed += 1
            continue
        click.echo(f"{tenant.slug}: declaration ok, database ok")
    if failed:
        sys.exit(1)


@tenants.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The pilot's name in its default language.")
@click.option("--country", required=True, help="ISO 3166-1 alpha-3 code (MEX, AGO...).")
@click.option(
    "--locale", "locales", multiple=True, required=True, help="A language; the first is the default."
)
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone.")
@click.option("--plugin", "plugins", multiple=True, help="A plugin to enable (repeat for several).")
@click.option("--database-url", default=None, help="Default: sqlite:///<data dir>/<slug>.sqlite3.")
@click.pass_context
def tenants_create(
    ctx: click.Context,
    slug: str,
    name: str,
    country: str,
    locales: tuple[str, ...],
    timezone: str,
    plugins: tuple[str, ...],
    database_url: str | None,
) -> None:
    """Declare a tenant, create and migrate its database: running processes serve it at once."""
    from core.db.migrate import MigrationReport, migrate_tenant
    from core.plugins.manager import available_plugins
    from core.plugins.startup import PluginCheckFailed, verify_plugins
    from core.tenancy.moving import MoveError, drop_target, shown, target_exists

    settings = _settings(ctx)
    if not SLUG_RE.match(slug):
        fail(
            f"'{slug}' is not a valid slug: lowercase letters, digits and '-' "
            "(2-31 characters, starting with a letter)"
        )
    final = files.declaration_path(settings.tenants_dir, slug)
    if final.exists():
        fail(f"tenant '{slug}' is already declared ({final})")
    fields: dict[str, str | bool | list[str]] = {
        "slug": slug,
        "name": name,
        "country": country.upper(),
        "default_locale": locales[0],
        "locales": list(dict.fromkeys(locales)),
        "timezone": timezone,
        "plugins": list(dict.fromkeys(plugins)),
    }
    if database_url is not None:
        fields["database_url"] = database_url
    try:
        with files.staged(settings.tenants_dir, slug, files.render(fields), settings.data_dir) as (
            staged,
            decl,
        ):
            for plugin in decl.plugins:
                if plugin not in available_plugins():
                    fail(f"{final}: key 'plugins': plugin '{plugin}' is not installed")
            runtime = TenantRuntime(decl)
            acting_on(runtime)
            check_catalogs(runtime)
            try:
                verify_plugins([runtime])
            except PluginCheckFailed as exc:
                fail(str(exc))
            url = decl.database_url

            async def make() -> tuple[bool, MigrationReport]:
                existed = await target_exists(url)  # refuses a database that holds anything
                try:
                    return existed, await migrate_tenant(runtime)
                except BaseException:
                    await runtime.close()
                    await drop_target(url, existed)
                    raise

            try:
                existed, report = _run(runtime, make)
            except MoveError as exc:
                fail(f"tenant '{slug}': {exc}")
            except Exception as exc:
                fail(reason(exc, runtime))
            try:
                files.publish_new(staged, settings.tenants_dir)
            except FileExistsError:
                _run(runtime, lambda: drop_target(url, existed))
                fail(f"tenant '{slug}' was declared meanwhile ({final}): its new database was removed")
    except TenantConfigError as exc:
        where = f"{final}: key '{exc.key}'" if exc.key else str(final)
        fail(f"{where}: {exc.reason}")
    applied = ", ".join(f"{app}: {n}" for app, n in report.applied.items())
    click.echo(
        f"{slug}: declared in {final}, database {shown(url)} created and migrated [{applied}], "
        f"topics added: {report.topics_added}"
    )


@tenants.command("disable")
@click.argument("slug")
@click.pass_context
def tenants_disable(ctx: click.Context, slug: str) -> None:
    """Close a tenant: its pages and API answer 503, it leaves the root directory; data are kept."""
    _edit(ctx, slug, {"enabled": False})
    click.echo(f"{slug}: disabled (running processes answer 503 from their next reload, within seconds)")


@tenants.command("enable")
@click.argument("slug")
@click.pass_context
def tenants_enable(ctx: click.Context, slug: str) -> None:
    """Open a disabled tenant again."""
    _edit(ctx, slug, {"enabled": None})
    click.echo(f"{slug}: enabled")


def _drop_source(ctx: click.Context, slug: str) -> None:
    from core.db.failures import NOT_MIGRATED, classify
    from core.db.freeze import is_frozen
    from core.tenancy.moving import drop_copy, is_postgres, shown

    settings = _settings(ctx)
    runtime = _runtime(settings, slug)
    source = runtime.declaration.moved_from
    if not source:
        fail(f"tenant '{slug}' has no source copy left by a move")
    if source == runtime.declaration.database_url:
        fail(f"tenant '{slug}': moved_from is its own database: refused")

    async def frozen_or_gone() -> bool | None:
        """True: a frozen copy; False: a database that is not frozen; None: nothing there any more."""
        if not is_postgres(source) and not Path(source.removeprefix("sqlite:///")).exists():
            return None
        try:
            return await is_frozen(source)
        except Exception as exc:
            failure = classify(exc)
            if failure is not None and failure.kind == NOT_MIGRATED:  # no such database
                return None
            raise

    state = _run(runtime, frozen_or_gone)
    if state is False:
        fail(f"{shown(source)} is not frozen, so not a copy a move left behind: not dropped")
    if state:
        _run(runtime, lambda: drop_copy(source))
    files.replace(settings.tenants_dir, slug, settings.data_dir, {"moved_from": None})
    click.echo(f"{slug}: source copy {shown(source)} dropped")


@tenants.command("move")
@click.argument("slug")
@click.option("--to", "target", default=None, help="The new database: postgresql://... or sqlite:///PATH.")
@click.option("--drop-source", is_flag=True, help="Then delete the old copy (or alone: the one a move kept).")
@click.pass_context
def tenants_move(ctx: click.Context, slug: str, target: str | None, drop_source: bool) -> None:
    """Move a tenant's database to another server or engine: read-only during the copy, row counts
    and checksums compared, audit chain verified, then switched; the old copy is kept, frozen,
    until --drop-source."""
    from core.tenancy.moving import MoveError, move_tenant, shown

    if target is None:
        if not drop_source:
            fail("give --to DATABASE_URL (and/or --drop-source)")
        _drop_source(ctx, slug)
        return
    settings = _settings(ctx)
    runtime = _runtime(settings, slug)
    decl = runtime.declaration
    if decl.moved_from:
        fail(
            f"tenant '{slug}' still keeps the copy of its last move ({shown(decl.moved_from)}): "
            f"run pilot-crm tenants drop-source {slug} first"
        )
    source = decl.database_url

    async def switch() -> None:
        files.replace(
            settings.tenants_dir, slug, settings.data_dir, {"database_url": target, "moved_from": source}
        )

    click.echo(f"{slug}: moving {shown(source)} -> {shown(target)}")
    try:
        report = _run(
            runtime, lambda: move_tenant(runtime, target, switch, say=lambda line: click.echo(f"  {line}"))
        )
    except MoveError as exc:
        fail(f"tenant '{slug}': {exc}")
    click.echo(f"  {'table':<40} {'rows (source)':>14} {'rows (target)':>14}  checksums")
    for before, after in report.tables:
        same = "equal" if before == after else "DIFFERENT"
        click.echo(f"  {before.table:<40} {before.rows:>14} {after.rows:>14}  {same}")
    total = sum(seconds for _, seconds in report.phases)
    click.echo(
        f"{slug}: moved to {shown(target)} in {total:.2f} s, {len(report.tables)} tables, "
        f"{len(report.differences)} differences; the source is kept, frozen"
        + ("" if drop_source else f" (pilot-crm tenants drop-source {slug} deletes it)")
    )
    if drop_source:
        _drop_source(ctx, slug)


@tenants.command("drop-source")
@click.argument("slug")
@click.pass_context
def tenants_drop_source(ctx: click.Context, slug: str) -> None:
    """Delete the frozen copy a move left behind."""
    _drop_source(ctx, slug)


@tenants.command("unfreeze")
@click.argument("slug")
@click.pass_context
def tenants_unfreeze(ctx: click.Context, slug: str) -> None:
    """Make a tenant's database writable again after a move was killed before it could clean up
    (a move that fails on its own unfreezes the source itself)."""
    from core.db.freeze import is_frozen, unfreeze

    runtime = _runtime(_settings(ctx), slug)
    url = runtime.declaration.database_url

    async def thaw() -> bool:
        frozen = await is_frozen(url)
        if frozen:
            await unfreeze(url)
        return frozen

    if not _run(runtime, thaw):
        fail(f"tenant '{slug}': its database is not frozen")
    click.echo(f"{slug}: writable again")
