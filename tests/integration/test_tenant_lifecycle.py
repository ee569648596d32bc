"""Tenants created, disabled, enabled and moved with ``pilot-crm tenants`` while a real
``pilot-crm serve`` process keeps serving: it follows the declarations without a restart.

The move runs SQLite → PostgreSQL → a second PostgreSQL server while a client keeps writing through
the API: every write the server acknowledged is found afterwards, the writes that met the copy got
503 with Retry-After, the checksums are equal and the audit chain verifies."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import asyncpg
import httpx
import pytest
from click.testing import CliRunner, Result

from core.cli.main import cli
from core.db.postgres import drop_database
from core.testing.environment import TenantSpec, TestEnvironment, build_environment
from tests.support import free_port, serving

PG = "postgresql://postgres@127.0.0.1:5432"
# A real server process and real CLI processes (interpreter start-ups), and two moves of a whole
# tenant while a client writes: about a minute on 2 cores, so the module starts first.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestEnvironment]:
    specs = [TenantSpec("alpha", default_locale="en", locales=("en", "es"))]
    with build_environment("sqlite", tmp_path_factory.mktemp("lifecycle"), specs) as built:
        yield built


@pytest.fixture(scope="module")
def server(deployment: TestEnvironment) -> Iterator[str]:
    settings = deployment.registry.settings
    port = free_port()
    command = [
        sys.executable, "-m", "core.cli.main",
        "--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir),
        "serve", "--port", str(port),
    ]  # fmt: skip
    environment = {**os.environ, "PILOT_CRM_TENANTS_POLL_SECONDS": "0.2"}
    with ExitStack() as stack:
        yield stack.enter_context(serving(command, port, deployment.root / "serve.log", environment))


def pilot_crm(deployment: TestEnvironment, *args: str) -> subprocess.CompletedProcess[str]:
    settings = deployment.registry.settings
    command = [
        sys.executable, "-m", "core.cli.main",
        "--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir), *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def tenants(deployment: TestEnvironment, *args: str) -> subprocess.CompletedProcess[str]:
    return pilot_crm(deployment, "tenants", *args)


def in_process(deployment: TestEnvironment, *args: str) -> Result:
    """``pilot-crm tenants ARGS`` in this process: quick, for the commands that fail early."""
    settings = deployment.registry.settings
    directories = ["--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir)]
    return CliRunner().invoke(cli, [*directories, "tenants", *args])


def one_line_failure(done: subprocess.CompletedProcess[str] | Result) -> str:
    code = done.returncode if isinstance(done, subprocess.CompletedProcess) else done.exit_code
    assert code == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the running server did not follow the declaration"
        time.sleep(0.1)


def status(url: str) -> int:
    return httpx.get(url, timeout=10).status_code


def test_a_tenant_created_by_the_cli_is_served_without_restart(deployment, server):
    assert status(f"{server}/t/beta/login") == 404
    created = tenants(
        deployment, "create", "beta", "--name", "Piloto Beta", "--country", "AGO", "--locale", "pt",
        "--plugin", "networks",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    eventually(lambda: status(f"{server}/t/beta/login") == 200)
    assert "Piloto Beta" in httpx.get(f"{server}/", timeout=10).text
    assert "beta" in tenants(deployment, "list").stdout
    # A plugin no tenant enabled when the server started is served to the new tenant, only to it.
    assert status(f"{server}/t/beta/api/v1/networks/") == 401
    assert status(f"{server}/t/alpha/api/v1/networks/") == 404
    to_login = httpx.get(f"{server}/t/beta/networks/new", timeout=10)  # its pages too, signed in only
    assert to_login.status_code == 303 and "/t/beta/login" in to_login.headers["location"], to_login
    assert status(f"{server}/t/alpha/networks/new") == 404
    openapi = httpx.get(f"{server}/schema/openapi.json", timeout=10).json()
    assert any(path.startswith("/t/{tenant_slug}/api/v1/networks") for path in openapi["paths"])


def test_a_bad_declaration_is_logged_and_ignored_while_the_others_are_served(deployment, server):
    broken = deployment.registry.settings.tenants_dir / "broken.toml"
    broken.write_text('slug = "broken"\nname = ', encoding="utf-8")
    try:
        log = deployment.root / "serve.log"
        eventually(lambda: "tenant declaration ignored" in log.read_text())
        assert status(f"{server}/t/alpha/login") == 200 and status(f"{server}/t/broken/login") == 404
    finally:
        broken.unlink()


def test_disable_and_enable_are_seen_by_the_running_server(deployment, server):
    assert tenants(deployment, "disable", "alpha").returncode == 0
    eventually(lambda: status(f"{server}/t/alpha/login") == 503)
    closed = httpx.get(f"{server}/t/alpha/api/v1/contacts", headers=deployment.headers("alpha", "observer"))
    assert closed.status_code == 503 and int(closed.headers["Retry-After"]) > 0
    assert closed.json()["detail"] == "This pilot is closed for the moment."
    assert "/t/alpha/" not in httpx.get(f"{server}/", timeout=10).text
    assert "disabled" in tenants(deployment, "list").stdout
    assert tenants(deployment, "enable", "alpha").returncode == 0
    eventually(lambda: status(f"{server}/t/alpha/login") == 200)


GAMMA = ("create", "gamma", "--name", "Gamma", "--country")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("create", "Bad_Slug", "--name", "x", "--country", "MEX", "--locale", "es"), "not a valid slug"),
        (("create", "alpha", "--name", "x", "--country", "MEX", "--locale", "es"), "already declared"),
        ((*GAMMA, "XXX", "--locale", "es"), "key 'country'"),
        ((*GAMMA, "MEX", "--locale", "es", "--plugin", "nope"), "plugin 'nope' is not installed"),
        ((*GAMMA, "MEX", "--locale", "xx-nothing"), "'xx-nothing' is not a known locale"),
        ((*GAMMA, "MEX", "--locale", "es", "--database-url", "mysql://h/db"), "key 'database_url'"),
        (("disable", "nobody"), "no tenant 'nobody'"),
        (("move", "nobody", "--to", "sqlite:///elsewhere.sqlite3"), "no tenant 'nobody'"),
        (("move", "alpha", "--to", "mysql://host/db"), "not a database URL"),
        (("move", "alpha"), "--to"),
        (("drop-source", "alpha"), "no source copy"),
        (("unfreeze", "alpha"), "is not frozen"),
    ],
)
def test_bad_input_exits_1_with_one_line_and_leaves_nothing(deployment, args, says):
    tenants_dir = deployment.registry.settings.tenants_dir
    before = sorted(tenants_dir.iterdir())
    data = sorted(deployment.registry.settings.data_dir.iterdir())
    assert says in one_line_failure(in_process(deployment, *args))
    assert sorted(tenants_dir.iterdir()) == before
    assert sorted(deployment.registry.settings.data_dir.iterdir()) == data


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("occupied.sqlite3", "is not empty"),  # refused before anything happens
        ("/proc/no-such-place/alpha.sqlite3", "the source is unchanged and writable again"),  # mid-move
    ],
)
def test_a_move_that_cannot_complete_leaves_the_source_as_it_was(deployment, server, target, says):
    occupied = deployment.root / "occupied.sqlite3"
    occupied.write_bytes(b"something")
    url = f"sqlite:///{deployment.root / target}" if not target.startswith("/") else f"sqlite:///{target}"
    before = (deployment.registry.settings.tenants_dir / "alpha.toml").read_text()
    assert says in one_line_failure(tenants(deployment, "move", "alpha", "--to", url))
    assert occupied.read_bytes() == b"something"
    assert (deployment.registry.settings.tenants_dir / "alpha.toml").read_text() == before
    headers = deployment.headers("alpha", "coordinator")
    body = {"first_name": "A", "last_name": "B"}
    created = httpx.post(f"{server}/t/alpha/api/v1/contacts", json=body, headers=headers)
    assert created.status_code == 201, created.text  # not frozen


class Writer(threading.Thread):
    """Creates contacts through the API, one after the other, until stopped; remembers which the
    server acknowledged (201) and how the others were refused."""

    def __init__(self, origin: str, headers: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.origin, self.headers = origin, headers
        self.acknowledged: dict[int, str] = {}
        self.refused: list[httpx.Response] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.origin, timeout=30) as client:
            while not self.stop.is_set():
                name = f"Moving {secrets.token_hex(4)}"
                response = client.post(
                    "/t/alpha/api/v1/contacts",
                    json={"first_name": "Ana", "last_name": name},
                    headers=self.headers,
                )
                if response.status_code == 201:
                    self.acknowledged[response.json()["id"]] = name
                else:
                    self.refused.append(response)
                time.sleep(0.02)

    def wait_for_writes(self, count: int) -> None:
        eventually(lambda: len(self.acknowledged) >= count)


def listed_contacts(origin: str, deployment: TestEnvironment) -> dict[int, str]:
    """id → last name of every contact of alpha, through the API's pages."""
    found: dict[int, str] = {}
    cursor = None
    with httpx.Client(base_url=origin, timeout=30, headers=deployment.headers("alpha", "observer")) as client:
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = client.get("/t/alpha/api/v1/contacts", params=params).json()
            found.update({item["id"]: item["last_name"] for item in page["items"]})
            if not (cursor := page.get("next")):
                return found


