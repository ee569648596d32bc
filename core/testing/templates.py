"""Migrated template databases for the test kit. Replaying core's and the plugins' migrations (hundreds
of statements) for every test module cost about two seconds per module on PostgreSQL; a database
migrated once per test process and set of plugins, then copied for each tenant (``CREATE DATABASE ...
TEMPLATE``, or SQLite's backup API), costs a fraction of that. A template holds the migrations only:
each tenant's identity, seeded topics and members are written after the copy, by ``migrate_tenant``
as for any database. Templates live as long as the process and are dropped when it exits."""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from core.db.migrate import apply_migrations
from core.db.postgres import copy_database, drop_database, ensure_database
from core.settings import Settings
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry, TenantRuntime

# (backend, plugins) → the template's database URL
_templates: dict[tuple[str, tuple[str, ...]], str] = {}
_folder: Path | None = None


def _workdir() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="pilot-crm-templates-"))
        atexit.register(_drop_all)
    return _folder


def _drop_all() -> None:
    urls = [url for url in _templates.values() if url.startswith("postgres")]
    if urls:
        asyncio.run(_drop(urls))
    if _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)


async def _drop(urls: list[str]) -> None:
    for url in urls:
        await drop_database(url)


async def _template(tenant: TenantRuntime) -> str:
    """The URL of the migrated template for ``tenant``'s backend and plugins, made on first use."""
    declaration = tenant.declaration
    key = (declaration.engine_kind, tuple(declaration.plugins))
    if key in _templates:
        return _templates[key]
    digest = hashlib.sha1(repr(key).encode(), usedforsecurity=False).hexdigest()[:10]
    slug = f"template-{digest}"
    folder = _workdir() / slug
    (folder / "tenants").mkdir(parents=True)
    url = ""
    if declaration.engine_kind == "postgres":
        base = declaration.database_url.rsplit("/", 1)[0]
        url = f"{base}/pilot_crm_template_{os.getpid()}_{digest}"
        await ensure_database(url)
    lines = [
        f'slug = "{slug}"',
        f'name = "{slug}"',
        f'country = "{declaration.country}"',
        'default_locale = "en"',
        'locales = ["en"]',
        'timezone = "UTC"',
        "plugins = [" + ", ".join(f'"{p}"' for p in declaration.plugins) + "]",
    ]
    if url:
        lines.append(f'database_url = "{url}"')
    (folder / "tenants" / f"{slug}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    registry = TenantRegistry.load(Settings.from_env(folder / "var", folder / "tenants"))
    try:
        template = registry.get(slug)
        assert template is not None
        with tenant_context(template):
            await apply_migrations(template)
        url = url or template.declaration.database_url
    finally:
        await registry.close()
    _templates[key] = url
    return url


async def copy_migrated(tenant: TenantRuntime) -> None:
    """Give ``tenant`` (whose database does not exist yet) a copy of its migrated template."""
    template = await _template(tenant)
    if tenant.declaration.engine_kind == "postgres":
        await copy_database(template, tenant.declaration.database_url)
        return
    target = tenant.declaration.sqlite_path
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(template.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
