"""Fifty PostgreSQL tenants on two servers, each server under a budget of connections per process.

The fleet (``core.testing.fleet``) alternates its tenants over the machine's server and a second
local cluster; the app serves them in this process (ASGI, one event loop, as one worker does), and
``pg_stat_activity`` on each server counts the connections to the fleet's databases while the load
runs. Building fifty databases and dropping them costs seconds (PostgreSQL copies and checkpoints):
the module builds them once for its tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest

from core.db.budget import configure, current_limits
from core.db.usage import usage
from core.tenancy.registry import TenantRegistry
from core.testing.environment import PG_HOST, PG_PORT, PG_USER
from core.testing.fleet import Fleet, pg_fleet
from core.web.app import create_app

MAIN_SERVER = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}"
TENANTS = 50
BUDGET = 40


@pytest.fixture(scope="module")
def fleet(second_pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    with pg_fleet(tmp_path_factory.mktemp("fleet"), [MAIN_SERVER, second_pg_server], TENANTS) as built:
        yield built


@pytest.fixture
def pool_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set ``PILOT_CRM_PG_*`` for the app the test builds; the process's limits are restored after."""
    before = current_limits()

    def set_env(**values: object) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"PILOT_CRM_{name.upper()}", str(value))

    yield set_env
    configure(before)


@pytest.fixture(scope="module")
def registry(fleet: Fleet) -> TenantRegistry:
    """The fleet's tenants, loaded once: each test's app serves them in its own event loop, where
    their connections open and, when the app is done, close."""
    return fleet.registry()


@asynccontextmanager
async def serving(fleet: Fleet, registry: TenantRegistry):
    """The app for the fleet, in this event loop, and an HTTP client for it."""
    app = create_app(fleet.settings, registry)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, registry
    finally:
        await registry.close()


async def watch(fleet: Fleet, until: asyncio.Event, peaks: dict[str, int], ledger: dict[str, int]) -> None:
    """Record the highest count per server, from the servers and from this process's ledger."""
    monitors = {
        server: await asyncpg.connect(f"postgresql://{PG_USER}@{server}/postgres")
        for server in fleet.databases
    }
    try:
        while not until.is_set():
            for server, conn in monitors.items():
                count = await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY($1::text[])",
                    fleet.databases[server],
                )
                peaks[server] = max(peaks.get(server, 0), count)
            for row in usage():
                ledger[row.server] = max(ledger.get(row.server, 0), row.open)
            await asyncio.sleep(0.01)
    finally:
        for conn in monitors.values():
            await conn.close()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.05)
    return await check()


def test_fifty_tenants_on_two_servers_stay_within_the_budget(
    fleet: Fleet, registry: TenantRegistry, pool_env: Any
) -> None:
    """Two requests per tenant at once (a write and a read), more than the budget on each server:
    every request succeeds, neither server ever counts more than the budget, and the connections
    close once idle."""
    pool_env(pg_max_connections=BUDGET, pg_idle_seconds=0.3, pg_acquire_timeout=10)

    async def scenario() -> tuple[list[int], dict[str, int], dict[str, int], dict[str, int]]:
        statuses: list[int] = []
        peaks: dict[str, int] = {}
        ledger: dict[str, int] = {}
        async with serving(fleet, registry) as (client, _):

            async def request(slug: str, write: bool) -> None:
                path, headers = f"/t/{slug}/api/v1/organizations", fleet.headers(slug)
                if write:
                    body = {"name": f"Load org {slug}", "sector": "ngo"}
                    statuses.append((await client.post(path, json=body, headers=headers)).status_code)
                else:
                    statuses.append(
                        (await client.get(path, params={"limit": 5}, headers=headers)).status_code
                    )

            done = asyncio.Event()
            peaks.update(dict.fromkeys(fleet.databases, 0))
            watcher = asyncio.create_task(watch(fleet, done, peaks, ledger))
            await asyncio.sleep(0.05)
            await asyncio.gather(*(request(slug, write) for write in (True, False) for slug in fleet.slugs))
            done.set()
            await watcher
            after = await fleet.connections()
            closed = await eventually(lambda: _all_closed(fleet), 5)
        return statuses, peaks, ledger, after | {"closed": int(closed)}

    statuses, peaks, ledger, after = asyncio.run(scenario())
    assert sorted(set(statuses)) == [200, 201], statuses
    assert len(statuses) == 2 * TENANTS
    assert set(peaks) == set(fleet.databases) and all(0 < peak <= BUDGET for peak in peaks.values()), peaks
    # Each server had more work than its budget: the ledger reached it, and never passed it.
    assert all(ledger[server] == BUDGET for server in fleet.databases), ledger
    assert all(after[server] <= BUDGET for server in fleet.databases), after
    assert after["closed"], "connections stayed open after the idle time"


