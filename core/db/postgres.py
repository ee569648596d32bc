"""PostgreSQL per tenant: one database per tenant, one asyncpg pool per tenant while the app runs."""

from __future__ import annotations

import contextvars
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from piccolo.engine.postgres import PostgresEngine


class TenantPostgresEngine(PostgresEngine):
    def __init__(self, dsn: str) -> None:
        # Skip Engine.__init__: it connects synchronously to check the version, which must not happen
        # before `pilot-crm migrate` has created the database.
        self.config: dict[str, Any] = {"dsn": dsn}
        self.extensions = ()
        self.log_queries = False
        self.log_responses = False
        self.extra_nodes = {}
        self.pool = None
        self.current_transaction = contextvars.ContextVar(f"pg_tx_{dsn}", default=None)
        self.engine_type = "postgres"
        self.min_version_number = 10
        self.query_id = 0

    async def close(self) -> None:
        if self.pool is not None:
            await self.close_connection_pool()


def split_dsn(dsn: str) -> tuple[str, str]:
    """Return (maintenance DSN pointing at the `postgres` database, target database name)."""
    parts = urlsplit(dsn)
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


async def copy_database(template_dsn: str, dsn: str) -> None:
    """Create the database of ``dsn`` as a copy of the one of ``template_dsn`` (which no session may
    be connected to meanwhile): PostgreSQL copies its files, much faster than replaying its DDL."""
    admin_dsn, name = split_dsn(dsn)
    _, template = split_dsn(template_dsn)
    conn = await asyncpg.connect(admin_dsn)
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        source = '"' + template.replace('"', '""') + '"'
        await conn.execute(f"CREATE DATABASE {quoted} TEMPLATE {source}")
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
