"""One SQLite connection, run on the process's few shared SQLite threads.

aiosqlite gives every connection a thread of its own for as long as it is open: with a writer and a
reader per tenant, threads grew two per tenant (407 threads for 200 tenants). Here a ``sqlite3``
connection opened with ``check_same_thread=False`` is driven from a small shared pool of threads
(:data:`THREADS`), one call at a time (a lock per connection), so the number of threads does not
depend on the number of tenants. A query is one trip to a thread (execute, fetch every row, close
the cursor), where aiosqlite made three.

A statement running past its time limit (:mod:`core.db.time_limit`) is interrupted by a progress
handler. That, a lock still held by another writer after ``busy_timeout``, and a process out of file
descriptors raise :class:`~core.db.failures.DatabaseBusy` (the web layer answers 503 with Retry-After
and logs it), never a driver error answered 500 or a connection reset.

A transaction's connection keeps aiosqlite's surface for the code that drives it directly
(``core.db.bulk``): ``execute`` awaited or entered with ``async with``, cursors with ``fetchone``,
``fetchall``, ``fetchmany``, and ``executemany``.
"""

from __future__ import annotations

import asyncio
import errno
import math
import os
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from core.db.failures import DatabaseBusy
from core.db.time_limit import statement_timeout

T = TypeVar("T")


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    try:
        return max(minimum, int(os.environ.get(name) or default))
    except ValueError:
        return default


#: Threads running SQLite calls for every tenant of the process (``PILOT_CRM_SQLITE_THREADS``).
#: A thread is busy for one statement at a time, or while a writer waits for another process's
#: write lock (up to ``busy_timeout``); the statement time limit bounds how long one is held.
#: Two per core, at least four: a statement gives up the GIL for each row SQLite steps to and takes
#: it back to build the row, so threads beyond the cores only queue for it. Measured on 2 cores
#: (``tests/bench/bench_many_tenants.py``, 200 tenants): with 16 threads a load spread over every
#: tenant ran at 202 req/s against 331 on one tenant (0.61, more threads in the GIL's queue); with 4,
#: 287 against 310.
THREADS = _env_int("PILOT_CRM_SQLITE_THREADS", max(4, 2 * (os.cpu_count() or 1)))
EXECUTOR = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="sqlite")

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
# The progress handler runs every this many virtual machine steps (a few microseconds of work), so
# a statement overruns its limit by at most that much, and costs one clock reading per step batch.
PROGRESS_STEPS = 1_000

_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_OPEN_CODES = {sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR}


def out_of_descriptors() -> bool:
    """Whether the process can open no more files now (SQLite reports it as "unable to open
    database file" or a disk I/O error, without the errno)."""
    try:
        fd = os.open(os.devnull, os.O_RDONLY)
    except OSError as exc:
        return exc.errno in (errno.EMFILE, errno.ENFILE)
    os.close(fd)
    return False


def busy_reason(exc: BaseException, stopped: bool = False, limit: float | None = None) -> str | None:
    """Why ``exc`` means "the database cannot take this query now", or None if it does not."""
    if isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE):
        return "the process is out of file descriptors"
    if not isinstance(exc, sqlite3.Error):
        return None
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    message = str(exc)
    if stopped or code == sqlite3.SQLITE_INTERRUPT:
        shown = f" of {limit * 1000:.0f} ms" if limit else ""
        return f"a statement ran past its time limit{shown} and was stopped"
    if code in _BUSY_CODES or "database is locked" in message:
        return f"the database stayed locked by another writer for {BUSY_TIMEOUT_MS} ms"
    if (code in _OPEN_CODES or "unable to open" in message) and out_of_descriptors():
        return f"the process is out of file descriptors (SQLite: {message})"
    return None


Row = dict[str, Any]


def _dicts(description: Sequence[Sequence[Any]] | None, rows: Iterable[Sequence[Any]]) -> list[Row]:
    if description is None:
        return []
    names = [column[0] for column in description]
    return [dict(zip(names, row, strict=True)) for row in rows]


