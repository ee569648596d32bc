"""The searchable picker through HTTP: its option fragments (``/pick/contacts``, ``/organizations``,
``/members``) answer only the tenant's records the member may see, at most 20 at a time, escaped, with
the sentence the live region reads; a search the list cannot take is a localized 400. The forms show
a picker over every contact, organization and member reference, several values as checkboxes with a
visible hint, and time zones from the IANA list whose errors land on the time zone field."""

from __future__ import annotations

import json
import re
import secrets
from html import unescape

import pytest

from core.testing.web import sign_in
from tests.integration.test_pages_meetings import make_meeting

API = "/t/{slug}/api/v1"
OPTION = re.compile(r'<li role="option" id="([^"]+)" data-value="(\d+)" aria-selected="false">([^<]*)</li>')


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def create(client, env, kind: str, body: dict, slug: str = "alpha", role: str = "coordinator") -> dict:
    response = client.post(f"{API.format(slug=slug)}/{kind}", json=body, headers=env.headers(slug, role))
    assert response.status_code == 201, response.text
    return response.json()


def options(response) -> list[tuple[str, int, str]]:
    return [(oid, int(value), unescape(label)) for oid, value, label in OPTION.findall(response.text)]


def status_text(response, picker: str = "pick") -> str:
    match = re.search(rf'<p id="{picker}-status" hx-swap-oob="innerHTML">([^<]*)</p>', response.text)
    assert match, response.text
    return unescape(match.group(1))


def picker_query(page: str, picker: str) -> dict:
    """What the picker ``picker`` of a page adds to each search (its ``hx-vals``)."""
    match = re.search(rf'id="{picker}-search"[^>]*hx-vals=\'([^\']*)\'', page)
    assert match, f"no picker {picker}"
    return json.loads(unescape(match.group(1)))


@pytest.fixture(scope="module")
def browsers(client, env):
    return {
        role: sign_in(client, env, "alpha", role, locale="en") for role in ("coordinator", "ngo", "observer")
    }


def test_contacts_are_found_by_any_word_of_their_name_escaped_and_ids_extend_the_pickers(
    client, env, browsers
):
    family = unique("Quiñones")
    org = create(client, env, "organizations", {"name": unique("Colectivo "), "sector": "academia"})
    person = create(
        client,
        env,
        "contacts",
        {"first_name": "<b>Ana</b>", "last_name": family, "organization": org["id"]},
    )
    response = browsers["observer"].get(f"/pick/contacts?picker=f-contact&q={family.lower()}+ana")
    assert response.status_code == 200
    assert options(response) == [
        (f"f-contact-option-{person['id']}", person["id"], f"{family}, <b>Ana</b> ({org['name']})")
    ]
    assert "<b>Ana</b>" not in response.text and "&lt;b&gt;Ana&lt;/b&gt;" in response.text
    assert status_text(response, "f-contact") == "Matches found: 1."
    # Accents and case do not matter, as in a list's search.
    assert options(browsers["observer"].get(f"/pick/contacts?q={family.upper().replace('Ñ', 'N')}"))


def test_at_most_twenty_matches_and_the_live_region_says_so(client, env, browsers):
    stem = unique("Red")
    made = [
        create(client, env, "organizations", {"name": f"{stem} x{n:02}", "sector": "ngo"}) for n in range(23)
    ]
    response = browsers["ngo"].get(f"/pick/organizations?q={stem}")
    found = options(response)
    assert [label for _, _, label in found] == [f"{stem} x{n:02}" for n in range(20)]  # in name order
    assert {value for _, value, _ in found} <= {org["id"] for org in made}
    assert status_text(response) == "Matches shown: the first 20. Type more to narrow the list."
    narrowed = browsers["ngo"].get(f"/pick/organizations?q={stem}+x22")
    assert [label for _, _, label in options(narrowed)] == [f"{stem} x22"]
    nothing = browsers["ngo"].get(f"/pick/organizations?q={stem}+nadie")
    assert options(nothing) == [] and status_text(nothing) == "No organization matches this search."


def test_a_side_keeps_the_organizations_a_field_accepts(client, env, browsers):
    stem = unique("Lado")
    ministry = create(client, env, "organizations", {"name": f"{stem} A", "sector": "government_ministry"})
    ngo = create(client, env, "organizations", {"name": f"{stem} B", "sector": "ngo"})
    picker = browsers["coordinator"]
    assert [v for _, v, _ in options(picker.get(f"/pick/organizations?q={stem}&side=government"))] == [
        ministry["id"]
    ]
    assert [v for _, v, _ in options(picker.get(f"/pick/organizations?q={stem}&side=non_governmental"))] == [
        ngo["id"]
    ]
    assert picker.get(f"/pick/organizations?q={stem}&side=pirates").status_code == 400