def pg_databases(server_dsn: str) -> set[str]:
    async def names() -> set[str]:
        conn = await asyncpg.connect(f"{server_dsn}/postgres")
        try:
            return {row["datname"] for row in await conn.fetch("SELECT datname FROM pg_database")}
        finally:
            await conn.close()

    return asyncio.run(names())


@pytest.mark.postgres
def test_move_sqlite_to_postgres_to_a_second_server_while_a_client_writes(
    deployment, server, second_pg_server
):
    first = f"pilot_crm_test_move_{secrets.token_hex(4)}"
    second = f"pilot_crm_test_move_{secrets.token_hex(4)}"
    sqlite_file = deployment.registry.get("alpha").declaration.sqlite_path
    writer = Writer(server, deployment.headers("alpha", "coordinator"))
    writer.start()
    try:
        writer.wait_for_writes(3)
        moved = tenants(deployment, "move", "alpha", "--to", f"{PG}/{first}")
        assert moved.returncode == 0, moved.stderr
        assert "0 differences" in moved.stdout and "DIFFERENT" not in moved.stdout
        assert sqlite_file.exists()  # kept, frozen, until drop-source
        count = len(writer.acknowledged)
        writer.wait_for_writes(count + 3)  # the server now writes to PostgreSQL
        assert tenants(deployment, "drop-source", "alpha").returncode == 0
        assert not sqlite_file.exists()
        again = tenants(deployment, "move", "alpha", "--to", f"{second_pg_server}/{second}", "--drop-source")
        assert again.returncode == 0, again.stderr
        assert "0 differences" in again.stdout and first not in pg_databases(PG)
        count = len(writer.acknowledged)
        writer.wait_for_writes(count + 3)
    finally:
        writer.stop.set()
        writer.join()
    try:
        refused = writer.refused
        assert refused, "no write met the move's copy"
        odd = [(r.status_code, r.text[:500]) for r in refused if r.status_code != 503]
        assert not odd, odd
        assert all(int(r.headers["Retry-After"]) > 0 for r in refused)
        assert "read-only while it moves" in refused[0].json()["detail"]
        assert writer.acknowledged.items() <= listed_contacts(server, deployment).items()
        audit = pilot_crm(deployment, "audit", "verify", "--tenant", "alpha")
        assert audit.returncode == 0 and "chain intact" in audit.stdout, audit.stderr
    finally:
        asyncio.run(drop_database(f"{second_pg_server}/{second}"))
        asyncio.run(drop_database(f"{PG}/{first}"))


@pytest.mark.postgres
def test_move_back_from_postgres_to_sqlite_with_plugin_tables(tmp_path):
    """The other direction, in this process, with the plugins' tables: every table equal, the
    chain verifies on SQLite, the PostgreSQL copy dropped."""
    spec = TenantSpec("back", default_locale="en", locales=("en",), plugins=("networks", "engagement"))
    with build_environment("postgres", tmp_path, [spec]) as env:
        settings = env.registry.settings
        directories = ["--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir)]
        target = f"sqlite:///{tmp_path / 'back-moved.sqlite3'}"
        moved = CliRunner().invoke(
            cli, [*directories, "tenants", "move", "back", "--to", target, "--drop-source"]
        )
        assert moved.exit_code == 0, moved.output
        assert (
            "networks_" in moved.output
            and "0 differences" in moved.output
            and "DIFFERENT" not in moved.output
        )
        assert env.databases[0].rsplit("/", 1)[1] not in pg_databases(PG)
        audit = CliRunner().invoke(cli, [*directories, "audit", "verify", "--tenant", "back"])
        assert audit.exit_code == 0 and "chain intact" in audit.output, audit.output
