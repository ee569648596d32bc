"""``pilot-crm plugins makemigrations NAME`` writes the Piccolo migration of a plugin's tables into the
plugin's own migrations folder; ``pilot-crm migrate`` then applies it in the tenants that enable the
plugin, on either backend. Run again with nothing changed it writes nothing; after a table changes
it writes only the difference."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

from click.testing import CliRunner

from core.cli.main import cli
from core.plugin_api import TenantSpec
from core.testing.environment import PG_HOST, PG_PORT, PG_USER
from core.testing.plugins import write_plugin
from tests.support import drop_databases, run

PILOT_CRM = str(Path(sys.executable).with_name("pilot-crm"))
APP = "pilot_crm_ledger"

PLUGIN = """
from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.plugin_api import Integer, PluginTable, Varchar, hookimpl

API_VERSIONS = (1,)


class LedgerEntry(PluginTable, tablename="ledger_entry"):
    title = Varchar(length=200)
{extra}

APP = AppConfig(
    app_name="pilot_crm_ledger",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[LedgerEntry],
    migration_dependencies=[],
    commands=[],
)


@hookimpl
def pilot_crm_piccolo_apps():
    return [APP]
"""

# Writes a row through the plugin's table in tenant "books", then prints every row as JSON.
ROUND_TRIP = """
import asyncio, json, sys
from core.settings import Settings
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from pilot_crm_ledger.plugin import LedgerEntry

async def main():
    registry = TenantRegistry.load(Settings.from_env(sys.argv[1], sys.argv[2]))
    try:
        with tenant_context(registry.get("books")):
            await LedgerEntry.insert(LedgerEntry(**json.loads(sys.argv[3]))).run()
            print(json.dumps(await LedgerEntry.select().order_by(LedgerEntry.id).run()))
    finally:
        await registry.close()

asyncio.run(main())
"""


def write_ledger(site: Path, extra: str = "") -> Path:
    files = {"plugin.py": PLUGIN.format(extra=extra), "migrations/__init__.py": ""}
    return write_plugin(site, "ledger", files)


def makemigrations(env: dict[str, str]) -> str:
    (line,) = run([PILOT_CRM, "plugins", "makemigrations", "ledger"], env=env).splitlines()
    return line


def migrations(site: Path) -> list[Path]:
    return sorted((site / APP / "migrations").glob(f"{APP}_*.py"))


def test_a_plugins_migration_is_written_applied_and_followed_by_the_next_change(backend, tmp_path):
    site = write_ledger(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(site)}
    assert migrations(site) == []

    line = makemigrations(env)
    (first,) = migrations(site)
    assert line == f"{APP}: wrote {first}"
    assert "ledger_entry" in first.read_text(encoding="utf-8")
    assert makemigrations(env) == f"{APP}: no changes"
    assert migrations(site) == [first]

    tenants, data = tmp_path / "tenants", tmp_path / "var"
    tenants.mkdir()
    url = None
    if backend == "postgres":
        url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/pilot_crm_test_books_{secrets.token_hex(4)}"
    (tenants / "books.toml").write_text(TenantSpec("books", plugins=("ledger",)).toml(url), encoding="utf-8")
    cli_dirs = ["--tenants-dir", str(tenants), "--data-dir", str(data)]
    round_trip = [sys.executable, "-c", ROUND_TRIP, str(data), str(tenants)]
    try:
        assert f"{APP}: 1]" in run([PILOT_CRM, *cli_dirs, "migrate"], env=env)
        rows = json.loads(run([*round_trip, json.dumps({"title": "first"})], env=env))
        assert [row["title"] for row in rows] == ["first"]

        # A new column: only the difference is written, and migrate brings the tenant's table along.
        write_ledger(site, "    amount = Integer(default=0)")
        line = makemigrations(env)
        second = next(path for path in migrations(site) if path != first)
        assert line == f"{APP}: wrote {second}"
        text = second.read_text(encoding="utf-8")
        assert "add_column" in text and "amount" in text and "add_table" not in text
        assert f"{APP}: 1]" in run([PILOT_CRM, *cli_dirs, "migrate"], env=env)
        rows = json.loads(run([*round_trip, json.dumps({"title": "second", "amount": 7})], env=env))
        assert [(row["title"], row["amount"]) for row in rows] == [("first", 0), ("second", 7)]
        assert makemigrations(env) == f"{APP}: no changes"
        # Nothing is pending: tenants check finds the database fully migrated.
        checked = run([PILOT_CRM, *cli_dirs, "tenants", "check"], env=env)
        assert checked.strip() == "books: declaration ok, database ok"
    finally:
        if url:
            drop_databases([url])


def test_an_unknown_plugin_or_one_without_tables_is_refused_with_one_line():
    for name, reason in (
        ("atlantis", "no installed plugin 'atlantis'"),
        ("mexico", "plugin 'mexico' has no tables"),
    ):
        result = CliRunner().invoke(cli, ["plugins", "makemigrations", name])
        assert result.exit_code == 1
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("error: ") and reason in line, line
