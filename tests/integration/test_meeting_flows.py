"""From a meeting to a joint action, through HTTP: every attendee's status saved by one form (plain
post and HTMX) and by one API call, in one transaction under the meeting's version; and a joint
action started from a meeting, prefilled with its topics and its attendees' organizations."""

from __future__ import annotations

import re
import secrets
from html.parser import HTMLParser
from typing import Any

import pytest

from core.testing.web import Browser, sign_in
from tests.integration.test_pages_meetings import htmx_post

API = "/t/alpha/api/v1"


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def post(client, env, path: str, body: dict[str, Any], role: str = "coordinator") -> dict[str, Any]:
    response = client.post(f"{API}{path}", json=body, headers=env.headers("alpha", role))
    assert response.status_code == 201, response.text
    return response.json()


def organization(client, env, sector: str) -> dict[str, Any]:
    return post(client, env, "/organizations", {"name": unique("Org"), "sector": sector})


def person(client, env, org: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    body = {"first_name": "Ana", "last_name": unique("Ruiz"), **fields}
    if org is not None:
        body["organization"] = org["id"]
    return post(client, env, "/contacts", body)


def meeting(client, env, role: str = "ngo", **fields: Any) -> dict[str, Any]:
    body = {
        "title": unique("Diálogo nacional"),
        "meeting_type": "national_dialogue",
        "mode": "online",
        "starts_at": "2025-05-06T10:00:00-06:00",
        "ends_at": "2025-05-06T12:00:00-06:00",
        **fields,
    }
    return post(client, env, "/meetings", body, role)


def attend(client, env, meeting_id: int, contact_id: int, status: str = "invited") -> None:
    path = f"{API}/meetings/{meeting_id}/attendees/{contact_id}"
    response = client.put(path, json={"status": status}, headers=env.headers("alpha", "coordinator"))
    assert response.status_code == 200, response.text


def read(client, env, path: str) -> Any:
    response = client.get(f"{API}{path}", headers=env.headers("alpha", "coordinator"))
    assert response.status_code == 200, response.text
    return response.json()


def statuses(client, env, meeting_id: int) -> dict[int, str]:
    return {a["contact"]: a["status"] for a in read(client, env, f"/meetings/{meeting_id}/attendees")}


def with_attendees(client, env, n: int) -> tuple[dict[str, Any], list[int]]:
    """A meeting of the NGO participant's side with ``n`` invited attendees; the meeting as it is now."""
    made = meeting(client, env)
    people = [person(client, env)["id"] for _ in range(n)]
    for contact in people:
        attend(client, env, made["id"], contact)
    return read(client, env, f"/meetings/{made['id']}"), people


# --- attendance in one save ---------------------------------------------------------------------


def test_every_row_is_saved_by_one_post_in_one_version_each_change_audited(client, env):
    made, people = with_attendees(client, env, 4)
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    page = ngo.get(f"/meetings/{made['id']}")
    # One form over the table, one select per attendee, stacked as cards on phones.
    assert page.text.count('id="attendance-form"') == 1 and 'class="attendees stack"' in page.text
    for contact in people:
        assert f'name="status_{contact}"' in page.text
    assert f'name="version" value="{made["version"]}"' in page.text
    assert 'data-label="Attendance"' in page.text

    wanted = dict(zip(people, ("attended", "absent", "confirmed", "invited"), strict=True))
    form = {"version": made["version"], **{f"status_{c}": s for c, s in wanted.items()}}
    saved = ngo.post(f"/meetings/{made['id']}/attendance", form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith(
        f"/meetings/{made['id']}#attendees"
    )
    assert "Attendance saved." in ngo.get(f"/meetings/{made['id']}").text
    assert statuses(client, env, made["id"]) == wanted
    assert read(client, env, f"/meetings/{made['id']}")["version"] == made["version"] + 1

    entries = read(client, env, f"/audit?entity=meeting&entity_id={made['id']}")
    changes = [e for e in entries if e["action"] == "attendance" and e["before"] is not None]
    # Three rows changed (the fourth stayed invited): one entry each, with before and after.
    assert sorted(
        (e["after"]["contact"], e["before"]["status"], e["after"]["status"]) for e in changes
    ) == sorted((c, "invited", s) for c, s in wanted.items() if s != "invited")


def test_a_stale_form_is_refused_whole_and_keeps_what_was_chosen(client, env):
    made, people = with_attendees(client, env, 2)
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    stale = made["version"]
    attend(client, env, made["id"], people[0], "confirmed")  # someone else saves meanwhile
    form = {"version": stale, f"status_{people[0]}": "absent", f"status_{people[1]}": "attended"}
    refused = ngo.post(f"/meetings/{made['id']}/attendance", form)
    assert refused.status_code == 409
    assert 'id="attendance-error"' in refused.text
    assert "This record was changed by someone else. Reload it and try again." in refused.text
    # The choices stay on the form; the new version rides along, so saving again goes through.
    section = refused.text[refused.text.index('id="attendance-form"') :]
    assert re.search(
        rf'name="status_{people[1]}"[^>]*>\s*(<option[^>]*>[^<]*</option>\s*)*?'
        r'<option value="attended" selected>',
        section,
    )
    assert statuses(client, env, made["id"]) == {people[0]: "confirmed", people[1]: "invited"}
    again = {**form, "version": stale + 1}
    assert ngo.post(f"/meetings/{made['id']}/attendance", again, follow_redirects=False).status_code == 303
    assert statuses(client, env, made["id"]) == {people[0]: "absent", people[1]: "attended"}


@pytest.mark.parametrize(
    ("row", "value", "message"),
    [
        ("status", "present", "Select a valid choice."),
        ("status", "", "Select a valid choice."),
        ("stranger", "attended", "This contact is not on the attendee list."),
    ],
)
def test_a_bad_row_is_named_on_its_own_field_and_nothing_is_saved(client, env, row, value, message):
    made, people = with_attendees(client, env, 2)
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    target = people[1] if row == "status" else person(client, env)["id"]
    form = {"version": made["version"], f"status_{people[0]}": "attended", f"status_{target}": value}
    refused = ngo.post(f"/meetings/{made['id']}/attendance", form)
    assert refused.status_code == 400
    if row == "status":
        assert f'id="attendance-{target}-error">{message}</p>' in refused.text
        assert f'aria-describedby="attendance-{target}-error"' in refused.text
    else:
        assert message in refused.text
    assert statuses(client, env, made["id"]) == dict.fromkeys(people, "invited")  # one transaction
    assert read(client, env, f"/meetings/{made['id']}")["version"] == made["version"]


def test_htmx_gets_the_section_back_with_the_saved_statuses(client, env):
    made, people = with_attendees(client, env, 3)
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    ngo.get(f"/meetings/{made['id']}")
    form = {"version": str(made["version"]), **{f"status_{c}": "attended" for c in people}}
    answer = htmx_post(ngo, f"/meetings/{made['id']}/attendance", form)
    assert answer.status_code == 200 and answer.text.lstrip().startswith('<section id="attendees"')
    assert "<html" not in answer.text and "Attendance saved." in answer.text
    assert answer.text.count('<option value="attended" selected>') == 3
    assert f'name="version" value="{made["version"] + 1}"' in answer.text
    stale = htmx_post(ngo, f"/meetings/{made['id']}/attendance", form)
    assert stale.status_code == 200 and "<html" not in stale.text  # htmx swaps only 2xx answers
    assert 'id="attendance-error"' in stale.text


def test_members_who_may_not_edit_the_meeting_get_no_form_and_are_refused(client, env):
    made, people = with_attendees(client, env, 1)
    form = {"version": made["version"], f"status_{people[0]}": "attended"}
    for role in ("observer", "government"):  # the meeting is the non-governmental side's
        member = sign_in(client, env, "alpha", role, locale="en")
        assert 'id="attendance-form"' not in member.get(f"/meetings/{made['id']}").text
        assert member.post(f"/meetings/{made['id']}/attendance", form).status_code == 403
    assert statuses(client, env, made["id"]) == {people[0]: "invited"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"attendance": "ROWS"}, "version"),
        ({"version": True, "attendance": "ROWS"}, "version"),
        ({"version": "3", "attendance": "ROWS"}, "version"),
        ({"version": "V"}, "attendance"),
        ({"version": "V", "attendance": []}, "attendance"),
        ({"version": "V", "attendance": {"contact": 1}}, "attendance"),
        ({"version": "V", "attendance": [{"contact": "1", "status": "attended"}]}, "attendance"),
        ({"version": "V", "attendance": [{"contact": 2**40, "status": "attended"}]}, "attendance"),
        ({"version": "V", "attendance": [{"status": "attended"}]}, "attendance"),
        ({"version": "V", "attendance": ["attended"]}, "attendance"),
        ({"version": "V", "attendance": [{"contact": "C", "status": "maybe"}]}, "status_C"),
    ],
)
def test_the_api_refuses_a_bad_body_by_field(client, env, body, field):
    made, people = with_attendees(client, env, 1)
    rows = [{"contact": people[0], "status": "attended"}]

    def filled(value: Any) -> Any:
        if value == "ROWS":
            return rows
        if value == "V":
            return made["version"]
        if isinstance(value, list):
            return [filled(v) for v in value]
        if isinstance(value, dict):
            return {k: filled(v) for k, v in value.items()}
        return people[0] if value == "C" else value

    response = client.put(
        f"{API}/meetings/{made['id']}/attendance",
        json=filled(body),
        headers=env.headers("alpha", "ngo", "en"),
    )
    assert response.status_code == 400, response.text
    assert field.replace("C", str(people[0])) in response.json()["errors"], response.text
    assert statuses(client, env, made["id"]) == {people[0]: "invited"}


