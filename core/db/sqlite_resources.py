"""What every SQLite connection of the process shares: a cap on how many are open at once, the
closing of idle ones, and a bounded wait when all are busy.

A process serving hundreds of SQLite tenants must not hold a connection open for each forever: each
holds file descriptors, and past the process's limit (often 1,024) accepting a request fails. So,
whatever the number of tenants:

* **connections**: at most ``PILOT_CRM_SQLITE_MAX_CONNECTIONS`` (default 256) open at once. When a
  new one is needed at the cap, the connection idle the longest (any tenant's) is closed for it;
  when none is idle, the query waits up to :data:`WAIT_SECONDS`, then raises DatabaseBusy (503).
  Reopening costs far more than a query (the file, its WAL, the schema parsed again), so the cap
  should exceed the tenants busy at once: 256 serves a load spread over 200 tenants at the speed of
  one (at 128, 0.61 of it: every request reopened a connection; see tests/bench/README.md). Each
  connection's page cache grows up to SQLite's default 2 MB with what it reads.
* **idle connections** close after ``PILOT_CRM_SQLITE_IDLE_SECONDS`` (default 60) unused.
* **file descriptors**: a connection holds two (the database and its ``-wal``), plus one ``-shm``
  per database file open in the process: at most 3 × the cap (768). At the first connection a soft
  ``RLIMIT_NOFILE`` too low for that plus :data:`RESERVED_DESCRIPTORS` (sockets and the rest) is
  raised, to 4,096 if the hard limit allows; if the hard limit is too low, the cap is lowered to
  fit and a warning says so.
* **threads**: the SQLite threads of :mod:`core.db.sqlite_connection` (``PILOT_CRM_SQLITE_THREADS``,
  default two per core, at least 4), whatever the number of connections.

Each connection is idle, in use or retired; every change happens under one lock, so a connection
is never handed to two callers, nor closed while in use. Usage is reported to
:mod:`core.db.usage` as one ``sqlite`` row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from typing import Any

from core.db.failures import DatabaseBusy
from core.db.sqlite_connection import EXECUTOR, SQLiteConnection, _env_int
from core.db.usage import ServerUsage, register_usage_source

log = logging.getLogger("pilot_crm.sqlite")

WAIT_SECONDS = 5.0
RESERVED_DESCRIPTORS = 512  # sockets, logs, templates, imports: everything but SQLite
RAISED_DESCRIPTOR_LIMIT = 4096
DESCRIPTORS_PER_CONNECTION = 3
IDLE, BUSY, RETIRED = "idle", "busy", "retired"


def fit_descriptor_limit(cap: int) -> int:
    """The cap that fits the process's descriptor limit, raising the soft limit if needed (as
    systemd advises programs that need more than 1,024 to do themselves)."""
    need = DESCRIPTORS_PER_CONNECTION * cap + RESERVED_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        wanted = max(need, RAISED_DESCRIPTOR_LIMIT)
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < need:
        fitted = max(4, (soft - RESERVED_DESCRIPTORS) // DESCRIPTORS_PER_CONNECTION)
        log.warning(
            "descriptor limit %d is too low for %d SQLite connections: using %d "
            "(raise LimitNOFILE / ulimit -n to %d or more)",
            soft,
            cap,
            fitted,
            need,
        )
        return fitted
    return cap


class ConnectionBudget:
    """The process's SQLite connections: how many are open and which are idle, least recently used
    first."""

    def __init__(self, cap: int, idle_seconds: float, wait_seconds: float = WAIT_SECONDS) -> None:
        self.cap = cap
        self.idle_seconds = idle_seconds
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._open = 0  # open, being opened, or being closed
        self._in_use = 0
        self._waiting = 0
        self._idle: OrderedDict[SQLiteConnection, float] = OrderedDict()  # → idle since
        self._wakers: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._sweep_loop: asyncio.AbstractEventLoop | None = None
        self._started = False

    # -- reporting -----------------------------------------------------------------------------

    def usage(self) -> list[ServerUsage]:
        with self._lock:
            return [ServerUsage("sqlite", self.cap, self._open, self._in_use, self._waiting)]

    def note_waiting(self, delta: int) -> None:
        """A caller starts (+1) or stops (-1) waiting for a tenant's connection."""
        with self._lock:
            self._waiting += delta

    # -- opening -------------------------------------------------------------------------------

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self.cap = fit_descriptor_limit(self.cap)
            register_usage_source(self.usage)

    async def open(self, connect_kwargs: dict[str, Any], owner: Any) -> SQLiteConnection:
        """A new connection, in use, for ``owner`` (told through ``owner.forget(conn)`` when the
        connection is retired while idle). Raises DatabaseBusy when none can be had in time."""
        self._start()
        victim = await self._reserve()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(EXECUTOR, self._replace, victim, connect_kwargs, owner)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            future.add_done_callback(self._abandoned)
            raise
        except BaseException:
            self._free_slot()
            raise

    @staticmethod
    def _replace(victim: SQLiteConnection | None, kwargs: dict[str, Any], owner: Any) -> SQLiteConnection:
        if victim is not None:
            victim.close_now()  # its slot is ours: the descriptors go before new ones come
        return SQLiteConnection(kwargs, owner)

    def _abandoned(self, future: asyncio.Future[SQLiteConnection]) -> None:
        """The caller of ``open`` was cancelled: close what it would have got."""
        if future.cancelled() or future.exception() is not None:
            self._free_slot()
        else:
            self.retire(future.result())

    async def _reserve(self) -> SQLiteConnection | None:
        """Take a slot under the cap; at the cap, the least recently used idle connection, retired
        (returned, for the caller to close before opening its own)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        while True:
            with self._lock:
                if self._open < self.cap:
                    self._open += 1
                    self._in_use += 1
                    return None
                if self._idle:
                    victim, _ = self._idle.popitem(last=False)
                    self._retire_locked(victim)
                    self._in_use += 1
                    return victim
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise DatabaseBusy(f"all {self.cap} SQLite connections of the process are in use", 2)
                waker: asyncio.Future[None] = loop.create_future()
                self._wakers.append((loop, waker))
                self._waiting += 1
            try:
                await asyncio.wait_for(waker, remaining)
            except TimeoutError:
                pass  # the loop raises DatabaseBusy, unless a slot came free meanwhile
            finally:
                with self._lock:
                    self._waiting -= 1
                    if (loop, waker) in self._wakers:
                        self._wakers.remove((loop, waker))

    def _free_slot(self) -> None:
        with self._lock:
            self._open -= 1
            self._in_use -= 1
        self._wake()

    def _wake(self) -> None:
        with self._lock:
            wakers, self._wakers = self._wakers, []
        for loop, waker in wakers:
            with contextlib.suppress(RuntimeError):  # its loop is closed
                loop.call_soon_threadsafe(_resolve, waker)

    # -- handing out and taking back -------------------------------------------------------------

    def take(self, conn: SQLiteConnection) -> bool:
        """Mark ``conn`` in use if it is idle; False if it is in use or retired."""
        with self._lock:
            if conn.state != IDLE:
                return False
            del self._idle[conn]
            conn.state = BUSY
            self._in_use += 1
            return True

    def give_back(self, conn: SQLiteConnection) -> None:
        """``conn`` is idle again (or closed, if it was left inside a transaction)."""
        if conn.state == BUSY and conn.in_transaction:
            self.retire(conn)  # a failed COMMIT or ROLLBACK: closing it rolls back
            return
        loop = asyncio.get_running_loop()
        with self._lock:
            if conn.state != BUSY:
                return  # retired while in use (its tenant's connections were closed)
            conn.state = IDLE
            self._in_use -= 1
            self._idle[conn] = time.monotonic()
            wake = bool(self._wakers)
            if self._sweep_loop is None or self._sweep_loop.is_closed() or not self._sweep_loop.is_running():
                self._sweep_loop = loop
                loop.call_later(self.idle_seconds, self._sweep)
        if wake:
            self._wake()

    def _retire_locked(self, conn: SQLiteConnection) -> None:
        conn.state = RETIRED
        if conn.owner is not None:
            conn.owner.forget(conn)

    def retire(self, conn: SQLiteConnection) -> Future[None] | None:
        """Close ``conn`` (after the call it may be running); None if it was already retired."""
        with self._lock:
            if conn.state == RETIRED:
                return None
            if conn.state == IDLE:
                del self._idle[conn]
            else:
                self._in_use -= 1
            self._retire_locked(conn)
        return EXECUTOR.submit(self._close, conn)

    async def discard(self, conn: SQLiteConnection) -> None:
        """Close ``conn`` and wait until it is closed."""
        closing = self.retire(conn)
        if closing is not None:
            await asyncio.wrap_future(closing)

    def _close(self, conn: SQLiteConnection) -> None:
        try:
            conn.close_now()
        except Exception:  # closing must free the slot whatever happens
            log.exception("closing a SQLite connection failed")
        finally:
            with self._lock:
                self._open -= 1
            self._wake()

    def _sweep(self) -> None:
        """Close the connections idle for ``idle_seconds``; come back when the next one will be."""
        now = time.monotonic()
        expired: list[SQLiteConnection] = []
        with self._lock:
            self._sweep_loop = None
            while self._idle:
                conn, since = next(iter(self._idle.items()))
                if now - since < self.idle_seconds:
                    self._sweep_loop = asyncio.get_running_loop()
                    self._sweep_loop.call_later(self.idle_seconds - (now - since) + 0.05, self._sweep)
                    break
                del self._idle[conn]
                self._retire_locked(conn)
                expired.append(conn)
        for conn in expired:
            EXECUTOR.submit(self._close, conn)


def _resolve(waker: asyncio.Future[None]) -> None:
    if not waker.done():
        waker.set_result(None)


RESOURCES = ConnectionBudget(
    cap=_env_int("PILOT_CRM_SQLITE_MAX_CONNECTIONS", 256, minimum=4),
    idle_seconds=float(_env_int("PILOT_CRM_SQLITE_IDLE_SECONDS", 60)),
)
