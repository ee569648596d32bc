"""A tenant served through PgBouncer in transaction mode (``?pgbouncer=true`` in its database URL).

PgBouncer here gives the tenant two server connections, fewer than the app's client connections, so
consecutive transactions of one client connection run on different server connections: a driver
that kept prepared statements (asyncpg's cache) would fail. Concurrent reads, writes (each a
transaction with an advisory lock and an audit entry) and reads of what was written all succeed.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from core.db.postgres import split_dsn
from core.db.usage import usage
from core.settings import Settings
from core.tenancy.registry import TenantRegistry
from core.testing.environment import PG_HOST, PG_PORT, PG_USER, TenantSpec, TestEnvironment
from core.testing.pgbouncer import PgBouncerUnavailable, running_pgbouncer
from core.testing.pytest_plugin import require_backend
from core.web.app import create_app

SLUG = "pgb"


@pytest.fixture(scope="module", params=["postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    require_backend(request.param)
    return request.param


@pytest.fixture(scope="module")
def pilot_crm_tenants() -> list[TenantSpec]:
    return [TenantSpec(SLUG, default_locale="en", locales=("en",), timezone="UTC")]


@pytest.fixture(scope="module")
def pgbouncer_port(env: TestEnvironment) -> Iterator[int]:
    try:
        with running_pgbouncer(PG_HOST, PG_PORT, PG_USER) as port:
            yield port
    except PgBouncerUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no PgBouncer, and CI=true requires it: {exc}", pytrace=False)
        pytest.skip(f"no PgBouncer on this machine: {exc}")


@pytest.fixture(scope="module")
def bounced(env: TestEnvironment, pgbouncer_port: int) -> tuple[Settings, str]:
    """The env's tenant declared again, its database reached through PgBouncer."""
    _, name = split_dsn(env.databases[0])
    url = f"postgresql://{PG_USER}@127.0.0.1:{pgbouncer_port}/{name}?pgbouncer=true"
    tenants_dir = env.root / "bounced"
    tenants_dir.mkdir()
    declaration = (env.root / "tenants" / f"{SLUG}.toml").read_text(encoding="utf-8")
    lines = [line for line in declaration.splitlines() if not line.startswith("database_url")]
    (tenants_dir / f"{SLUG}.toml").write_text(
        "\n".join([*lines, f'database_url = "{url}"', ""]), encoding="utf-8"
    )
    return Settings.from_env(env.root / "var", tenants_dir), name


async def server_connections(name: str) -> int:
    conn = await asyncpg.connect(f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres")
    try:
        return await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name)
    finally:
        await conn.close()


def test_reads_writes_and_transactions_through_pgbouncer(
    env: TestEnvironment, bounced: tuple[Settings, str], pgbouncer_port: int
) -> None:
    settings, name = bounced
    headers = env.headers(SLUG, "coordinator")
    path = f"/t/{SLUG}/api/v1/organizations"

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {"statuses": [], "client_peak": 0, "server_peak": 0}
        registry = TenantRegistry.load(settings)
        app = create_app(settings, registry)
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client:

                async def write(n: int) -> Any:
                    body = {"name": f"Bounced org {n}", "sector": "ngo"}
                    response = await client.post(path, json=body, headers=headers)
                    seen["statuses"].append(response.status_code)
                    return response.json().get("id")

                async def read() -> None:
                    response = await client.get(path, params={"limit": 50}, headers=headers)
                    seen["statuses"].append(response.status_code)

                async def sample() -> None:
                    for row in usage():
                        if row.server == f"127.0.0.1:{pgbouncer_port}":
                            seen["client_peak"] = max(seen["client_peak"], row.open)
                    seen["server_peak"] = max(seen["server_peak"], await server_connections(name))

                ids: list[Any] = []
                for round_ in range(3):
                    results = await asyncio.gather(
                        *(write(10 * round_ + n) for n in range(4)), *(read() for _ in range(4)), sample()
                    )
                    ids += results[:4]
                    await sample()
                listed = await client.get(path, params={"limit": 50}, headers=headers)
                seen["listed"] = {row["id"] for row in listed.json()["items"]}
                seen["ids"] = set(ids)
                detail = await client.get(f"{path}/{ids[0]}", headers=headers)
                seen["detail"] = detail.status_code
        finally:
            await registry.close()
        return seen

    seen = asyncio.run(scenario())
    assert set(seen["statuses"]) <= {200, 201} and len(seen["statuses"]) == 24, seen["statuses"]
    assert seen["ids"] <= seen["listed"] and len(seen["ids"]) == 12 and seen["detail"] == 200
    # More client connections than server connections: transactions moved between them.
    assert seen["server_peak"] <= 2 < seen["client_peak"], seen
