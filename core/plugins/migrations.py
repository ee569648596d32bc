"""``pilot-crm plugins makemigrations``: write the Piccolo auto migration of a plugin's tables.

Piccolo's own ``piccolo migrations new --auto`` finds apps through a ``piccolo_conf`` registry, which
holds core's app only: plugins' apps are known per tenant, through the ``pilot_crm_piccolo_apps``
hook. So this asks the plugin for its ``AppConfig`` and hands it straight to Piccolo's migration
writer (the function behind ``migrations new``; Piccolo is pinned, see pyproject.toml), which diffs
the app's tables against its existing migrations. Nothing here touches a database. Piccolo asks on
the terminal when a change may be a rename.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

from piccolo.apps.migrations.commands.new import NoChanges, _create_migrations_folder, _create_new_migration
from piccolo.conf.apps import AppConfig

from core.plugins.manager import available_plugins, build_manager


class PluginMigrationError(ValueError):
    """Why a plugin's migrations cannot be made, in one line."""


@dataclass(frozen=True, slots=True)
class Written:
    """The outcome for one app: the migration written, or None when its tables did not change."""

    app: str
    path: Path | None


def plugin_apps(name: str) -> list[AppConfig]:
    """The Piccolo apps plugin ``name`` declares through ``pilot_crm_piccolo_apps``."""
    installed = available_plugins()
    if name not in installed:
        known = ", ".join(sorted(installed)) or "none"
        raise PluginMigrationError(f"no installed plugin '{name}' (installed: {known})")
    pm = build_manager((name,))
    apps: list[AppConfig] = []
    for impl in pm.hook.pilot_crm_piccolo_apps.get_hookimpls():
        if impl.plugin_name == name:
            apps.extend(impl.function() or [])  # type: ignore[arg-type]
    if not apps:
        raise PluginMigrationError(
            f"plugin '{name}' has no tables: its pilot_crm_piccolo_apps hook returns no Piccolo app"
        )
    return apps


async def make_migrations(name: str, description: str = "") -> list[Written]:
    """Write one auto migration per app of plugin ``name`` whose tables changed since its last
    migration (the first one creates them), into that app's migrations folder."""
    written = []
    for app in plugin_apps(name):
        folder = app.resolved_migrations_folder_path
        _create_migrations_folder(folder)
        importlib.invalidate_caches()  # the folder's listing may be cached from before it changed
        try:
            # Piccolo's summary of the diff, and its question when a column may have been renamed,
            # go to stderr: stdout says only what was written.
            with contextlib.redirect_stdout(sys.stderr):
                meta = await _create_new_migration(app_config=app, auto=True, description=description)
        except NoChanges:
            written.append(Written(app.app_name, None))
        else:
            written.append(Written(app.app_name, Path(meta.migration_path)))
    return written
