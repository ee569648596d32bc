"""PostgreSQL connections opened on demand, closed when idle, and bounded per database server.

A server's ``max_connections`` is shared by every tenant on it and every app process, so what has to
be bounded is the count per server, not per tenant: with a pool per tenant, 200 tenants × pool ×
processes exceeds any server long before the server is busy. Here each process holds at most
``PoolLimits.per_server`` connections to one server (``host:port``) at all times, counting the ones
being opened and closed, and at most ``per_tenant`` to one tenant's database. A tenant that needs a
connection when its server's budget is spent closes another tenant's idle one and opens its own;
only when none is idle does it wait, at most ``acquire_timeout`` seconds, then the request gets
:class:`~core.db.failures.DatabaseBusy` (a 503 with Retry-After).

Why not asyncpg's ``Pool`` per tenant: it opens lazily and shrinks well, but it cannot hand back a
connection it holds idle on behalf of a busier tenant, which is what a shared budget needs. So
:class:`TenantPool` keeps asyncpg's connections itself, with the same acquire and release calls
Piccolo makes (``await pool.acquire()``, ``async with pool.acquire()``, ``await pool.release()``).
Released connections are not ``RESET ALL``: each belongs to one tenant's database, the code takes
only transaction-level locks and sets no session state, and an unfinished transaction closes the
connection instead.

The ledger lives per event loop (asyncpg connections belong to one loop): in an app process that is
the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import weakref
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg

from core.db.failures import DatabaseBusy
from core.db.usage import ServerUsage, register_usage_source

Connect = Callable[[], Awaitable[asyncpg.Connection]]
SETTLED_SECONDS = 0.5  # a busy tenant takes another's idle connection only once idle this long
FRESH_SECONDS = 0.1  # any tenant leaves one this recent to its own (its request's next query)
CLOSE_TIMEOUT = 2.0  # a graceful close waits for the server to drop the connection; then terminate


@dataclass(frozen=True, slots=True)
class PoolLimits:
    """The connection limits of this process, from ``PILOT_CRM_PG_*`` (see :meth:`from_env`)."""

    per_tenant: int = 5  # PILOT_CRM_PG_POOL_SIZE
    per_server: int = 20  # PILOT_CRM_PG_MAX_CONNECTIONS, per server (host:port) and process
    idle_seconds: float = 30.0  # PILOT_CRM_PG_IDLE_SECONDS: an idle connection closes after this
    acquire_timeout: float = 5.0  # PILOT_CRM_PG_ACQUIRE_TIMEOUT: longest wait for a connection
    statement_timeout_ms: int = 10_000  # PILOT_CRM_STATEMENT_TIMEOUT_MS; 0: no limit
    connect_timeout: float = 10.0

    @classmethod
    def from_env(cls) -> PoolLimits:
        """Read the limits; a value that is not a positive number raises ValueError naming it."""

        def number(name: str, default: float, kind: type = int, minimum: float = 1) -> Any:
            raw = os.environ.get(name) or str(default)
            try:
                value = kind(raw)
            except ValueError:
                value = None
            if value is None or value < minimum:
                raise ValueError(f"{name} must be a number of at least {minimum}, not {raw!r}")
            return value

        default = cls()
        return cls(
            per_tenant=number("PILOT_CRM_PG_POOL_SIZE", default.per_tenant),
            per_server=number("PILOT_CRM_PG_MAX_CONNECTIONS", default.per_server),
            idle_seconds=number("PILOT_CRM_PG_IDLE_SECONDS", default.idle_seconds, float, 0.01),
            acquire_timeout=number("PILOT_CRM_PG_ACQUIRE_TIMEOUT", default.acquire_timeout, float, 0),
            statement_timeout_ms=number(
                "PILOT_CRM_STATEMENT_TIMEOUT_MS", default.statement_timeout_ms, int, 0
            ),
        )


_limits: PoolLimits | None = None


def configure(limits: PoolLimits) -> None:
    """Set this process's limits (the app factory does, from its environment; the CLI lifts the
    statement time limit for migrations and bulk work). Open connections keep the statement limit
    they were opened with."""
    global _limits
    _limits = limits


def current_limits() -> PoolLimits:
    global _limits
    if _limits is None:
        _limits = PoolLimits.from_env()
    return _limits


async def close_quietly(conn: asyncpg.Connection) -> None:
    """Close ``conn`` and wait until the server has dropped it (so the server never counts it next
    to its replacement); terminate it when that takes too long or fails."""
    try:
        await conn.close(timeout=CLOSE_TIMEOUT)
    except Exception:
        conn.terminate()
    except asyncio.CancelledError:
        conn.terminate()
        raise


class ServerBudget:
    """The connections of one server in one event loop, across all its tenants' pools."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.open = 0  # open, being opened or being closed: what the server may count
        self.pools: weakref.WeakSet[TenantPool] = weakref.WeakSet()
        self._waiters: list[tuple[TenantPool, asyncio.Future[None]]] = []
        self._reaper: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    @property
    def in_use(self) -> int:
        return sum(len(pool.in_use) for pool in self.pools)

    def freed(self) -> None:
        """A connection is gone: its slot is free for anyone."""
        self.open -= 1
        self.wake()

    def wake(self, pool: TenantPool | None = None) -> None:
        """Wake ``pool``'s first waiter (an idle connection of its own appeared), or every waiter
        when ``pool`` has none or is None (a slot is free, or an idle connection may be taken)."""
        mine = [(p, f) for p, f in self._waiters if p is pool] if pool is not None else []
        for _, future in mine[:1] or self._waiters:
            if not future.done():
                future.set_result(None)

    async def wait(self, pool: TenantPool, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        entry = (pool, future)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(seconds):
                await future
        finally:
            self._waiters.remove(entry)

    def take_idle_elsewhere(self, thief: TenantPool) -> asyncpg.Connection | None:
        """Remove and return the oldest idle connection of another tenant, whose slot passes to
        ``thief``; None when no other tenant has one idle long enough. A connection released a
        moment ago (``FRESH_SECONDS``) is most likely wanted by the next query of the same request,
        and a tenant that already holds connections will get one of its own back soon
        (``SETTLED_SECONDS``): closing and opening one costs a new server process and cold catalog
        caches, tens of milliseconds, more than the wait."""
        oldest: TenantPool | None = None
        for pool in self.pools:
            if pool is not thief and pool.idle and (oldest is None or pool.idle[0][0] < oldest.idle[0][0]):
                oldest = pool
        if oldest is None:
            return None
        settled = SETTLED_SECONDS if thief.size else FRESH_SECONDS
        if asyncio.get_running_loop().time() - oldest.idle[0][0] < settled:
            return None
        return oldest.idle.pop(0)[1]

    def only_holder(self, task: asyncio.Task[Any] | None) -> bool:
        """Whether every connection of this server is held by ``task``: it would wait on itself."""
        holders = [holder for pool in self.pools for holder in pool.in_use.values()]
        return bool(holders) and all(holder is task for holder in holders) and self.open == len(holders)

    def keep_reaping(self) -> None:
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.get_running_loop().create_task(self._reap(), name=f"pg-idle-{self.server}")

    async def _reap(self) -> None:
        """Close connections idle longer than the limit, until none is open."""
        loop = asyncio.get_running_loop()
        while self.open > 0:
            idle_seconds = current_limits().idle_seconds
            await asyncio.sleep(min(max(idle_seconds / 4, 0.02), 5.0))
            cutoff = loop.time() - idle_seconds
            expired = []
            for pool in list(self.pools):
                while pool.idle and pool.idle[0][0] <= cutoff:
                    expired.append(pool.idle.pop(0)[1])
            for conn in expired:
                try:
                    await close_quietly(conn)
                finally:
                    self.freed()

    def stop(self) -> None:
        if self._reaper is not None and not self.pools and self.open == 0:
            self._reaper.cancel()
            self._reaper = None


_budgets: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, ServerBudget]] = (
    weakref.WeakKeyDictionary()
)


