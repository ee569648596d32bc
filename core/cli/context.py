"""What every command shares: the tenants of the settings the top-level options chose, one tenant
picked by slug, the plugins they enable checked, and running a command's coroutine with the tenants'
connections closed after."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import click

from core.cli.errors import acting_on, fail
from core.db.time_limit import statement_time_limit
from core.settings import Settings
from core.tenancy.declaration import TenantConfigError
from core.tenancy.registry import TenantRegistry, TenantRuntime

T = TypeVar("T")


def load_registry(ctx: click.Context) -> TenantRegistry:
    settings: Settings = ctx.obj["settings"]
    try:
        return TenantRegistry.load(settings)
    except TenantConfigError as exc:
        fail(str(exc))
        raise  # unreachable


def pick_tenants(registry: TenantRegistry, slug: str | None) -> list[TenantRuntime]:
    if slug is None:
        return list(registry)
    tenant = registry.get(slug)
    if tenant is None:
        fail(f"unknown tenant '{slug}' (known: {', '.join(registry.slugs())})")
    acting_on(tenant)
    return [tenant]


def require_sound_plugins(tenants: Iterable[TenantRuntime]) -> None:
    """Stop with one line when a plugin ``tenants`` enable is broken (``core.plugins.checks``),
    before the command touches any of their databases."""
    from core.plugins.startup import PluginCheckFailed, verify_plugins

    try:
        verify_plugins(tenants)
    except PluginCheckFailed as exc:
        fail(str(exc))


def run(
    registry: TenantRegistry, coro_fn: Callable[[], Awaitable[T]], tenant: TenantRuntime | None = None
) -> T:
    """Run ``coro_fn`` to completion, then close the tenants' connections. What it raises ends the
    command with one line (``core.cli.errors``) naming ``tenant``, else the tenant picked last."""
    if tenant is not None:
        acting_on(tenant)

    async def main() -> T:
        try:
            # Migrations, moves, restores and bulk loads are long by nature: an operator's command
            # is not held to the time limit a request is (core.db.time_limit).
            with statement_time_limit(None):
                return await coro_fn()
        finally:
            await registry.close()

    return asyncio.run(main())