def test_a_protected_contact_is_offered_only_to_those_who_may_see_it(client, env, browsers):
    family = unique("Reservado")
    hidden = create(
        client,
        env,
        "contacts",
        {"first_name": "Eva", "last_name": family, "protected": True},
        role="government",
    )
    for role, listed in (("coordinator", True), ("ngo", False), ("observer", False)):
        found = [value for _, value, _ in options(browsers[role].get(f"/pick/contacts?q={family}"))]
        assert found == ([hidden["id"]] if listed else []), role
    government = sign_in(client, env, "alpha", "government", locale="en")
    assert [v for _, v, _ in options(government.get(f"/pick/contacts?q={family}"))] == [hidden["id"]]


def test_a_meetings_picker_leaves_out_those_already_on_its_list(client, env, browsers):
    family = unique("Asistente")
    first = create(client, env, "contacts", {"first_name": "Uno", "last_name": family})
    second = create(client, env, "contacts", {"first_name": "Dos", "last_name": family})
    meeting = {"id": int(make_meeting(browsers["coordinator"]).rsplit("/", 1)[-1])}
    added = client.put(
        f"{API.format(slug='alpha')}/meetings/{meeting['id']}/attendees/{first['id']}",
        json={"status": "invited"},
        headers=env.headers("alpha", "coordinator"),
    )
    assert added.status_code in (200, 201), added.text
    picker = browsers["coordinator"]
    assert {v for _, v, _ in options(picker.get(f"/pick/contacts?q={family}"))} == {first["id"], second["id"]}
    without = f"without=meeting.attendees&of={meeting['id']}"
    assert [v for _, v, _ in options(picker.get(f"/pick/contacts?q={family}&{without}"))] == [second["id"]]
    assert picker.get(f"/pick/contacts?q={family}&without=meeting.attendees&of=2147483000").status_code == 404
    # The meeting's page offers its attendee picker with the meeting to leave out.
    page = picker.get(f"/meetings/{meeting['id']}").text
    assert picker_query(page, "f-contact") == {
        "picker": "f-contact",
        "without": "meeting.attendees",
        "of": meeting["id"],
    }


def test_members_are_picked_by_coordinators_only(client, env, browsers):
    email = env.email("alpha", "observer")
    response = browsers["coordinator"].get(f"/pick/members?q={email.split('@')[0]}")
    assert response.status_code == 200
    assert any(email in label for _, _, label in options(response))
    for role in ("ngo", "observer"):
        assert browsers[role].get(f"/pick/members?q={email}").status_code == 403


@pytest.mark.parametrize("kind", ["contacts", "organizations", "members"])
def test_a_search_too_long_or_a_bad_picker_id_is_refused_in_the_readers_language(client, env, kind):
    coordinator = sign_in(client, env, "alpha", "coordinator", locale="es")
    too_long = coordinator.get(f"/pick/{kind}?picker=f-x&q={'a' * 201}")
    assert too_long.status_code == 400
    assert options(too_long) == []
    assert status_text(too_long, "f-x") == "Busque con 200 caracteres como máximo."
    too_many = coordinator.get(f"/pick/{kind}?q={'+'.join('abcdefghi')}")
    assert too_many.status_code == 400 and status_text(too_many) == "Busque con 8 palabras como máximo."
    assert coordinator.get(f"/pick/{kind}?q={'a' * 9000}").status_code == 414  # the app's bound on addresses
    for picker in ("1x", "a b", "x" * 65, '"><script>'):
        assert coordinator.get(f"/pick/{kind}", params={"picker": picker}).status_code == 400


def test_another_tenants_records_are_never_offered(client, env):
    marker = unique("BetaOnly")
    create(client, env, "organizations", {"name": marker, "sector": "academia"}, slug="beta")
    create(client, env, "contacts", {"first_name": "Beta", "last_name": marker}, slug="beta")
    alpha = sign_in(client, env, "alpha", "coordinator", locale="en")
    for kind in ("contacts", "organizations", "members"):
        response = alpha.get(f"/pick/{kind}?q={marker}")
        assert (
            response.status_code == 200
            and options(response) == []
            and marker not in response.text.replace(f"q={marker}", "")
        )
        # Alpha's session is no member of beta.
        assert alpha.get(f"/t/beta/pick/{kind}?q={marker}", follow_redirects=False).status_code in (
            303,
            401,
            403,
        )
    members = options(alpha.get("/pick/members"))
    assert members and all("beta" not in label for _, _, label in members)


