"""Finding things through HTTP: list totals, previous and next pages for every sortable column (walked
forward then back, generated from each record type's sort whitelist), sortable column headers, the
column chooser remembered per member, filter chips, overdue actions, archived records and their
restore (coordinators only, audited), and the search across organizations, contacts, meetings and
joint actions (grouped, counted, and blind to the protected contacts a member may not see)."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from core.accounts.roles import COORDINATOR, ROLES
from core.actions.service import ActionService
from core.contacts.service import ContactService
from core.meetings.service import MeetingService
from core.organizations.service import OrganizationService
from core.records.service import RecordService
from core.testing.web import sign_in
from core.topics.service import TopicService
from plugins.networks.service import NetworkService

API = "/t/alpha/api/v1"
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
ROW_LINK = re.compile(r'<td data-label="[^"]*"><a href="/t/alpha/(?:contacts|organizations)/(\d+)"')


def token() -> str:
    return "z" + secrets.token_hex(4)


def days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


# A record's body by collection, the ``i``-th of a series sharing ``tag`` (its search word): values
# repeat (and some are empty) so that every sort meets ties and blanks, which the id must break.
MAKE: dict[str, Callable[[str, int], dict[str, Any]]] = {
    "organizations": lambda tag, i: {
        "name": f"{tag} {'ABC'[i % 3]}",
        "sector": "ngo",
        "city": ["", "Xalapa", "Xalapa", "Lima"][i % 4],
    },
    "contacts": lambda tag, i: {
        "first_name": "Ana",
        "last_name": f"{tag} {'AB'[i % 2]}",
        "position": ["", "Chair", "Chair"][i % 3],
    },
    "meetings": lambda tag, i: {
        "title": f"{tag} {'AB'[i % 2]}",
        "meeting_type": "launch",
        "mode": "online",
        "starts_at": f"2025-01-0{1 + i % 2}T10:00:00+00:00",
        "ends_at": "2025-01-03T11:00:00+00:00",
    },
    "actions": lambda tag, i: {
        "title": f"{tag} {'AB'[i % 2]}",
        **({"due_date": [days(-3), days(-3), days(40)][i % 3]} if i % 4 else {}),
    },
    "topics": lambda tag, i: {"code": f"{tag}-{i % 5}{i}", "label": f"{tag}", "category": "national"},
    "networks": lambda tag, i: {"name": f"{tag} {'AB'[i % 2]}", "scope": "national"},
}
SERVICES: dict[str, type[RecordService]] = {
    "organizations": OrganizationService,
    "contacts": ContactService,
    "meetings": MeetingService,
    "actions": ActionService,
    "topics": TopicService,
    "networks": NetworkService,
}
# Every sort a list offers: its own order, then each whitelisted key ascending and descending.
SORTS = [
    (resource, sort)
    for resource, service in SERVICES.items()
    for sort in ["", *(f"{sign}{key}" for key in service.sort_keys for sign in ("", "-"))]
]


def api(client: Any, env: Any, method: str, path: str, role: str = COORDINATOR, **kwargs: Any) -> Any:
    return client.request(method, API + path, headers=env.headers("alpha", role), **kwargs)


def create(client: Any, env: Any, resource: str, body: dict[str, Any], role: str = COORDINATOR) -> dict:
    response = api(client, env, "POST", f"/{resource}", role, json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def series(client, env) -> dict[str, tuple[str, list[int]]]:
    """Eleven records of each collection sharing one search word: (the word, their ids)."""
    made = {}
    for resource, make in MAKE.items():
        tag = token()
        made[resource] = (tag, [create(client, env, resource, make(tag, i))["id"] for i in range(11)])
    return made


def walk(client: Any, env: Any, resource: str, params: dict[str, Any]) -> list[list[int]]:
    """Every page of a list, following ``next`` from the first, then ``previous`` from the last
    back to the first; returns the forward pages after checking the backward walk gave the same."""
    forward, cursor, total = [], None, None
    while True:
        page = api(
            client, env, "GET", f"/{resource}", params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.text
        body = page.json()
        total = body["total"]
        forward.append(([item["id"] for item in body["items"]], body["previous"]))
        cursor = body["next"]
        if cursor is None:
            break
        assert len(forward) < 50, "the pages do not end"
    backward = [forward[-1][0]]
    cursor = forward[-1][1]
    while cursor is not None:
        page = api(client, env, "GET", f"/{resource}", params={**params, "cursor": cursor})
        assert page.status_code == 200, page.text
        body = page.json()
        backward.append([item["id"] for item in body["items"]])
        cursor = body["previous"]
        assert len(backward) <= len(forward), "going back passes the first page"
    pages = [ids for ids, _ in forward]
    assert list(reversed(backward)) == pages
    seen = [i for ids in pages for i in ids]
    assert len(seen) == len(set(seen)) == total
    return pages


@pytest.mark.parametrize(("resource", "sort"), SORTS, ids=[f"{r}:{s or 'default'}" for r, s in SORTS])
def test_walking_forward_then_back_gives_the_same_pages_for_every_sort(client, env, series, resource, sort):
    tag, ids = series[resource]
    pages = walk(client, env, resource, {"q": tag, "limit": 3, "sort": sort})
    assert sorted(i for page in pages for i in page) == sorted(ids)
    assert [len(page) for page in pages] == [3, 3, 3, 2]
    # The order is the sort's: read every record's value and check the sequence is sorted, empty last.
    if sort:
        key = sort.removeprefix("-")
        column = SERVICES[resource].sort_keys[key]
        records = {i: api(client, env, "GET", f"/{resource}/{i}").json() for i in ids}
        values = [records[i].get(column) for page in pages for i in page]
        filled = [v for v in values if v not in (None, "")] if column in ("due_date",) else values
        expected = sorted(filled, reverse=sort.startswith("-"))
        assert filled == expected, values
        if column == "due_date":  # no due date: after every date ascending, before them descending
            blanks = [v is None for v in values]
            assert blanks == sorted(blanks, reverse=sort.startswith("-"))


def test_a_cursor_of_another_sort_or_a_made_up_sort_is_refused(client, env, series):
    tag, _ = series["contacts"]
    first = api(client, env, "GET", "/contacts", params={"q": tag, "limit": 3, "sort": "position"}).json()
    other = api(client, env, "GET", "/contacts", params={"q": tag, "limit": 3, "cursor": first["next"]})
    assert other.status_code == 400 and "cursor" in other.text
    unknown = api(client, env, "GET", "/contacts", params={"sort": "emails"})
    assert unknown.status_code == 400 and "sort" in unknown.text
    page = sign_in(client, env, "alpha", COORDINATOR, locale="es").get("/contacts?sort=-secret")
    assert page.status_code == 400 and 'id="q-error"' in page.text


def test_the_list_page_counts_its_records_with_plural_forms(client, env, series):
    tag, _ = series["contacts"]
    browser = sign_in(client, env, "alpha", COORDINATOR, locale="en")
    first = browser.get(f"/contacts?q={tag}")
    assert first.status_code == 200 and ">11 contacts<" in first.text
    one = create(client, env, "contacts", {"first_name": "Solo", "last_name": token()})
    assert ">1 contact<" in browser.get(f"/contacts?q={one['last_name']}").text
    # 11 contacts at 25 a page: no other page.
    assert not NEXT.search(first.text) and not PREVIOUS.search(first.text)


def test_page_links_walk_forward_and_back_through_the_html_list(client, env):
    tag = token()
    for i in range(27):
        create(client, env, "organizations", {"name": f"{tag} {i:02d}", "sector": "ngo"})
    browser = sign_in(client, env, "alpha", COORDINATOR, locale="en")
    first = browser.get(f"/organizations?q={tag}&sort=-name")
    assert 'aria-sort="descending"' in first.text and ">27 organizations<" in first.text
    second = browser.get(html.unescape(NEXT.search(first.text).group(1)))
    assert second.status_code == 200 and f"{tag} 01" in second.text and f"{tag} 02" not in second.text
    back = browser.get(html.unescape(PREVIOUS.search(second.text).group(1)))
    assert back.status_code == 200 and not PREVIOUS.search(back.text) and NEXT.search(back.text)
    assert f"{tag} 26" in back.text and f"{tag} 01" not in back.text


def test_sortable_headers_link_to_their_order_and_say_it(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, locale="en")
    page = browser.get("/contacts")
    assert '<th scope="col" aria-sort="ascending"><a href="/t/alpha/contacts?sort=-name">' in page.text
    assert '<a href="/t/alpha/contacts?sort=position">' in page.text
    by_position = browser.get("/contacts?sort=position")
    assert (
        '<th scope="col" aria-sort="ascending"><a href="/t/alpha/contacts?sort=-position">'
        in by_position.text
    )
    assert '<th scope="col"><a href="/t/alpha/contacts?sort=name">' in by_position.text


def test_the_chosen_columns_are_remembered_per_member_and_not_shared(client, env):
    tag = token()
    create(
        client,
        env,
        "contacts",
        {"first_name": "Ana", "last_name": tag, "emails": ["ana@example.org"], "phones": ["+525512345678"]},
    )
    coordinator = sign_in(client, env, "alpha", COORDINATOR, locale="en")
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    beta = sign_in(client, env, "beta", COORDINATOR, locale="en")
    before = coordinator.get(f"/contacts?q={tag}")
    assert "mailto:ana@example.org" not in before.text and 'name="columns" value="email"' in before.text
    saved = coordinator.post(
        "/contacts/columns",
        {"columns": ["name", "email", "phone"], "kept": f"q={tag}"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/t/alpha/contacts?q={tag}"
    after = coordinator.get(f"/contacts?q={tag}")
    assert "mailto:ana@example.org" in after.text and 'href="tel:+525512345678"' in after.text
    assert 'data-label="Email"' in after.text and 'data-label="Position"' not in after.text
    assert 'value="email" checked' in after.text and 'value="position" checked' not in after.text
    # Another member of the tenant, and the same member number in another tenant, keep their own.
    assert "mailto:ana@example.org" not in ngo.get(f"/contacts?q={tag}").text
    for other in (ngo.get("/contacts").text, beta.get("/contacts").text):
        assert 'value="position" checked' in other and 'value="email" checked' not in other
    # Each list its own: the organizations list is untouched.
    assert 'value="city" checked' in coordinator.get("/organizations").text
    refused = coordinator.post("/contacts/columns", {"columns": ["secret"]}, follow_redirects=False)
    assert refused.status_code == 303
    assert "mailto:ana@example.org" in coordinator.get(f"/contacts?q={tag}").text
    empty = coordinator.post("/contacts/columns", {"kept": f"q={tag}"}, follow_redirects=False)
    assert (
        empty.status_code == 303
        and "Choose at least one column." in coordinator.get(f"/contacts?q={tag}").text
    )
    reset = coordinator.post("/contacts/columns", {"reset": "1"}, follow_redirects=False)
    assert reset.status_code == 303
    assert "mailto:ana@example.org" not in coordinator.get(f"/contacts?q={tag}").text
    no_csrf = coordinator.post(
        "/contacts/columns", {"columns": ["email"]}, csrf=False, follow_redirects=False
    )
    assert no_csrf.status_code == 403


def test_filters_in_use_show_as_chips_that_remove_them(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, locale="en")
    page = browser.get("/organizations?q=red&side=non_governmental&topic=FIREARMS")
    chips = re.findall(r'<a class="chip" href="([^"]+)"[^>]*><span>([^<]+)</span>', page.text)
    texts = {html.unescape(text): html.unescape(href) for href, text in chips}
    assert "Search: red" in texts and "Side: Non-governmental" in texts
    assert texts["Side: Non-governmental"] == "/t/alpha/organizations?q=red&topic=FIREARMS"
    assert texts["Search: red"] == "/t/alpha/organizations?side=non_governmental&topic=FIREARMS"
    assert len(chips) == 3 and any(t.startswith("Topic: ") for t in texts)
    assert 'aria-label="Remove the filter Search: red"' in page.text
    assert '<a class="chip"' not in browser.get("/organizations").text


def test_overdue_actions_are_flagged_and_filtered(client, env):
    tag = token()
    late = create(client, env, "actions", {"title": f"{tag} late", "due_date": days(-3)})
    later = create(client, env, "actions", {"title": f"{tag} later", "due_date": days(30)})
    undated = create(client, env, "actions", {"title": f"{tag} undated"})
    done = create(
        client, env, "actions", {"title": f"{tag} dropped", "due_date": days(-3), "status": "discontinued"}
    )
    listed = api(client, env, "GET", "/actions", params={"q": tag}).json()["items"]
    assert {a["id"]: a["overdue"] for a in listed} == {
        late["id"]: True,
        later["id"]: False,
        undated["id"]: False,
        done["id"]: False,
    }
    overdue = api(client, env, "GET", "/actions", params={"q": tag, "overdue": "true"}).json()
    assert [a["id"] for a in overdue["items"]] == [late["id"]] and overdue["total"] == 1
    others = api(client, env, "GET", "/actions", params={"q": tag, "overdue": "false"}).json()
    assert sorted(a["id"] for a in others["items"]) == sorted([later["id"], undated["id"], done["id"]])
    assert api(client, env, "GET", "/actions", params={"overdue": "maybe"}).status_code == 400
    browser = sign_in(client, env, "alpha", "observer", locale="en")
    page = browser.get(f"/actions?q={tag}&overdue=true")
    assert page.status_code == 200 and ">1 joint action<" in page.text
    assert '<span class="tag tag-overdue">Overdue</span>' in page.text
    assert 'id="filter-overdue" name="overdue" type="checkbox" value="true" checked' in page.text
    assert ">Overdue only</span>" in page.text  # its chip
    all_of_them = browser.get(f"/actions?q={tag}")
    assert all_of_them.text.count('class="tag tag-overdue"') == 1


def audit_actions(client: Any, env: Any, entity: str, record_id: int) -> list[str]:
    page = sign_in(client, env, "alpha", COORDINATOR, locale="en").get(f"/audit?entity={entity}")
    rows = re.findall(rf">{entity} #{record_id}</a></td>\s*<td[^>]*>([^<]+)</td>", page.text, re.IGNORECASE)
    return rows


def test_a_coordinator_finds_archived_records_and_restores_them(client, env):
    tag = token()
    contact = create(client, env, "contacts", {"first_name": "Ana", "last_name": tag})
    live = create(client, env, "contacts", {"first_name": "Bea", "last_name": tag})
    assert api(client, env, "POST", f"/contacts/{contact['id']}/archive").status_code == 200
    coordinator = sign_in(client, env, "alpha", COORDINATOR, locale="en")
    listed = coordinator.get(f"/contacts?q={tag}")
    assert ">1 contact<" in listed.text and 'id="filter-archived"' in listed.text
    archived = coordinator.get(f"/contacts?q={tag}&archived=true")
    assert archived.status_code == 200 and ">1 contact<" in archived.text
    assert ROW_LINK.findall(archived.text) == [str(contact["id"])]
    assert "Archived records" in archived.text  # the chip
    only_archived = api(client, env, "GET", "/contacts", params={"q": tag, "archived": "true"}).json()
    assert [c["id"] for c in only_archived["items"]] == [contact["id"]]
    detail = coordinator.get(f"/contacts/{contact['id']}")
    assert f'action="/t/alpha/contacts/{contact["id"]}/restore"' in detail.text
    assert "/restore" not in coordinator.get(f"/contacts/{live['id']}").text
    for role in ROLES:
        if role == COORDINATOR:
            continue
        member = sign_in(client, env, "alpha", role, locale="en")
        assert member.get(f"/contacts?q={tag}&archived=true").status_code == 403
        assert "filter-archived" not in member.get("/contacts").text
        assert "/restore" not in member.get(f"/contacts/{contact['id']}").text
        assert (
            member.post(f"/contacts/{contact['id']}/restore", {}, follow_redirects=False).status_code == 403
        )
        assert api(client, env, "POST", f"/contacts/{contact['id']}/restore", role).status_code == 403
        assert api(client, env, "GET", "/contacts", role, params={"archived": "true"}).status_code == 403
    assert (
        coordinator.post(
            f"/contacts/{contact['id']}/restore", {}, csrf=False, follow_redirects=False
        ).status_code
        == 403
    )
    restored = coordinator.post(f"/contacts/{contact['id']}/restore", {}, follow_redirects=False)
    assert (
        restored.status_code == 303 and restored.headers["location"] == f"/t/alpha/contacts/{contact['id']}"
    )
    record = api(client, env, "GET", f"/contacts/{contact['id']}").json()
    assert record["archived_at"] is None and record["version"] == contact["version"] + 2
    assert ">2 contacts<" in coordinator.get(f"/contacts?q={tag}").text
    assert audit_actions(client, env, "contact", contact["id"]) == ["Restored", "Archived", "Created"]


def test_an_erased_contact_is_not_restored(client, env):
    contact = create(client, env, "contacts", {"first_name": "Ana", "last_name": token()})
    browser = sign_in(client, env, "alpha", COORDINATOR, locale="en")
    erased = browser.post(
        f"/contacts/{contact['id']}/erase", {"confirm": contact["last_name"]}, follow_redirects=False
    )
    assert erased.status_code in (200, 303), erased.text
    assert "/restore" not in browser.get(f"/contacts/{contact['id']}").text
    assert api(client, env, "POST", f"/contacts/{contact['id']}/restore").status_code == 409


@pytest.mark.parametrize("resource", list(MAKE))
def test_every_record_type_is_restored_through_the_api_and_audited(client, env, resource):
    record = create(client, env, resource, MAKE[resource](token(), 1))
    assert api(client, env, "POST", f"/{resource}/{record['id']}/archive").status_code == 200
    restored = api(client, env, "POST", f"/{resource}/{record['id']}/restore")
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    again = api(client, env, "POST", f"/{resource}/{record['id']}/restore")  # already live: no change
    assert again.status_code == 200 and again.json()["version"] == restored.json()["version"]


def test_the_search_page_groups_results_by_kind_with_counts_and_list_links(client, env):
    tag = token()
    for i in range(7):
        create(client, env, "organizations", {"name": f"{tag} Org {i}", "sector": "ngo"})
    create(client, env, "contacts", {"first_name": "Ana", "last_name": tag})
    create(client, env, "meetings", {**MAKE["meetings"](tag, 0)})
    create(client, env, "actions", {"title": f"{tag} late", "due_date": days(-3)})
    browser = sign_in(client, env, "alpha", "observer", locale="en")
    page = browser.get(f"/search?q={tag}")
    assert page.status_code == 200 and ">10 records match.<" in page.text
    sections = re.findall(r'<section class="card search-group" id="results-(\w+)"', page.text)
    assert sections == ["organizations", "contacts", "meetings", "actions"]
    organizations = page.text.split('id="results-organizations"')[1].split("</section>")[0]
    assert organizations.count("<li>") == 5 and '<span class="count">7</span>' in organizations
    assert (
        f'href="/t/alpha/organizations?q={tag}">' in organizations
        and "All 7 organizations in the list" in organizations
    )
    actions = page.text.split('id="results-actions"')[1].split("</section>")[0]
    assert (
        '<span class="tag tag-overdue">Overdue</span>' in actions
        and "Open these results in the list" in actions
    )
    assert 'action="/t/alpha/search"' in browser.get("/").text  # the header's box, on every page
    assert browser.get(f"/search?q={'x' * 201}").status_code == 400
    assert "No organization matches." in browser.get(f"/search?q={token()}").text
    body = api(client, env, "GET", "/search", "observer", params={"q": tag, "limit": 2}).json()
    assert [(g["kind"], g["total"], len(g["items"])) for g in body["groups"]] == [
        ("organizations", 7, 2),
        ("contacts", 1, 1),
        ("meetings", 1, 1),
        ("actions", 1, 1),
    ]
    assert api(client, env, "GET", "/search", params={"q": tag, "limit": 0}).status_code == 400
    assert api(client, env, "GET", "/search", params={"q": ""}).json()["groups"] == []


def test_a_member_who_may_not_see_a_protected_contact_does_not_find_it(client, env):
    tag = token()
    hidden = create(client, env, "contacts", {"first_name": "Hidden", "last_name": tag, "protected": True})
    own = create(
        client, env, "contacts", {"first_name": "Own", "last_name": tag, "protected": True}, role="ngo"
    )
    plain = create(client, env, "contacts", {"first_name": "Plain", "last_name": tag})
    found = {
        role: {
            c["id"]
            for g in api(client, env, "GET", "/search", role, params={"q": tag}).json()["groups"]
            for c in g["items"]
        }
        for role in ROLES
    }
    assert found[COORDINATOR] == {hidden["id"], own["id"], plain["id"]}
    assert found["ngo"] == {own["id"], plain["id"]}
    assert found["government"] == found["observer"] == {plain["id"]}
    page = sign_in(client, env, "alpha", "government", locale="en").get(f"/search?q={tag}")
    contacts = page.text.split('id="results-contacts"')[1].split("</section>")[0]
    assert "Hidden" not in page.text and '<span class="count">1</span>' in contacts
    assert (
        ">1 contact<" in sign_in(client, env, "alpha", "observer", locale="en").get(f"/contacts?q={tag}").text
    )
