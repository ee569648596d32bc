"""The start-up gate: ``serve``, ``migrate`` and the app refuse a broken plugin before any tenant
database is touched, so a plugin that cannot work never leaves a tenant half-migrated or answers
its first request with a 500.

It binds the checks (``core.plugins.checks``, domain code) to what the running core serves: the
plugin API versions of ``core.plugin_api`` and the paths core's pages take under a tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING

from core.plugins.checks import Checked, PluginCheckFailed, check_plugins, verify

if TYPE_CHECKING:
    from core.tenancy.registry import TenantRuntime

# Under /t/{tenant}/ besides the pages: core's and plugins' JSON API, and (at the root) the static
# files, a name kept free so that a plugin's pages never look like either.
NON_PAGE_SEGMENTS = frozenset({"api", "static"})


@cache
def reserved_segments() -> frozenset[str]:
    """The first path segments under ``/t/{tenant}/`` of core's pages (``organizations``,
    ``login``…), read from the page handlers the app mounts, plus :data:`NON_PAGE_SEGMENTS`."""
    from litestar import Controller

    from core.web.app import page_handlers

    segments = set(NON_PAGE_SEGMENTS)
    for handler in page_handlers():
        controller = isinstance(handler, type) and issubclass(handler, Controller)
        paths = [handler.path] if controller else handler.paths
        segments.update(first for path in paths if (first := path.strip("/").split("/")[0]))
    return frozenset(segments)


def served_api() -> tuple[int, ...]:
    from core.plugin_api import SUPPORTED_API_VERSIONS

    return tuple(SUPPORTED_API_VERSIONS)


def check_installed(names: Iterable[str], overrides: Mapping[str, object] | None = None) -> Checked:
    """Every problem of the plugins ``names`` (``pilot-crm plugins check``)."""
    return check_plugins(names, served=served_api(), reserved=reserved_segments(), overrides=overrides)


def verify_plugins(tenants: Iterable[TenantRuntime]) -> None:
    """Raise :class:`PluginCheckFailed` (one line) when a plugin ``tenants`` enable is broken."""
    verify(tenants, served=served_api(), reserved=reserved_segments())


__all__ = ["PluginCheckFailed", "check_installed", "reserved_segments", "verify_plugins"]
