"""Throttles count in the tenant's database (``crm_throttle``), on every backend: budgets per key
within a window, attempts given back, old rows pruned, keys stored only hashed, and concurrent
attempts (separate connections, as separate processes would use) never passing the budget.
The HTTP behaviour is asserted in test_pages_auth, test_account_lifecycle and test_processes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from core.accounts.tables import ThrottleCounter
from core.accounts.throttle import Throttle
from core.tenancy.context import tenant_context


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    now = [1_800_000_000]
    monkeypatch.setattr("core.accounts.throttle._now", lambda: now[0])
    return now


@pytest.fixture
def alpha(env) -> Iterator[None]:
    with tenant_context(env.registry.get("alpha")):
        yield


def _throttle(account: int = 3, address: int = 5) -> Throttle:
    return Throttle("test", 60, {"account": account, "address": address}, b"a secret key")


async def test_an_account_is_refused_after_its_budget_until_the_window_closes(env, alpha, clock):
    throttle = _throttle()
    for _ in range(3):
        assert await throttle.attempt(account="a@example.org", address="192.0.2.1")
    assert not await throttle.attempt(account="a@example.org", address="192.0.2.1")
    assert await throttle.attempt(account="b@example.org", address="192.0.2.1")  # the address has budget
    clock[0] += 61
    assert await throttle.attempt(account="a@example.org", address="192.0.2.1")


async def test_an_address_is_refused_after_its_larger_budget(env, alpha, clock):
    throttle = _throttle()
    for n in range(5):
        assert await throttle.attempt(account=f"user{n}@example.org", address="192.0.2.2")
    assert not await throttle.attempt(account="someone-else@example.org", address="192.0.2.2")
    assert await throttle.attempt(account="someone-else@example.org", address="192.0.2.3")


async def test_a_refused_attempt_costs_nothing_and_success_gives_back(env, alpha, clock):
    throttle = _throttle(account=2, address=3)
    assert await throttle.attempt(account="c@example.org", address="192.0.2.4")
    await throttle.succeeded(account="c@example.org", address="192.0.2.4")
    assert await throttle.attempt(account="c@example.org", address="192.0.2.4")
    assert await throttle.attempt(account="c@example.org", address="192.0.2.4")
    for _ in range(3):  # refused on the account: the address is not charged for them
        assert not await throttle.attempt(account="c@example.org", address="192.0.2.4")
    assert await throttle.attempt(account="d@example.org", address="192.0.2.4")
    await throttle.clear(account="c@example.org")
    assert await throttle.attempt(account="c@example.org", address="192.0.2.5")


async def test_keys_are_stored_hashed_and_closed_windows_are_pruned(env, alpha, clock):
    clock[0] += 3600  # past every window of the module's earlier tests: this attempt prunes them
    throttle = _throttle()
    await throttle.attempt(account="private@example.org", address="198.51.100.7")
    rows = await ThrottleCounter.select().run()
    assert len(rows) == 2 and all(len(row["bucket"]) == 64 for row in rows)
    assert not any("private" in row["bucket"] or "198.51" in row["bucket"] for row in rows)
    clock[0] += 61
    await throttle.attempt(account="later@example.org", address="198.51.100.8")
    remaining = await ThrottleCounter.select(ThrottleCounter.bucket).run()
    assert len(remaining) == 2 and not {row["bucket"] for row in rows} & {r["bucket"] for r in remaining}


async def test_concurrent_attempts_never_pass_the_budget(env, alpha):
    throttle = Throttle("race", 60, {"account": 5, "address": 1000}, b"a secret key")
    results = await asyncio.gather(
        *(throttle.attempt(account="victim@example.org", address=f"203.0.113.{n}") for n in range(24))
    )
    assert sum(results) == 5
