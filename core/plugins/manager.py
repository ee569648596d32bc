"""Build a plugin manager per tenant from the ``pilot_crm.plugins`` entry points."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import TypeVar

import pluggy

from core import hookspecs
from core.plugins import default as default_plugin

ENTRY_POINT_GROUP = "pilot_crm.plugins"
T = TypeVar("T")
log = logging.getLogger(__name__)


def available_plugins() -> set[str]:
    """Names of installed plugins (entry points are listed, not imported)."""
    return {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}


@cache
def load_plugin(name: str) -> ModuleType:
    """Import one plugin by entry-point name, once per process; only enabled plugins are imported."""
    (ep,) = entry_points(group=ENTRY_POINT_GROUP, name=name)
    return ep.load()


def build_manager(enabled: tuple[str, ...], extra: dict[str, object] | None = None) -> pluggy.PluginManager:
    """A fresh manager holding core's default plugin and only the ``enabled`` plugins.

    ``extra`` lets tests register throwaway plugins by name without installing them.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(default_plugin, name="core")
    extra = extra or {}
    for name in enabled:
        if name in extra:
            plugin = extra[name]
        else:
            # load_plugin remembers what it found: listing every entry point again for each
            # tenant cost 85 ms a tenant (minutes of start-up for a thousand tenants).
            try:
                plugin = load_plugin(name)
            except ValueError:  # no such entry point
                raise KeyError(name) from None
        pm.register(plugin, name=name)
    return pm


def in_plugin_order(results: Sequence[Sequence[T] | None]) -> list[T]:
    """The items of a list-returning hook's results, flattened in plugin order (core's first, then
    the tenant's plugins as declared): pluggy returns results last-registered first."""
    return [item for items in reversed(results) for item in items or ()]


def notify_record_changed(pm: pluggy.PluginManager, **kwargs: object) -> None:
    """Call each plugin's listener on its own: one that fails is logged and neither undoes the
    committed change nor keeps the other plugins from hearing of it."""
    for impl in pm.hook.pilot_crm_record_changed.get_hookimpls():
        try:
            impl.function(**kwargs)
        except Exception:
            log.exception("plugin %r failed in pilot_crm_record_changed", impl.plugin_name)


def union_manager(managers: list[pluggy.PluginManager]) -> pluggy.PluginManager:
    """One manager holding every plugin that some tenant's manager holds (each once, by name): what
    the app needs to mount plugin routes and find plugin templates, which are global to it."""
    plugins: dict[str, object] = {}
    for pm in managers:
        for name, plugin in pm.list_name_plugin():
            if name != "core" and plugin is not None:
                plugins.setdefault(name, plugin)
    return build_manager(tuple(plugins), plugins)
