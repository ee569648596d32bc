"""The process's SQLite connection budget (``core.db.sqlite_resources``) and the engine's time limit,
on throwaway database files: the cap recycles the least recently used idle connection, a caller
waits a bounded time when every connection is busy, idle connections close, and a statement past
its time limit inside a transaction rolls the transaction back and leaves the writer usable."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from piccolo.querystring import QueryString

from core.db.failures import DatabaseBusy
from core.db.sqlite import PersistentSQLiteEngine
from core.db.sqlite_resources import ConnectionBudget
from core.db.time_limit import statement_time_limit


class Owner:
    """Stands for a tenant's pool: remembers what the budget retired."""

    def __init__(self) -> None:
        self.forgotten: list[object] = []

    def forget(self, conn: object) -> None:
        self.forgotten.append(conn)


def kwargs(path: Path) -> dict:
    return {"database": str(path), "isolation_level": None}


def counts(budget: ConnectionBudget) -> tuple[int, int, int]:
    (row,) = budget.usage()
    return row.open, row.in_use, row.waiting


def test_the_cap_recycles_the_least_recently_used_idle_connection(tmp_path):
    budget, owner = ConnectionBudget(cap=2, idle_seconds=60, wait_seconds=0.2), Owner()

    async def scenario():
        first = await budget.open(kwargs(tmp_path / "a.db"), owner)
        second = await budget.open(kwargs(tmp_path / "b.db"), owner)
        budget.give_back(first)
        budget.give_back(second)
        assert budget.take(second)  # used again: now the first is the least recently used
        budget.give_back(second)
        third = await budget.open(kwargs(tmp_path / "c.db"), owner)
        assert owner.forgotten == [first] and first.state == "retired" and not budget.take(first)
        assert counts(budget) == (2, 1, 0)
        assert await third.fetch("SELECT 1 AS one") == [{"one": 1}]
        for conn in (second, third):
            await budget.discard(conn)
        assert counts(budget) == (0, 0, 0)

    asyncio.run(scenario())


def test_a_caller_waits_for_a_busy_connection_a_bounded_time(tmp_path):
    budget, owner = ConnectionBudget(cap=1, idle_seconds=60, wait_seconds=0.3), Owner()

    async def scenario():
        held = await budget.open(kwargs(tmp_path / "a.db"), owner)
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="in use"):
            await budget.open(kwargs(tmp_path / "b.db"), owner)
        assert 0.25 <= time.monotonic() - started < 2
        waiting = asyncio.create_task(budget.open(kwargs(tmp_path / "b.db"), owner))
        await asyncio.sleep(0.05)
        assert counts(budget) == (1, 1, 1)
        budget.give_back(held)  # idle now: the waiter gets its slot
        other = await waiting
        assert owner.forgotten == [held] and counts(budget) == (1, 1, 0)
        await budget.discard(other)

    asyncio.run(scenario())


def test_idle_connections_close(tmp_path):
    budget, owner = ConnectionBudget(cap=4, idle_seconds=0.2), Owner()

    async def scenario():
        conns = [await budget.open(kwargs(tmp_path / f"{i}.db"), owner) for i in range(3)]
        for conn in conns:
            budget.give_back(conn)
        assert counts(budget) == (3, 0, 0)
        await asyncio.sleep(0.5)
        assert counts(budget) == (0, 0, 0) and owner.forgotten == conns

    asyncio.run(scenario())


def test_a_statement_past_the_limit_in_a_transaction_rolls_it_back(tmp_path):
    engine = PersistentSQLiteEngine(tmp_path / "tx.db")
    endless = (  # counts forever: only the time limit stops it
        "SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)"
        " SELECT i FROM n)"
    )

    async def scenario():
        await engine.run_ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        with statement_time_limit(0.2), pytest.raises(DatabaseBusy, match="time limit of 200 ms"):
            async with engine.transaction():
                await engine.run_querystring(QueryString("INSERT INTO t (v) VALUES ({})", 1))
                await engine.run_querystring(QueryString(f"INSERT INTO t (v) {endless}"))
        async with engine.transaction():  # the writer is free and usable
            await engine.run_querystring(QueryString("INSERT INTO t (v) VALUES ({})", 2))
        rows = await engine.run_querystring(QueryString("SELECT v FROM t"))
        await engine.close()
        return rows

    assert asyncio.run(scenario()) == [{"v": 2}]