def test_forms_offer_a_picker_over_references_and_checkboxes_for_several_values(client, env, browsers):
    page = browsers["coordinator"].get("/contacts/new").text
    # The organization: a combobox controlling its listbox, fetched from the tenant's picker.
    assert 'id="f-organization-search" class="picker-input" role="combobox" aria-autocomplete="list"' in page
    assert 'aria-expanded="false"' in page and 'aria-controls="f-organization-listbox"' in page
    assert '<ul role="listbox" id="f-organization-listbox"' in page
    assert 'hx-get="/t/alpha/pick/organizations"' in page
    assert 'id="f-organization-status" class="picker-status" role="status" aria-live="polite"' in page
    # Without JavaScript, the select it drives is the field.
    native = '<select id="f-organization" name="organization" data-picker-native'
    native += ' aria-labelledby="f-organization-label"'
    assert native in page
    # Roles: checkboxes with a visible hint, and no multiple select anywhere.
    assert 'type="checkbox" name="roles"' in page and "Tick all that apply." in page
    assert "multiple>" not in page and " multiple " not in page
    action = browsers["coordinator"].get("/actions/new").text
    assert 'hx-vals=\'{"picker": "f-government_lead", "side": "government"}\'' in action
    assert 'data-picker="f-partners" data-picker-multiple data-picker-name="partners"' in action
    assert 'side": "non_governmental"' in action
    assert "Type a name and choose it from the list; choose as many as apply." in action


def meeting_form(**fields: str) -> dict[str, str]:
    return {
        "title": unique("Sesión "),
        "meeting_type": "thematic_session",
        "starts_at": "2025-05-06T10:00",
        "ends_at": "2025-05-06T12:00",
        "mode": "online",
        **fields,
    }


def field_block(page: str, name: str) -> str:
    start = page.index(f'id="f-{name}"')
    start = page.rindex('<div class="field', 0, start)
    return page[start : page.index("</div>", page.index(f'id="f-{name}"'))]


def test_time_zones_come_from_the_list_with_the_pilots_preselected(client, env, browsers):
    page = browsers["coordinator"].get("/meetings/new").text
    block = field_block(page, "timezone")
    assert '<select id="f-timezone" name="timezone"' in block
    assert '<optgroup label="Americas">' in block and '<optgroup label="Asia">' in block
    assert '<option value="America/Mexico_City" selected>Mexico City (America/Mexico_City)</option>' in block
    assert block.count(" selected>") == 1
    # In the reader's language.
    spanish = sign_in(client, env, "alpha", "coordinator", locale="es").get("/meetings/new").text
    assert "Ciudad de México (America/Mexico_City)" in spanish


@pytest.mark.parametrize("zone", ["Mars/Olympus", "localtime", "a" * 65, "America/Mexico_City/x"])
def test_a_wrong_time_zone_is_the_time_zone_fields_error_alone(client, env, browsers, zone):
    response = browsers["coordinator"].post(
        "/meetings/new", meeting_form(timezone=zone), follow_redirects=False
    )
    assert response.status_code == 400
    page = response.text
    assert "Enter a valid IANA time zone, e.g. America/Mexico_City." in field_block(page, "timezone")
    for name in ("starts_at", "ends_at", "title"):
        assert 'class="error"' not in field_block(page, name), name
    # The times typed are kept as typed.
    assert 'value="2025-05-06T10:00"' in field_block(page, "starts_at")


def test_a_listed_time_zone_is_saved_and_reads_the_times_typed(client, env, browsers):
    form = meeting_form(timezone="Asia/Tokyo")
    made = browsers["coordinator"].post("/meetings/new", form, follow_redirects=False)
    assert made.status_code == 303, made.text[:2000]
    meeting_id = made.headers["location"].rsplit("/", 1)[-1]
    record = client.get(
        f"{API.format(slug='alpha')}/meetings/{meeting_id}", headers=env.headers("alpha", "coordinator")
    ).json()
    assert record["timezone"] == "Asia/Tokyo" and record["starts_at"].startswith("2025-05-06T01:00:00")
    edit = browsers["coordinator"].get(f"/meetings/{meeting_id}/edit").text
    assert '<option value="Asia/Tokyo" selected>' in field_block(edit, "timezone")
    # The API refuses an unknown zone on the field too.
    refused = client.patch(
        f"{API.format(slug='alpha')}/meetings/{meeting_id}",
        json={"timezone": "Mars/Olympus", "version": record["version"]},
        headers=env.headers("alpha", "coordinator"),
    )
    assert refused.status_code == 400 and "timezone" in refused.json()["errors"]


def network_with_member(client, env, slug: str = "alpha") -> tuple[dict, dict, dict, dict]:
    """A network, one organization that is a member of it, one that is not, and the membership."""
    stem = unique("Red vecinal ")
    net = create(client, env, "networks", {"name": stem, "scope": "national"}, slug=slug)
    member = create(client, env, "organizations", {"name": f"{stem} A", "sector": "academia"}, slug=slug)
    other = create(client, env, "organizations", {"name": f"{stem} B", "sector": "academia"}, slug=slug)
    body = {"network": net["id"], "organization": member["id"], "role": "member"}
    membership = create(client, env, "networks/memberships", body, slug=slug)
    return net, member, other, membership


