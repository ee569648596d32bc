"""Refresh the database's statistics after a bulk write (import, restore, tenant move).

The planners choose indexes from their statistics; right after tens of thousands of rows arrive
they still describe the old, small tables (PostgreSQL's autovacuum catches up later, SQLite never
does by itself), and a list that should read 50 rows through an index scans the table instead.
"""

from __future__ import annotations

from core.db.routing import tenant_engine


async def refresh_statistics() -> None:
    """ANALYZE the tenant in context: every table, the same command on both engines."""
    await tenant_engine().run_ddl("ANALYZE")
