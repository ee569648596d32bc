"""Per-database locks held until the caller's transaction ends, for the "read, decide, write" steps
that two app processes must not interleave (appending to the audit chain, claiming a member's
address).

On PostgreSQL a transaction-level advisory lock on ``key``: each tenant has its own database, so one
key is one lock per tenant. On SQLite nothing is needed: a write transaction is ``BEGIN IMMEDIATE`` on
the tenant's single writer connection, which already excludes every other writer, in this process
and in others.
"""

from __future__ import annotations

from piccolo.table import Table


async def transaction_lock(table: type[Table], key: int) -> None:
    """Take lock ``key`` in the tenant database ``table`` routes to; call inside a transaction."""
    if table._meta.db.engine_type == "postgres":
        await table.raw(f"SELECT pg_advisory_xact_lock({int(key)})").run()