def server_budget(server: str) -> ServerBudget:
    """The budget of ``server`` in the running event loop."""
    servers = _budgets.setdefault(asyncio.get_running_loop(), {})
    if server not in servers:
        servers[server] = ServerBudget(server)
    return servers[server]


def _all_budgets() -> Iterator[ServerBudget]:
    """The budgets of the running event loops (a closed loop's connections are gone with it)."""
    for loop, servers in list(_budgets.items()):
        if loop.is_closed():
            del _budgets[loop]
        else:
            yield from servers.values()


def server_usage() -> list[ServerUsage]:
    """One row per server: what every event loop of this process holds there."""
    rows: dict[str, ServerUsage] = {}
    for budget in _all_budgets():
        row = rows.get(budget.server) or ServerUsage(budget.server, current_limits().per_server, 0, 0, 0)
        rows[budget.server] = ServerUsage(
            budget.server,
            row.budget,
            row.open + budget.open,
            row.in_use + budget.in_use,
            row.waiting + budget.waiting,
        )
    return list(rows.values())


register_usage_source(server_usage)


class TenantPool:
    """One tenant database's connections in one event loop, under its server's budget."""

    def __init__(self, budget: ServerBudget, connect: Connect, name: str) -> None:
        self.budget, self.connect, self.name = budget, connect, name
        self.idle: list[tuple[float, asyncpg.Connection]] = []  # (since, connection), oldest first
        self.in_use: dict[asyncpg.Connection, asyncio.Task[Any] | None] = {}  # connection → holder
        self.opening = 0
        self.closed = False
        budget.pools.add(self)

    @property
    def size(self) -> int:
        return len(self.idle) + len(self.in_use) + self.opening

    def acquire(self) -> _Acquire:
        return _Acquire(self)

    async def take(self) -> asyncpg.Connection:
        """A connection of this tenant: an idle one, a new one under the budget (closing another
        tenant's idle one when the budget is spent), else the first one freed within the wait."""
        limits = current_limits()
        loop = asyncio.get_running_loop()
        budget = self.budget
        deadline: float | None = None
        while True:
            while self.idle:
                conn = self.idle.pop()[1]  # the most recent: the oldest ones expire
                if conn.is_closed():
                    budget.freed()
                    continue
                self.in_use[conn] = asyncio.current_task()
                return conn
            if self.size < limits.per_tenant:
                if budget.open < limits.per_server:
                    budget.open += 1
                    return await self._open(None)
                victim = budget.take_idle_elsewhere(self)
                if victim is not None:
                    return await self._open(victim)
            if budget.only_holder(asyncio.current_task()):
                raise DatabaseBusy(
                    f"{self.name}: every connection to {budget.server} is held by this request"
                )
            deadline = deadline if deadline is not None else loop.time() + limits.acquire_timeout
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise DatabaseBusy(
                    f"{self.name}: no connection to {budget.server} within {limits.acquire_timeout:g} s"
                    f" ({budget.open} open of a budget of {limits.per_server})"
                )
            # Woken when a connection comes back or a slot frees; at the latest when an idle one
            # elsewhere may have settled enough to be taken.
            with contextlib.suppress(TimeoutError):
                await budget.wait(self, min(remaining, SETTLED_SECONDS if self.size else FRESH_SECONDS))

    async def _open(self, victim: asyncpg.Connection | None) -> asyncpg.Connection:
        """Open a connection in a slot already counted in the budget (closing ``victim``, another
        tenant's idle connection, first)."""
        self.opening += 1
        try:
            if victim is not None:
                await close_quietly(victim)
            conn = await self.connect()
        except BaseException:
            self.opening -= 1
            self.budget.freed()
            raise
        self.opening -= 1
        self.in_use[conn] = asyncio.current_task()
        self.budget.keep_reaping()
        return conn

    async def release(self, conn: asyncpg.Connection, *, timeout: float | None = None) -> None:
        """Give ``conn`` back: kept idle when it is clean, closed when it is broken, still in a
        transaction, or its pool has closed."""
        if self.in_use.pop(conn, _MISSING) is _MISSING:
            return
        keep = False
        try:
            with contextlib.suppress(Exception):
                protocol = conn._protocol  # what asyncpg's own pool checks: a cancelled query ending
                if protocol._is_cancelling():
                    await protocol._wait_for_cancellation(CLOSE_TIMEOUT)
            keep = not (conn.is_closed() or self.closed or conn.is_in_transaction())
            if not keep and not conn.is_closed():
                await close_quietly(conn)
        except BaseException:
            keep = False
            conn.terminate()
            raise
        finally:
            if keep:
                self.idle.append((asyncio.get_running_loop().time(), conn))
                self.budget.wake(self)
            else:
                self.budget.freed()

    async def close(self) -> None:
        """Close the idle connections now and the ones in use when they come back."""
        self.closed = True
        self.budget.pools.discard(self)
        idle, self.idle = self.idle, []
        for _, conn in idle:
            try:
                await close_quietly(conn)
            finally:
                self.budget.freed()
        self.budget.stop()


_MISSING: Any = object()


class _Acquire:
    """What ``pool.acquire()`` returns, like asyncpg's: awaited it gives a connection to release
    later, used with ``async with`` it releases it on the way out."""

    __slots__ = ("conn", "pool")

    def __init__(self, pool: TenantPool) -> None:
        self.pool = pool
        self.conn: asyncpg.Connection | None = None

    def __await__(self) -> Any:
        return self.pool.take().__await__()

    async def __aenter__(self) -> asyncpg.Connection:
        self.conn = await self.pool.take()
        return self.conn

    async def __aexit__(self, *exc: object) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            await self.pool.release(conn)
