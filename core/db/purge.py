"""Make sure overwritten personal data do not survive in the tenant database's files.

SQLite: tenant connections run with ``secure_delete`` (``core.db.sqlite``), so the space an erased
value leaves is zeroed; the change first lands in the write-ahead log, which a ``TRUNCATE``
checkpoint copies into the database file and empties.

PostgreSQL: an UPDATE leaves the old row version in the table until VACUUM reclaims it. ``VACUUM``
(not ``FULL``, which would lock the tables for everyone) runs outside any transaction, on the tables
the erasure touched. The server's WAL segments and base backups keep old versions until they are
recycled or expire: see deploy/RUNBOOK.md.
"""

from __future__ import annotations

from typing import Any


async def purge_overwritten(tables: list[type[Any]]) -> None:
    """Call after the erasure's transaction has committed (VACUUM refuses to run inside one)."""
    engine = tables[0]._meta.db
    if engine.engine_type == "sqlite":
        await tables[0].raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
    elif engine.engine_type == "postgres":
        for table in tables:
            await table.raw(f'VACUUM "{table._meta.tablename}"').run()
