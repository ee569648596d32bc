"""The deployment files keep their promises (RUNBOOK.md, "Several app hosts"): the compose files load,
every app host of the multi-host one runs with the same secret key and the same read-only tenants, a
descriptor limit and a readiness check, nginx balances over exactly those hosts, and the tenants are on
two database servers, one through PgBouncer. (``nginx -t`` and ``docker compose config`` need tools CI
does not have; the runbook says how to run them.)"""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from core.tenancy.declaration import load_declaration
from tests.support import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
NOFILE = 65536


def _compose(name: str) -> dict:
    document = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))
    services = document["services"]
    for service in services.values():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name}: depends on unknown service {needed}"
    return services


def _app_hosts(services: dict) -> dict[str, dict]:
    return {name: s for name, s in services.items() if s.get("command", [])[:2] == ["pilot-crm", "serve"]}


@pytest.mark.parametrize("name", ["compose.yaml", "compose.multi.yaml"])
def test_every_app_service_has_the_descriptor_limit(name):
    hosts = _app_hosts(_compose(name))
    assert hosts
    for service in hosts.values():
        assert service["ulimits"]["nofile"] == {"soft": NOFILE, "hard": NOFILE}


def test_the_app_hosts_share_one_secret_key_and_the_tenants_read_only():
    hosts = _app_hosts(_compose("compose.multi.yaml"))
    assert len(hosts) >= 2
    environments = [s["environment"] for s in hosts.values()]
    assert all(env == environments[0] for env in environments)
    assert environments[0]["PILOT_CRM_SECRET_KEY"].startswith("${PILOT_CRM_SECRET_KEY:?")  # required
    mounts = {tuple(s["volumes"]) for s in hosts.values()}
    (volumes,) = mounts
    tenants = [v for v in volumes if v.split(":")[1] == environments[0]["PILOT_CRM_TENANTS_DIR"]]
    assert len(tenants) == 1 and tenants[0].endswith(":ro")
    for service in hosts.values():
        assert "/readyz" in " ".join(service["healthcheck"]["test"])


def test_nginx_balances_over_exactly_the_app_hosts():
    services = _compose("compose.multi.yaml")
    hosts = _app_hosts(services)
    conf = (DEPLOY / "nginx.multi.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream pilot_crm \{(.*?)\}", conf, re.S)
    assert upstream
    servers = set(re.findall(r"^\s*server\s+([\w.-]+):8000\b", upstream.group(1), re.M))
    assert servers == {s.get("hostname", name) for name, s in hosts.items()}
    assert set(services["nginx"]["depends_on"]) == set(hosts)
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert re.search(r"location = /metrics \{\s*return 404;", conf)


def test_the_tenants_are_on_two_database_servers_one_through_pgbouncer(tmp_path: Path):
    services = _compose("compose.multi.yaml")
    declarations = [
        load_declaration(path, tmp_path) for path in sorted((DEPLOY / "tenants.multi").glob("*.toml"))
    ]
    urls = [urlsplit(d.database_url) for d in declarations]
    assert all(url.hostname in services for url in urls)
    pooled = [url for url in urls if "pgbouncer=true" in url.query]
    assert [url.hostname for url in pooled] == ["pgbouncer"]
    upstream = services["pgbouncer"]["environment"]["PGBOUNCER_UPSTREAM_HOST"]
    servers = {upstream if url.hostname == "pgbouncer" else url.hostname for url in urls}
    assert len(servers) == 2 and servers <= set(services)
    ini = configparser.ConfigParser(allow_no_value=True, strict=False)
    ini.read_string(
        "\n".join(
            line
            for line in (DEPLOY / "pgbouncer/pgbouncer.ini").read_text().splitlines()
            if not line.startswith("%")
        )
    )
    assert ini["pgbouncer"]["pool_mode"] == "transaction"


def test_the_systemd_unit_sets_the_descriptor_limit():
    unit = (DEPLOY / "pilot-crm.service").read_text(encoding="utf-8")
    (limit,) = re.findall(r"^LimitNOFILE=(\d+)$", unit, re.M)
    assert int(limit) >= NOFILE
