"""What the plugin adds to core's data flows: a ``Networks`` column in the export of organizations
(page and API), and the memberships where a contact is the focal point in that contact's
personal-data export, cleared by its erasure."""

from __future__ import annotations

import csv
import io

from core.plugin_api import sign_in
from plugins.networks.tests.support import OFF, ON, Api, gettext, membership, network, organization, unique


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_organization_export_lists_each_organizations_live_networks(client, env):
    api = Api(client, env)
    a, b, gone = network(api, name=unique("Alfa")), network(api, name=unique("Beta")), network(api)
    both, none, left = organization(api), organization(api), organization(api)
    membership(api, a["id"], both["id"])
    membership(api, b["id"], both["id"])
    membership(api, gone["id"], both["id"])
    api.post(f"/networks/{gone['id']}/archive", None, status=200)
    old = membership(api, a["id"], left["id"])
    api.post(f"/networks/memberships/{old['id']}/archive", None, status=200)
    expected = {both["id"]: f"{a['name']}; {b['name']}", none["id"]: "", left["id"]: ""}

    browser = sign_in(client, env, ON, "coordinator", "es")
    column = gettext(env, "es", "Networks")
    for response in (
        browser.get("/organizations/export.csv"),
        client.get(f"/t/{ON}/api/v1/organizations/export", headers=env.headers(ON, "coordinator", "es")),
    ):
        assert response.status_code == 200, response.text[:300]
        cells = {int(r["ID"]): r[column] for r in rows(response.text)}
        assert {k: cells[k] for k in expected} == expected

    off = Api(client, env, slug=OFF)
    organization(off)
    exported = sign_in(client, env, OFF, "coordinator", "es").get(f"/t/{OFF}/organizations/export.csv")
    assert exported.status_code == 200 and column not in next(iter(rows(exported.text)))


def test_a_focal_points_memberships_are_in_their_export_and_leave_with_their_erasure(client, env):
    api = Api(client, env)
    person = api.post("/contacts", {"first_name": "Marta", "last_name": unique("Gómez")})
    other = api.post("/contacts", {"first_name": "Iván", "last_name": unique("Soto")})
    net, org, org2 = network(api), organization(api), organization(api)
    held = membership(api, net["id"], org["id"], role="secretariat", focal_point=person["id"])
    kept = membership(api, net["id"], org2["id"], focal_point=other["id"])

    exported = api.get(f"/contacts/{person['id']}/personal-data")["plugins"]["networks"]
    assert [(m["id"], m["network_name"], m["organization_name"], m["role"]) for m in exported] == [
        (held["id"], net["name"], org["name"], "secretariat")
    ]
    page = sign_in(client, env, ON, "coordinator").get(f"/contacts/{person['id']}/personal-data")
    assert page.status_code == 200 and net["name"] in page.text

    api.post(f"/contacts/{person['id']}/erase", None, status=200)
    after = api.get(f"/networks/memberships/{held['id']}")
    assert (after["focal_point"], after["version"], after["archived_at"]) == (None, 2, None)
    assert api.get(f"/networks/memberships/{kept['id']}")["focal_point"] == other["id"]
    assert api.get(f"/contacts/{person['id']}/personal-data")["plugins"]["networks"] == []
    history = api.get("/audit", entity="network_membership", entity_id=held["id"])
    assert sorted(e["action"] for e in history) == ["create", "erase_focal_point"]
    assert person["last_name"] not in str(history)