def test_the_api_saves_many_rows_at_once_under_the_meetings_version(client, env):
    made, people = with_attendees(client, env, 3)
    url, h = f"{API}/meetings/{made['id']}/attendance", env.headers("alpha", "ngo")
    rows = [{"contact": c, "status": "attended"} for c in people[:2]]
    done = client.put(url, json={"version": made["version"], "attendance": rows}, headers=h)
    assert done.status_code == 200 and done.json() == {"version": made["version"] + 1, "changed": 2}
    assert statuses(client, env, made["id"]) == {
        people[0]: "attended",
        people[1]: "attended",
        people[2]: "invited",
    }
    same = client.put(url, json={"version": made["version"] + 1, "attendance": rows}, headers=h)
    assert same.json() == {"version": made["version"] + 1, "changed": 0}  # nothing changed, nothing moved
    stale = client.put(url, json={"version": made["version"], "attendance": rows}, headers=h)
    assert stale.status_code == 409


# --- a joint action from a meeting ---------------------------------------------------------------


class _Chosen(HTMLParser):
    """What a page's form would submit for each field: selected options, checked boxes, values of
    other inputs (whatever widget shows the field: a select, checkboxes, a picker's hidden inputs)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, set[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a and a.get("value"):
            self.values.setdefault(self._select, set()).add(a["value"])
        elif (
            tag == "input"
            and a.get("name")
            and a.get("value")
            and (a.get("type") not in ("checkbox", "radio") or "checked" in a)
        ):
            self.values.setdefault(a["name"], set()).add(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def chosen_values(page: str, name: str) -> set[str]:
    parser = _Chosen()
    parser.feed(page)
    return parser.values.get(name, set())


@pytest.fixture(scope="module")
def origin(client, env) -> dict[str, Any]:
    """A meeting on two topics: two people of one ministry, one of another, one of an NGO, one of a
    second NGO who was absent, and a protected person of a third NGO whom only coordinators (and the
    coordinator who entered them) see."""
    ministry, other_ministry = (
        organization(client, env, "government_ministry"),
        organization(client, env, "law_enforcement"),
    )
    ngo, absent_ngo, hidden_ngo = (organization(client, env, "ngo") for _ in range(3))
    made = meeting(client, env, topics=["TIP", "SOM"])
    for org, status in (
        (other_ministry, "attended"),
        (ministry, "attended"),
        (ngo, "confirmed"),
        (ministry, "invited"),
        (absent_ngo, "absent"),
    ):
        attend(client, env, made["id"], person(client, env, org)["id"], status)
    attend(client, env, made["id"], person(client, env, hidden_ngo, protected=True)["id"], "attended")
    return {
        "meeting": made,
        "ministry": ministry,
        "ngo": ngo,
        "absent_ngo": absent_ngo,
        "hidden_ngo": hidden_ngo,
    }


def test_the_form_started_from_a_meeting_is_prefilled_and_saves_an_action_born_in_it(client, env, origin):
    made = origin["meeting"]
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    page = ngo.get(f"/meetings/{made['id']}")
    link = f'href="/t/alpha/meetings/{made["id"]}/actions/new"'
    assert link in page.text and "New joint action from this meeting" in page.text

    form = ngo.get(f"/meetings/{made['id']}/actions/new")
    assert form.status_code == 200
    assert f"Started from the meeting “{made['title']}”" in form.text
    assert 'action="/t/alpha/actions/new"' in form.text
    assert chosen_values(form.text, "origin_meeting") == {str(made["id"])}
    assert chosen_values(form.text, "topics") == {"TIP", "SOM"}
    # The ministry most attendees came from leads; the NGO partners, not the absent one nor the one
    # of a person this member may not see.
    assert chosen_values(form.text, "government_lead") == {str(origin["ministry"]["id"])}
    assert chosen_values(form.text, "partners") == {str(origin["ngo"]["id"])}

    coordinator = sign_in(client, env, "alpha", "coordinator", locale="en")
    theirs = coordinator.get(f"/meetings/{made['id']}/actions/new")
    assert chosen_values(theirs.text, "partners") == {
        str(origin["ngo"]["id"]),
        str(origin["hidden_ngo"]["id"]),
    }

    values = {
        "title": unique("Protocolo conjunto"),
        "origin_meeting": str(made["id"]),
        "government_lead": str(origin["ministry"]["id"]),
        "partners": [str(origin["ngo"]["id"])],
        "topics": ["TIP", "SOM"],
    }
    saved = ngo.post("/actions/new", values, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:1000]
    action = read(client, env, saved.headers["location"].removeprefix("/t/alpha"))
    assert (action["origin_meeting"], action["government_lead"], action["partners"]) == (
        made["id"],
        origin["ministry"]["id"],
        [origin["ngo"]["id"]],
    )
    assert sorted(action["topics"]) == ["SOM", "TIP"]
    assert f'href="/t/alpha/actions/{action["id"]}"' in ngo.get(f"/meetings/{made['id']}").text


def test_observers_and_archived_meetings_start_no_action(client, env, origin):
    observer = sign_in(client, env, "alpha", "observer", locale="en")
    made = origin["meeting"]
    assert "New joint action from this meeting" not in observer.get(f"/meetings/{made['id']}").text
    assert observer.get(f"/meetings/{made['id']}/actions/new").status_code == 403
    gone = meeting(client, env)
    archived = client.post(f"{API}/meetings/{gone['id']}/archive", headers=env.headers("alpha", "ngo"))
    assert archived.status_code == 200
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    assert "New joint action from this meeting" not in ngo.get(f"/meetings/{gone['id']}").text
    refused = ngo.get(f"/meetings/{gone['id']}/actions/new")
    assert refused.status_code == 409
    assert "This meeting is archived: it can no longer start a joint action." in refused.text
    assert ngo.get("/meetings/2000000000/actions/new").status_code == 404


def test_a_meeting_without_attendees_prefills_only_itself_and_its_topics(client, env):
    made = meeting(client, env, topics=["TIP"])
    form = sign_in(client, env, "alpha", "government", locale="en").get(f"/meetings/{made['id']}/actions/new")
    assert form.status_code == 200
    assert chosen_values(form.text, "origin_meeting") == {str(made["id"])}
    assert chosen_values(form.text, "topics") == {"TIP"}
    assert (
        chosen_values(form.text, "government_lead") == set() and chosen_values(form.text, "partners") == set()
    )


def test_the_browser_of_another_member_changes_nothing(client, env):
    """A member's session cannot be used as another's: the attendance form needs its own CSRF token."""
    made, people = with_attendees(client, env, 1)
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    forged = Browser(client, "alpha")
    forged.cookies = dict(ngo.cookies)
    forged.csrf = "not-the-token"
    response = forged.post(
        f"/meetings/{made['id']}/attendance", {"version": made["version"], f"status_{people[0]}": "absent"}
    )
    assert response.status_code == 403
    assert statuses(client, env, made["id"]) == {people[0]: "invited"}
