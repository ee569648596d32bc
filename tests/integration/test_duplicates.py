"""Duplicates through HTTP and the command line: the page lists seeded duplicate contacts and
organizations (and not records that merely look alike), a merge keeps the picked values and moves
attendance, partnerships, contacts, topics and network memberships to the survivor with conflicts
resolved, both records are audited and the chain verifies, stale versions answer 409, and nobody but
coordinators reaches any of it."""

from __future__ import annotations

import re
import secrets

import pytest
from click.testing import CliRunner

from core.cli.main import cli
from core.duplicates.finder import contact_candidates, organization_candidates
from core.tenancy.context import tenant_context
from core.testing.web import sign_in

API = "/t/alpha/api/v1"
PARTICIPANTS = ("government", "ngo", "observer")


def unique() -> str:
    return secrets.token_hex(3)


class Api:
    def __init__(self, client, env) -> None:
        self.client, self.h = client, env.headers("alpha", "coordinator")

    def post(self, path: str, body: dict) -> dict:
        response = self.client.post(API + path, json=body, headers=self.h)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, path: str, **params) -> dict:
        response = self.client.get(API + path, params=params, headers=self.h)
        assert response.status_code == 200, response.text
        return response.json()

    def attend(self, meeting: int, contact: int, status: str) -> None:
        response = self.client.put(
            f"{API}/meetings/{meeting}/attendees/{contact}", json={"status": status}, headers=self.h
        )
        assert response.status_code in (200, 201), response.text


def meeting(api: Api, title: str) -> dict:
    return api.post(
        "/meetings",
        {
            "title": title,
            "meeting_type": "thematic_session",
            "mode": "in_person",
            "starts_at": "2025-03-04T10:00:00-06:00",
            "ends_at": "2025-03-04T12:00:00-06:00",
        },
    )


def attendance(api: Api, meeting_id: int) -> dict[int, str]:
    attendees = api.client.get(f"{API}/meetings/{meeting_id}/attendees", headers=api.h).json()
    return {a["contact"]: a["status"] for a in attendees}


