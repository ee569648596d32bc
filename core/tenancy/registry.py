"""The set of declared tenants and, for each, its runtime: engine, plugin manager, catalogs, forms.

Everything per tenant is built once and reused: engines are never created per request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pluggy
from babel.support import NullTranslations
from piccolo.engine.base import Engine

from core.db.postgres import TenantPostgresEngine
from core.db.sqlite import PersistentSQLiteEngine
from core.forms.definitions import FormDefinition, build_form
from core.i18n.catalogs import catalog_locales, core_locales, load_translations
from core.i18n.translator import Translator
from core.plugins.manager import build_manager, in_plugin_order
from core.settings import Settings
from core.tenancy.declaration import TenantConfigError, TenantDeclaration, load_declaration

log = logging.getLogger("pilot_crm")


@dataclass(eq=False)
class TenantRuntime:
    declaration: TenantDeclaration
    plugin_overrides: dict[str, object] = field(default_factory=dict)
    _translations: dict[str, NullTranslations] = field(default_factory=dict)
    _forms: dict[str, FormDefinition] = field(default_factory=dict)
    # Requests being served with this runtime: a runtime a reload replaced is closed once none is left.
    in_flight: int = 0

    @property
    def slug(self) -> str:
        return self.declaration.slug

    @cached_property
    def engine(self) -> Engine:
        url = self.declaration.database_url
        if self.declaration.engine_kind == "postgres":
            return TenantPostgresEngine(url)
        path = self.declaration.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return PersistentSQLiteEngine(path)

    @cached_property
    def plugins(self) -> pluggy.PluginManager:
        return build_manager(self.declaration.plugins, self.plugin_overrides)

    def translations(self, locale: str) -> NullTranslations:
        if locale not in self._translations:
            dirs = in_plugin_order(self.plugins.hook.pilot_crm_locale_dirs())
            self._translations[locale] = load_translations(locale, dirs)
        return self._translations[locale]

    def translator(self, locale: str | None = None) -> Translator:
        loc = locale if locale in self.declaration.locales else self.declaration.default_locale
        return Translator(loc, self.translations(loc), self.declaration.timezone)

    def form(self, name: str) -> FormDefinition:
        if name not in self._forms:
            self._forms[name] = build_form(name, self.plugins)
        return self._forms[name]

    async def close(self) -> None:
        if "engine" in self.__dict__:
            await self.engine.close()  # type: ignore[attr-defined]


def check_catalogs(runtime: TenantRuntime) -> None:
    """Refuse a locale that neither core nor one of the tenant's enabled plugins ships a catalog for.

    A plugin may bring a language core does not speak (its tenant's pages then show the plugin's
    wording in it and core's in English), but a language nobody translates is a typo or a missing
    plugin. The plugins are imported only when a locale is not core's own.
    """
    decl = runtime.declaration
    core = core_locales()
    missing = [loc for loc in dict.fromkeys((decl.default_locale, *decl.locales)) if loc not in core]
    if not missing:
        return
    try:
        found = runtime.plugins.hook.pilot_crm_locale_dirs()
    except Exception:
        return  # a plugin that cannot load: the start-up gate (core.plugins.startup) names it
    shipped: set[str] = set()
    for dirs in found:
        for directory in dirs or ():
            shipped |= catalog_locales(directory)
    for loc in missing:
        if loc not in shipped:
            key = "default_locale" if loc == decl.default_locale else "locales"
            plugins = ", ".join(decl.plugins) or "none"
            reason = (
                f"'{loc}' has no catalog in core ({', '.join(sorted(core))})"
                f" or in the enabled plugins ({plugins})"
            )
            raise TenantConfigError(decl.source or Path(f"{decl.slug}.toml"), key, reason)


def _checked(
    path: Path, data_dir: Path, installed: set[str], hosts: dict[str, Path], current: TenantRuntime | None
) -> TenantRuntime:
    """The runtime of the declaration at ``path``: ``current`` when the declaration has not changed,
    else a new one. TenantConfigError when it is unusable (bad key, plugin not installed, a host
    another declaration in ``hosts`` took, a locale nobody translates)."""
    decl = load_declaration(path, data_dir)
    for name in decl.plugins:
        if name not in installed:
            raise TenantConfigError(path, "plugins", f"plugin '{name}' is not installed")
    for host in decl.hosts:
        if host in hosts:
            raise TenantConfigError(path, "hosts", f"'{host}' is already used by {hosts[host]}")
    if current is not None and current.declaration == decl:
        runtime = current
    else:
        runtime = TenantRuntime(decl, current.plugin_overrides if current else {})
        check_catalogs(runtime)
    for host in decl.hosts:
        hosts[host] = path
    return runtime


@dataclass(frozen=True, slots=True)
class Reloaded:
    """What a reload changed: slugs added, changed (a new runtime) and removed, and the runtimes it
    replaced or removed, to close once their requests are done (``core.tenancy.watch``)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    retired: tuple[TenantRuntime, ...] = ()


class TenantRegistry:
    def __init__(self, settings: Settings, tenants: dict[str, TenantRuntime]) -> None:
        self.settings = settings
        self._tenants = tenants

    @classmethod
    def load(cls, settings: Settings) -> TenantRegistry:
        """Read every ``*.toml`` in the tenants directory; raise TenantConfigError on the first bad one."""
        from core.plugins.manager import available_plugins

        if not settings.tenants_dir.is_dir():
            # The default is ./tenants of the working directory, so say how to point elsewhere.
            reason = "no such tenants directory (give --tenants-dir or set PILOT_CRM_TENANTS_DIR)"
            raise TenantConfigError(settings.tenants_dir, "", reason)
        installed = available_plugins()
        tenants: dict[str, TenantRuntime] = {}
        hosts: dict[str, Path] = {}
        for path in sorted(settings.tenants_dir.glob("*.toml")):
            runtime = _checked(path, settings.data_dir, installed, hosts, None)
            tenants[runtime.slug] = runtime
        return cls(settings, tenants)

    def reload(self) -> Reloaded:
        """Read the tenants directory again and use what it says from now on (:meth:`read`, then
        :meth:`swap`)."""
        fresh, reloaded = self.read()
        self.swap(fresh)
        return reloaded

    def read(self) -> tuple[dict[str, TenantRuntime], Reloaded]:
        """Read the tenants directory again, while requests go on: a new declaration gets a runtime,
        a changed one a new runtime, a removed one leaves. A declaration that is now unusable is
        logged loudly and ignored: the tenant keeps running as it was (or stays out, if new).
        Returns the new set, for :meth:`swap`, and what changed."""
        from core.plugins.manager import available_plugins

        if not self.settings.tenants_dir.is_dir():
            log.error("tenants directory %s is gone: the running tenants stay", self.settings.tenants_dir)
            return self._tenants, Reloaded()
        installed = available_plugins()
        fresh: dict[str, TenantRuntime] = {}
        hosts: dict[str, Path] = {}
        for path in sorted(self.settings.tenants_dir.glob("*.toml")):
            current = self._tenants.get(path.stem)
            try:
                runtime = _checked(path, self.settings.data_dir, installed, hosts, current)
            except TenantConfigError as exc:
                log.error("tenant declaration ignored, the running set stays: %s", exc)
                if current is not None:
                    fresh[current.slug] = current
                    hosts.update({host: path for host in current.declaration.hosts})
                continue
            fresh[runtime.slug] = runtime
        old = self._tenants
        added = tuple(slug for slug in fresh if slug not in old)
        changed = tuple(slug for slug in fresh if slug in old and fresh[slug] is not old[slug])
        removed = tuple(slug for slug in old if slug not in fresh)
        return fresh, Reloaded(added, changed, removed, tuple(old[slug] for slug in (*changed, *removed)))

    def swap(self, tenants: dict[str, TenantRuntime]) -> None:
        """Serve ``tenants`` from now on: one assignment, so a request sees the old set or the new."""
        self._tenants = tenants

    def get(self, slug: str) -> TenantRuntime | None:
        return self._tenants.get(slug)

    def __iter__(self):
        return iter(self._tenants.values())

    def __len__(self) -> int:
        return len(self._tenants)

    def slugs(self) -> list[str]:
        return list(self._tenants)

    async def close(self) -> None:
        for tenant in self._tenants.values():
            await tenant.close()
