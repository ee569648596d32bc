"""Freeze a database: every write to the given tables fails, whoever sends it.

A tenant being copied to another server must not change under the copy, and the app processes that
serve it have not all heard of the move yet (they reload their declarations within a second or so,
but a request already running does not). So the database itself refuses writes: triggers on every
table abort any INSERT, UPDATE or DELETE with a message (SQLite ``RAISE(ABORT, ...)``) or a
SQLSTATE of our own (PostgreSQL) that :func:`is_frozen_error` recognises, and the web layer answers
503 with Retry-After. Reads go on as before.

The triggers are created in one transaction that first holds every table's lock against writers:
on PostgreSQL ``LOCK TABLE ... SHARE ROW EXCLUSIVE`` is granted only once the writers already
running on the tables have committed, so once :func:`freeze` returns no write is in flight and none
can start. On SQLite the transaction is ``BEGIN IMMEDIATE``, which waits for the single writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from urllib.parse import quote

import asyncpg

from core.db.failures import causes

MARK = "pilot_crm_frozen"
# A SQLSTATE of our own (five characters, digits and capitals; class "PC" is not PostgreSQL's).
FROZEN_SQLSTATE = "PCF01"
MESSAGE = f"{MARK}: this database is read-only while its tenant moves"
LOCK_WAIT_S = 30.0
SQLITE_BUSY_TIMEOUT_S = 30.0


def is_frozen_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from) is a write refused by a frozen database."""
    for candidate in causes(exc):
        if getattr(candidate, "sqlstate", None) == FROZEN_SQLSTATE:
            return True
        if isinstance(candidate, sqlite3.Error) and MARK in str(candidate):
            return True
    return False


@contextlib.asynccontextmanager
async def unless_frozen() -> AsyncIterator[None]:
    """Skip a write that only keeps a record fresh (a session's last sight, a token's last use) when
    the database is frozen, so reading a moving tenant still works."""
    try:
        yield
    except Exception as exc:
        if not is_frozen_error(exc):
            raise


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def _sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


# -- SQLite --------------------------------------------------------------------------------------


def _sqlite(url: str) -> sqlite3.Connection:
    """A connection to an existing database file (``mode=rw``: a missing one is an error, not
    created empty)."""
    target = f"file:{quote(str(_sqlite_file(url)))}?mode=rw"
    return sqlite3.connect(target, uri=True, timeout=SQLITE_BUSY_TIMEOUT_S, isolation_level=None)


def _sqlite_freeze(url: str, tables: list[str]) -> None:
    with contextlib.closing(_sqlite(url)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in tables:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    name = _quote(f"{MARK}_{table}_{operation.lower()}")
                    conn.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON {_quote(table)} "
                        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                    )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _sqlite_triggers(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?", (f"{MARK}_%",)
    )
    return [row[0] for row in rows]


def _sqlite_unfreeze(url: str) -> None:
    with contextlib.closing(_sqlite(url)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        for name in _sqlite_triggers(conn):
            conn.execute(f"DROP TRIGGER IF EXISTS {_quote(name)}")
        conn.execute("COMMIT")


def _sqlite_is_frozen(url: str) -> bool:
    with contextlib.closing(_sqlite(url)) as conn:
        return bool(_sqlite_triggers(conn))


# -- PostgreSQL ----------------------------------------------------------------------------------

_FUNCTION = f"""CREATE OR REPLACE FUNCTION {MARK}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '{FROZEN_SQLSTATE}'; END $$"""


async def _pg_freeze(url: str, tables: list[str]) -> None:
    """Take every table's lock at once or none (NOWAIT), retried until LOCK_WAIT_S: waiting for one
    table's lock while holding another's could deadlock with a writer that takes them the other way
    round (a contact, then its audit entry)."""
    conn = await asyncpg.connect(url)
    deadline = time.monotonic() + LOCK_WAIT_S
    names = ", ".join(_quote(table) for table in tables)
    try:
        while True:
            try:
                async with conn.transaction():
                    await conn.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE NOWAIT")
                    await conn.execute(_FUNCTION)
                    for table in tables:
                        await conn.execute(f"DROP TRIGGER IF EXISTS {MARK} ON {_quote(table)}")
                        await conn.execute(
                            f"CREATE TRIGGER {MARK} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
                            f"ON {_quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {MARK}()"
                        )
                return
            except asyncpg.LockNotAvailableError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)
    finally:
        await conn.close()


async def _pg_unfreeze(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            rows = await conn.fetch(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = $1",
                MARK,
            )
            for row in rows:
                await conn.execute(f"DROP TRIGGER IF EXISTS {MARK} ON {_quote(row['relname'])}")
            await conn.execute(f"DROP FUNCTION IF EXISTS {MARK}()")
    finally:
        await conn.close()


async def _pg_is_frozen(url: str) -> bool:
    conn = await asyncpg.connect(url)
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM pg_trigger WHERE tgname = $1", MARK))
    finally:
        await conn.close()


# -- either --------------------------------------------------------------------------------------


async def freeze(url: str, tables: Iterable[str]) -> None:
    """Make every write to ``tables`` of the database at ``url`` fail, in one transaction."""
    names = list(tables)
    if _is_postgres(url):
        await _pg_freeze(url, names)
    else:
        await asyncio.to_thread(_sqlite_freeze, url, names)


async def unfreeze(url: str) -> None:
    """Remove every freezing trigger from the database at ``url`` (nothing if there is none)."""
    if _is_postgres(url):
        await _pg_unfreeze(url)
    else:
        await asyncio.to_thread(_sqlite_unfreeze, url)


async def is_frozen(url: str) -> bool:
    if _is_postgres(url):
        return await _pg_is_frozen(url)
    return await asyncio.to_thread(_sqlite_is_frozen, url)
