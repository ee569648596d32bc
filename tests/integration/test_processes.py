"""Several app processes serving one tenant, as behind a load balancer: real ``pilot-crm serve``
processes (one of them with ``--workers 2``) on the same tenant declarations, data directory and
database, on every backend. Throttles count in the tenant's database, so a budget is the same
however many processes share the guessing."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.testing.environment import TEST_PASSWORD, TenantSpec, TestEnvironment, build_environment
from core.testing.web import Browser
from tests.support import free_port, serving


@dataclass(frozen=True)
class Server:
    url: str
    port: int

    def workers(self) -> list[int]:
        """The worker processes of the server on this port: the children that multiprocessing
        spawned (not its resource tracker) of the process serving it."""
        processes: dict[int, tuple[int, bytes]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    command = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                processes[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), command)
        port = f"--port\0{self.port}\0".encode()
        (server,) = [
            pid for pid, (_, command) in processes.items() if b"serve" in command and port in command
        ]
        return [
            pid
            for pid, (parent, command) in processes.items()
            if parent == server and b"spawn_main" in command
        ]


def _serve(stack: ExitStack, deployment: TestEnvironment, *options: str) -> Server:
    settings = deployment.registry.settings
    port = free_port()
    command = [
        sys.executable, "-m", "core.cli.main",
        "--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir),
        "serve", "--port", str(port), *options,
    ]  # fmt: skip
    log = deployment.root / f"serve-{port}.log"
    return Server(stack.enter_context(serving(command, port, log, os.environ)), port)


@pytest.fixture(scope="module")
def deployment(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestEnvironment]:
    specs = [TenantSpec("alpha", default_locale="en", locales=("en", "es"))]
    with build_environment(backend, tmp_path_factory.mktemp(f"processes-{backend}"), specs) as built:
        yield built


@pytest.fixture(scope="module")
def servers(deployment: TestEnvironment) -> Iterator[tuple[Server, Server]]:
    """Two servers on the same tenant: one with two worker processes, one plain."""
    with ExitStack() as stack:
        yield _serve(stack, deployment, "--workers", "2"), _serve(stack, deployment)


def _browser(server: Server) -> Browser:
    browser = Browser(httpx.Client(base_url=server.url, timeout=30), "alpha")
    assert browser.get("/login").status_code == 200
    return browser


def _sign_in(browser: Browser, email: str, password: str) -> int:
    response = browser.post(
        "/login", {"email": email, "password": password, "next": "/t/alpha/"}, follow_redirects=False
    )
    return response.status_code


def test_serve_with_two_workers_answers_health_and_pages(servers):
    workers, _ = servers
    assert len(workers.workers()) == 2
    assert httpx.get(f"{workers.url}/healthz").status_code == 200
    page = httpx.get(f"{workers.url}/t/alpha/login")
    assert page.status_code == 200 and 'name="password"' in page.text


def test_the_sixth_bad_password_is_refused_whichever_process_gets_it(servers, deployment):
    email = deployment.email("alpha", "observer")
    first, second = (_browser(server) for server in servers)
    for attempt in range(5):
        browser = (first, second)[attempt % 2]
        assert _sign_in(browser, email, "not the password") == 400
    for browser in (first, second):
        assert _sign_in(browser, email, "not the password") == 429
        assert _sign_in(browser, email, TEST_PASSWORD) == 429  # locked: not even the right one


def test_another_account_is_not_locked_by_it(servers, deployment):
    for server in servers:
        assert _sign_in(_browser(server), deployment.email("alpha", "government"), TEST_PASSWORD) == 303


def test_reset_link_requests_share_one_budget_across_processes(servers, deployment):
    email = deployment.email("alpha", "ngo")
    first, second = (_browser(server) for server in servers)
    for attempt in range(3):
        browser = (first, second)[attempt % 2]
        browser.get("/password/forgot")
        assert browser.post("/password/forgot", {"email": email}).status_code == 200
    for browser in (first, second):
        browser.get("/password/forgot")
        assert browser.post("/password/forgot", {"email": email}).status_code == 429


def test_per_address_budgets_count_the_client_behind_the_proxy_not_the_proxy(servers, deployment):
    """Behind nginx every connection comes from the proxy: the budget per client address must count
    the address in X-Forwarded-For (believed from the trusted proxy, here the local machine), or 30
    bad passwords from anyone would lock every member out."""
    from core.accounts.throttle import SIGN_IN_PER_ADDRESS

    _, server = servers

    def attempt(client_address: str, email: str, password: str = "not the password") -> int:
        browser = _browser(server)
        browser.client.headers["X-Forwarded-For"] = f"198.51.100.77, {client_address}"
        return _sign_in(browser, email, password)

    for i in range(SIGN_IN_PER_ADDRESS):  # on accounts that do not exist: only the address counts
        assert attempt("203.0.113.5", f"nobody{i}@example.org") == 400
    assert attempt("203.0.113.5", "nobody.else@example.org") == 429
    assert attempt("203.0.113.6", deployment.email("alpha", "coordinator"), TEST_PASSWORD) == 303


def _counted(server: Server, route: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(httpx.get(f"{server.url}/metrics").text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name.endswith("_seconds_count") and (labels["route"], labels["tenant"]) == (
                route,
                "alpha",
            ):
                total += sample.value
    return total


def test_metrics_of_two_workers_add_up_whichever_answers_the_scrape(servers):
    for server in servers:  # two workers; one process (the app in serve's own process)
        before = _counted(server, "/t/{tenant_slug}/login")
        with httpx.Client(base_url=server.url, headers={"Connection": "close"}) as client:
            for _ in range(8):  # a new connection each: both workers take some
                assert client.get("/t/alpha/login").status_code == 200
        assert [_counted(server, "/t/{tenant_slug}/login") - before for _ in range(4)] == [8.0] * 4


def test_each_request_is_one_json_line_in_the_log_with_its_id(servers, deployment):
    import json
    import time

    for server in servers:
        answer = httpx.get(
            f"{server.url}/t/alpha/login?next=/t/alpha/secret", headers={"X-Request-ID": "trace-7"}
        )
        assert answer.headers["x-request-id"] == "trace-7"
    for server in servers:
        log = deployment.root / f"serve-{server.port}.log"
        deadline = time.monotonic() + 5
        while True:  # the line is written once the answer has left
            records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
            mine = [r for r in records if r.get("request_id") == "trace-7"]
            if mine or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert any(r["logger"].startswith("uvicorn") for r in records)  # the server's own lines too
        (line,) = mine
        assert (line["tenant"], line["route"], line["status"]) == ("alpha", "/t/{tenant_slug}/login", 200)
        assert "secret" not in json.dumps(line)


def test_a_mail_kept_by_one_process_is_read_from_any_other(servers, deployment):
    """No SMTP server: the outbox is the tenant's database, so mails kept by two server processes
    are read by the CLI in a third (on any host), and nothing is written to the data directory."""
    import time

    from click.testing import CliRunner

    from core.cli.main import cli

    email = deployment.email("alpha", "government")
    for server in servers:
        browser = _browser(server)
        browser.get("/password/forgot")
        assert browser.post("/password/forgot", {"email": email}).status_code == 200
    settings = deployment.registry.settings
    where = ["--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir)]
    outbox = [*where, "mail", "outbox", "--tenant", "alpha"]
    deadline = time.monotonic() + 10
    while True:  # the mail leaves in a background task after the answer
        listing = CliRunner().invoke(cli, [*outbox, "--to", email]).output.splitlines()
        if len(listing) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(listing) == 2, listing
    shown = CliRunner().invoke(cli, [*outbox, "--show", listing[0].split("\t")[0]])
    assert shown.exit_code == 0 and f"To: {email}" in shown.output
    assert "/t/alpha/password/reset/" in shown.output
    assert not (settings.data_dir / "outbox").exists()
    missing = CliRunner().invoke(cli, [*outbox, "--show", "999999"])
    assert missing.exit_code == 1 and "no mail 999999" in missing.output
