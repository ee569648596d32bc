"""Protected contacts through HTTP: the member who created one and coordinators see it in full;
every other member never finds it in a list, a search or a select, gets a placeholder where it is
referenced or opened directly, cannot change it, and never sees its name anywhere."""

from __future__ import annotations

import re
import secrets

import pytest

from core.testing.web import sign_in

API = "/t/alpha/api/v1"
PLACEHOLDER_KEYS = {"id", "protected", "hidden", "label"}


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def create(client, env, role: str, kind: str, body: dict) -> dict:
    response = client.post(f"{API}/{kind}", json=body, headers=env.headers("alpha", role))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def case(client, env):
    """A protected contact created by the government participant, on an NGO-owned meeting's list."""
    ministry = create(
        client,
        env,
        "coordinator",
        "organizations",
        {"name": unique("Fiscalía "), "sector": "government_ministry"},
    )
    first, last = unique("Esmeralda"), unique("Quintanar")
    contact = create(
        client,
        env,
        "government",
        "contacts",
        {
            "first_name": first,
            "last_name": last,
            "organization": ministry["id"],
            "position": unique("Fiscal especial "),
            "emails": [f"{last.lower()}@example.org"],
            "protected": True,
        },
    )
    meeting = create(
        client,
        env,
        "ngo",
        "meetings",
        {
            "title": unique("Mesa de trabajo "),
            "meeting_type": "thematic_session",
            "mode": "online",
            "starts_at": "2025-06-02T10:00:00-06:00",
            "ends_at": "2025-06-02T12:00:00-06:00",
        },
    )
    put = client.put(
        f"{API}/meetings/{meeting['id']}/attendees/{contact['id']}",
        json={"status": "attended"},
        headers=env.headers("alpha", "coordinator"),
    )
    assert put.status_code == 200, put.text
    secrets_of_contact = [first, last, contact["position"], contact["emails"][0]]
    return {"contact": contact, "meeting": meeting, "ministry": ministry, "secrets": secrets_of_contact}


def leaks(text: str, case: dict) -> list[str]:
    return [value for value in case["secrets"] if value in text]


@pytest.mark.parametrize("role", ["government", "coordinator"])
def test_the_creator_and_coordinators_see_it_in_full_everywhere(client, env, case, role):
    contact, h = case["contact"], env.headers("alpha", role)
    listed = client.get(f"{API}/contacts", params={"organization": case["ministry"]["id"]}, headers=h)
    assert [c["id"] for c in listed.json()["items"]] == [contact["id"]]
    found = client.get(f"{API}/contacts", params={"q": contact["last_name"]}, headers=h)
    assert [c["id"] for c in found.json()["items"]] == [contact["id"]]
    detail = client.get(f"{API}/contacts/{contact['id']}", headers=h).json()
    assert detail["first_name"] == contact["first_name"] and "hidden" not in detail
    attendees = client.get(f"{API}/meetings/{case['meeting']['id']}/attendees", headers=h).json()
    assert [(a["contact"], a["last_name"]) for a in attendees] == [(contact["id"], contact["last_name"])]

    browser = sign_in(client, env, "alpha", role, locale="en")
    page = browser.get(f"/contacts/{contact['id']}")
    assert page.status_code == 200 and contact["last_name"] in page.text
    assert 'class="notice notice-protected"' in page.text
    assert contact["last_name"] in browser.get(f"/contacts?q={contact['last_name']}").text
    assert contact["last_name"] in browser.get(f"/meetings/{case['meeting']['id']}").text
    assert contact["last_name"] in browser.get(f"/organizations/{case['ministry']['id']}").text


