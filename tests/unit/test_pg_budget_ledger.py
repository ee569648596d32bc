"""The connection ledger (``core.db.budget``) with stand-in connections: the budget holds at all times,
under any interleaving of tenants' requests, and the PostgreSQL URL options are checked where they
are declared."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cli.main import cli
from core.db import budget as ledger
from core.db.budget import PoolLimits, TenantPool, configure, current_limits, server_budget
from core.db.failures import DatabaseBusy
from core.db.postgres import TenantPostgresEngine, server_of, split_pgbouncer
from core.tenancy.declaration import TenantConfigError, load_declaration


class FakeConnection:
    """What the ledger asks of an asyncpg connection; ``server`` counts the open ones."""

    def __init__(self, server: dict[str, int]) -> None:
        self.server, self.closed, self.in_transaction = server, False, False
        server["open"] += 1
        server["peak"] = max(server["peak"], server["open"])

    def is_closed(self) -> bool:
        return self.closed

    def is_in_transaction(self) -> bool:
        return self.in_transaction

    async def close(self, timeout: float | None = None) -> None:
        await asyncio.sleep(0)
        self.terminate()

    def terminate(self) -> None:
        if not self.closed:
            self.closed = True
            self.server["open"] -= 1


@pytest.fixture
def limits():
    before = current_limits()

    def set_limits(**values: float) -> PoolLimits:
        configure(PoolLimits(**values))  # type: ignore[arg-type]
        return current_limits()

    yield set_limits
    configure(before)


def pools(n: int, server: dict[str, int]) -> list[TenantPool]:
    async def connect() -> FakeConnection:
        await asyncio.sleep(0.001)  # a slot is counted while the connection is being opened
        return FakeConnection(server)

    budget = server_budget("db.example:5432")
    return [TenantPool(budget, connect, f"tenant{i}") for i in range(n)]  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    per_server=st.integers(1, 6),
    per_tenant=st.integers(1, 4),
    tenants=st.integers(1, 8),
    requests=st.lists(st.tuples(st.integers(0, 7), st.integers(1, 3)), min_size=1, max_size=40),
    seed=st.integers(0, 1000),
)
def test_the_server_never_counts_more_than_the_budget(
    limits, per_server, per_tenant, tenants, requests, seed
):
    limits(per_server=per_server, per_tenant=per_tenant, idle_seconds=0.01, acquire_timeout=5)
    server = {"open": 0, "peak": 0}
    rng = random.Random(seed)

    async def scenario() -> None:
        tenant_pools = pools(tenants, server)

        async def request(tenant: int, queries: int) -> None:
            pool = tenant_pools[tenant % tenants]
            for _ in range(queries):
                async with pool.acquire():
                    await asyncio.sleep(rng.random() / 500)

        await asyncio.gather(*(request(t, q) for t, q in requests))
        for pool in tenant_pools:
            await pool.close()

    asyncio.run(scenario())
    assert 0 < server["peak"] <= per_server
    assert server["open"] == 0


def test_idle_connections_close_and_a_full_budget_waits_then_gives_up(limits):
    limits(per_server=1, per_tenant=1, idle_seconds=0.05, acquire_timeout=0.1)
    server = {"open": 0, "peak": 0}

    async def scenario() -> tuple[int, int, bool, int, int]:
        first, second = pools(2, server)
        conn = await first.acquire()
        with pytest.raises(DatabaseBusy):  # held by this very task: no point waiting
            await second.acquire()
        held = asyncio.Event()

        async def holder() -> None:
            await held.wait()
            await first.release(conn)

        task = asyncio.create_task(holder())
        busy = False
        waiter = asyncio.create_task(second.take())  # another task: it waits, then gives up
        try:
            await waiter
        except DatabaseBusy:
            busy = True
        held.set()
        await task
        idle = server["open"]
        await asyncio.sleep(0.3)
        after = server["open"]
        async with second.acquire():  # the budget is free again: a new connection opens
            during = server["open"]
        usage = [row for row in ledger.server_usage() if row.server == "db.example:5432"]
        await first.close()
        await second.close()
        return idle, after, busy, during, usage[0].budget

    idle, after, busy, during, budget = asyncio.run(scenario())
    assert (idle, after, busy, during, budget) == (1, 0, True, 1, 1)


def test_a_connection_left_in_a_transaction_is_closed_not_reused(limits):
    limits(per_server=2, per_tenant=2)
    server = {"open": 0, "peak": 0}

    async def scenario() -> tuple[bool, int]:
        (pool,) = pools(1, server)
        conn = await pool.acquire()
        conn.in_transaction = True
        await pool.release(conn)
        again = await pool.acquire()
        await pool.release(again)
        await pool.close()
        return again is conn, server["open"]

    assert asyncio.run(scenario()) == (False, 0)


def test_a_connection_held_while_its_engine_closes_gives_its_slot_back(limits):
    """The registry may close a tenant's engine (a changed declaration, shutdown) while a request
    still holds one of its connections: releasing it later must free its place in the budget."""
    limits(per_server=1, per_tenant=1)
    server = {"open": 0, "peak": 0}
    engine = TenantPostgresEngine("postgresql://u@closing.example:5432/db")

    async def connect() -> FakeConnection:
        return FakeConnection(server)

    engine.get_new_connection = connect  # type: ignore[method-assign]

    async def scenario() -> tuple[int, int, int]:
        conn = await engine.pool.acquire()
        await engine.close()
        await engine.pool.release(conn)
        row = next(row for row in ledger.server_usage() if row.server == "closing.example:5432")
        async with engine.pool.acquire():  # a slot is free: the engine serves again
            during = server["open"]
        await engine.close()
        return row.open, during, server["open"]

    assert asyncio.run(scenario()) == (0, 1, 0)


@pytest.mark.parametrize(
    ("url", "stripped", "behind"),
    [
        ("postgresql://u@h:6432/db?pgbouncer=true", "postgresql://u@h:6432/db", True),
        ("postgresql://u@h/db?sslmode=require&pgbouncer=false", "postgresql://u@h/db?sslmode=require", False),
        ("postgresql://u@h/db", "postgresql://u@h/db", False),
    ],
)
def test_the_pgbouncer_flag_is_stripped_before_connecting(url, stripped, behind):
    assert split_pgbouncer(url) == (stripped, behind)


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("postgresql://u@h:6432/db", "h:6432"),
        ("postgresql://u@h/db", "h:5432"),
        ("postgres:///db", "localhost:5432"),
    ],
)
def test_a_server_is_its_host_and_port(url, server):
    assert server_of(url) == server


DECLARATION = """slug = "tst"
name = "Test"
country = "MEX"
default_locale = "es"
locales = ["es"]
timezone = "America/Mexico_City"
database_url = "{url}"
"""


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@h/db?pgbouncer=yes",
        "postgresql://u@h/db?pgbouncer=true&pgbouncer=false",
        "sqlite:///{data_dir}/tst.sqlite3?pgbouncer=true",
    ],
)
def test_a_bad_pgbouncer_flag_names_the_key(tmp_path: Path, url: str):
    path = tmp_path / "tst.toml"
    path.write_text(DECLARATION.format(url=url), encoding="utf-8")
    with pytest.raises(TenantConfigError) as raised:
        load_declaration(path, tmp_path)
    assert raised.value.key == "database_url" and "pgbouncer" in raised.value.reason


@pytest.mark.parametrize("value", ["0", "many", "-3"])
def test_a_bad_limit_stops_the_cli_with_one_line(tmp_path: Path, value: str):
    runner = CliRunner()
    env = {"PILOT_CRM_PG_MAX_CONNECTIONS": value, "PILOT_CRM_TENANTS_DIR": str(tmp_path)}
    result = runner.invoke(cli, ["tenants", "list"], env=env)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "PILOT_CRM_PG_MAX_CONNECTIONS" in lines[0], result.output
