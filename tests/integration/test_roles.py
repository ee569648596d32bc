"""Who may do what inside one tenant: observers read; participants write what their side owns;
coordinators everything; no credentials → 401."""

from __future__ import annotations

import secrets

API = "/t/alpha/api/v1"


def org_by(client, env, role, sector):
    r = client.post(
        f"{API}/organizations",
        json={"name": f"Org {secrets.token_hex(4)}", "sector": sector},
        headers=env.headers("alpha", role),
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_observer_reads_but_cannot_write(client, env):
    h = env.headers("alpha", "observer")
    assert client.get(f"{API}/organizations", headers=h).status_code == 200
    r = client.post(f"{API}/organizations", json={"name": "x", "sector": "ngo"}, headers=h)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    org = org_by(client, env, "coordinator", "ngo")
    assert (
        client.patch(
            f"{API}/organizations/{org['id']}", json={"version": 1, "city": "x"}, headers=h
        ).status_code
        == 403
    )
    assert client.post(f"{API}/organizations/{org['id']}/archive", headers=h).status_code == 403
    assert client.get(f"{API}/organizations/{org['id']}", headers=h).json()["city"] == ""


def test_participants_edit_only_what_their_side_owns(client, env):
    gov_org = org_by(client, env, "government", "law_enforcement")
    ngo_org = org_by(client, env, "ngo", "ngo")
    assert gov_org["owner_side"] == "government" and ngo_org["owner_side"] == "non_governmental"
    h_gov, h_ngo = env.headers("alpha", "government"), env.headers("alpha", "ngo")
    assert (
        client.patch(
            f"{API}/organizations/{ngo_org['id']}", json={"version": 1, "city": "x"}, headers=h_gov
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"{API}/organizations/{gov_org['id']}", json={"version": 1, "city": "x"}, headers=h_ngo
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"{API}/organizations/{ngo_org['id']}", json={"version": 1, "city": "Tijuana"}, headers=h_ngo
        ).status_code
        == 200
    )
    # Coordinators edit anything in their tenant.
    assert (
        client.patch(
            f"{API}/organizations/{gov_org['id']}",
            json={"version": 1, "city": "León"},
            headers=env.headers("alpha", "coordinator"),
        ).status_code
        == 200
    )


def test_coordinator_records_belong_to_the_organizations_side(client, env):
    org = org_by(client, env, "coordinator", "academia")
    assert org["owner_side"] == "non_governmental"
    assert (
        client.patch(
            f"{API}/organizations/{org['id']}",
            json={"version": 1, "city": "x"},
            headers=env.headers("alpha", "ngo"),
        ).status_code
        == 200
    )


def test_observers_and_coordinators_cannot_confirm_completion(client, env):
    gov = org_by(client, env, "coordinator", "government_ministry")
    action = client.post(
        f"{API}/actions",
        json={"title": "Acción", "government_lead": gov["id"]},
        headers=env.headers("alpha", "coordinator"),
    ).json()
    for role in ("observer", "coordinator"):
        assert (
            client.post(
                f"{API}/actions/{action['id']}/confirm", headers=env.headers("alpha", role)
            ).status_code
            == 403
        )
    assert (
        client.post(
            f"{API}/actions/{action['id']}/progress",
            json={"on_date": "2025-01-01", "note": "n"},
            headers=env.headers("alpha", "observer"),
        ).status_code
        == 403
    )


def test_missing_or_bad_token_is_401(client, env):
    assert client.get(f"{API}/contacts").status_code == 401
    r = client.get(f"{API}/contacts", headers={"Authorization": "Bearer pcrm_not-a-token"})
    assert r.status_code == 401 and r.headers.get("www-authenticate") == "Bearer"
    assert client.get(f"{API}/contacts", headers={"Authorization": "Basic abc"}).status_code == 401


def test_anonymous_request_is_401_before_its_body_is_read(client):
    r = client.post(f"{API}/contacts", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 401