async def _all_closed(fleet: Fleet) -> bool:
    return not any((await fleet.connections()).values()) and all(
        row.open == 0 for row in usage() if row.server in fleet.databases
    )


async def hold(pool: Any, held: asyncio.Event, release: asyncio.Event) -> None:
    conn = await pool.acquire()
    held.set()
    try:
        await release.wait()
    finally:
        await pool.release(conn)


def test_a_spent_budget_takes_an_idle_connection_then_answers_503(
    fleet: Fleet, registry: TenantRegistry, pool_env: Any
) -> None:
    """With two connections per server: a third tenant closes another's idle connection to be
    served; when both are busy it waits its bounded time and gets a 503 with Retry-After, logged;
    the other server is not affected, and the tenant is served again once one is free."""
    pool_env(pg_max_connections=2, pg_acquire_timeout=0.3)
    first, second, third, elsewhere = fleet.slugs[0], fleet.slugs[2], fleet.slugs[4], fleet.slugs[1]

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with serving(fleet, registry) as (client, _):

            async def status(slug: str) -> int:
                path = f"/t/{slug}/api/v1/organizations"
                return (await client.get(path, params={"limit": 1}, headers=fleet.headers(slug))).status_code

            seen["idle"] = [await status(first), await status(second)]  # both keep an idle connection
            seen["taken"] = await status(third)  # takes one of them
            seen["count"] = await fleet.connections()
            # Two other requests hold both connections of the first server.
            releases = {slug: asyncio.Event() for slug in (first, second)}
            held = {slug: asyncio.Event() for slug in (first, second)}
            pools = {slug: registry.get(slug).engine.pool for slug in held}
            holders = [asyncio.create_task(hold(pools[s], held[s], releases[s])) for s in held]
            await asyncio.wait_for(asyncio.gather(*(event.wait() for event in held.values())), 5)
            headers = {**fleet.headers(third), "Accept-Language": "en"}
            busy = await client.get(f"/t/{third}/api/v1/organizations", headers=headers)
            seen["busy"] = (busy.status_code, busy.headers.get("retry-after"), busy.json().get("status"))
            seen["elsewhere"] = await status(elsewhere)
            releases[first].set()
            seen["again"] = await status(third)
            releases[second].set()
            await asyncio.gather(*holders)
        return seen

    logged: list[str] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("pilot_crm").addHandler(handler)
    try:
        seen = asyncio.run(scenario())
    finally:
        logging.getLogger("pilot_crm").removeHandler(handler)
    assert seen["idle"] == [200, 200] and seen["taken"] == 200
    main = f"{PG_HOST}:{PG_PORT}"
    assert seen["count"][main] <= 2, seen["count"]
    assert seen["busy"][0] == 503 and seen["busy"][2] == 503 and int(seen["busy"][1]) > 0, seen["busy"]
    assert seen["elsewhere"] == 200 and seen["again"] == 200
    assert any("database busy" in line and third in line for line in logged), logged


def test_a_statement_past_its_time_limit_answers_503(
    fleet: Fleet, registry: TenantRegistry, pool_env: Any
) -> None:
    """A query held up by a lock is cancelled at the statement time limit: 503 with Retry-After,
    and the tenant is served as soon as the lock goes."""
    pool_env(statement_timeout_ms=200)
    slug = fleet.slugs[6]

    async def scenario() -> tuple[int, str | None, int]:
        async with serving(fleet, registry) as (client, _):
            path = f"/t/{slug}/api/v1/organizations"
            headers = fleet.headers(slug)
            assert (await client.get(path, headers=headers)).status_code == 200
            locker = await asyncpg.connect(fleet.urls[slug])
            try:
                async with locker.transaction():
                    await locker.execute("LOCK TABLE crm_organization IN ACCESS EXCLUSIVE MODE")
                    blocked = await client.get(path, headers=headers)
            finally:
                await locker.close()
            after = await client.get(path, headers=headers)
            return blocked.status_code, blocked.headers.get("retry-after"), after.status_code

    status, retry_after, after = asyncio.run(scenario())
    assert status == 503 and retry_after is not None and after == 200
