"""Contract tests of the engines behind the routing engine, on SQLite and PostgreSQL: transactions
commit and roll back, concurrent writers don't lose updates or hit "database is locked", and the
SQLite engine keeps its connections open in WAL mode."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from core.db.sqlite import PersistentSQLiteEngine
from core.tenancy.context import tenant_context
from core.testing.environment import TenantSpec, build_environment
from core.topics.tables import Topic


def run_in(tenant, coro_fn):
    async def main():
        try:
            with tenant_context(tenant):
                return await coro_fn()
        finally:
            await tenant.close()

    return asyncio.run(main())


def test_transaction_commits_and_rolls_back(env):
    tenant = env.registry.get("alpha")

    async def scenario():
        async with Topic._meta.db.transaction():
            await Topic.insert(Topic(code="TX-COMMIT", category="national", label="c")).run()
        with pytest.raises(RuntimeError):
            async with Topic._meta.db.transaction():
                await Topic.insert(Topic(code="TX-ROLLBACK", category="national", label="r")).run()
                raise RuntimeError("boom")
        async with Topic._meta.db.transaction():  # noqa: SIM117 - nested on purpose: it joins the outer one
            async with Topic._meta.db.transaction():
                await Topic.insert(Topic(code="TX-NESTED", category="national", label="n")).run()
        return {r["code"] for r in await Topic.select(Topic.code).where(Topic.code.like("TX-%")).run()}

    assert run_in(tenant, scenario) == {"TX-COMMIT", "TX-NESTED"}


def test_concurrent_writers_lose_no_update(env):
    tenant = env.registry.get("alpha")

    async def scenario():
        await Topic.insert(Topic(code="TX-COUNTER", category="national", label="0", version=0)).run()

        async def bump():
            # Optimistic concurrency, as the services do: write only if nobody wrote in between.
            while True:
                row = await Topic.select(Topic.version).where(Topic.code == "TX-COUNTER").first().run()
                await asyncio.sleep(0)  # let the others interleave
                done = (
                    await Topic.update({Topic.version: row["version"] + 1})
                    .where((Topic.code == "TX-COUNTER") & (Topic.version == row["version"]))
                    .returning(Topic.id)
                    .run()
                )
                if done:
                    return

        await asyncio.gather(*(bump() for _ in range(40)))
        return (await Topic.select(Topic.version).where(Topic.code == "TX-COUNTER").first().run())["version"]

    assert run_in(tenant, scenario) == 40


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory):
    """SQLite-specific engine behaviour (the PostgreSQL engine pools through asyncpg instead)."""
    with build_environment(
        "sqlite", tmp_path_factory.mktemp("sqlite-only"), [TenantSpec("alpha")]
    ) as environment:
        yield environment


def test_sqlite_engine_keeps_connections_open_in_wal_mode(sqlite_env, monkeypatch):
    env = sqlite_env
    tenant = env.registry.get("alpha")
    assert isinstance(tenant.engine, PersistentSQLiteEngine)
    opened = []
    real_connect = sqlite3.connect

    def counting_connect(*args, **kwargs):
        opened.append(args or kwargs)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", counting_connect)

    async def scenario():
        for i in range(25):
            await Topic.select().limit(1).run()
            await Topic.update({Topic.label: f"x{i}"}).where(Topic.code == "TX-NOPE").run()
        mode = await Topic.raw("PRAGMA journal_mode").run()
        timeout = await Topic.raw("PRAGMA busy_timeout").run()
        return mode[0]["journal_mode"], timeout[0]["timeout"]

    mode, timeout = run_in(tenant, scenario)
    assert mode == "wal" and timeout >= 5000
    assert 1 <= len(opened) <= 2  # one writer, one reader, for 50+ queries one after the other


def test_two_sqlite_engines_on_one_file_wait_instead_of_failing(sqlite_env):
    """Two processes (here: two engines) writing the same tenant file: IMMEDIATE transactions and the
    busy timeout make the second wait for the first instead of raising "database is locked"."""
    env = sqlite_env
    tenant = env.registry.get("alpha")
    path = tenant.engine.connection_kwargs["database"]
    other = PersistentSQLiteEngine(path)

    async def scenario():
        await Topic.insert(Topic(code="TX-TWO", category="national", label="0", version=0)).run()

        async def bump(engine):
            async with engine.transaction():
                conn = engine.current_transaction.get().connection
                async with conn.execute("SELECT version FROM crm_topic WHERE code = 'TX-TWO'") as cur:
                    (version,) = (await cur.fetchone()).values()
                await asyncio.sleep(0.01)
                await conn.execute("UPDATE crm_topic SET version = ? WHERE code = 'TX-TWO'", [version + 1])

        await asyncio.gather(*(bump(e) for e in [tenant.engine, other] * 5))
        await other.close()
        return (await Topic.select(Topic.version).where(Topic.code == "TX-TWO").first().run())["version"]

    assert run_in(tenant, scenario) == 10


def test_prepared_query_returns_what_piccolo_returns_for_the_tenant_in_context(env):
    from core.db.prepared import Prepared
    from core.errors import NoTenantInContext

    def build(pattern, after):
        return (
            Topic.select(Topic.code, Topic.label)
            .where(Topic.code.like(pattern) & (Topic.id > after))
            .order_by(Topic.id)
        )

    prepared = Prepared(Topic, build, 2)

    async def scenario():
        for pattern, after in (("%C%", 0), ("T%", 3), ("%NONE%", 0)):
            assert await prepared.rows(pattern, after) == await build(pattern, after).run()
        return await prepared.rows("%", 0)

    alpha = run_in(env.registry.get("alpha"), scenario)
    beta = run_in(env.registry.get("beta"), scenario)
    assert {r["code"] for r in alpha} != {r["code"] for r in beta}  # each tenant's own topics
    with pytest.raises(NoTenantInContext):
        asyncio.run(prepared.rows("%", 0))
