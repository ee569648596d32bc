"""The installed plugins as ``pilot-crm plugins list`` shows them: what each distribution declares,
read from its entry point without registering it anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points

import pluggy

from core import hookspecs
from core.plugins.checks import HOOKS, one_line
from core.plugins.manager import ENTRY_POINT_GROUP, load_plugin


@dataclass(frozen=True, slots=True)
class Installed:
    """One installed plugin, as ``pilot-crm plugins list`` shows it."""

    name: str
    version: str
    api_versions: tuple[int, ...] | None  # None: not declared, or the plugin cannot be imported
    hooks: tuple[str, ...]
    error: str | None = None


def installed_plugins() -> list[Installed]:
    """Every plugin of the ``pilot_crm.plugins`` group, by name, with what it declares."""
    found = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        version = ep.dist.version if ep.dist is not None else "?"
        try:
            plugin = load_plugin(ep.name)
        except Exception as exc:
            found.append(Installed(ep.name, version, None, (), f"cannot be imported: {one_line(exc)}"))
            continue
        versions = getattr(plugin, "API_VERSIONS", None)
        api = tuple(versions) if isinstance(versions, tuple | list) else None
        found.append(Installed(ep.name, version, api, implemented_hooks(plugin)))
    return found


def implemented_hooks(plugin: object) -> tuple[str, ...]:
    """The hooks ``plugin`` marks implementations of, in the order of ``core.hookspecs``."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    found = set()
    for attr in dir(plugin):
        opts = pm.parse_hookimpl_opts(plugin, attr)
        if opts is not None:
            found.add(opts.get("specname") or attr)
    return tuple(hook for hook in HOOKS if hook in found)
