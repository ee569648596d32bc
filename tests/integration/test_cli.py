"""The ``pilot-crm`` command line, end to end against real databases."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from core.cli.main import cli
from core.settings import Settings
from core.tenancy.registry import TenantRegistry
from core.testing.environment import TenantSpec, postgres_reachable

SPEC = TenantSpec("cli", plugins=("mexico",))


@pytest.fixture
def workspace(backend, tmp_path):
    url = None
    if backend == "postgres":
        import secrets

        url = f"postgresql://postgres@127.0.0.1:5432/pilot_crm_test_cli_{secrets.token_hex(4)}"
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    (tenants / "cli.toml").write_text(SPEC.toml(url), encoding="utf-8")
    yield ["--tenants-dir", str(tenants), "--data-dir", str(tmp_path / "var")]
    if url:
        import asyncio

        from core.db.postgres import drop_database

        asyncio.run(drop_database(url))


def invoke(args, *extra, input=None):
    return CliRunner().invoke(cli, [*args, *extra], input=input)


def add_user(args, email, role, password="a long enough password"):
    return invoke(
        args,
        "users",
        "add",
        "--tenant",
        "cli",
        "--email",
        email,
        "--role",
        role,
        "--password-stdin",
        input=password + "\n",
    )


def test_migrate_is_idempotent_and_creates_what_is_missing(workspace):
    first = invoke(workspace, "migrate")
    assert first.exit_code == 0, first.output
    assert re.search(r"cli: migrations applied \[pilot_crm_core: [1-9]", first.output)
    again = invoke(workspace, "migrate", "--tenant", "cli")
    assert again.exit_code == 0 and "pilot_crm_core: 0" in again.output and "topics added: 0" in again.output
    check = invoke(workspace, "tenants", "check")
    assert check.exit_code == 0 and "cli: declaration ok, database ok" in check.output


def test_users_and_tokens_give_api_access(workspace):
    assert invoke(workspace, "migrate").exit_code == 0
    added = add_user(workspace, "Coord@Example.org", "coordinator")
    assert added.exit_code == 0, added.output
    token_run = invoke(workspace, "tokens", "create", "--tenant", "cli", "--email", "coord@example.org")
    assert token_run.exit_code == 0
    token = token_run.output.strip()
    assert "\n" not in token and token.startswith("pcrm_")
    settings = Settings.from_env(workspace[3], workspace[1])
    from core.web.app import create_app

    with TestClient(create_app(settings, TenantRegistry.load(settings))) as client:
        r = client.get("/t/cli/api/v1/topics", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["items"]


def test_cli_errors_are_one_line_with_nonzero_exit(workspace):
    assert invoke(workspace, "migrate").exit_code == 0
    short = add_user(workspace, "a@b.org", "ngo", "short")
    assert short.exit_code == 1 and short.output.strip().count("\n") == 0 and "password" in short.output
    unknown = invoke(workspace, "tokens", "create", "--tenant", "cli", "--email", "nobody@b.org")
    assert unknown.exit_code == 1 and "nobody@b.org" in unknown.output
    no_tenant = invoke(workspace, "migrate", "--tenant", "atlantis")
    assert no_tenant.exit_code == 1 and "atlantis" in no_tenant.output
    twice = add_user(workspace, "x@b.org", "ngo")
    again = add_user(workspace, "x@b.org", "ngo")
    assert twice.exit_code == 0 and again.exit_code == 1 and "already exists" in again.output


def test_an_unexpected_error_is_one_line_naming_the_tenant(workspace, tmp_path):
    assert invoke(workspace, "migrate").exit_code == 0
    assert add_user(workspace, "coord@example.org", "coordinator").exit_code == 0
    token = invoke(
        workspace, "tokens", "create", "--tenant", "cli", "--email", "coord@example.org"
    ).output.strip()
    settings = Settings.from_env(workspace[3], workspace[1])
    from core.web.app import create_app

    with TestClient(create_app(settings, TenantRegistry.load(settings))) as client:
        created = client.post(
            "/t/cli/api/v1/contacts",
            json={"first_name": "Ana", "last_name": "Ruiz"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201, created.text
    nowhere = tmp_path / "no-such-dir" / "ana.json"
    result = invoke(
        workspace,
        "contacts",
        "export",
        "--tenant",
        "cli",
        "--id",
        str(created.json()["id"]),
        "--output",
        str(nowhere),
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    unexpected = f"unexpected FileNotFoundError: [Errno 2] No such file or directory: '{nowhere}'"
    assert result.stderr == f"error: tenant 'cli': {unexpected}\n"
    assert "Traceback" not in result.output


def test_postgres_reachability_probe_is_consistent():
    # The probe the suite uses to decide whether the PostgreSQL variant runs.
    assert isinstance(postgres_reachable(), bool)