def test_a_networks_picker_leaves_out_its_members_for_every_member_who_may_see_it(client, env, browsers):
    net, member, other, membership = network_with_member(client, env)
    stem = net["name"]
    for role, picker in browsers.items():
        everyone = {v for _, v, _ in options(picker.get(f"/pick/organizations?q={stem}"))}
        assert everyone == {member["id"], other["id"]}, role
        left = picker.get(f"/pick/organizations?q={stem}&without=networks.members&of={net['id']}")
        assert left.status_code == 200 and [v for _, v, _ in options(left)] == [other["id"]], role
    # The network's page asks its picker for exactly that (coordinators and NGO participants add members).
    page = browsers["coordinator"].get(f"/networks/{net['id']}").text
    assert picker_query(page, "f-organization") == {
        "picker": "f-organization",
        "without": "networks.members",
        "of": net["id"],
    }
    assert picker_query(page, "f-focal_point") == {"picker": "f-focal_point"}
    assert f'<option value="{member["id"]}"' not in field_block(page, "organization")  # nor does the select
    # An archived membership is no membership: the organization may be added again.
    archived = client.post(
        f"{API.format(slug='alpha')}/networks/memberships/{membership['id']}/archive",
        json={"version": membership["version"]},
        headers=env.headers("alpha", "coordinator"),
    )
    assert archived.status_code in (200, 204), archived.text
    again = browsers["ngo"].get(f"/pick/organizations?q={stem}&without=networks.members&of={net['id']}")
    assert {v for _, v, _ in options(again)} == {member["id"], other["id"]}


def test_another_tenants_network_is_no_record_to_leave_out_from(client, env, browsers):
    highest = max(
        [
            n["id"]
            for n in client.get(
                f"{API.format(slug='alpha')}/networks?limit=200", headers=env.headers("alpha", "coordinator")
            ).json()["items"]
        ]
        or [0]
    )
    while True:  # a network of beta's whose id no network of alpha's has
        beta_net, _, _, _ = network_with_member(client, env, slug="beta")
        if beta_net["id"] > highest:
            break
    response = browsers["coordinator"].get(
        f"/pick/organizations?without=networks.members&of={beta_net['id']}"
    )
    assert response.status_code == 404 and options(response) == []
    assert (
        browsers["coordinator"].get("/pick/organizations?without=networks.members&of=2147483000").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("organizations", "without=networks.members"),  # which network?
        ("organizations", "of=1"),  # which links?
        ("organizations", "without=meeting.attendees&of=1"),  # a meeting lists contacts
        ("contacts", "without=networks.members&of=1"),  # a network's members are organizations
        ("contacts", "without=nothing.here&of=1"),
    ],
)
def test_an_exclusion_the_tenant_does_not_have_or_half_of_one_is_refused(client, env, browsers, kind, query):
    response = browsers["coordinator"].get(f"/pick/{kind}?picker=f-x&{query}")
    assert response.status_code == 400 and options(response) == []
    half = "without=" not in query or "&of=" not in query
    expected = (
        "Say which record's links to leave out." if half else "This list cannot leave out those records."
    )
    assert status_text(response, "f-x") == expected


@pytest.mark.parametrize(
    "query",
    [
        "without=Networks.members&of=1",
        "without=" + "a" * 65 + "&of=1",
        "without=a b&of=1",
        "without=x&of=abc",
        "without=x&of=-1",
        "without=x&of=99999999999",
    ],
)
def test_a_malformed_exclusion_is_refused(client, env, browsers, query):
    assert browsers["coordinator"].get(f"/pick/organizations?{query}").status_code == 400


def test_each_members_organization_is_a_picker_of_the_organizations_of_their_side(client, env, browsers):
    page = browsers["coordinator"].get("/members").text
    rows = re.findall(r'<tr id="member-(\d+)"', page)
    assert rows
    sides = {"government": "government", "ngo": "non_governmental"}
    for role in ("coordinator", "government", "ngo", "observer"):
        email = env.email("alpha", role)
        row = page[page.index(f'<td data-label="Email address">{email}</td>') :]
        member_id = re.search(r'id="organization-(\d+)"', row).group(1)
        expected = {"picker": f"organization-{member_id}"}
        if role in sides:
            expected["side"] = sides[role]
        assert picker_query(page, f"organization-{member_id}") == expected, role
        assert f'aria-labelledby="organization-{member_id}-label"' in page
