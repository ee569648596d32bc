"""Tenant isolation through HTTP: credentials of tenant ``alpha`` reach nothing of tenant ``beta``.

Every API route is listed in ROUTES; a route the app serves that is not listed fails the suite, so a
new route cannot ship without an isolation check.
"""

from __future__ import annotations

import re
import secrets

import pytest

from core.accounts.roles import ROLES

MARKER = "BetaSecret" + secrets.token_hex(4)
PREFIX = "/t/{tenant_slug}/api/v1"

# (method, path template) → request body (or None)
ROUTES: dict[tuple[str, str], dict | None] = {
    ("GET", "/organizations"): None,
    ("POST", "/organizations"): {"name": "Intrusa", "sector": "ngo"},
    ("GET", "/organizations/{record_id}"): None,
    ("PATCH", "/organizations/{record_id}"): {"version": 1, "name": "Tampered"},
    ("POST", "/organizations/{record_id}/archive"): None,
    ("GET", "/contacts"): None,
    ("POST", "/contacts"): {"first_name": "A", "last_name": "B"},
    ("GET", "/contacts/{record_id}"): None,
    ("PATCH", "/contacts/{record_id}"): {"version": 1, "last_name": "Tampered"},
    ("POST", "/contacts/{record_id}/archive"): None,
    ("GET", "/contacts/{record_id}/personal-data"): None,
    ("POST", "/contacts/{record_id}/erase"): None,
    ("GET", "/meetings"): None,
    ("POST", "/meetings"): {
        "title": "x",
        "meeting_type": "launch",
        "mode": "online",
        "starts_at": "2025-01-01T10:00:00+00:00",
        "ends_at": "2025-01-01T11:00:00+00:00",
    },
    ("GET", "/meetings/{record_id}"): None,
    ("PATCH", "/meetings/{record_id}"): {"version": 1, "title": "Tampered"},
    ("POST", "/meetings/{record_id}/archive"): None,
    ("GET", "/meetings/{record_id}/attendees"): None,
    ("PUT", "/meetings/{record_id}/attendees/{contact_id}"): {"status": "absent"},
    ("DELETE", "/meetings/{record_id}/attendees/{contact_id}"): None,
    ("GET", "/actions"): None,
    ("POST", "/actions"): {"title": "x"},
    ("GET", "/actions/{record_id}"): None,
    ("PATCH", "/actions/{record_id}"): {"version": 1, "title": "Tampered"},
    ("POST", "/actions/{record_id}/archive"): None,
    ("GET", "/actions/{record_id}/progress"): None,
    ("POST", "/actions/{record_id}/progress"): {"on_date": "2025-01-01", "note": "Tampered"},
    ("POST", "/actions/{record_id}/confirm"): None,
    ("GET", "/topics"): None,
    ("POST", "/topics"): {"code": "INTRUDER", "label": "x", "category": "national"},
    ("GET", "/topics/{record_id}"): None,
    ("PATCH", "/topics/{record_id}"): {"version": 1, "label": "Tampered"},
    ("POST", "/topics/{record_id}/archive"): None,
    ("GET", "/forms/{form}"): None,
    ("GET", "/audit"): None,
    ("GET", "/audit/export"): None,
}


def served_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        path = re.sub(r":\w+}", "}", route.path)
        if not path.startswith(PREFIX):
            continue
        for method in getattr(route, "methods", ()):
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, path.removeprefix(PREFIX)))
    return found


def test_every_tenant_route_has_an_isolation_case(client):
    assert served_routes(client.app) == set(ROUTES)


@pytest.fixture(scope="module")
def beta_data(client, env):
    """Records in beta, every one carrying MARKER so a leak is visible in any response body."""
    h = env.headers("beta", "coordinator")
    base = "/t/beta/api/v1"
    gov = client.post(
        f"{base}/organizations",
        json={"name": f"Ministério {MARKER}", "sector": "government_ministry"},
        headers=h,
    ).json()
    ngo = client.post(
        f"{base}/organizations",
        json={"name": f"ONG {MARKER}", "sector": "ngo", "ao_nif": "5417000001"},
        headers=h,
    )
    assert ngo.status_code == 201, ngo.text
    contact = client.post(
        f"{base}/contacts",
        json={"first_name": MARKER, "last_name": MARKER, "organization": gov["id"]},
        headers=h,
    ).json()
    meeting = client.post(
        f"{base}/meetings",
        json={
            "title": MARKER,
            "meeting_type": "launch",
            "mode": "online",
            "starts_at": "2025-01-01T10:00:00+01:00",
            "ends_at": "2025-01-01T11:00:00+01:00",
        },
        headers=h,
    ).json()
    client.put(
        f"{base}/meetings/{meeting['id']}/attendees/{contact['id']}", json={"status": "attended"}, headers=h
    )
    action = client.post(
        f"{base}/actions", json={"title": MARKER, "government_lead": gov["id"]}, headers=h
    ).json()
    client.post(
        f"{base}/actions/{action['id']}/progress", json={"on_date": "2025-01-02", "note": MARKER}, headers=h
    )
    topic = client.post(
        f"{base}/topics",
        json={"code": "BETA-" + secrets.token_hex(2), "label": MARKER, "category": "national"},
        headers=h,
    ).json()
    return {
        "organizations": gov,
        "contacts": contact,
        "meetings": meeting,
        "actions": action,
        "topics": topic,
    }