def walk(client, env, role: str, **params) -> list[int]:
    """The ids of every page of the contacts list, following ``next`` (the compiled list query with
    the member's visibility rule bound, cursor included)."""
    ids: list[int] = []
    cursor = None
    while True:
        query = {**params, "limit": 7, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/contacts", params=query, headers=env.headers("alpha", role)).json()
        ids += [c["id"] for c in page["items"]]
        if not (cursor := page["next"]):
            return ids


@pytest.mark.parametrize(("role", "listed"), [("government", True), ("coordinator", True), ("ngo", False)])
def test_paging_through_every_contact_shows_it_only_to_those_who_may_see_it(client, env, case, role, listed):
    every = walk(client, env, role)
    assert len(every) == len(set(every))  # keyset pages neither repeat nor skip
    assert (case["contact"]["id"] in every) is listed
    assert (case["contact"]["id"] in walk(client, env, role, q=case["contact"]["first_name"])) is listed


@pytest.mark.parametrize("role", ["ngo", "observer"])
def test_other_members_never_find_it_in_a_list_a_search_or_a_select(client, env, case, role):
    contact, h = case["contact"], env.headers("alpha", role)
    for params in (
        {"organization": case["ministry"]["id"]},
        {"q": contact["last_name"]},
        {"q": contact["emails"][0]},
        {"protected": "true", "limit": 200},
        {"include_archived": "true", "limit": 200},
    ):
        response = client.get(f"{API}/contacts", params=params, headers=h)
        assert response.status_code == 200
        assert contact["id"] not in [c["id"] for c in response.json()["items"]], params
        assert leaks(response.text, case) == []

    browser = sign_in(client, env, "alpha", role, locale="en")
    for path, echoed in (
        (f"/contacts?q={contact['last_name']}", contact["last_name"]),  # the search box keeps the query
        (f"/contacts?organization={case['ministry']['id']}", ""),
    ):
        page = browser.get(path)
        assert page.status_code == 200
        assert f'href="/t/alpha/contacts/{contact["id"]}"' not in page.text
        assert leaks((page.text.replace(echoed, "") if echoed else page.text), case) == []
    if role == "ngo":  # the NGO's own meeting: the add-attendee select must not offer the contact
        meeting_page = browser.get(f"/meetings/{case['meeting']['id']}")
        assert 'id="attendee-add-button"' in meeting_page.text
        assert f'<option value="{contact["id"]}"' not in meeting_page.text


@pytest.mark.parametrize("role", ["ngo", "observer"])
def test_other_members_get_a_placeholder_where_it_is_referenced_or_opened(client, env, case, role):
    contact, h = case["contact"], env.headers("alpha", role, "en")
    detail = client.get(f"{API}/contacts/{contact['id']}", headers=h)
    assert detail.status_code == 200
    assert detail.json() == {
        "id": contact["id"],
        "protected": True,
        "hidden": True,
        "label": "Protected contact",
    }
    spanish = client.get(f"{API}/contacts/{contact['id']}", headers=env.headers("alpha", role, "es"))
    assert set(spanish.json()) == PLACEHOLDER_KEYS

    attendees = client.get(f"{API}/meetings/{case['meeting']['id']}/attendees", headers=h)
    assert attendees.status_code == 200 and leaks(attendees.text, case) == []
    (only,) = attendees.json()
    assert (
        only["contact"] == contact["id"] and only["hidden"] is True and only["label"] == "Protected contact"
    )
    assert only["side"] == "government" and only["status"] == "attended"
    assert "organization" not in only and "organization_name" not in only

    browser = sign_in(client, env, "alpha", role, locale="en")
    for path in (
        f"/contacts/{contact['id']}",
        f"/meetings/{case['meeting']['id']}",
        f"/organizations/{case['ministry']['id']}",
    ):
        page = browser.get(path)
        assert page.status_code == 200, path
        assert "Protected contact" in page.text, path
        assert leaks(page.text, case) == [], path
    detail_page = browser.get(f"/contacts/{contact['id']}")
    assert case["ministry"]["name"] not in detail_page.text  # not even the organization
    assert f"/contacts/{contact['id']}/edit" not in detail_page.text


@pytest.mark.parametrize("role", ["ngo", "observer"])
def test_other_members_cannot_change_it_or_put_it_on_a_list(client, env, case, role):
    contact, h = case["contact"], env.headers("alpha", role)
    patch = client.patch(f"{API}/contacts/{contact['id']}", json={"version": 1, "position": "x"}, headers=h)
    assert patch.status_code == 403 and leaks(patch.text, case) == []
    archive = client.post(f"{API}/contacts/{contact['id']}/archive", headers=h)
    assert archive.status_code == 403
    browser = sign_in(client, env, "alpha", role, locale="en")
    assert browser.get(f"/contacts/{contact['id']}/edit").status_code == 403
    if role == "ngo":
        other = create(
            client,
            env,
            "ngo",
            "meetings",
            {
                "title": unique("Otra mesa "),
                "meeting_type": "thematic_session",
                "mode": "online",
                "starts_at": "2025-07-02T10:00:00-06:00",
                "ends_at": "2025-07-02T12:00:00-06:00",
            },
        )
        put = client.put(
            f"{API}/meetings/{other['id']}/attendees/{contact['id']}", json={"status": "invited"}, headers=h
        )
        assert put.status_code == 400 and "contact" in put.json()["errors"]
        assert client.get(f"{API}/meetings/{other['id']}/attendees", headers=h).json() == []
    # The participant who created it may still change it.
    creator = env.headers("alpha", "government")
    version = client.get(f"{API}/contacts/{contact['id']}", headers=creator).json()["version"]
    own = client.patch(f"{API}/contacts/{contact['id']}", json={"version": version}, headers=creator)
    assert own.status_code == 200


def test_the_dashboard_still_counts_it(client, env, case):
    observer = sign_in(client, env, "alpha", "observer", locale="en")
    coordinator = sign_in(client, env, "alpha", "coordinator", locale="en")
    figure = re.compile(r'data-figure="contacts">([\d,.]+)<')
    seen_by_observer = figure.search(observer.get("/").text)
    seen_by_coordinator = figure.search(coordinator.get("/").text)
    assert seen_by_observer and seen_by_coordinator
    assert seen_by_observer.group(1) == seen_by_coordinator.group(1)
    before = int(seen_by_observer.group(1).replace(",", ""))
    create(
        client,
        env,
        "government",
        "contacts",
        {"first_name": unique("Rubí"), "last_name": unique("Zavala"), "protected": True},
    )
    after = figure.search(observer.get("/").text)
    assert after and int(after.group(1).replace(",", "")) == before + 1