class SQLiteConnection:
    """A ``sqlite3`` connection with the app's pragmas, called through :data:`EXECUTOR`.

    ``state`` and ``owner`` belong to :mod:`core.db.sqlite_resources`, which tracks whether the
    connection is idle, in use or retired, and tells its owner (a tenant's pool) when it retires it.
    """

    __slots__ = ("_conn", "_deadline", "_lock", "_stopped", "owner", "state")

    def __init__(self, connect_kwargs: dict[str, Any], owner: Any = None) -> None:
        """Open the connection: blocking, so call it on a SQLite thread."""
        self.owner = owner
        self.state = "busy"
        self._lock = threading.Lock()
        self._deadline = math.inf
        self._stopped = False
        try:
            conn = sqlite3.connect(**connect_kwargs, check_same_thread=False)
        except sqlite3.Error as exc:
            if (reason := busy_reason(exc)) is not None:
                raise DatabaseBusy(reason) from exc
            raise
        try:
            for pragma in PRAGMAS:
                conn.execute(pragma)
        except BaseException as exc:
            conn.close()  # e.g. "file is not a database"
            if (reason := busy_reason(exc)) is not None:
                raise DatabaseBusy(reason) from exc
            raise
        conn.set_progress_handler(self._past_deadline, PROGRESS_STEPS)
        self._conn = conn

    # -- on a SQLite thread ------------------------------------------------------------------

    def _past_deadline(self) -> int:
        if time.monotonic() > self._deadline:
            self._stopped = True
            return 1  # SQLite stops the statement with SQLITE_INTERRUPT
        return 0

    def _guarded(self, limit: float | None, fn: Callable[..., T], *args: Any) -> T:
        with self._lock:
            self._stopped = False
            self._deadline = time.monotonic() + limit if limit else math.inf
            try:
                return fn(*args)
            except sqlite3.Error as exc:
                reason = busy_reason(exc, self._stopped, limit)
                if reason is None:
                    raise
                raise DatabaseBusy(reason) from exc
            finally:
                self._deadline = math.inf

    def _fetch(self, sql: str, args: Sequence[Any]) -> list[Row]:
        cursor = self._conn.execute(sql, args)
        try:
            return _dicts(cursor.description, cursor.fetchall())
        finally:
            cursor.close()

    def close_now(self) -> None:
        """Close, after any call in progress (blocking: on a SQLite thread, or at shutdown)."""
        with self._lock:
            self._conn.close()

    # -- on the event loop ---------------------------------------------------------------------

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(EXECUTOR, self._guarded, statement_timeout(), fn, *args)
        except RuntimeError as exc:  # no thread could be started (or the interpreter is exiting)
            raise DatabaseBusy(f"no SQLite thread available ({exc})") from exc
        try:
            return await future
        except asyncio.CancelledError:
            self._conn.interrupt()  # the caller is gone: do not let its statement hold the thread
            raise

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    async def fetch(self, sql: str, args: Sequence[Any] | None = None) -> list[Row]:
        """Run one statement; its rows as dicts (none for a statement without result)."""
        return await self._call(self._fetch, sql, args or ())

    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> _PendingCursor:
        return _PendingCursor(self, self._conn.execute, sql, parameters or ())

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> _PendingCursor:
        return _PendingCursor(self, self._conn.executemany, sql, parameters)

    async def close(self) -> None:
        """Give the connection up (Piccolo's ``batch`` closes the one it was given)."""
        from core.db.sqlite_resources import RESOURCES

        await RESOURCES.discard(self)


class Cursor:
    """aiosqlite's cursor surface over a ``sqlite3`` cursor; rows are dicts."""

    __slots__ = ("_connection", "_cursor")

    def __init__(self, connection: SQLiteConnection, cursor: sqlite3.Cursor) -> None:
        self._connection, self._cursor = connection, cursor

    def _one(self) -> Row | None:
        row = self._cursor.fetchone()
        return None if row is None else _dicts(self._cursor.description, [row])[0]

    def _many(self, size: int | None) -> list[Row]:
        rows = self._cursor.fetchall() if size is None else self._cursor.fetchmany(size)
        return _dicts(self._cursor.description, rows)

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    async def fetchone(self) -> Row | None:
        return await self._connection._call(self._one)

    async def fetchall(self) -> list[Row]:
        return await self._connection._call(self._many, None)

    async def fetchmany(self, size: int = 100) -> list[Row]:
        return await self._connection._call(self._many, size)

    async def close(self) -> None:
        await self._connection._call(self._cursor.close)

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class _PendingCursor:
    """What ``execute`` returns, as in aiosqlite: awaited, the cursor; entered with ``async with``,
    the cursor, closed on the way out. Nothing runs until then."""

    __slots__ = ("_args", "_connection", "_cursor", "_method")

    def __init__(self, connection: SQLiteConnection, method: Callable[..., Any], *args: Any) -> None:
        self._connection, self._method, self._args = connection, method, args
        self._cursor: Cursor | None = None

    async def _start(self) -> Cursor:
        raw = await self._connection._call(self._method, *self._args)
        return Cursor(self._connection, raw)

    def __await__(self):  # type: ignore[no-untyped-def]
        return self._start().__await__()

    async def __aenter__(self) -> Cursor:
        self._cursor = await self._start()
        return self._cursor

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._cursor is not None
        await self._cursor.close()


def run_on_sqlite_thread(fn: Callable[..., T], *args: Any) -> Awaitable[T]:
    """``fn(*args)`` on one of the SQLite threads (opening and closing connections)."""
    return asyncio.get_running_loop().run_in_executor(EXECUTOR, fn, *args)
