"""Pytest fixtures for Pilot CRM and its plugins (loaded through the ``pytest11`` entry point, so a
plugin package installed next to Pilot CRM gets them with no conftest of its own).

Every test that uses ``env`` or ``client`` runs once per chosen backend. The backends are chosen with
``--pilot-crm-backends=sqlite,postgres`` (or ``PILOT_CRM_TEST_BACKENDS``; default both): an author
without PostgreSQL runs ``pytest --pilot-crm-backends=sqlite``, and a backend not chosen is not
parametrized at all. A chosen PostgreSQL that is unreachable is skipped, except under ``CI=true``
where it is an error. A test module picks its tenants (their plugins, locales, time zone) by
overriding the ``pilot_crm_tenants`` fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from argon2 import profiles

from core.accounts.passwords import use_parameters
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
OPTION = "--pilot-crm-backends"
ENV_VAR = "PILOT_CRM_TEST_BACKENDS"

# Two tenants with different plugins: enough to prove isolation and per-tenant plugin effects.
DEFAULT_SPECS = [
    TenantSpec(
        "alpha",
        country="MEX",
        default_locale="es",
        locales=("es", "en"),
        timezone="America/Mexico_City",
        plugins=("mexico", "networks", "engagement"),
    ),
    TenantSpec(
        "beta",
        country="AGO",
        default_locale="pt",
        locales=("pt", "en"),
        timezone="Africa/Luanda",
        plugins=("angola", "networks", "engagement"),
    ),
]

_chosen: tuple[str, ...] = BACKENDS


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pilot-crm")
    group.addoption(
        OPTION,
        dest="pilot_crm_backends",
        default=None,
        metavar="LIST",
        help=f"Comma-separated backends the env/client fixtures run on ({', '.join(BACKENDS)}); "
        f"default: ${ENV_VAR}, else all. Use 'sqlite' when no PostgreSQL is at hand.",
    )


def parse_backends(value: str) -> tuple[str, ...]:
    """``"sqlite, postgres"`` → ``("sqlite", "postgres")`` in the order given, each once."""
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [name for name in names if name not in BACKENDS]
    if unknown or not names:
        raise pytest.UsageError(
            f"{OPTION}: '{value}' must list some of {', '.join(BACKENDS)} (unknown: {', '.join(unknown)})"
        )
    return names


def chosen_backends(config: pytest.Config) -> tuple[str, ...]:
    """The backends this run uses: the option, else the environment variable, else all."""
    value = config.getoption("pilot_crm_backends") or os.environ.get(ENV_VAR) or ",".join(BACKENDS)
    return parse_backends(value)


def pytest_configure(config: pytest.Config) -> None:
    global _chosen
    _chosen = chosen_backends(config)
    # The members the kit creates get argon2id hashes of the cheapest cost: every test signs in, and
    # at the production cost (~0.1 s per hash and per check) that alone took minutes of the suite.
    # Apps the tests start in their own processes (the CLI, ``serve``) keep the production cost.
    use_parameters(profiles.CHEAPEST)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``backend`` (and so ``env`` and ``client``) with the chosen backends only."""
    if "backend" not in metafunc.fixturenames:
        return
    own = metafunc._arg2fixturedefs.get("backend") or ()
    if own and own[-1].params is not None:
        return  # a module's own ``backend`` fixture with params of its own
    metafunc.parametrize("backend", _chosen, indirect=True, scope="module")


def require_backend(backend: str) -> None:
    """Skip ``backend`` when this run did not choose it or (outside CI) it is unreachable."""
    if backend not in _chosen:
        pytest.skip(f"backend {backend} not chosen ({OPTION}={','.join(_chosen)})")
    if backend != "postgres" or postgres_reachable():
        return
    where = f"{PG_HOST}:{PG_PORT}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is not reachable at {where}, and CI=true requires it", pytrace=False)
    pytest.skip(f"PostgreSQL is not reachable at {where} (these tests run whenever it is)")


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """The backend of this module's tenants: one of the chosen ones (see the module's docstring)."""
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
    """The ``pilot_crm_tenants``, migrated on ``backend``, with a member and an API token for every
    role in each (``env.headers(slug, role, locale)``, ``env.email(slug, role)``); shared by the
    tests of one module and dropped afterwards."""
    with build_environment(backend, tmp_path_factory.mktemp(backend), pilot_crm_tenants) as environment:
        yield environment


@pytest.fixture(scope="module")
def client(env: TestEnvironment):
    """An HTTP client for the app serving ``env``'s tenants (``core.testing.web.sign_in`` gives a
    signed-in browser over it)."""
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


@pytest.fixture(scope="session")
def second_pg_server() -> str:
    """The DSN prefix (``postgresql://user@host:port``) of a second local PostgreSQL server, for tests
    that spread tenants over two servers (``core.testing.clusters``). Outside CI a machine without
    the cluster tools skips them; under CI=true it fails them."""
    from core.testing.clusters import SecondServerUnavailable, ensure_second_server

    require_backend("postgres")
    try:
        return ensure_second_server()
    except SecondServerUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no second PostgreSQL server, and CI=true requires it: {exc}", pytrace=False)
        pytest.skip(f"no second PostgreSQL server on this machine: {exc}")
