"""A SQLite engine that keeps a few connections per tenant, within the process's bounds.

Piccolo's stock ``SQLiteEngine`` opens a new connection (and so a new thread, through aiosqlite) for
every query. Here each tenant gets one *writer* connection, guarded by an asyncio lock so there is only
ever one writer, and up to :data:`READERS` *reader* connections that WAL lets run alongside it and
alongside each other, opened when reads overlap, so one slow read does not hold up the others. Writes
run in ``BEGIN IMMEDIATE`` transactions so a second process waits on ``busy_timeout`` instead of
failing with "database is locked" at commit time.

Connections run on the process's few SQLite threads (:mod:`core.db.sqlite_connection`) and count
against its cap on open connections; idle ones close (:mod:`core.db.sqlite_resources`). So threads
and file descriptors stay bounded whatever the number of tenants: threads by
``PILOT_CRM_SQLITE_THREADS`` (two per core, at least 4), descriptors by 3 ×
``PILOT_CRM_SQLITE_MAX_CONNECTIONS`` (256).
A statement runs at most ``PILOT_CRM_STATEMENT_TIMEOUT_MS`` (:mod:`core.db.time_limit`).
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections import deque
from pathlib import Path
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from core.db.failures import DatabaseBusy
from core.db.sqlite_connection import BUSY_TIMEOUT_MS, PRAGMAS, SQLiteConnection, _env_int
from core.db.sqlite_resources import RESOURCES

__all__ = ["BUSY_TIMEOUT_MS", "PRAGMAS", "READERS", "PersistentSQLiteEngine", "PersistentSQLiteTransaction"]

#: Reader connections a tenant may have open at once (``PILOT_CRM_SQLITE_READERS``).
READERS = _env_int("PILOT_CRM_SQLITE_READERS", 3)


def _is_read(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    return head == "SELECT" or head == "PRAGMA"


class _TenantConnections:
    """One tenant's connections on one event loop (the writer's lock and the waiting readers belong
    to a loop; the CLI runs several in turn)."""

    def __init__(self, connect_kwargs: dict[str, Any]) -> None:
        self.loop = asyncio.get_running_loop()
        self.connect_kwargs = connect_kwargs
        self.write_lock = asyncio.Lock()
        self.writer: SQLiteConnection | None = None
        self.readers: list[SQLiteConnection] = []
        self._opening = 0
        self._waiting: deque[asyncio.Future[SQLiteConnection | None]] = deque()

    def forget(self, conn: SQLiteConnection) -> None:
        """Called by the budget, under its lock, when it retires one of these connections."""
        if self.writer is conn:
            self.writer = None
        elif conn in self.readers:
            self.readers.remove(conn)

    # -- readers -------------------------------------------------------------------------------

    async def reader(self) -> SQLiteConnection:
        while True:
            for conn in tuple(self.readers):
                if RESOURCES.take(conn):
                    return conn
            if len(self.readers) + self._opening < READERS:
                return await self._open_reader()
            handed = await self._wait_for_reader()
            if handed is not None:
                return handed

    async def _open_reader(self) -> SQLiteConnection:
        self._opening += 1
        try:
            conn = await RESOURCES.open(self.connect_kwargs, self)
        except BaseException:
            self._hand_over(None)  # a waiter counting on this reader tries again
            raise
        finally:
            self._opening -= 1
        self.readers.append(conn)
        return conn

    async def _wait_for_reader(self) -> SQLiteConnection | None:
        waiter: asyncio.Future[SQLiteConnection | None] = self.loop.create_future()
        self._waiting.append(waiter)
        RESOURCES.note_waiting(1)
        try:
            return await asyncio.wait_for(waiter, RESOURCES.wait_seconds)
        except TimeoutError:
            raise DatabaseBusy(f"the {READERS} readers of this database stayed busy", 2) from None
        except BaseException:
            if waiter.done() and not waiter.cancelled() and (conn := waiter.result()) is not None:
                self.release_reader(conn)  # handed over just as this caller went away
            raise
        finally:
            RESOURCES.note_waiting(-1)

    def _hand_over(self, conn: SQLiteConnection | None) -> bool:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def release_reader(self, conn: SQLiteConnection) -> None:
        if conn.state != "busy":  # retired while in use: a waiter may open another in its place
            self._hand_over(None)
        elif not self._hand_over(conn):
            RESOURCES.give_back(conn)

    # -- the writer (call holding write_lock) -------------------------------------------------

    async def checkout_writer(self) -> SQLiteConnection:
        conn = self.writer
        if conn is not None and RESOURCES.take(conn):
            return conn
        conn = await RESOURCES.open(self.connect_kwargs, self)
        self.writer = conn
        return conn

    async def close(self) -> None:
        connections = [c for c in (self.writer, *self.readers) if c is not None]
        self.writer, self.readers = None, []
        await asyncio.gather(*(RESOURCES.discard(conn) for conn in connections))
        self._hand_over(None)

    def close_soon(self) -> None:
        for conn in (self.writer, *self.readers):
            if conn is not None:
                RESOURCES.retire(conn)


class PersistentSQLiteEngine(SQLiteEngine):
    __slots__ = ("_state",)

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
        self._state: _TenantConnections | None = None

    # -- connections ---------------------------------------------------------------------------

    def _connections(self) -> _TenantConnections:
        loop = asyncio.get_running_loop()
        state = self._state
        if state is None or state.loop is not loop:
            if state is not None:
                state.close_soon()  # a finished event loop's
            state = self._state = _TenantConnections(self.connection_kwargs)
        return state

    async def get_connection(self) -> SQLiteConnection:  # type: ignore[override]  # Piccolo's batch()
        """A connection of its own, closed by its user (``await conn.close()``)."""
        return await RESOURCES.open(self.connection_kwargs, None)

    async def close(self) -> None:
        state, self._state = self._state, None
        if state is not None:
            await state.close()

    # -- queries -------------------------------------------------------------------------------

    async def _run(self, sql: str, args: list[Any] | None) -> list[dict]:
        tx = self.current_transaction.get()
        if tx is not None:
            return await tx.connection.fetch(sql, args)
        state = self._connections()
        if _is_read(sql):
            conn = await state.reader()
            try:
                return await conn.fetch(sql, args)
            finally:
                state.release_reader(conn)
        async with state.write_lock:
            conn = await state.checkout_writer()
            try:
                return await conn.fetch(sql, args)
            finally:
                RESOURCES.give_back(conn)

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
    """``BEGIN IMMEDIATE`` on the tenant's single writer connection, holding the writer lock. A
    transaction inside another joins it."""

    def __init__(self, engine: PersistentSQLiteEngine, allow_nested: bool = True) -> None:
        from piccolo.engine.exceptions import TransactionError

        self.engine = engine
        self._parent = engine.current_transaction.get()
        if self._parent is not None and not allow_nested:
            raise TransactionError("A transaction is already active - nested transactions aren't allowed.")

    async def __aenter__(self) -> PersistentSQLiteTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]
        self._state = self.engine._connections()
        await self._state.write_lock.acquire()
        try:
            self.connection = await self._state.checkout_writer()
            try:
                await self.connection.fetch("BEGIN IMMEDIATE")
            except BaseException:
                RESOURCES.give_back(self.connection)
                raise
        except BaseException:
            self._state.write_lock.release()
            raise
        self._token = self.engine.current_transaction.set(self)  # type: ignore[arg-type]
        return self

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        if self._parent is not None:
            return exc is None
        try:
            if exc is None:
                await self.connection.fetch("COMMIT")
            elif self.connection.in_transaction:  # an interrupted statement may have rolled it back
                await self.connection.fetch("ROLLBACK")
        finally:
            self.engine.current_transaction.reset(self._token)
            RESOURCES.give_back(self.connection)  # closed instead if a failed COMMIT left it open
            self._state.write_lock.release()
        return exc is None
