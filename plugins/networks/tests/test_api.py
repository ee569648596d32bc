"""The plugin's JSON API (``/t/{tenant}/api/v1/networks``): networks and memberships are listed,
searched, filtered, created, updated with versions and archived through core's record service, by
the members the plugin lets write, with one live membership per network and organization."""

from __future__ import annotations

import pytest

from core.plugin_api import COORDINATOR, GOVERNMENT_PARTICIPANT, NGO_PARTICIPANT, OBSERVER, ROLES
from plugins.networks.tests.support import Api, membership, network, organization, unique
from plugins.networks.vocabulary import MEMBER_ROLES, SCOPES

WRITERS = {COORDINATOR, NGO_PARTICIPANT}


def test_a_network_is_created_found_changed_and_archived(client, env):
    api = Api(client, env)
    created = network(
        api,
        name=unique("Alianza Nacional Anticorrupción"),
        acronym="ANA",
        scope="national",
        website="https://alianza.example.org",
    )
    assert created["version"] == 1 and created["owner_side"] == "non_governmental"
    assert api.get(f"/networks/{created['id']}") == created
    found = api.get("/networks", q=created["name"].split()[-1])["items"]
    assert [n["id"] for n in found] == [created["id"]]
    assert [n["id"] for n in api.get("/networks", q="ANA")["items"]].count(created["id"]) == 1

    changed = api.patch(f"/networks/{created['id']}", {"version": 1, "scope": "regional"})
    assert (changed["scope"], changed["version"]) == ("regional", 2)
    stale = api.patch(f"/networks/{created['id']}", {"version": 1, "scope": "global"}, status=409)
    assert stale["status"] == 409

    archived = api.post(f"/networks/{created['id']}/archive", None, status=200)
    assert archived["archived_at"] is not None
    assert created["id"] not in [n["id"] for n in api.get("/networks", limit=200)["items"]]
    listed = api.get("/networks", limit=200, include_archived="true")["items"]
    assert created["id"] in [n["id"] for n in listed]
    api.patch(f"/networks/{created['id']}", {"version": 3, "name": "Otra"}, status=409)

    history = api.get("/audit", entity="network", entity_id=created["id"])
    assert {entry["action"] for entry in history} == {"create", "update", "archive"}


@pytest.mark.parametrize("scope", [c.value for c in SCOPES])
def test_the_scope_filter_lists_only_that_scope(client, env, scope):
    api = Api(client, env)
    mine = {s.value: network(api, scope=s.value)["id"] for s in SCOPES}
    listed = {n["id"]: n["scope"] for n in api.get("/networks", scope=scope, limit=200)["items"]}
    assert mine[scope] in listed and set(listed.values()) == {scope}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "national"}, "name"),
        ({"name": "Red"}, "scope"),
        ({"name": "Red", "scope": "planetary"}, "scope"),
        ({"name": "Red", "scope": "global", "website": "not a web address"}, "website"),
        ({"name": "R" * 301, "scope": "global"}, "name"),
        ({"name": "Red", "scope": "global", "colour": "red"}, "colour"),
    ],
)
def test_a_network_that_does_not_fit_its_form_is_refused_field_by_field(client, env, body, field):
    problem = Api(client, env).post("/networks", body, status=400)
    assert field in problem["errors"]


@pytest.mark.parametrize("role", ROLES)
def test_coordinators_and_ngo_participants_write_everyone_reads(client, env, role):
    coordinator, member = Api(client, env), Api(client, env, role)
    assert member.get("/networks")["items"] is not None
    assert member.get("/networks/memberships")["items"] is not None
    body = {"name": unique("Red"), "scope": "global"}
    mine = member.post("/networks", body, status=201 if role in WRITERS else 403)
    theirs = network(coordinator)
    org = organization(coordinator)
    change = {"version": 1, "acronym": "X"}
    member.patch(f"/networks/{theirs['id']}", change, status=200 if role in WRITERS else 403)
    member.post(
        "/networks/memberships",
        {"network": theirs["id"], "organization": org["id"], "role": "member"},
        status=201 if role in WRITERS else 403,
    )
    if role in WRITERS:
        assert mine["owner_side"] == "non_governmental"
        member.post(f"/networks/{mine['id']}/archive", None, status=200)


def test_a_government_participant_may_not_even_change_a_network_of_its_own_side(client, env):
    """Networks belong to the non-governmental side whoever enters them: the side of the member is
    not what decides, the plugin's writers are."""
    government = Api(client, env, GOVERNMENT_PARTICIPANT)
    government.post("/networks", {"name": unique("Red"), "scope": "global"}, status=403)
    observer = Api(client, env, OBSERVER)
    observer.post(f"/networks/{network(Api(client, env))['id']}/archive", None, status=403)


