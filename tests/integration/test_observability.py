"""What an operator watches, over HTTP: ``/metrics`` (latency by route template and declared tenant,
label sets that no client can grow), one JSON access line per request with its id, ``X-Request-ID``
echoed, and ``/readyz`` naming the tenant whose database does not answer.

On SQLite only: nothing here depends on the backend but the readiness probe, and a database file
replaced by garbage is the cheapest broken database to make (the probe is one query through the
routing engine, the same on PostgreSQL)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from core.testing.environment import TenantSpec
from core.web.logs import JsonFormatter

HISTOGRAM = "pilot_crm_http_request_duration_seconds"
CONTACTS = "/t/{tenant_slug}/api/v1/contacts"


@pytest.fixture(scope="module", params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def pilot_crm_tenants() -> list[TenantSpec]:
    # gamma's database is broken by the last test.
    return [TenantSpec("alpha"), TenantSpec("gamma")]


def _requests_counted(client) -> dict[tuple[tuple[str, str], ...], float]:
    """The histogram's request counts by label set, as a scrape of ``/metrics`` reads them."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    counts = {}
    for family in text_string_to_metric_families(response.text):
        if family.name == HISTOGRAM:
            for sample in family.samples:
                if sample.name == f"{HISTOGRAM}_count":
                    counts[tuple(sorted(sample.labels.items()))] = sample.value
    return counts


def _values(counts, label: str) -> set[str]:
    return {dict(labels)[label] for labels in counts}


def test_latency_is_counted_by_route_template_method_status_class_and_tenant(client, env):
    series = (("method", "GET"), ("route", CONTACTS), ("status", "2xx"), ("tenant", "alpha"))
    before = _requests_counted(client).get(series, 0)
    observer = env.headers("alpha", "observer")
    for _ in range(3):
        assert client.get("/t/alpha/api/v1/contacts", headers=observer).status_code == 200
    assert client.get("/t/alpha/api/v1/contacts").status_code == 401
    after = _requests_counted(client)
    assert after[series] == before + 3
    assert (("method", "GET"), ("route", CONTACTS), ("status", "4xx"), ("tenant", "alpha")) in after


paths = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.~", min_size=1, max_size=24)
shapes = st.sampled_from(["/{a}", "/{a}/{b}", "/t/{a}/api/v1/contacts", "/t/{a}/{b}", "/t/alpha/{a}/{b}"])


def test_unknown_paths_and_tenants_add_no_label_values(client):
    templates = {route.path_format for route in client.app.routes}
    client.get(f"/t/nobody-{uuid.uuid4().hex[:6]}/api/v1/contacts")  # "other" and "unmatched" exist
    client.get(f"/nowhere-{uuid.uuid4().hex[:6]}")
    before = _requests_counted(client)
    seen = []

    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
    @given(shape=shapes, a=paths, b=paths, method=st.sampled_from(["GET", "POST", "DELETE", "BREW"]))
    def unknown_request(shape: str, a: str, b: str, method: str) -> None:
        seen.append(client.request(method, shape.format(a=a, b=b)).status_code)

    unknown_request()
    after = _requests_counted(client)
    assert len(seen) == 50 and all(status < 500 for status in seen), seen
    # The registry is the process's: other apps of this test process may have counted other tenants
    # and routes before; what matters is that these requests added none.
    assert _values(after, "tenant") - _values(before, "tenant") <= {"alpha", "other", "-"}
    assert not any(value.startswith("nobody-") for value in _values(after, "tenant"))
    assert _values(after, "route") - _values(before, "route") <= templates | {"unmatched"}
    assert _values(after, "method") - _values(before, "method") <= {"GET", "POST", "DELETE", "other"}
    assert len(after) - len(before) <= 3 * 4 * 5  # methods x status classes x the new routes at most


def test_a_request_writes_one_json_access_line_with_its_id(client, env, caplog):
    with caplog.at_level(logging.INFO, logger="pilot_crm.access"):
        response = client.get(
            "/t/alpha/api/v1/contacts?q=Someone%27s+name",
            headers={**env.headers("alpha", "observer"), "X-Request-ID": "edge-42.a:b"},
        )
    assert response.headers["x-request-id"] == "edge-42.a:b"
    (record,) = [r for r in caplog.records if r.name == "pilot_crm.access"]
    line = JsonFormatter().format(record)
    fields = json.loads(line)
    assert fields["level"] == "info" and fields["time"].endswith("+00:00")
    assert (fields["tenant"], fields["request_id"], fields["method"]) == ("alpha", "edge-42.a:b", "GET")
    assert (fields["route"], fields["status"]) == (CONTACTS, 200)
    assert isinstance(fields["duration_ms"], float) and fields["duration_ms"] > 0
    assert "Someone" not in line and "q=" not in line and "\n" not in line  # no query string


@pytest.mark.parametrize("given_id", ["", "x" * 65, "two words", "<script>", "ñ".encode()])
def test_an_unsafe_request_id_is_replaced_by_a_new_one(client, given_id, caplog):
    with caplog.at_level(logging.INFO, logger="pilot_crm.access"):
        response = client.get(f"/t/nobody-{given_id[:3]}x/", headers={"X-Request-ID": given_id})
    echoed = response.headers["x-request-id"]
    assert echoed != given_id and len(echoed) == 32 and int(echoed, 16) >= 0
    (record,) = [r for r in caplog.records if r.name == "pilot_crm.access"]
    fields = json.loads(JsonFormatter().format(record))
    assert (fields["request_id"], fields["tenant"], fields["route"]) == (echoed, "-", "/t/{tenant_slug}")


@pytest.fixture
def metrics_token(monkeypatch) -> Iterator[str]:
    token = uuid.uuid4().hex
    monkeypatch.setenv("PILOT_CRM_METRICS_TOKEN", token)
    yield token


def test_metrics_can_require_a_bearer_token(client, metrics_token):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    allowed = client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
    assert allowed.status_code == 200 and HISTOGRAM in allowed.text


def test_readiness_names_the_tenant_whose_database_does_not_answer(client, env, caplog):
    """Last in the module: it breaks gamma's database."""
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    gamma = env.registry.get("gamma")
    client.blocking_portal.call(gamma.close)
    path = gamma.declaration.sqlite_path
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    path.write_bytes(b"this is not a database " * 500)
    with caplog.at_level(logging.ERROR, logger="pilot_crm.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "tenants": ["gamma"]}  # no driver detail
    assert any("gamma" in r.getMessage() and "not a database" in r.getMessage() for r in caplog.records)
    assert client.get("/healthz").status_code == 200  # still alive
