"""Every ``pilot-crm`` command, run on a tenant whose database is not usable (never migrated, missing,
unreachable, or a SQLite file that is not a database), ends with exit status 1 and one line on stderr
naming the tenant and the fix, never a traceback. The commands are found by walking the click group,
so a new command is covered (or must say why not) as soon as it exists."""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from core.cli.main import cli
from core.db.postgres import drop_database, ensure_database
from core.testing.environment import PG_HOST, PG_PORT, PG_USER, TenantSpec, build_environment
from core.testing.pytest_plugin import require_backend

SLUG = "lima"
SPEC = TenantSpec(SLUG)

# Commands that legitimately never touch a tenant's database.
EXCLUDED = {
    "serve": "serves every tenant; /readyz names the tenants whose database does not answer, and one "
    "tenant's database must not keep the others from being served",
    "tenants list": "reads the declarations only",
    "plugins list": "reads the installed plugins and the declarations only",
    "plugins check": "checks the installed plugins and their catalogs, never a database",
    "plugins new": "writes a plugin package; reads no tenant (tests/integration/test_plugin_scaffold.py)",
    "plugins makemigrations": "diffs a plugin's tables against its migration files, without a database "
    "(tests/integration/test_plugin_migrations.py)",
    "tenants create": "declares a new tenant: a declared slug is refused before any database is "
    "touched (tests/integration/test_tenant_lifecycle.py)",
    "tenants disable": "writes the declaration only",
    "tenants enable": "writes the declaration only",
    "tenants unfreeze": "removes the freeze triggers of a move that was killed; a database without "
    "tables has none, and says so (tests/integration/test_tenant_lifecycle.py)",
    "tenants drop-source": "deletes the frozen copy a move left, never the tenant's database; without "
    "one it refuses before any database (tests/integration/test_tenant_lifecycle.py)",
}
# Commands whose job is to bring a missing or never-migrated database (back) into service.
REPAIRS = {"migrate", "demo", "restore"}
# What each required option or argument gets (by parameter name); flags that keep a command from
# prompting are always passed.
VALUES = {
    "slug": SLUG,
    "email": "someone@example.org",
    "role": "observer",
    "token_id": "1",
    "record_id": "1",
    # report aggregate: never written to here, as the command fails before it writes anything
    "output": str(Path(tempfile.gettempdir()) / "pilot-crm-cli-errors-report"),
}


def people_file() -> str:
    """A small CSV for ``import``, so that the command gets as far as the tenant's database."""
    handle, path = tempfile.mkstemp(prefix="pilot-crm-cli-errors-", suffix=".csv")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write("First name,Last name\nAna,Ruiz\n")
    return path


# Options a command needs to reach the tenant's database, though they are not required (a move's
# target: without it ``tenants move`` only drops a kept copy).
OPTIONS: dict[str, Callable[[], list[str]]] = {
    "tenants move": lambda: [
        "--to",
        f"sqlite:///{tempfile.gettempdir()}/pilot-crm-move-{secrets.token_hex(4)}.db",
    ],
}

# What an optional argument gets, when a command needs it to reach the database (import's file).
ARGUMENTS: dict[str, Callable[[], str]] = {"file": people_file}
NON_INTERACTIVE = {"yes", "password_stdin"}
PASSWORD = "a long enough password\n"