def snapshot(client, env, beta_data) -> dict:
    h = env.headers("beta", "coordinator")
    state = {}
    for kind, record in beta_data.items():
        state[kind] = client.get(f"/t/beta/api/v1/{kind}/{record['id']}", headers=h).json()
    state["attendees"] = client.get(
        f"/t/beta/api/v1/meetings/{beta_data['meetings']['id']}/attendees", headers=h
    ).json()
    state["progress"] = client.get(
        f"/t/beta/api/v1/actions/{beta_data['actions']['id']}/progress", headers=h
    ).json()
    state["organizations_count"] = len(
        client.get("/t/beta/api/v1/organizations", params={"limit": 200}, headers=h).json()["items"]
    )
    return state


def concrete(path: str, beta_data: dict) -> str:
    kind = path.strip("/").split("/")[0]
    record = beta_data.get(kind)
    return (
        path.replace("{record_id}", str(record["id"]) if record else "1")
        .replace("{contact_id}", str(beta_data["contacts"]["id"]))
        .replace("{form}", "organization")
    )


@pytest.mark.parametrize("role", ROLES)
def test_alpha_credentials_reach_nothing_in_beta(client, env, beta_data, role):
    before = snapshot(client, env, beta_data)
    for (method, path), body in ROUTES.items():
        url = "/t/beta/api/v1" + concrete(path, beta_data)
        response = client.request(method, url, json=body, headers=env.headers("alpha", role))
        assert response.status_code in (401, 403, 404), (method, url, response.status_code)
        assert MARKER not in response.text, (method, url)
    assert snapshot(client, env, beta_data) == before


@pytest.mark.parametrize("role", ROLES)
def test_beta_ids_in_alpha_routes_do_not_reach_beta(client, env, beta_data, role):
    """Ids, bodies and cursors taken from beta, sent to alpha's own routes, never touch beta."""
    before = snapshot(client, env, beta_data)
    beta_cursor = client.get(
        "/t/beta/api/v1/organizations", params={"limit": 1}, headers=env.headers("beta", "coordinator")
    ).json()["next"]
    for (method, path), body in ROUTES.items():
        url = "/t/alpha/api/v1" + concrete(path, beta_data)
        params = {"cursor": beta_cursor} if method == "GET" and path.count("/") == 1 and beta_cursor else None
        response = client.request(method, url, json=body, params=params, headers=env.headers("alpha", role))
        assert response.status_code < 500, (method, url, response.text)
        assert MARKER not in response.text, (method, url)
    assert snapshot(client, env, beta_data) == before


def test_no_credentials_is_401_and_unknown_tenant_is_404(client, env, beta_data):
    for (method, path), body in ROUTES.items():
        url = "/t/beta/api/v1" + concrete(path, beta_data)
        response = client.request(method, url, json=body)
        assert response.status_code == 401, (method, url)
        assert MARKER not in response.text
    unknown = client.get("/t/nowhere/api/v1/contacts", headers=env.headers("alpha", "coordinator"))
    assert unknown.status_code == 404


def test_a_plugin_enabled_in_one_tenant_changes_nothing_in_another(client, env):
    alpha = client.get("/t/alpha/api/v1/forms/organization", headers=env.headers("alpha", "observer")).json()
    beta = client.get("/t/beta/api/v1/forms/organization", headers=env.headers("beta", "observer")).json()
    alpha_sources = {f["source"] for f in alpha["fields"]}
    beta_sources = {f["source"] for f in beta["fields"]}
    assert alpha_sources == {"core", "mexico"} and beta_sources == {"core", "angola"}
    beta_topics = client.get(
        "/t/beta/api/v1/topics", params={"limit": 200}, headers=env.headers("beta", "observer")
    ).json()["items"]
    assert not any(t["code"].startswith("MX-") for t in beta_topics)
    assert any(t["code"].startswith("AO-") for t in beta_topics)
    # Plugin validation rules apply only where the plugin is enabled.
    body = {"name": "Empresa " + secrets.token_hex(3), "sector": "private_company"}
    assert (
        client.post(
            "/t/beta/api/v1/organizations", json=body, headers=env.headers("beta", "coordinator")
        ).status_code
        == 201
    )
