"""The request's tenant, locale and user live in ContextVars, so concurrent requests never share them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from core.errors import NoTenantInContext

if TYPE_CHECKING:
    from core.tenancy.registry import TenantRuntime

current_tenant: ContextVar[TenantRuntime | None] = ContextVar("pilot_crm_tenant", default=None)


def require_tenant() -> TenantRuntime:
    tenant = current_tenant.get()
    if tenant is None:
        raise NoTenantInContext("no tenant in context: refusing to touch any database")
    return tenant


@contextmanager
def tenant_context(tenant: TenantRuntime) -> Iterator[TenantRuntime]:
    token = current_tenant.set(tenant)
    try:
        yield tenant
    finally:
        current_tenant.reset(token)
