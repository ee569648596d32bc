"""A SQLite engine that keeps its connections open.

Piccolo's stock ``SQLiteEngine`` opens a new connection (and so a new thread, through aiosqlite) for
every query. Here each tenant gets one *writer* connection, guarded by an asyncio lock so there is only
ever one writer, and one *reader* connection that WAL lets run alongside it. Writes run in
``BEGIN IMMEDIATE`` transactions so a second process waits on ``busy_timeout`` instead of failing with
"database is locked" at commit time.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.querystring import QueryString

BUSY_TIMEOUT_MS = 10_000
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    # Zero the space freed by a delete or an overwrite, so erased personal data do not linger in the
    # file's free pages (see core.db.purge).
    "PRAGMA secure_delete = ON",
)


def _is_read(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    return head == "SELECT" or head == "PRAGMA"


class _LoopState:
    """Connections and the writer lock belong to one event loop (the CLI runs several in turn)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.lock = asyncio.Lock()
        self.writer: aiosqlite.Connection | None = None
        self.reader: aiosqlite.Connection | None = None

    def close_sync(self) -> None:
        for conn in (self.writer, self.reader):
            if conn is not None:
                conn.stop()


class PersistentSQLiteEngine(SQLiteEngine):
    __slots__ = ("_open_lock", "_state")

    def __init__(self, path: str | Path) -> None:
        # Engine.__init__ would run a blocking version check; we set the same attributes ourselves.
        self.log_queries = False
        self.log_responses = False
        self.connection_kwargs = {
            "database": str(path),
            "detect_types": sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
            "isolation_level": None,
            "timeout": BUSY_TIMEOUT_MS / 1000,
        }
        self.current_transaction = contextvars.ContextVar(f"sqlite_tx_{path}", default=None)
        self.engine_type = "sqlite"
        self.min_version_number = 3.25
        self.query_id = 0
        self._state: _LoopState | None = None

    # -- connections ---------------------------------------------------------------------------

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(**self.connection_kwargs)
        conn.row_factory = dict_factory  # type: ignore[assignment]
        try:
            for pragma in PRAGMAS:
                await conn.execute(pragma)
        except BaseException:
            # e.g. "file is not a database": close it, or its thread keeps the process from exiting
            await conn.close()
            raise
        return conn

    def _loop_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        if self._state is None or self._state.loop is not loop:
            if self._state is not None:
                self._state.close_sync()
            self._state = _LoopState()
        return self._state

    async def writer(self) -> tuple[aiosqlite.Connection, asyncio.Lock]:
        state = self._loop_state()
        if state.writer is None:
            state.writer = await self._open()
        return state.writer, state.lock

    async def reader(self) -> aiosqlite.Connection:
        state = self._loop_state()
        if state.reader is None:
            state.reader = await self._open()
        return state.reader

    async def get_connection(self) -> aiosqlite.Connection:  # used by Piccolo's batch()
        return await self._open()

    async def close(self) -> None:
        if self._state is not None:
            for conn in (self._state.writer, self._state.reader):
                if conn is not None:
                    await conn.close()
            self._state = None

    # -- queries -------------------------------------------------------------------------------

    @staticmethod
    async def _execute(conn: aiosqlite.Connection, sql: str, args: list[Any] | None) -> list[dict]:
        async with conn.execute(sql, args or []) as cursor:
            return [dict(row) for row in await cursor.fetchall()]

    async def _run(self, sql: str, args: list[Any] | None) -> list[dict]:
        tx = self.current_transaction.get()
        if tx is not None:
            return await self._execute(tx.connection, sql, args)
        if _is_read(sql):
            return await self._execute(await self.reader(), sql, args)
        conn, lock = await self.writer()
        async with lock:
            return await self._execute(conn, sql, args)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        return await self._run(sql, args)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        return await self._run(ddl, None)

    def transaction(  # type: ignore[override]
        self, transaction_type: TransactionType = TransactionType.immediate, allow_nested: bool = True
    ) -> PersistentSQLiteTransaction:
        return PersistentSQLiteTransaction(self, allow_nested=allow_nested)


class PersistentSQLiteTransaction:
    """``BEGIN IMMEDIATE`` on the tenant's single writer connection, holding the writer lock."""

    def __init__(self, engine: PersistentSQLiteEngine, allow_nested: bool = True) -> None:
        from piccolo.engine.exceptions import TransactionError

        self.engine = engine
        self._parent = engine.current_transaction.get()
        if self._parent is not None and not allow_nested:
            raise TransactionError("A transaction is already active - nested transactions aren't allowed.")
        self._lock: asyncio.Lock | None = None
        self._savepoint_id = 0

    async def __aenter__(self) -> PersistentSQLiteTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]
        self.connection, self._lock = await self.engine.writer()
        await self._lock.acquire()
        try:
            await self.connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        self._token = self.engine.current_transaction.set(self)  # type: ignore[arg-type]
        return self

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        if self._parent is not None:
            return exc is None
        try:
            await self.connection.execute("ROLLBACK" if exc is not None else "COMMIT")
        finally:
            self.engine.current_transaction.reset(self._token)
            assert self._lock is not None
            self._lock.release()
        return exc is None
