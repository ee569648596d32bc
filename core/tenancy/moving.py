"""Move a tenant's database to another server or engine: frozen, copied, proven equal, switched.

The phases, in order (``pilot-crm tenants move``):

1. **freeze** the source in the database itself (``core.db.freeze``): processes that have not yet
   reloaded the declaration cannot write either; their writes get 503 with Retry-After;
2. **create** the target (it must be empty) and give it the schema by the same migrations;
3. **copy** every table, rows with their own ids (``core.db.transfer``);
4. **statistics**: ANALYZE the target, so its plans fit its size (the comparison's reads first);
5. **compare** row counts and per-table checksums (the source's summed as its rows are copied, the
   target's read back from it); any difference refuses the switch;
6. **audit**: the audit chain must verify on the target;
7. **switch** the declaration's ``database_url`` (atomically, ``core.tenancy.files``), recording the
   frozen source as ``moved_from`` until ``tenants drop-source`` removes it.

Any failure before the switch drops the partial target and unfreezes the source: the tenant is
then exactly as before. :class:`MoveError` carries one line for the operator.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from piccolo.apps.migrations.tables import Migration
from piccolo.table import Table, sort_table_classes

from core.db import freeze, transfer
from core.db.failures import NotMigrated, classify, one_line
from core.db.migrate import apply_migrations, pending_migrations, tenant_apps
from core.db.postgres import drop_database, ensure_database, split_dsn
from core.db.statistics import refresh_statistics
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRuntime

URL_PREFIXES = ("sqlite:///", "postgres://", "postgresql://")
# How long a dropped source waits for the app processes to reload and close their connections.
RELEASE_WAIT_S = 30.0
SQLITE_RELEASE_S = 3.0


class MoveError(Exception):
    """A move that cannot go ahead or did not complete; the tenant is as it was before."""


@dataclass
class MoveReport:
    phases: list[tuple[str, float]] = field(default_factory=list)  # (phase, seconds)
    tables: list[tuple[transfer.TableSummary, transfer.TableSummary]] = field(default_factory=list)

    @property
    def differences(self) -> list[str]:
        return [source.table for source, target in self.tables if source != target]


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def shown(url: str) -> str:
    """A database URL without its password, for messages."""
    if not is_postgres(url) or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"


def moved_tables(tenant: TenantRuntime) -> list[type[Table]]:
    """Every table of the tenant's apps (core's and its plugins'), and Piccolo's record of the
    migrations that ran, parents before the tables that refer to them."""
    tables: dict[str, type[Table]] = {Migration._meta.tablename: Migration}
    for app in tenant_apps(tenant):
        for table in app.table_classes:
            tables.setdefault(table._meta.tablename, table)
    return sort_table_classes(list(tables.values()))


def check_url(url: str) -> None:
    if not url.startswith(URL_PREFIXES):
        raise MoveError(f"'{shown(url)}' is not a database URL (sqlite:///PATH or postgresql://...)")
    if is_postgres(url):
        try:
            split_dsn(url)
        except ValueError as exc:
            raise MoveError(str(exc)) from None


async def _pg_tables(url: str) -> list[str] | None:
    """The user tables of the PostgreSQL database at ``url``; None when the database does not exist."""
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        rows = await conn.fetch(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        return [f'"{r["schemaname"]}"."{r["tablename"]}"' for r in rows]
    finally:
        await conn.close()


async def target_exists(url: str) -> bool:
    """Whether the target database exists; MoveError if it is not empty or cannot be reached."""
    if is_postgres(url):
        try:
            tables = await _pg_tables(url)
        except (OSError, asyncpg.PostgresError) as exc:
            raise MoveError(f"cannot reach the target {shown(url)}: {one_line(exc)}") from None
        if tables:
            raise MoveError(f"the target database {shown(url)} is not empty ({len(tables)} tables): refused")
        return tables is not None
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists() and path.stat().st_size > 0:
        raise MoveError(f"the target file {path} already exists and is not empty: refused")
    return path.exists()


async def drop_target(url: str, existed: bool) -> None:
    """Remove what a failed move made at ``url``: the database it created, or the tables it made in
    an empty database that was there before."""
    if is_postgres(url):
        if not existed:
            await drop_database(url)
            return
        conn = await asyncpg.connect(url)
        try:
            for name in await _pg_tables(url) or []:
                await conn.execute(f"DROP TABLE IF EXISTS {name} CASCADE")
        finally:
            await conn.close()
        return
    remove_sqlite(url)


def remove_sqlite(url: str) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


async def _sessions_on(url: str) -> int:
    admin, name = split_dsn(url)
    conn = await asyncpg.connect(admin)
    try:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
        return int(await conn.fetchval(query, name))
    finally:
        await conn.close()


async def drop_copy(url: str, settle: float = RELEASE_WAIT_S) -> None:
    """Delete a database a move left behind (``tenants drop-source``), once the app processes have
    let go of it: they reload the declaration within seconds and close the old connections when
    their last request on them ends. PostgreSQL says when no session is left (waited for up to
    ``settle`` seconds, then the stragglers are cut off); a SQLite file gets a fixed pause."""
    if is_postgres(url):
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline and await _sessions_on(url):
            await asyncio.sleep(0.2)
        await drop_database(url)
    else:
        await asyncio.sleep(min(settle, SQLITE_RELEASE_S))
        remove_sqlite(url)


async def _copy(
    source: TenantRuntime, target: TenantRuntime, tables: list[type[Table]]
) -> list[transfer.TableSummary]:
    """Copy every table; the source's summaries, taken from the rows as they pass (the frozen
    source cannot change meanwhile, so they need no second read)."""
    summaries = []
    for table in tables:
        pk = table._meta.primary_key._meta.name
        summer = transfer.Summer(table)
        after = None
        while True:
            with tenant_context(source):
                rows = await transfer.read_batch(table, after)
            if not rows:
                break
            summer.add(rows)
            with tenant_context(target):
                await transfer.insert_exact(table, rows)
            after = rows[-1][pk]
        with tenant_context(target):
            await transfer.align_sequence(table)
        summaries.append(summer.summary())
    return summaries


async def _summaries(tenant: TenantRuntime, tables: list[type[Table]]) -> list[transfer.TableSummary]:
    with tenant_context(tenant):
        return [await transfer.table_summary(table) for table in tables]


async def _prepare_target(target: TenantRuntime, tables: list[type[Table]]) -> None:
    """The schema by the same migrations, then empty: every row comes from the source, the record
    of the migrations that ran included."""
    url = target.declaration.database_url
    if is_postgres(url):
        await ensure_database(url)
    else:
        target.declaration.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    with tenant_context(target):
        await apply_migrations(target)
        for table in reversed(tables):
            await transfer.empty(table)


async def move_tenant(
    tenant: TenantRuntime,
    target_url: str,
    switch: Callable[[], Awaitable[None]],
    say: Callable[[str], None] = lambda line: None,
) -> MoveReport:
    """Move ``tenant``'s database to ``target_url`` (see the module docstring); ``switch`` makes the
    target the tenant's database (the last phase). ``say`` hears of each phase as it ends."""
    source_url = tenant.declaration.database_url
    check_url(target_url)
    if target_url == source_url:
        raise MoveError(f"tenant '{tenant.slug}' already uses {shown(target_url)}")
    # An unusable source (never migrated, unreachable, damaged) raises as any command's database
    # does, for the CLI's one line naming the fix (core.cli.errors).
    if pending := await pending_migrations(tenant):
        raise NotMigrated(f"{pending} migrations not applied")
    existed = await target_exists(target_url)
    target = TenantRuntime(
        dataclasses.replace(tenant.declaration, database_url=target_url), tenant.plugin_overrides
    )
    tables = moved_tables(tenant)
    report = MoveReport()

    async def phase(name: str, work: Callable[[], Awaitable[object]]) -> object:
        started = time.perf_counter()
        result = await work()
        report.phases.append((name, time.perf_counter() - started))
        say(f"{name}: {report.phases[-1][1]:.2f} s")
        return result

    await phase("freeze", lambda: freeze.freeze(source_url, [t._meta.tablename for t in tables]))
    try:

        async def create() -> None:
            await _prepare_target(target, tables)

        await phase("create", create)
        sources: list[transfer.TableSummary] = []

        async def copy() -> None:
            sources.extend(await _copy(tenant, target, tables))

        await phase("copy", copy)

        async def statistics() -> None:
            with tenant_context(target):
                await refresh_statistics()

        await phase("statistics", statistics)

        async def compare() -> None:
            report.tables = list(zip(sources, await _summaries(target, tables), strict=True))

        await phase("compare", compare)
        if report.differences:
            raise MoveError(
                f"the copy differs from the source in {', '.join(report.differences)}: not switched"
            )

        async def audit() -> None:
            from core.audit.chain import verify_chain

            with tenant_context(target):
                chain = await verify_chain()
            if not chain.intact:
                raise MoveError(
                    f"the audit chain does not verify on the target (entry {chain.broken_id}): not switched"
                )

        await phase("audit", audit)
        await target.close()
        await phase("switch", switch)
    except BaseException as exc:
        await target.close()
        with contextlib.suppress(Exception):
            await drop_target(target_url, existed)
        with contextlib.suppress(Exception):
            await freeze.unfreeze(source_url)
        if isinstance(exc, MoveError | asyncio.CancelledError | KeyboardInterrupt):
            raise
        failure = classify(exc)
        detail = failure.detail if failure else f"{type(exc).__name__}: {one_line(exc)}"
        raise MoveError(f"move failed, the source is unchanged and writable again ({detail})") from exc
    return report
