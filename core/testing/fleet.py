"""Many PostgreSQL tenants spread over several servers, for the connection-budget tests and benchmark.

Migrating a database costs seconds; copying one costs a fraction of that (``CREATE DATABASE ...
TEMPLATE``), but only within a server. So each server gets one tenant migrated from scratch with a
coordinator and an API token, and every other tenant of that server is a copy of it: the same member
and token work in every tenant of a server, which is what a load spread over all of them needs.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from core.accounts.service import create_user, issue_token
from core.db.migrate import migrate_tenant
from core.db.postgres import copy_database, drop_database, server_of
from core.settings import Settings
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from core.testing.environment import PG_USER, TEST_PASSWORD, TenantSpec

ROLE = "coordinator"
PARALLEL = 25  # databases created or dropped at once (each takes a connection to its server)


@dataclass
class Fleet:
    """``count`` tenants (``slugs``) whose databases alternate over the servers given."""

    root: Path
    settings: Settings
    slugs: list[str]
    urls: dict[str, str]  # slug → database URL
    tokens: dict[str, str] = field(default_factory=dict)  # server → a coordinator's API token there
    databases: dict[str, list[str]] = field(default_factory=dict)  # server (host:port) → names

    def headers(self, slug: str) -> dict[str, str]:
        """Sign in as the coordinator of ``slug`` (every tenant of a server has the same one)."""
        return {"Authorization": f"Bearer {self.tokens[server_of(self.urls[slug])]}"}

    def registry(self) -> TenantRegistry:
        return TenantRegistry.load(self.settings)

    async def _per_server(self, sql: str) -> dict[str, int]:
        """``sql`` (one value, the fleet's database names as ``$1``) asked of each server."""
        found = {}
        for server, names in self.databases.items():
            conn = await asyncpg.connect(f"postgresql://{PG_USER}@{server}/postgres")
            try:
                found[server] = await conn.fetchval(sql, names)
            finally:
                await conn.close()
        return found

    async def connections(self) -> dict[str, int]:
        """Connections to the fleet's databases per server, as each server counts them."""
        return await self._per_server("SELECT count(*) FROM pg_stat_activity WHERE datname = ANY($1::text[])")

    async def sessions(self) -> int:
        """Connections ever opened to the fleet's databases (``pg_stat_database.sessions``)."""
        sql = "SELECT coalesce(sum(sessions), 0) FROM pg_stat_database WHERE datname = ANY($1::text[])"
        return sum((await self._per_server(sql)).values())


def _declare(root: Path, servers: Sequence[str], count: int, prefix: str) -> Fleet:
    tenants_dir = root / "tenants"
    tenants_dir.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(3)
    slugs = [f"{prefix}{i:03d}" for i in range(count)]
    urls = {slug: f"{servers[i % len(servers)]}/pilot_crm_fleet_{tag}_{slug}" for i, slug in enumerate(slugs)}
    for slug, url in urls.items():
        spec = TenantSpec(slug, default_locale="en", locales=("en",), timezone="UTC")
        (tenants_dir / f"{slug}.toml").write_text(spec.toml(url), encoding="utf-8")
    fleet = Fleet(root, Settings.from_env(root / "var", tenants_dir), slugs, urls)
    for url in urls.values():
        fleet.databases.setdefault(server_of(url), []).append(url.rsplit("/", 1)[1])
    return fleet


async def _populate(fleet: Fleet) -> None:
    registry = fleet.registry()
    seeds: dict[str, str] = {}  # server → the URL of its migrated tenant
    try:
        for slug in fleet.slugs:
            url = fleet.urls[slug]
            if server_of(url) in seeds:
                continue
            tenant = registry.get(slug)
            assert tenant is not None
            await migrate_tenant(tenant)
            with tenant_context(tenant):
                user = await create_user(f"{ROLE}@fleet.test", ROLE, TEST_PASSWORD, display_name=ROLE)
                fleet.tokens[server_of(url)] = await issue_token(user["id"], "fleet")
            seeds[server_of(url)] = url
    finally:
        await registry.close()  # a template must have no session

    gate = asyncio.Semaphore(PARALLEL)

    async def copy(url: str) -> None:
        async with gate:
            await copy_database(seeds[server_of(url)], url, file_copy=True)

    await asyncio.gather(*(copy(url) for url in fleet.urls.values() if url not in seeds.values()))


async def _drop(fleet: Fleet) -> None:
    """Drop concurrently: PostgreSQL 15 checkpoints for each DROP DATABASE, and drops that wait
    together share a checkpoint."""
    gate = asyncio.Semaphore(PARALLEL)

    async def drop(url: str) -> None:
        async with gate:
            await drop_database(url)

    await asyncio.gather(*(drop(url) for url in fleet.urls.values()))


@contextmanager
def pg_fleet(root: Path, servers: Sequence[str], count: int, prefix: str = "f") -> Iterator[Fleet]:
    """Declare and build ``count`` migrated tenants alternating over ``servers`` (DSN prefixes such as
    ``postgresql://postgres@127.0.0.1:5432``); drop their databases afterwards."""
    fleet = _declare(root, servers, count, prefix)
    try:
        asyncio.run(_populate(fleet))
        yield fleet
    finally:
        asyncio.run(_drop(fleet))
