"""Pytest fixtures for Pilot CRM and its plugins.

Every test that uses ``env`` or ``client`` runs once per backend: SQLite always, PostgreSQL whenever
it is reachable. Under ``CI=true`` an unreachable PostgreSQL is an error, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from core.testing.environment import (
    PG_HOST,
    PG_PORT,
    TenantSpec,
    TestEnvironment,
    build_environment,
    postgres_reachable,
)
from core.testing.mail import MailSink

BACKENDS = ("sqlite", "postgres")

# Two tenants with different plugins: enough to prove isolation and per-tenant plugin effects.
DEFAULT_SPECS = [
    TenantSpec(
        "alpha",
        country="MEX",
        default_locale="es",
        locales=("es", "en"),
        timezone="America/Mexico_City",
        plugins=("mexico", "networks"),
    ),
    TenantSpec(
        "beta",
        country="AGO",
        default_locale="pt",
        locales=("pt", "en"),
        timezone="Africa/Luanda",
        plugins=("angola", "networks"),
    ),
]


def require_backend(backend: str) -> None:
    if backend != "postgres" or postgres_reachable():
        return
    where = f"{PG_HOST}:{PG_PORT}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is not reachable at {where}, and CI=true requires it", pytrace=False)
    pytest.skip(f"PostgreSQL is not reachable at {where} (these tests run whenever it is)")


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    require_backend(request.param)
    return request.param


@pytest.fixture(scope="module")
def pilot_crm_tenants() -> list[TenantSpec]:
    """The tenants ``env`` builds: by default ``alpha`` (Mexico's plugin, es/en) and ``beta``
    (Angola's, pt/en), both with ``networks``. Override it in a test module or a conftest to choose
    the tenants' plugins and locales::

        @pytest.fixture(scope="module")
        def pilot_crm_tenants():
            return [TenantSpec("ke", country="KEN", default_locale="sw", locales=("sw", "en"),
                               timezone="Africa/Nairobi", plugins=("kenya",))]
    """
    return list(DEFAULT_SPECS)


@pytest.fixture(scope="module")
def env(
    backend: str, pilot_crm_tenants: list[TenantSpec], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestEnvironment]:
    """The migrated tenants of ``pilot_crm_tenants`` and a member with an API token for every role in
    each; shared by the tests of one module."""
    with build_environment(backend, tmp_path_factory.mktemp(backend), pilot_crm_tenants) as environment:
        yield environment


@pytest.fixture(scope="module")
def client(env: TestEnvironment):
    """An HTTP client for the app serving ``env``'s tenants."""
    from litestar.testing import TestClient

    from core.web.app import create_app

    app = create_app(env.registry.settings, env.registry)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def fresh_login_throttle() -> Iterator[None]:
    """Each test starts with fresh throttles (sign-in, reset links, invitations): attempts of one
    test must not lock out the members of the next (they all come from the same test-client
    address). The counts live in the tenants' databases; this moves the app's throttle keys to a new
    namespace (``core.accounts.throttle.forget_all``), so earlier counts are simply not found."""
    from core.accounts.throttle import forget_all

    forget_all()
    yield


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[MailSink]:
    """A real SMTP server on a free loopback port, shared by a module's tests (see ``mailbox``)."""
    sink = MailSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def mailbox(smtp_sink: MailSink) -> MailSink:
    """The module's SMTP sink, emptied for this test. Point an app at it with
    ``dataclasses.replace(settings, mail=mailbox.settings)``."""
    smtp_sink.clear()
    return smtp_sink
