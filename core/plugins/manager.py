"""Build a plugin manager per tenant from the ``pilot_crm.plugins`` entry points."""

from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType

import pluggy

from core import hookspecs
from core.plugins import default as default_plugin

ENTRY_POINT_GROUP = "pilot_crm.plugins"
log = logging.getLogger(__name__)


@cache
def available_plugins() -> dict[str, ModuleType]:
    """Installed plugins by entry-point name (loaded once per process)."""
    return {ep.name: ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)}


def build_manager(enabled: tuple[str, ...], extra: dict[str, object] | None = None) -> pluggy.PluginManager:
    """A fresh manager holding core's default plugin and only the ``enabled`` plugins.

    ``extra`` lets tests register throwaway plugins by name without installing them.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(default_plugin, name="core")
    known: dict[str, object] = {**available_plugins(), **(extra or {})}
    for name in enabled:
        if name not in known:
            raise KeyError(name)
        pm.register(known[name], name=name)
    return pm


def notify_record_changed(pm: pluggy.PluginManager, **kwargs: object) -> None:
    try:
        pm.hook.pilot_crm_record_changed(**kwargs)
    except Exception:  # a plugin must never undo a committed change
        log.exception("plugin failed in pilot_crm_record_changed")