def test_a_membership_links_an_organization_to_a_network_once(client, env):
    api = Api(client, env)
    net, org = network(api), organization(api)
    first = membership(api, net["id"], org["id"], role="founding_member", since="2019-06-01")
    assert (first["network_name"], first["organization_name"]) == (net["name"], org["name"])
    assert (first["role"], first["since"], first["focal_point"]) == ("founding_member", "2019-06-01", None)

    for role in [c.value for c in MEMBER_ROLES]:  # in whatever role, a second one is refused
        problem = api.post(
            "/networks/memberships",
            {"network": net["id"], "organization": org["id"], "role": role},
            status=400,
        )
        assert list(problem["errors"]) == ["organization"]

    other = network(api)
    assert membership(api, other["id"], org["id"])["network"] == other["id"]  # another network: fine
    listed = api.get("/networks/memberships", organization=str(org["id"]))["items"]
    assert sorted(m["network"] for m in listed) == sorted([net["id"], other["id"]])
    assert [m["id"] for m in api.get("/networks/memberships", network=str(net["id"]))["items"]] == [
        first["id"]
    ]
    assert api.get("/networks/memberships", q=org["name"].split()[-1])["items"]

    api.post(f"/networks/memberships/{first['id']}/archive", None, status=200)
    again = membership(api, net["id"], org["id"], role="observer")  # it left, it may join again
    assert again["id"] != first["id"]


def test_a_membership_keeps_its_network_and_organization(client, env):
    api = Api(client, env)
    net, org, elsewhere = network(api), organization(api), organization(api)
    made = membership(api, net["id"], org["id"])
    changed = api.patch(
        f"/networks/memberships/{made['id']}",
        {"version": 1, "organization": elsewhere["id"], "network": network(api)["id"], "role": "secretariat"},
    )
    assert (changed["network"], changed["organization"], changed["role"]) == (
        net["id"],
        org["id"],
        "secretariat",
    )


@pytest.mark.parametrize("field", ["network", "organization", "focal_point"])
def test_a_membership_refers_only_to_live_records(client, env, field):
    api = Api(client, env)
    net, org = network(api), organization(api)
    person = api.post("/contacts", {"first_name": "Ana", "last_name": unique("Ruiz")})
    gone = {"network": net, "organization": org, "focal_point": person}[field]
    resource = {"network": "/networks", "organization": "/organizations", "focal_point": "/contacts"}[field]
    api.post(f"{resource}/{gone['id']}/archive", None, status=200)
    live = {"network": network(api), "organization": organization(api)}
    body = {"network": live["network"]["id"], "organization": live["organization"]["id"], "role": "member"}
    for missing in (gone["id"], 2**31 - 1):
        problem = api.post("/networks/memberships", {**body, field: missing}, status=400)
        assert list(problem["errors"]) == [field]


def test_a_protected_person_is_a_focal_point_only_for_those_who_may_see_them(client, env):
    coordinator, ngo = Api(client, env), Api(client, env, NGO_PARTICIPANT)
    hidden = coordinator.post(
        "/contacts", {"first_name": "Rosa", "last_name": unique("Protegida"), "protected": True}
    )
    net, org = network(coordinator), organization(coordinator)
    body = {"network": net["id"], "organization": org["id"], "role": "member", "focal_point": hidden["id"]}
    problem = ngo.post("/networks/memberships", body, status=400)
    assert list(problem["errors"]) == ["focal_point"]
    made = coordinator.post("/networks/memberships", body)
    assert made["focal_point"] == hidden["id"]
    # A record's copy in the audit trail names nobody: only the contact's id.
    entry = coordinator.get("/audit", entity="network_membership", entity_id=made["id"])[0]
    assert "Rosa" not in str(entry) and hidden["last_name"] not in str(entry)


def test_the_plugin_forms_are_described_by_the_form_api(client, env):
    api = Api(client, env)
    for name, fields in (
        ("network", ["name", "acronym", "scope", "website"]),
        ("membership", ["network", "organization", "role", "since", "focal_point"]),
    ):
        form = api.get(f"/forms/{name}")
        assert [f["name"] for f in form["fields"]] == fields
        assert {f["source"] for f in form["fields"]} == {"core"}
    form = (
        Api(client, env)
        .client.get("/t/red/api/v1/forms/membership", headers={**api.headers, "Accept-Language": "ar"})
        .json()
    )
    role = next(f for f in form["fields"] if f["name"] == "role")
    assert role["label"] == "الدور في الشبكة" and role["references"] is None
    assert next(f for f in form["fields"] if f["name"] == "network")["references"] == "network"


def test_who_may_not_see_a_focal_point_keeps_them_when_changing_a_membership(client, env):
    coordinator, ngo = Api(client, env), Api(client, env, NGO_PARTICIPANT)
    hidden = coordinator.post(
        "/contacts", {"first_name": "Rosa", "last_name": unique("Protegida"), "protected": True}
    )
    made = membership(
        coordinator, network(coordinator)["id"], organization(coordinator)["id"], focal_point=hidden["id"]
    )
    # The form an NGO participant gets cannot offer the person, so it sends no focal point.
    changed = ngo.patch(
        f"/networks/memberships/{made['id']}", {"version": 1, "role": "secretariat", "focal_point": None}
    )
    assert (changed["role"], changed["focal_point"]) == ("secretariat", hidden["id"])
    cleared = coordinator.patch(f"/networks/memberships/{made['id']}", {"version": 2, "focal_point": None})
    assert cleared["focal_point"] is None