def merge_form(page: str) -> dict[str, str]:
    """The fields the merge page's form sends as shown: versions and the checked radio of each field."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+_version)" value="(\d+)">', page))
    fields.update(re.findall(r'<input type="radio" name="(pick_\w+)" value="(\w+)" checked>', page))
    return fields


def verify(env) -> int:
    base = ["--tenants-dir", str(env.root / "tenants"), "--data-dir", str(env.root / "var")]
    result = CliRunner().invoke(cli, [*base, "audit", "verify", "--tenant", "alpha"])
    assert result.exit_code == 0, result.output
    return result.exit_code


def test_the_page_lists_seeded_duplicates_and_not_look_alikes(client, env):
    api, tag = Api(client, env), unique()
    org = api.post("/organizations", {"name": f"Colectivo Norte {tag}", "sector": "ngo"})
    twin_org = api.post("/organizations", {"name": f"COLECTIVO  norte {tag}", "sector": "ngo"})
    other_org = api.post("/organizations", {"name": f"Colectivo Sur {tag}", "sector": "ngo"})
    by_email = api.post(
        "/contacts", {"first_name": "Lía", "last_name": f"Mora{tag}", "emails": [f"lia{tag}@x.mx"]}
    )
    twin_email = api.post("/contacts", {"first_name": "L.", "last_name": "M.", "emails": [f"LIA{tag}@x.mx"]})
    named = api.post(
        "/contacts", {"first_name": "Iñigo", "last_name": f"Baños{tag}", "organization": org["id"]}
    )
    twin_named = api.post(
        "/contacts", {"first_name": "INIGO", "last_name": f"banos{tag}", "organization": org["id"]}
    )
    # Same name at different organizations: half the evidence, below the threshold.
    lone = api.post("/contacts", {"first_name": "Eva", "last_name": f"Ruiz{tag}", "organization": org["id"]})
    lone_twin = api.post(
        "/contacts", {"first_name": "Eva", "last_name": f"Ruiz{tag}", "organization": other_org["id"]}
    )

    page = sign_in(client, env, "alpha", "coordinator", locale="en").get("/duplicates")
    assert page.status_code == 200
    assert 'href="/t/alpha/duplicates"' in page.text  # the menu entry
    contacts = page.text.split('id="duplicates-organizations"')[0]
    assert f"/contacts/{by_email['id']}/merge/{twin_email['id']}" in contacts
    assert f"/contacts/{named['id']}/merge/{twin_named['id']}" in contacts
    assert "Same email address" in contacts and "Same name and organization" in contacts
    assert f"/merge/{lone_twin['id']}" not in contacts and f"/contacts/{lone['id']}/merge" not in contacts
    assert f"/organizations/{org['id']}/merge/{twin_org['id']}" in page.text
    assert (
        f"/merge/{other_org['id']}" not in page.text
        and f"/organizations/{other_org['id']}/merge" not in page.text
    )


def test_merging_organizations_moves_everything_and_resolves_conflicts(client, env):
    api, tag = Api(client, env), unique()
    topics = [
        api.post("/topics", {"code": f"DUP-{tag}-{n}", "label": f"T{n}", "category": "national"})
        for n in (1, 2)
    ]
    keep = api.post(
        "/organizations", {"name": f"Red Paz {tag}", "sector": "ngo", "topics": [topics[0]["code"]]}
    )
    drop = api.post(
        "/organizations",
        {"name": f"RED PAZ {tag}", "sector": "ngo", "city": "Oaxaca", "topics": [t["code"] for t in topics]},
    )
    person = api.post(
        "/contacts", {"first_name": "Rut", "last_name": f"Paz{tag}", "organization": drop["id"]}
    )
    both = api.post("/actions", {"title": f"Acción {tag}", "partners": [keep["id"], drop["id"]]})
    only = api.post("/actions", {"title": f"Otra {tag}", "partners": [drop["id"]]})
    shared = api.post("/networks", {"name": f"Alianza {tag}", "scope": "national"})
    other = api.post("/networks", {"name": f"Foro {tag}", "scope": "national"})
    kept_membership = api.post(
        "/networks/memberships", {"network": shared["id"], "organization": keep["id"], "role": "member"}
    )
    twice = api.post(
        "/networks/memberships", {"network": shared["id"], "organization": drop["id"], "role": "member"}
    )
    moved = api.post(
        "/networks/memberships", {"network": other["id"], "organization": drop["id"], "role": "member"}
    )

    browser = sign_in(client, env, "alpha", "coordinator", locale="en")
    page = browser.get(f"/organizations/{keep['id']}/merge/{drop['id']}")
    assert page.status_code == 200 and "Oaxaca" in page.text
    form = merge_form(page.text)
    assert form["pick_city"] == "merged"  # the survivor has none: the other's value is offered
    response = browser.post(f"/organizations/{keep['id']}/merge/{drop['id']}", form, follow_redirects=False)
    assert response.status_code == 303, response.text

    survivor = api.get(f"/organizations/{keep['id']}")
    assert survivor["city"] == "Oaxaca" and survivor["name"] == keep["name"]
    assert sorted(survivor["topics"]) == sorted(t["code"] for t in topics)
    assert api.get(f"/organizations/{drop['id']}")["archived_at"] is not None
    assert api.get(f"/contacts/{person['id']}")["organization"] == keep["id"]
    assert api.get(f"/actions/{both['id']}")["partners"] == [keep["id"]]
    assert api.get(f"/actions/{only['id']}")["partners"] == [keep["id"]]
    assert api.get(f"/networks/memberships/{moved['id']}")["organization"] == keep["id"]
    assert api.get(f"/networks/memberships/{twice['id']}")["archived_at"] is not None
    assert api.get(f"/networks/memberships/{kept_membership['id']}")["archived_at"] is None

    found = api.get("/contacts", q=f"paz {tag} rut")["items"]
    assert [c["id"] for c in found] == [person["id"]]  # its search text names the survivor

    ministry = api.post("/organizations", {"name": f"Secretaría {tag}", "sector": "government_ministry"})
    twin = api.post("/organizations", {"name": f"Secretaria {tag}", "sector": "government_ministry"})
    led = api.post("/actions", {"title": f"Plan {tag}", "government_lead": twin["id"]})
    path = f"/organizations/{ministry['id']}/merge/{twin['id']}"
    assert browser.post(path, merge_form(browser.get(path).text), follow_redirects=False).status_code == 303
    assert api.get(f"/actions/{led['id']}")["government_lead"] == ministry["id"]

    audit = client.get(f"{API}/audit", params={"entity": "organization"}, headers=api.h).json()
    merges = {(e["entity_id"], e["action"]) for e in audit}
    assert {(keep["id"], "merge"), (drop["id"], "merge")} <= merges
    assert verify(env) == 0


def test_merging_contacts_keeps_picked_values_and_moves_attendance_and_focal_points(client, env):
    api, tag = Api(client, env), unique()
    org = api.post("/organizations", {"name": f"Casa {tag}", "sector": "ngo"})
    keep = api.post(
        "/contacts",
        {"first_name": "Noa", "last_name": f"Gil{tag}", "emails": [f"noa{tag}@x.mx"], "position": "A"},
    )
    drop = api.post(
        "/contacts",
        {
            "first_name": "Noa",
            "last_name": f"Gil{tag}",
            "emails": [f"noa{tag}@x.mx"],
            "position": "B",
            "phones": ["+525512345678"],
            "protected": True,
        },
    )
    first, second = meeting(api, f"Mesa {tag}"), meeting(api, f"Foro {tag}")
    api.attend(first["id"], keep["id"], "invited")
    api.attend(first["id"], drop["id"], "attended")
    api.attend(second["id"], drop["id"], "confirmed")
    net = api.post("/networks", {"name": f"Red {tag}", "scope": "national"})
    membership = api.post(
        "/networks/memberships",
        {"network": net["id"], "organization": org["id"], "role": "member", "focal_point": drop["id"]},
    )

    browser = sign_in(client, env, "alpha", "coordinator", locale="en")
    path = f"/contacts/{keep['id']}/merge/{drop['id']}"
    form = {**merge_form(browser.get(path).text), "pick_position": "merged"}
    stale = {**form, "merged_version": str(drop["version"] - 1 if drop["version"] > 1 else 99)}
    assert browser.post(path, stale, follow_redirects=False).status_code == 409
    assert api.get(f"/contacts/{drop['id']}")["archived_at"] is None  # nothing of it was kept
    assert attendance(api, first["id"]) == {keep["id"]: "invited", drop["id"]: "attended"}

    assert browser.post(path, form, follow_redirects=False).status_code == 303
    survivor = api.get(f"/contacts/{keep['id']}")
    assert (survivor["position"], survivor["phones"], survivor["protected"]) == (
        "B",
        ["+525512345678"],
        False,
    )
    assert attendance(api, first["id"]) == {keep["id"]: "attended"}  # one row, the more telling status
    assert attendance(api, second["id"]) == {keep["id"]: "confirmed"}
    assert api.get(f"/networks/memberships/{membership['id']}")["focal_point"] == keep["id"]
    assert api.get(f"/contacts/{drop['id']}")["archived_at"] is not None
    # The same form again: the pair changed meanwhile.
    assert browser.post(path, form, follow_redirects=False).status_code == 409

    entries = client.get(f"{API}/audit", params={"entity": "contact"}, headers=api.h).json()
    mine = [e for e in entries if e["action"] == "merge" and e["entity_id"] in (keep["id"], drop["id"])]
    assert sorted(e["entity_id"] for e in mine) == sorted([keep["id"], drop["id"]])
    assert verify(env) == 0


def test_a_record_cannot_be_merged_with_itself(client, env):
    api = Api(client, env)
    person = api.post("/contacts", {"first_name": "Sol", "last_name": f"Vega{unique()}"})
    browser = sign_in(client, env, "alpha", "coordinator", locale="en")
    path = f"/contacts/{person['id']}/merge/{person['id']}"
    assert browser.get(path).status_code == 404
    body = {"survivor_version": "1", "merged_version": "1"}
    assert browser.post(path, body, follow_redirects=False).status_code == 400


@pytest.mark.parametrize("role", PARTICIPANTS)
def test_nobody_but_coordinators_sees_or_merges_duplicates(client, env, role):
    api, tag = Api(client, env), unique()
    secret = f"Oculta{tag}"
    first = api.post("/contacts", {"first_name": "Ada", "last_name": secret, "protected": True})
    second = api.post("/contacts", {"first_name": "Ada", "last_name": secret, "protected": True})
    browser = sign_in(client, env, "alpha", role, locale="en")
    assert 'href="/t/alpha/duplicates"' not in browser.get("/contacts").text
    for response in (
        browser.get("/duplicates"),
        browser.get(f"/contacts/{first['id']}/merge/{second['id']}"),
        browser.post(
            f"/contacts/{first['id']}/merge/{second['id']}",
            {"survivor_version": "1", "merged_version": "1"},
            follow_redirects=False,
        ),
    ):
        assert response.status_code == 403
        assert secret not in response.text
    assert api.get(f"/contacts/{second['id']}")["archived_at"] is None


def test_an_import_finds_candidates_of_a_record_in_the_database(client, env):
    api, tag = Api(client, env), unique()
    org = api.post("/organizations", {"name": f"Centro Luz {tag}", "sector": "ngo", "acronym": f"CL{tag}"})
    by_phone = api.post(
        "/contacts", {"first_name": "Teo", "last_name": f"Lara{tag}", "phones": ["+525587654321"]}
    )
    by_name = api.post(
        "/contacts", {"first_name": "Zoé", "last_name": f"Núñez{tag}", "organization": org["id"]}
    )
    tenant = env.registry.get("alpha")
    rules = tenant.declaration.duplicates

    async def look_up():
        with tenant_context(tenant):
            return (
                await contact_candidates(
                    {"first_name": "x", "last_name": "y", "phones": ["+525587654321"]}, rules
                ),
                await contact_candidates(
                    {"first_name": "ZOE", "last_name": f"nunez{tag}", "organization": org["id"]}, rules
                ),
                await contact_candidates({"first_name": "Zoe", "last_name": f"Nunez{tag}"}, rules),
                await organization_candidates({"name": f"CENTRO LUZ {tag}", "country": "MEX"}, rules),
                await organization_candidates({"name": f"Centro Luz {tag}", "country": "AGO"}, rules),
            )

    phone, named, bare, organization, abroad = client.blocking_portal.call(look_up)
    assert [(m.second, m.rules) for m in phone] == [(by_phone["id"], ("phone",))]
    assert [(m.second, m.score) for m in named] == [(by_name["id"], 10)]
    assert bare == []  # a bare name is half the evidence
    assert [m.second for m in organization] == [org["id"]] and abroad == []