# name → (backend, state of the tenant's database)
SCENARIOS = {
    "sqlite-unmigrated": ("sqlite", "unmigrated"),  # the file exists, without tables
    "sqlite-damaged": ("sqlite", "damaged"),  # the file is not a SQLite database
    "postgres-unmigrated": ("postgres", "unmigrated"),  # the database exists, without tables
    "postgres-missing": ("postgres", "missing"),  # no such database
    "postgres-unreachable": ("postgres", "unreachable"),  # nothing listens where it points
}


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from walk(command, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = [" ".join(path) for path in walk(cli)]
TESTED = [name for name in COMMANDS if name not in EXCLUDED]


def resolve(name: str) -> click.Command:
    command: click.Command = cli
    for part in name.split():
        assert isinstance(command, click.Group)
        command = command.commands[part]
    return command


def arguments(name: str, archive: Callable[[], Path]) -> list[str]:
    """The command line with only what the command requires, and no prompt."""
    args = name.split()
    for param in resolve(name).params:
        if isinstance(param, click.Argument) and param.name in ARGUMENTS:
            args.append(ARGUMENTS[param.name]())
        elif isinstance(param, click.Argument) and param.name == "slug":  # tenants COMMAND SLUG
            args.append(VALUES["slug"])
        elif isinstance(param, click.Argument) and param.required:
            assert param.name == "archive", f"{name}: add a test value for its argument {param.name}"
            args.append(str(archive()))
        elif isinstance(param, click.Option) and param.name in NON_INTERACTIVE:
            args.append(param.opts[0])
        elif isinstance(param, click.Option) and param.required:
            assert param.name in VALUES, f"{name}: add a test value for its required option {param.opts[0]}"
            args.extend([param.opts[0], VALUES[str(param.name)]])
    return args + (OPTIONS[name]() if name in OPTIONS else [])


def test_every_command_is_tested_or_excluded_for_a_reason():
    assert set(EXCLUDED) <= set(COMMANDS) and set(TESTED) >= REPAIRS
    assert len(TESTED) >= 14  # the walk found the nested groups' commands too
    assert {"users add", "tokens create", "audit verify", "contacts export", "tenants check"} <= set(TESTED)


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> Callable[[str], Path]:
    """``archives(backend)``: a good backup of a tenant with the same slug, for ``restore`` (made
    once per backend, when first needed)."""
    made: dict[str, Path] = {}

    def archive(backend: str) -> Path:
        if backend not in made:
            root = tmp_path_factory.mktemp(f"archive-{backend}")
            with build_environment(backend, root, [SPEC]) as env:
                settings = env.registry.settings
                options = ["--tenants-dir", str(settings.tenants_dir), "--data-dir", str(settings.data_dir)]
                result = CliRunner().invoke(
                    cli, [*options, "backup", "--tenant", SLUG, "--output", str(root)]
                )
                assert result.exit_code == 0, result.output
            made[backend] = Path(result.stdout.strip())
        return made[backend]

    return archive


def workspace(tmp_path: Path, scenario: str) -> Iterator[list[str]]:
    backend, state = SCENARIOS[scenario]
    tenants, data = tmp_path / "tenants", tmp_path / "var"
    tenants.mkdir()
    data.mkdir()
    url = None
    if backend == "postgres":
        port = 1 if state == "unreachable" else PG_PORT
        url = f"postgresql://{PG_USER}@{PG_HOST}:{port}/pilot_crm_test_{SLUG}_{secrets.token_hex(4)}"
        if state == "unmigrated":
            asyncio.run(ensure_database(url))
    else:
        database = data / f"{SLUG}.sqlite3"
        database.write_bytes(b"" if state == "unmigrated" else b"this is not a database\n" * 512)
    (tenants / f"{SLUG}.toml").write_text(SPEC.toml(url), encoding="utf-8")
    try:
        yield ["--tenants-dir", str(tenants), "--data-dir", str(data)]
    finally:
        if url and state != "unreachable":
            asyncio.run(drop_database(url))


def assert_one_line_naming_the_fix(result: Result, state: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: ") and f"tenant '{SLUG}'" in line, line
    expected = {
        "unmigrated": "is not migrated",
        "missing": "does not exist",
        "unreachable": "database unreachable",
        "damaged": "is damaged (file is not a database)",
    }[state]
    assert expected in line, line
    if state in ("unmigrated", "missing"):
        assert line.endswith(f"run pilot-crm migrate --tenant {SLUG}"), line
    if state == "damaged":
        assert f"pilot-crm restore --tenant {SLUG}" in line, line


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("name", TESTED)
def test_a_command_on_an_unusable_database_fails_with_one_line(name, scenario, archives, tmp_path):
    backend, state = SCENARIOS[scenario]
    require_backend(backend)
    args = arguments(name, lambda: archives(backend))
    for options in workspace(tmp_path, scenario):
        result = CliRunner().invoke(cli, [*options, *args], input=PASSWORD)
        if name in REPAIRS and state in ("unmigrated", "missing"):
            assert result.exit_code == 0, result.output
            check = CliRunner().invoke(cli, [*options, "tenants", "check"])
            assert check.exit_code == 0 and f"{SLUG}: declaration ok, database ok" in check.output, (
                check.output
            )
        else:
            assert_one_line_naming_the_fix(result, state)
