"""Build throwaway tenants (declaration files, databases, members, tokens) for tests."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from core.accounts.roles import ROLES
from core.accounts.service import create_user, issue_token
from core.db.migrate import migrate_tenant
from core.db.postgres import drop_database
from core.settings import Settings
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from core.testing.templates import copy_migrated

T = TypeVar("T")

PG_HOST = os.environ.get("PILOT_CRM_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("PILOT_CRM_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("PILOT_CRM_TEST_PG_USER", "postgres")
TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            return True
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class TenantSpec:
    """One tenant of a test environment, as its declaration file says it: ``slug``, ISO 3166-1
    alpha-3 ``country``, the languages it offers (``default_locale`` among ``locales``), IANA
    ``timezone``, the ``plugins`` it enables, its display ``name`` (default "Test tenant SLUG") and
    who confirms joint actions (``confirmations``, undeclared by default: by side)."""

    slug: str
    country: str = "MEX"
    default_locale: str = "es"
    locales: tuple[str, ...] = ("es", "en")
    timezone: str = "America/Mexico_City"
    plugins: tuple[str, ...] = ()
    name: str = ""
    confirmations: str = ""  # the declaration's ``confirmations`` key; empty: not declared

    def toml(self, database_url: str | None) -> str:
        """The declaration file (``tenants/<slug>.toml``); ``database_url`` None means SQLite."""

        def string(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string

        def strings(values: tuple[str, ...]) -> str:
            return "[" + ", ".join(string(value) for value in values) + "]"

        lines = [
            f"slug = {string(self.slug)}",
            f"name = {string(self.name or f'Test tenant {self.slug}')}",
            f"country = {string(self.country)}",
            f"default_locale = {string(self.default_locale)}",
            f"locales = {strings(self.locales)}",
            f"timezone = {string(self.timezone)}",
            f"plugins = {strings(self.plugins)}",
        ]
        if self.confirmations:
            lines.append(f"confirmations = {string(self.confirmations)}")
        if database_url:
            lines.append(f"database_url = {string(database_url)}")
        return "\n".join(lines) + "\n"


@dataclass
class TestEnvironment:
    """Tenants of one backend, with one member and one API token per role in each tenant."""

    __test__ = False

    backend: str
    root: Path
    registry: TenantRegistry
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    users: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)

    def headers(self, slug: str, role: str, locale: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[(slug, role)]}"}
        if locale:
            headers["Accept-Language"] = locale
        return headers

    def email(self, slug: str, role: str) -> str:
        return f"{role}@{slug}.test"

    def run(self, client: Any, slug: str, call: Any) -> Any:
        """Await ``call()`` inside tenant ``slug``, on the event loop of the app's test ``client``
        (a plugin's tests write rows its public forms would write, then drive the rest over HTTP)."""

        tenant = self.registry.get(slug)
        assert tenant is not None, slug

        async def in_tenant() -> Any:
            with tenant_context(tenant):
                return await call()

        return client.blocking_portal.call(in_tenant)


def _pg_url(name: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


@contextmanager
def build_environment(backend: str, root: Path, specs: list[TenantSpec]) -> Iterator[TestEnvironment]:
    """Declare, migrate and populate members for ``specs`` on ``backend``; drop it all afterwards."""
    tenants_dir, data_dir = root / "tenants", root / "var"
    tenants_dir.mkdir(parents=True, exist_ok=True)
    databases: list[str] = []
    for spec in specs:
        url = None
        if backend == "postgres":
            name = f"pilot_crm_test_{spec.slug.replace('-', '_')}_{secrets.token_hex(4)}"
            url = _pg_url(name)
            databases.append(url)
        (tenants_dir / f"{spec.slug}.toml").write_text(spec.toml(url), encoding="utf-8")
    settings = Settings.from_env(data_dir, tenants_dir)
    registry = TenantRegistry.load(settings)
    env = TestEnvironment(backend, root, registry, databases=databases)

    async def setup() -> None:
        for tenant in registry:
            await copy_migrated(tenant)  # then only the tenant's own rows are written
            await migrate_tenant(tenant)
            with tenant_context(tenant):
                for role in ROLES:
                    user = await create_user(
                        env.email(tenant.slug, role),
                        role,
                        TEST_PASSWORD,
                        display_name=f"{role} {tenant.slug}",
                    )
                    env.users[(tenant.slug, role)] = user
                    env.tokens[(tenant.slug, role)] = await issue_token(user["id"], "test")
        await registry.close()

    async def teardown() -> None:
        await registry.close()
        for url in databases:
            await drop_database(url)

    asyncio.run(setup())
    try:
        yield env
    finally:
        asyncio.run(teardown())
