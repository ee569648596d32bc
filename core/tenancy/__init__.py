"""Tenants: declarations in tenants/*.toml, the registry, and the tenant-in-context ContextVar."""

from core.tenancy.context import current_tenant, require_tenant, tenant_context
from core.tenancy.declaration import TenantConfigError, TenantDeclaration, load_declaration
from core.tenancy.registry import TenantRegistry, TenantRuntime

__all__ = [
    "TenantConfigError",
    "TenantDeclaration",
    "TenantRegistry",
    "TenantRuntime",
    "current_tenant",
    "load_declaration",
    "require_tenant",
    "tenant_context",
]
