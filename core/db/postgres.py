"""PostgreSQL per tenant: one database per tenant, its connections opened on its first query, closed
when idle, and bounded per server across tenants (``core.db.budget``).

A tenant's ``database_url`` may end with ``?pgbouncer=true`` when it reaches its database through
PgBouncer in transaction mode: the engine strips it and turns asyncpg's statement cache off (a
server connection there serves other clients between transactions, so a statement prepared on it
may be gone or another's), and it does not send ``statement_timeout`` as a start-up parameter, which
PgBouncer refuses; the time limit is then set on the server (``deploy/RUNBOOK.md``).
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from core.db.budget import TenantPool, current_limits, server_budget
from core.db.failures import DatabaseBusy

PGBOUNCER_PARAMETER = "pgbouncer"
PGBOUNCER_VALUES = ("true", "false")


def split_pgbouncer(dsn: str) -> tuple[str, bool]:
    """``dsn`` without its ``pgbouncer`` query parameter, and whether that parameter said true."""
    parts = urlsplit(dsn)
    query = parse_qsl(parts.query, keep_blank_values=True)
    flag = [value for key, value in query if key == PGBOUNCER_PARAMETER]
    rest = [(key, value) for key, value in query if key != PGBOUNCER_PARAMETER]
    return urlunsplit(parts._replace(query=urlencode(rest))), bool(flag) and flag[-1] == "true"


def server_of(dsn: str) -> str:
    """``host:port`` of the server ``dsn`` reaches: the key of its connection budget."""
    parts = urlsplit(dsn)
    query = dict(parse_qsl(parts.query))
    host = parts.hostname or query.get("host") or "localhost"
    return f"{host}:{parts.port or query.get('port') or 5432}"


class _LazyPool:
    """Stands where Piccolo expects an asyncpg pool (``engine.pool``) and hands each call to the
    tenant's pool in the running event loop, made on its first use: nothing connects before a
    query needs it."""

    def __init__(self, engine: TenantPostgresEngine) -> None:
        self._engine = engine

    def acquire(self) -> Any:
        return self._engine.tenant_pool().acquire()

    async def release(self, conn: asyncpg.Connection, *, timeout: float | None = None) -> None:
        await self._engine.owner_of(conn).release(conn)

    async def close(self) -> None:
        await self._engine.close()

    def get_min_size(self) -> int:  # asyncpg's Pool API, for code that sizes a pool like this one
        return 0

    def get_max_size(self) -> int:
        return current_limits().per_tenant


class TenantPostgresEngine(PostgresEngine):
    def __init__(self, dsn: str) -> None:
        # Skip Engine.__init__: it connects synchronously to check the version, which must not happen
        # before `pilot-crm migrate` has created the database.
        url, self.behind_pgbouncer = split_pgbouncer(dsn)
        self.config: dict[str, Any] = {"dsn": url}
        self.server = server_of(url)
        self.extensions = ()
        self.log_queries = False
        self.log_responses = False
        self.extra_nodes = {}
        self.pool = _LazyPool(self)  # type: ignore[assignment]
        self.current_transaction = contextvars.ContextVar(f"pg_tx_{dsn}", default=None)
        self.engine_type = "postgres"
        self.min_version_number = 10
        self.query_id = 0
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, TenantPool] = (
            weakref.WeakKeyDictionary()
        )
        self._closing: set[TenantPool] = set()  # closed, with connections still to come back

    def tenant_pool(self) -> TenantPool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None or pool.closed:
            name = urlsplit(self.config["dsn"]).path.lstrip("/")
            pool = self._pools[loop] = TenantPool(server_budget(self.server), self.get_new_connection, name)
        return pool

    def owner_of(self, conn: asyncpg.Connection) -> TenantPool:
        """The pool ``conn`` came from: the current one, or one closed (the tenant's declaration
        changed, the app is stopping) while a request still held it, whose slot must come back."""
        for pool in list(self._closing):
            if conn in pool.in_use:
                if len(pool.in_use) == 1:
                    self._closing.discard(pool)
                return pool
        return self.tenant_pool()

    async def get_new_connection(self) -> asyncpg.Connection:
        """A connection with this process's statement time limit and plans made for each query's
        values; behind PgBouncer, which refuses both as start-up parameters, no statement cache
        instead (and so a plan for each query's values too).

        asyncpg prepares every statement, and after five runs PostgreSQL may switch a prepared
        statement to a generic plan, made without the values. For a search (``search_text LIKE
        $1``) that plan cannot know how few rows match, so it walks the list's sort index and
        filters every row: 92 ms for a word that matches nothing among 100,000 contacts, against
        0.06 ms through the trigram index with the plan for the actual word. Planning each run
        costs a fraction of a millisecond."""
        limits = current_limits()
        options: dict[str, Any] = {"timeout": limits.connect_timeout}
        if self.behind_pgbouncer:
            options["statement_cache_size"] = 0
        else:
            settings = {"plan_cache_mode": "force_custom_plan"}
            if limits.statement_timeout_ms:
                settings["statement_timeout"] = str(limits.statement_timeout_ms)
            options["server_settings"] = settings
        return await asyncpg.connect(self.config["dsn"], **options)

    async def start_connection_pool(self, **kwargs: Any) -> None:
        """Nothing to start: connections open on the first query."""

    async def close_connection_pool(self) -> None:
        await self.close()

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        try:
            return await super().run_querystring(querystring, in_pool=in_pool)
        except asyncpg.QueryCanceledError as exc:
            raise DatabaseBusy(f"{self.server}: statement cancelled: {exc}") from exc

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        try:
            return await super().run_ddl(ddl, in_pool=in_pool)
        except asyncpg.QueryCanceledError as exc:
            raise DatabaseBusy(f"{self.server}: statement cancelled: {exc}") from exc

    async def close(self) -> None:
        """Close this tenant's connections in the running event loop; forget those of closed loops."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for owner, pool in list(self._pools.items()):
            if owner is loop:
                await pool.close()
                if pool.in_use:
                    self._closing.add(pool)
            if owner is loop or owner.is_closed():
                del self._pools[owner]


def split_dsn(dsn: str) -> tuple[str, str]:
    """Return (maintenance DSN pointing at the `postgres` database, target database name)."""
    parts = urlsplit(split_pgbouncer(dsn)[0])
    name = parts.path.lstrip("/")
    if not name:
        raise ValueError(f"the PostgreSQL URL has no database name: {dsn}")
    return urlunsplit(parts._replace(path="/postgres")), name


async def ensure_database(dsn: str) -> bool:
    """Create the tenant's database if it is missing. Returns True when it was created."""
    admin_dsn, name = split_dsn(dsn)
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        quoted = '"' + name.replace('"', '""') + '"'
        await conn.execute(f"CREATE DATABASE {quoted}")
        return True
    finally:
        await conn.close()


async def copy_database(template_dsn: str, dsn: str, *, file_copy: bool = False) -> None:
    """Create the database of ``dsn`` as a copy of the one of ``template_dsn`` (which no session may
    be connected to meanwhile): PostgreSQL copies its files, much faster than replaying its DDL.
    ``file_copy`` copies the files themselves rather than through the WAL: slower to create, but the
    copy leaves no dirty pages for the checkpoint PostgreSQL 15 makes on every DROP DATABASE, so it
    suits many short-lived copies dropped together."""
    admin_dsn, name = split_dsn(dsn)
    _, template = split_dsn(template_dsn)
    conn = await asyncpg.connect(admin_dsn)
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        source = '"' + template.replace('"', '""') + '"'
        strategy = " STRATEGY FILE_COPY" if file_copy else ""
        await conn.execute(f"CREATE DATABASE {quoted} TEMPLATE {source}{strategy}")
    finally:
        await conn.close()


async def drop_database(dsn: str) -> None:
    admin_dsn, name = split_dsn(dsn)
    conn = await asyncpg.connect(admin_dsn)
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        await conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    finally:
        await conn.close()
