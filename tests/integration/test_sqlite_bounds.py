"""A process serving many SQLite tenants stays within its bounds (``core.db.sqlite_resources``):
threads and file descriptors do not grow with the tenants, a slow read does not hold up a tenant's
other reads, and a statement past its time limit or a process out of descriptors is answered 503
with Retry-After and logged, never a reset connection."""

from __future__ import annotations

import logging
import os
import resource
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from core.db.failures import DatabaseBusy
from core.db.sqlite_connection import THREADS
from core.db.sqlite_resources import DESCRIPTORS_PER_CONNECTION, RESOURCES
from core.db.time_limit import statement_time_limit
from core.settings import Settings
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from core.testing.environment import TenantSpec, build_environment
from core.testing.volume import insert_contacts
from core.topics.tables import Topic

TENANTS = 200
CONTACTS = 60
CAP = 100  # connections: fewer than the tenants, so serving them all recycles connections
# Counts forever: only a time limit stops it. A SELECT, so it goes to a reader.
ENDLESS_READ = (
    "SELECT (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n) AS c"
)


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd")) - 1  # less the one listdir holds


def slug(i: int) -> str:
    return f"t{i:03d}"


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """One migrated SQLite database with members, tokens and a page of contacts, and the token."""
    root = tmp_path_factory.mktemp("seed")
    with build_environment("sqlite", root, [TenantSpec("seed")]) as env:
        tenant = env.registry.get("seed")
        assert tenant is not None

        async def contacts() -> None:
            with tenant_context(tenant):
                await insert_contacts(CONTACTS, {})

        import asyncio

        asyncio.run(contacts())
        asyncio.run(env.registry.close())  # the last connection out checkpoints the WAL
        yield tenant.declaration.sqlite_path, env.tokens[("seed", "coordinator")]


@pytest.fixture(scope="module")
def many(
    seed: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, str]]:
    """The app serving TENANTS declared tenants, each a copy of the seed database (same token)."""
    from core.web.app import create_app

    database, token = seed
    root = tmp_path_factory.mktemp("many")
    tenants_dir, data_dir = root / "tenants", root / "var"
    tenants_dir.mkdir()
    data_dir.mkdir()
    for i in range(TENANTS):
        copy = data_dir / f"{slug(i)}.sqlite3"
        shutil.copyfile(database, copy)
        (tenants_dir / f"{slug(i)}.toml").write_text(
            TenantSpec(slug(i)).toml(f"sqlite:///{copy}"), encoding="utf-8"
        )
    registry = TenantRegistry.load(Settings.from_env(data_dir, tenants_dir))
    default_cap, RESOURCES.cap = RESOURCES.cap, CAP
    try:
        with TestClient(create_app(registry.settings, registry)) as client:
            yield client, token
    finally:
        RESOURCES.cap = default_cap


def list_contacts(client: TestClient, token: str, tenant: str, limit: int = 50):
    return client.get(
        f"/t/{tenant}/api/v1/contacts?limit={limit}", headers={"Authorization": f"Bearer {token}"}
    )


def test_200_tenants_serve_within_the_thread_and_descriptor_bounds(many):
    client, token = many
    threads_before, descriptors_before = threading.active_count(), open_descriptors()
    statuses = [list_contacts(client, token, slug(i), limit=5).status_code for i in range(TENANTS)]
    assert statuses == [200] * TENANTS
    # Documented bound (core.db.sqlite_resources): the SQLite threads, whatever the number of
    # tenants; 3 descriptors per connection under the process's cap on connections.
    assert threading.active_count() - threads_before <= THREADS
    assert open_descriptors() - descriptors_before <= DESCRIPTORS_PER_CONNECTION * RESOURCES.cap
    (usage,) = RESOURCES.usage()
    assert usage.open <= usage.budget == RESOURCES.cap < TENANTS  # so connections were recycled
    assert usage.in_use == 0 and usage.waiting == 0


def test_a_slow_read_does_not_hold_up_the_tenants_other_reads(many):
    client, token = many
    registry = client.app.state.registry
    tenant = registry.get(slug(1))

    async def endless_read() -> float:
        with tenant_context(tenant), statement_time_limit(1.5):
            started = time.monotonic()
            with pytest.raises(DatabaseBusy, match="time limit"):
                await Topic.raw(ENDLESS_READ).run()
            return time.monotonic() - started

    slow = client.blocking_portal.start_task_soon(endless_read)
    time.sleep(0.1)  # the slow read holds a reader
    for _ in range(3):
        response = list_contacts(client, token, slug(1))
        assert response.status_code == 200 and len(response.json()["items"]) == 50
    assert not slow.done()  # the list requests did not wait for it
    assert 1.4 <= slow.result(timeout=10) < 5  # stopped by its time limit


def test_a_statement_past_the_time_limit_is_answered_503(many, monkeypatch, caplog):
    client, token = many
    monkeypatch.setenv("PILOT_CRM_STATEMENT_TIMEOUT_MS", "0.001")  # any statement checked is past it
    with caplog.at_level(logging.ERROR, logger="pilot_crm"):
        response = list_contacts(client, token, slug(2))
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any("time limit" in record.getMessage() for record in caplog.records)
    monkeypatch.delenv("PILOT_CRM_STATEMENT_TIMEOUT_MS")
    assert list_contacts(client, token, slug(2)).status_code == 200  # the connection still serves


def test_running_out_of_descriptors_is_answered_503_and_logged(many, caplog):
    client, token = many
    # Every connection closed, so the next query opens one (rather than recycling an idle one's
    # descriptors at the cap) while the process is out of descriptors, as when sockets took them.
    client.blocking_portal.call(client.app.state.registry.close)
    lowest_free = os.open(os.devnull, os.O_RDONLY)
    os.close(lowest_free)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free, hard))  # no new descriptor from here
    try:
        with caplog.at_level(logging.ERROR, logger="pilot_crm"):
            response = list_contacts(client, token, slug(3))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert any("out of file descriptors" in record.getMessage() for record in caplog.records)
    assert list_contacts(client, token, slug(3)).status_code == 200
