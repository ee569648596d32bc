"""Browser tests: Debian's Chromium driven by Playwright against the real app served by the CLI.

One server for the whole browser suite (``pilot-crm demo``, test members added with ``pilot-crm users
add``, then ``pilot-crm serve``), one browser; each test opens its own contexts (one per member).
Every page of every context records its requests, and a test fails if any went to a host other
than the app's own.

Playwright's own browser download cannot work on these machines, so the suite drives the system
Chromium. Under ``CI=true`` it installs Chromium when missing and fails (never skips) if it cannot.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from core.testing.mail import outbox_mails
from tests.browser.kit import MEMBERS, PASSWORD, RequestGuard, member_email, open_context
from tests.support import REPO_ROOT, free_port, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


# apt waits for another apt (a second test worker installing Chromium too) instead of failing.
APT = ["apt-get", "-o", "DPkg::Lock::Timeout=600"]


def _apt_install_chromium() -> str:
    """Install Debian's chromium; refresh the package lists and retry once if the first try fails."""
    log = []
    for refresh in (False, True):
        if refresh:
            update = subprocess.run([*APT, "update"], capture_output=True, text=True, check=False)
            log.append(f"apt-get update: exit {update.returncode}\n{update.stderr[-2000:]}")
        install = subprocess.run(
            [*APT, "install", "-y", "chromium"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        log.append(f"apt-get install -y chromium: exit {install.returncode}\n{install.stderr[-2000:]}")
        if install.returncode == 0 and CHROMIUM.exists():
            return ""
    return "\n".join(log)


@pytest.fixture(scope="package")
def chromium_executable() -> str:
    """The system Chromium; installed on CI when missing (a failure, not a skip, if that fails)."""
    if not CHROMIUM.exists():
        if not IN_CI:
            pytest.skip(
                f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
                "under CI=true it is installed automatically"
            )
        if shutil.which("apt-get") is None:
            pytest.fail(f"CI=true and {CHROMIUM} is missing, and apt-get is not available", pytrace=False)
        problem = _apt_install_chromium()
        if problem:
            pytest.fail(f"CI=true and Chromium could not be installed:\n{problem}", pytrace=False)
    return str(CHROMIUM)


def _cli() -> list[str]:
    """The ``pilot-crm`` command of the interpreter running the tests."""
    script = Path(sys.executable).parent / "pilot-crm"
    return [str(script)] if script.exists() else [sys.executable, "-m", "core.cli.main"]


@dataclass
class LiveServer:
    """The app served by ``pilot-crm serve`` over a demo data directory."""

    port: int
    data_dir: Path
    cli: list[str] = field(repr=False)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, slug: str, path: str = "/") -> str:
        return f"{self.origin}/t/{slug}{path}"

    def command(self, *args: str) -> list[str]:
        """``pilot-crm --data-dir D --tenants-dir <repo>/tenants ARGS``."""
        tenants = str(REPO_ROOT / "tenants")
        return [*self.cli, "--data-dir", str(self.data_dir), "--tenants-dir", tenants, *args]

    def run_cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            self.command(*args),
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if done.returncode != 0:
            pytest.fail(f"pilot-crm {' '.join(args)} failed: {done.stderr or done.stdout}", pytrace=False)
        return done.stdout

    def outbox(self, slug: str, address: str | None = None) -> list[EmailMessage]:
        """The mails tenant ``slug`` kept in its outbox (the demo has no SMTP server), oldest first;
        only those to ``address`` when given. Read from the tenant's database in this process, as
        any other process of the deployment would (``pilot-crm mail outbox`` is tested in
        tests/integration/test_processes.py; a CLI process per read cost a second each here)."""
        tenant = self._registry.get(slug)
        assert tenant is not None, slug

        async def read() -> list[EmailMessage]:
            try:
                with tenant_context(tenant):
                    return await outbox_mails(address)
            finally:
                await self._registry.close()

        # Playwright's sync API keeps an event loop running in this thread: read from another.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as reader:
            return reader.submit(asyncio.run, read()).result(timeout=60)

    @functools.cached_property
    def _registry(self) -> TenantRegistry:
        return TenantRegistry.load(Settings.from_env(self.data_dir, REPO_ROOT / "tenants"))

    def api_get(self, slug: str, path: str, token: str) -> Any:
        """A GET on the tenant's JSON API (used to learn the demo data a page must or must not show)."""
        request = urllib.request.Request(  # noqa: S310 - always our own http://127.0.0.1 server
            f"{self.origin}/t/{slug}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    server = LiveServer(port=free_port(), data_dir=data_dir, cli=_cli())
    server.run_cli("demo")
    for slug, role in MEMBERS:
        server.run_cli(
            "users",
            "add",
            "--tenant",
            slug,
            "--email",
            member_email(slug, role),
            "--role",
            role,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
    # Plain http on 127.0.0.1: cookies marked Secure would never come back.
    env = {k: v for k, v in os.environ.items() if k != "PILOT_CRM_SECURE_COOKIES"}
    command = server.command("serve", "--port", str(server.port))
    with serving(command, server.port, data_dir / "serve.log", env):
        yield server


@pytest.fixture(scope="package")
def browser(chromium_executable: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def request_guard(live_server: LiveServer) -> Iterator[RequestGuard]:
    guard = RequestGuard(live_server.origin)
    yield guard
    if foreign := guard.foreign():
        pytest.fail(f"pages requested hosts other than the app's own: {foreign}", pytrace=False)
    if guard.page_errors:
        pytest.fail(f"uncaught script errors on pages: {guard.page_errors}", pytrace=False)


NewContext = Callable[..., Any]


@pytest.fixture
def new_context(browser: Any, live_server: LiveServer, request_guard: RequestGuard) -> Iterator[NewContext]:
    """Open a browser context (one member's browser) whose pages are all watched by the guard."""
    contexts: list[Any] = []

    def open_guarded(locale: str = "es-MX", width: int = 1280, height: int = 900) -> Any:
        context = open_context(browser, live_server.origin, request_guard, locale, width, height)
        contexts.append(context)
        return context

    yield open_guarded
    for context in contexts:
        context.close()
