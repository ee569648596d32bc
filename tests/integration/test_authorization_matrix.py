"""The authorization matrix: one table of (action × role) → expected outcome, asserted through HTTP
for every pair, on both backends.

The rules come from core.accounts.roles and the services: observers read; government and NGO
participants create, and change or archive what their own side owns; coordinators do everything in
their tenant (topics, members and the audit log are theirs alone); only participants confirm a joint
action's completion; a read-scoped token only reads. Each pair runs on records made fresh for it.

Protected contacts are seen in full only by coordinators and their creator; personal-data export
and erasure and invitations are the coordinators'. API tokens are no credential for the pages.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from core.accounts.roles import ROLES
from core.accounts.service import create_user, issue_token
from core.accounts.tables import User
from core.tenancy.context import tenant_context
from core.testing.surface import api_operations
from core.testing.web import Browser, sign_in
from plugins.engagement.tables import Application

COORDINATOR, GOVERNMENT, NGO, OBSERVER = ROLES
WRITERS = (COORDINATOR, GOVERNMENT, NGO)
API = "/t/alpha/api/v1"
OK = "allowed"  # any success: 200, 201, 204, or a page's 303 redirect after a form
FULL, PLACEHOLDER = "full view", "placeholder"
LISTED, UNLISTED = "listed", "not listed"
SIGN_IN = "sent to sign in"  # a page answering a request without a session
Outcome = int | str


def only(allowed: Outcome, *roles: str, others: Outcome = 403) -> dict[str, Outcome]:
    return {role: allowed if role in roles else others for role in ROLES}


EVERYONE = ROLES
# The member whose record is "their own side's" and "the other side's" for each role (observers
# own nothing: a government record stands in for both).
OWN_SIDE = {COORDINATOR: COORDINATOR, GOVERNMENT: GOVERNMENT, NGO: NGO, OBSERVER: GOVERNMENT}
OTHER_SIDE = {COORDINATOR: GOVERNMENT, GOVERNMENT: NGO, NGO: GOVERNMENT, OBSERVER: NGO}


class Alpha:
    """Tenant alpha over HTTP, as any of its members (API token or signed-in browser)."""

    def __init__(self, client: Any, env: Any) -> None:
        self.client, self.env = client, env
        self.browsers: dict[str, Browser] = {}
        self.read_tokens: dict[str, str] = {}

    def api(self, role: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = self.env.headers("alpha", role)
        return self.client.request(method, API + path, headers=headers, **kwargs)

    def read_only(self, role: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.read_tokens[role]}"}
        return self.client.request(method, API + path, headers=headers, **kwargs)

    def browser(self, role: str) -> Browser:
        if role not in self.browsers:
            self.browsers[role] = sign_in(self.client, self.env, "alpha", role)
        return self.browsers[role]

    def create(self, resource: str, by: str, **fields: Any) -> dict[str, Any]:
        """A fresh record of ``resource`` made by member ``by`` (so owned by their side)."""
        response = self.api(by, "POST", f"/{resource}", json={**NEW[resource](self), **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def run(self, coroutine: Callable[[], Any]) -> Any:
        async def in_alpha() -> Any:
            with tenant_context(self.env.registry.get("alpha")):
                return await coroutine()

        return self.client.blocking_portal.call(in_alpha)


def _hex() -> str:
    return secrets.token_hex(4)


# A new record's body, by collection (the plugin's as well as core's); given alpha to make the
# records it refers to.
NEW: dict[str, Callable[[Alpha], dict[str, Any]]] = {
    "organizations": lambda a: {"name": f"Org {_hex()}", "sector": "ngo"},
    "contacts": lambda a: {"first_name": "Ana", "last_name": f"Ruiz {_hex()}"},
    "meetings": lambda a: {
        "title": f"Reunión {_hex()}",
        "meeting_type": "launch",
        "mode": "online",
        "starts_at": "2025-01-01T10:00:00-06:00",
        "ends_at": "2025-01-01T11:00:00-06:00",
    },
    "actions": lambda a: {"title": f"Acción {_hex()}"},
    "topics": lambda a: {"code": f"T-{_hex()}", "label": "Tema", "category": "national"},
    "networks": lambda a: {"name": f"Red {_hex()}", "scope": "national"},
    "networks/memberships": lambda a: {
        "network": a.create("networks", COORDINATOR)["id"],
        "organization": a.create("organizations", COORDINATOR)["id"],
        "role": "member",
    },
    "engagement/activities": lambda a: {
        "kind": "workshop",
        "title": f"Taller {_hex()}",
        "format": "online_synchronous",
        "starts_at": "2027-03-10T09:00:00-06:00",
        "ends_at": "2027-03-12T17:00:00-06:00",
        "status": "draft",
    },
}
CHANGE = {
    "organizations": {"city": "León"},
    "contacts": {"position": "Jefa"},
    "meetings": {"place": "Sala 2"},
    "actions": {"description": "Más detalle"},
    "topics": {"label": "Otro tema"},
    "networks": {"website": "https://red.example.org"},
    "networks/memberships": {"role": "observer"},
    "engagement/activities": {"status": "call_open"},
}


@dataclass(frozen=True)
class Row:
    action: str
    expected: dict[str, Outcome]
    run: Callable[[Alpha, str], Any]
    # The API operation the row exercises ("PATCH /contacts/{record_id}"), for the coverage check.
    operation: str | None = None


def record_rows(resource: str, writers: tuple[str, ...] = WRITERS, by_side: bool = True) -> list[Row]:
    """list, export, get, create, update and archive of one collection, for the owner's side and the
    other (``by_side``), or for records whatever their side (their collection's rules do not
    depend on it: the taxonomy is the coordinators', networks are civil society's)."""

    def owner(role: str, own: bool) -> str:
        return (OWN_SIDE if own else OTHER_SIDE)[role] if by_side else COORDINATOR

    def update(own: bool) -> Callable[[Alpha, str], Any]:
        def run(alpha: Alpha, role: str) -> Any:
            record = alpha.create(resource, owner(role, own))
            body = {"version": record["version"], **CHANGE[resource]}
            return alpha.api(role, "PATCH", f"/{resource}/{record['id']}", json=body)

        return run

    def archive(own: bool) -> Callable[[Alpha, str], Any]:
        def run(alpha: Alpha, role: str) -> Any:
            record = alpha.create(resource, owner(role, own))
            return alpha.api(role, "POST", f"/{resource}/{record['id']}/archive")

        return run

    def get(alpha: Alpha, role: str) -> Any:
        return alpha.api(role, "GET", f"/{resource}/{alpha.create(resource, owner(role, True))['id']}")

    def restore(page: bool) -> Callable[[Alpha, str], Any]:
        """Bring back a record its own side archived: the coordinators' (API, or the page's button)."""

        def run(alpha: Alpha, role: str) -> Any:
            record = alpha.create(resource, COORDINATOR)
            archived = alpha.api(COORDINATOR, "POST", f"/{resource}/{record['id']}/archive")
            assert archived.status_code == 200, archived.text
            if page:
                return alpha.browser(role).post(f"/{resource}/{record['id']}/restore", {})
            return alpha.api(role, "POST", f"/{resource}/{record['id']}/restore")

        return run

    def archived_list(page: bool) -> Callable[[Alpha, str], Any]:
        def run(alpha: Alpha, role: str) -> Any:
            if page:
                return alpha.browser(role).get(f"/{resource}", params={"archived": "true"})
            return alpha.api(role, "GET", f"/{resource}", params={"archived": "true"})

        return run

    one, item = f"/{resource}", f"/{resource}/{{record_id}}"
    rows = [
        Row(f"{resource}: list", only(200, *EVERYONE), lambda a, r: a.api(r, "GET", one), f"GET {one}"),
        Row(
            f"{resource}: export",
            only(200, *EVERYONE),
            lambda a, r: a.api(r, "GET", f"{one}/export"),
            f"GET {one}/export",
        ),
        Row(f"{resource}: get", only(200, *EVERYONE), get, f"GET {item}"),
        Row(f"{resource}: restore", only(200, COORDINATOR), restore(page=False), f"POST {item}/restore"),
        Row(f"{resource}: restore (page)", only(OK, COORDINATOR), restore(page=True)),
        Row(f"{resource}: list archived", only(200, COORDINATOR), archived_list(page=False)),
        Row(f"{resource}: list archived (page)", only(200, COORDINATOR), archived_list(page=True)),
        Row(
            f"{resource}: create",
            only(201, *writers),
            lambda a, r: a.api(r, "POST", one, json=NEW[resource](a)),
            f"POST {one}",
        ),
    ]
    if not by_side:
        return [
            *rows,
            Row(f"{resource}: update", only(200, *writers), update(own=True), f"PATCH {item}"),
            Row(f"{resource}: archive", only(200, *writers), archive(own=True), f"POST {item}/archive"),
        ]
    return [
        *rows,
        Row(f"{resource}: update own side", only(200, *writers), update(own=True), f"PATCH {item}"),
        Row(f"{resource}: update other side", only(200, COORDINATOR), update(own=False), f"PATCH {item}"),
        Row(f"{resource}: archive own side", only(200, *writers), archive(own=True), f"POST {item}/archive"),
        Row(
            f"{resource}: archive other side",
            only(200, COORDINATOR),
            archive(own=False),
            f"POST {item}/archive",
        ),
    ]


ATTENDEE = "PUT /meetings/{record_id}/attendees/{contact_id}"


def attendee_rows() -> list[Row]:
    def on_meeting(method: str, own: bool, present: bool, body: dict | None) -> Callable[[Alpha, str], Any]:
        def run(alpha: Alpha, role: str) -> Any:
            meeting = alpha.create("meetings", (OWN_SIDE if own else OTHER_SIDE)[role])
            contact = alpha.create("contacts", COORDINATOR)
            path = f"/meetings/{meeting['id']}/attendees/{contact['id']}"
            if present:
                added = alpha.api(COORDINATOR, "PUT", path, json={"status": "invited"})
                assert added.status_code == 200, added.text
            return alpha.api(role, method, path, json=body)

        return run

    def listing(alpha: Alpha, role: str) -> Any:
        return alpha.api(role, "GET", f"/meetings/{alpha.create('meetings', COORDINATOR)['id']}/attendees")

    def attendees_file(alpha: Alpha, role: str) -> Any:
        meeting = alpha.create("meetings", OTHER_SIDE[role])
        return alpha.api(role, "GET", f"/meetings/{meeting['id']}/attendees/export?format=xlsx")

    def calendar(alpha: Alpha, role: str) -> Any:
        meeting = alpha.create("meetings", OTHER_SIDE[role])
        return alpha.api(role, "GET", f"/meetings/{meeting['id']}/calendar.ics")

    def with_attendee(alpha: Alpha, own: bool, role: str) -> tuple[dict[str, Any], int]:
        meeting = alpha.create("meetings", (OWN_SIDE if own else OTHER_SIDE)[role])
        contact = alpha.create("contacts", COORDINATOR)
        path = f"/meetings/{meeting['id']}/attendees/{contact['id']}"
        added = alpha.api(COORDINATOR, "PUT", path, json={"status": "invited"})
        assert added.status_code == 200, added.text
        return meeting, contact["id"]

    def attendance(own: bool) -> Callable[[Alpha, str], Any]:
        def run(alpha: Alpha, role: str) -> Any:
            meeting, contact = with_attendee(alpha, own, role)
            body = {
                "version": meeting["version"] + 1,
                "attendance": [{"contact": contact, "status": "attended"}],
            }
            return alpha.api(role, "PUT", f"/meetings/{meeting['id']}/attendance", json=body)

        return run

    def attendance_page(alpha: Alpha, role: str) -> Any:
        meeting, contact = with_attendee(alpha, True, role)
        form = {"version": meeting["version"] + 1, f"status_{contact}": "attended"}
        return alpha.browser(role).post(f"/meetings/{meeting['id']}/attendance", form, follow_redirects=False)

    def action_from_meeting(alpha: Alpha, role: str) -> Any:
        meeting = alpha.create("meetings", OTHER_SIDE[role])  # any writer starts one from any meeting
        return alpha.browser(role).get(f"/meetings/{meeting['id']}/actions/new")

    return [
        Row("meeting attendees: list", only(200, *EVERYONE), listing, "GET /meetings/{record_id}/attendees"),
        Row(
            "meeting attendees: export",
            only(200, *EVERYONE),
            attendees_file,
            "GET /meetings/{record_id}/attendees/export",
        ),
        Row(
            "meeting calendar file", only(200, *EVERYONE), calendar, "GET /meetings/{record_id}/calendar.ics"
        ),
        Row(
            "meeting attendees: add",
            only(200, *WRITERS),
            on_meeting("PUT", True, False, {"status": "invited"}),
            ATTENDEE,
        ),
        Row(
            "meeting attendees: add on the other side's meeting",
            only(200, COORDINATOR),
            on_meeting("PUT", False, False, {"status": "invited"}),
            ATTENDEE,
        ),
        Row(
            "meeting attendees: update",
            only(200, *WRITERS),
            on_meeting("PUT", True, True, {"status": "attended"}),
            ATTENDEE,
        ),
        Row(
            "meeting attendees: remove",
            only(204, *WRITERS),
            on_meeting("DELETE", True, True, None),
            f"DELETE {ATTENDEE.split()[1]}",
        ),
        Row(
            "meeting attendance: set many",
            only(200, *WRITERS),
            attendance(own=True),
            "PUT /meetings/{record_id}/attendance",
        ),
        Row(
            "meeting attendance: set many on the other side's meeting",
            only(200, COORDINATOR),
            attendance(own=False),
            "PUT /meetings/{record_id}/attendance",
        ),
        Row("meeting attendance page: save all rows", only(OK, *WRITERS), attendance_page),
        Row("meeting page: new joint action from it", only(200, *WRITERS), action_from_meeting),
    ]


def action_rows() -> list[Row]:
    def progress(alpha: Alpha, role: str) -> Any:
        action = alpha.create("actions", OTHER_SIDE[role])  # either side logs progress on any action
        return alpha.api(
            role,
            "POST",
            f"/actions/{action['id']}/progress",
            json={"on_date": "2025-02-03", "note": "Avance"},
        )

    def confirm(alpha: Alpha, role: str) -> Any:
        action = alpha.create("actions", COORDINATOR)
        return alpha.api(role, "POST", f"/actions/{action['id']}/confirm")

    def progress_list(alpha: Alpha, role: str) -> Any:
        return alpha.api(role, "GET", f"/actions/{alpha.create('actions', COORDINATOR)['id']}/progress")

    return [
        Row(
            "action progress: list", only(200, *EVERYONE), progress_list, "GET /actions/{record_id}/progress"
        ),
        Row("action progress: add", only(201, *WRITERS), progress, "POST /actions/{record_id}/progress"),
        Row(
            "action completion: confirm for one's side",
            only(200, GOVERNMENT, NGO),
            confirm,
            "POST /actions/{record_id}/confirm",
        ),
    ]


def engagement_application(alpha: Alpha) -> tuple[int, int]:
    """A fresh activity of the engagement plugin and one application to it (as its call writes it)."""
    activity = alpha.create("engagement/activities", COORDINATOR)
    contact = alpha.create("contacts", COORDINATOR)

    async def write() -> int:
        row = Application(activity=activity["id"], contact=contact["id"], email=f"a.{_hex()}@example.org")
        return int((await Application.insert(row).returning(Application.id).run())[0]["id"])

    return activity["id"], alpha.run(write)


def selection_rows() -> list[Row]:
    """The engagement plugin's review queue and decisions: coordinators (and members a coordinator
    made reviewers, none here) only."""
    queue = "/engagement/activities/{record_id}/applications"

    def listing(alpha: Alpha, role: str) -> Any:
        activity, _ = engagement_application(alpha)
        return alpha.api(role, "GET", f"/engagement/activities/{activity}/applications")

    def one(alpha: Alpha, role: str) -> Any:
        activity, application = engagement_application(alpha)
        return alpha.api(role, "GET", f"/engagement/activities/{activity}/applications/{application}")

    def decide(alpha: Alpha, role: str) -> Any:
        activity, application = engagement_application(alpha)
        body = {"applications": [{"id": application, "version": 1}], "decision": "waitlisted"}
        return alpha.api(role, "POST", f"/engagement/activities/{activity}/applications/decisions", json=body)

    return [
        Row("engagement applications: list", only(200, COORDINATOR), listing, f"GET {queue}"),
        Row("engagement applications: get", only(200, COORDINATOR), one, f"GET {queue}/{{application_id}}"),
        Row("engagement applications: decide", only(200, COORDINATOR), decide, f"POST {queue}/decisions"),
    ]


DIALOGUE = "/engagement/activities/{record_id}/inputs"


def dialogue_rows() -> list[Row]:
    """The engagement plugin's dialogue inputs: every member reads them and the summary, members
    who write submit them, coordinators (and the reviewers the plugin lists) moderate them."""

    def dialogue(alpha: Alpha) -> str:
        record = alpha.create("engagement/activities", COORDINATOR, kind="constructive_dialogue")
        return f"/engagement/activities/{record['id']}/inputs"

    def submitted(alpha: Alpha) -> tuple[str, dict[str, Any]]:
        path = dialogue(alpha)
        response = alpha.api(COORDINATOR, "POST", path, json={"topic": "firearms", "text": "Aporte"})
        assert response.status_code == 201, response.text
        return path, response.json()

    def moderate(alpha: Alpha, role: str) -> Any:
        path, item = submitted(alpha)
        body = {"version": item["version"], "status": "included", "tags": ["armas"]}
        return alpha.api(role, "PATCH", f"{path}/{item['id']}", json=body)

    def change_several(alpha: Alpha, role: str) -> Any:
        path, item = submitted(alpha)
        body = {"inputs": [{"id": item["id"], "version": item["version"]}], "status": "included"}
        return alpha.api(role, "POST", f"{path}/status", json=body)

    def moderate_page(alpha: Alpha, role: str) -> Any:
        path, item = submitted(alpha)
        form = {"input": f"{item['id']}:{item['version']}", "status": "included"}
        return alpha.browser(role).post(f"{path}/moderate", form, follow_redirects=False)

    return [
        Row(
            "dialogue inputs: list",
            only(200, *EVERYONE),
            lambda a, r: a.api(r, "GET", dialogue(a)),
            f"GET {DIALOGUE}",
        ),
        Row(
            "dialogue inputs: submit",
            only(201, *WRITERS),
            lambda a, r: a.api(r, "POST", dialogue(a), json={"topic": "firearms", "text": "Aporte"}),
            f"POST {DIALOGUE}",
        ),
        Row(
            "dialogue inputs: moderate one",
            only(200, COORDINATOR),
            moderate,
            f"PATCH {DIALOGUE}/{{input_id}}",
        ),
        Row(
            "dialogue inputs: change several",
            only(200, COORDINATOR),
            change_several,
            f"POST {DIALOGUE}/status",
        ),
        Row(
            "dialogue summary",
            only(200, *EVERYONE),
            lambda a, r: a.api(r, "GET", f"{dialogue(a)}/summary"),
            f"GET {DIALOGUE}/summary",
        ),
        Row(
            "dialogue summary as Markdown",
            only(200, *EVERYONE),
            lambda a, r: a.api(r, "GET", f"{dialogue(a)}/summary.md", params={"lang": "en"}),
            f"GET {DIALOGUE}/summary.md",
        ),
        Row("dialogue inputs page", only(200, *EVERYONE), lambda a, r: a.browser(r).get(dialogue(a))),
        Row("dialogue inputs page: moderate", only(OK, COORDINATOR), moderate_page),
    ]


def site_root(alpha: Alpha, role: str) -> Any:
    """The site's root page (the list of pilots), with the member's session cookie: public, the
    same for everyone (the test tenants are two, so it lists them rather than redirecting)."""
    cookies = alpha.browser(role).cookies
    alpha.client.cookies.clear()
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    return alpha.client.get("/", headers=headers, follow_redirects=False)


def tenant_rows() -> list[Row]:
    def change_role(alpha: Alpha, role: str) -> Any:
        email = f"member.{_hex()}@alpha.test"
        member = alpha.run(lambda: create_user(email, NGO, "a long enough password"))
        return alpha.browser(role).post(
            f"/members/{member['id']}/role", {"role": OBSERVER}, follow_redirects=False
        )

    return [
        Row("forms: list", only(200, *EVERYONE), lambda a, r: a.api(r, "GET", "/forms"), "GET /forms"),
        Row(
            "forms: get",
            only(200, *EVERYONE),
            lambda a, r: a.api(r, "GET", "/forms/contact"),
            "GET /forms/{form}",
        ),
        Row("audit: list", only(200, COORDINATOR), lambda a, r: a.api(r, "GET", "/audit"), "GET /audit"),
        Row(
            "audit: export",
            only(200, COORDINATOR),
            lambda a, r: a.api(r, "GET", "/audit/export"),
            "GET /audit/export",
        ),
        Row("read-scoped token: read", only(200, *EVERYONE), lambda a, r: a.read_only(r, "GET", "/contacts")),
        Row(
            "read-scoped token: write",
            only(403, *EVERYONE),
            lambda a, r: a.read_only(r, "POST", "/contacts", json=NEW["contacts"](a)),
        ),
        Row(
            "read-scoped token: a page's form",
            only(SIGN_IN, *EVERYONE),
            lambda a, r: a.client.get(
                "/t/alpha/topics/new",
                headers={"Authorization": f"Bearer {a.read_tokens[r]}"},
                follow_redirects=False,
            ),
        ),
        Row("members page", only(200, COORDINATOR), lambda a, r: a.browser(r).get("/members")),
        Row("site root page: the list of pilots", only(200, *EVERYONE), site_root),
        Row(
            "dashboard page (with the actions needing attention)",
            only(200, *EVERYONE),
            lambda a, r: a.browser(r).get("/"),
        ),
        Row(
            "members: add",
            only(200, COORDINATOR),
            lambda a, r: a.browser(r).post(
                "/members", {"email": f"new.{_hex()}@alpha.test", "role": OBSERVER}
            ),
        ),
        Row("members: change a role", only(303, COORDINATOR), change_role),
    ]


# --- protected contacts, personal data, invitations ------------------------------------------------


def protected_contact(alpha: Alpha) -> dict[str, Any]:
    """A protected contact created by the NGO participant (its ``created_by``)."""
    return alpha.create("contacts", NGO, first_name="Rosa", last_name=f"Reservada{_hex()}", protected=True)


def protected_view(alpha: Alpha, role: str) -> Any:
    return alpha.api(role, "GET", f"/contacts/{protected_contact(alpha)['id']}")


def protected_listing(alpha: Alpha, role: str) -> Any:
    contact = protected_contact(alpha)
    response = alpha.api(role, "GET", "/contacts", params={"q": contact["last_name"]})
    response.listed = any(item["id"] == contact["id"] for item in response.json()["items"])
    return response


def protected_change(alpha: Alpha, role: str) -> Any:
    contact = protected_contact(alpha)
    return alpha.api(
        role, "PATCH", f"/contacts/{contact['id']}", json={"version": contact["version"], "position": "x"}
    )


def protected_archive(alpha: Alpha, role: str) -> Any:
    return alpha.api(role, "POST", f"/contacts/{protected_contact(alpha)['id']}/archive")


def personal_data(alpha: Alpha, role: str) -> Any:
    return alpha.api(role, "GET", f"/contacts/{alpha.create('contacts', COORDINATOR)['id']}/personal-data")


def erase(alpha: Alpha, role: str) -> Any:
    return alpha.api(role, "POST", f"/contacts/{alpha.create('contacts', COORDINATOR)['id']}/erase")


def erase_twice(alpha: Alpha, role: str) -> Any:
    contact = alpha.create("contacts", COORDINATOR)
    first = alpha.api(COORDINATOR, "POST", f"/contacts/{contact['id']}/erase")
    if first.status_code != 200:  # the first erase must work: its answer then fails the row
        return first
    return alpha.api(role, "POST", f"/contacts/{contact['id']}/erase")


CREATOR_OR_COORDINATOR = (COORDINATOR, NGO)
PRIVACY_AND_INVITATION_ROWS = [
    Row(
        "protected contact: get",
        only(FULL, *CREATOR_OR_COORDINATOR, others=PLACEHOLDER),
        protected_view,
    ),
    Row(
        "protected contact: list and search",
        only(LISTED, *CREATOR_OR_COORDINATOR, others=UNLISTED),
        protected_listing,
    ),
    Row(
        "protected contact: update",
        only(200, *CREATOR_OR_COORDINATOR),
        protected_change,
    ),
    Row(
        "protected contact: archive",
        only(200, *CREATOR_OR_COORDINATOR),
        protected_archive,
    ),
    Row(
        "contact personal data: export",
        only(200, COORDINATOR),
        personal_data,
        "GET /contacts/{record_id}/personal-data",
    ),
    Row("contact personal data: erase", only(200, COORDINATOR), erase, "POST /contacts/{record_id}/erase"),
    Row(
        "contact personal data: erase again",
        only(409, COORDINATOR),
        erase_twice,
    ),
    Row(
        "members: link to an organization",
        only(OK, COORDINATOR),
        lambda a, r: a.browser(r).post(
            f"/members/{a.env.users[('alpha', NGO)]['id']}/organization",
            {"organization": a.create("organizations", COORDINATOR)["id"]},
            follow_redirects=False,
        ),
    ),
    Row(
        "members: invite page",
        only(200, COORDINATOR),
        lambda a, r: a.browser(r).get("/members/invite"),
    ),
    Row(
        "members: invite",
        only(OK, COORDINATOR),
        lambda a, r: a.browser(r).post(
            "/members/invite",
            {"email": f"inv.{_hex()}@alpha.test", "role": NGO, "locale": "es"},
            follow_redirects=False,
        ),
    ),
]


def protected_picked(alpha: Alpha, role: str) -> Any:
    """The contacts' picker, searching a protected contact by name (``core.web.pages.pick``)."""
    contact = protected_contact(alpha)
    response = alpha.browser(role).get("/pick/contacts", params={"q": contact["last_name"]})
    response.listed = f'data-value="{contact["id"]}"' in response.text
    return response


# The searchable picker's options: contacts and organizations for every member (as the forms'
# selects offer them), members for coordinators only (their emails are personal data).
PICK_ROWS = [
    Row("picker: contacts", only(200, *EVERYONE), lambda a, r: a.browser(r).get("/pick/contacts")),
    Row(
        "picker: organizations",
        only(200, *EVERYONE),
        lambda a, r: a.browser(r).get("/pick/organizations", params={"side": "government"}),
    ),
    Row("picker: members", only(200, COORDINATOR), lambda a, r: a.browser(r).get("/pick/members")),
    # Leaving out what a record already links is open to whoever may see that record (all members).
    *(
        Row(
            f"picker: {kind} but {key}",
            only(200, *EVERYONE),
            lambda a, r, kind=kind, key=key, resource=resource: a.browser(r).get(
                f"/pick/{kind}", params={"without": key, "of": a.create(resource, COORDINATOR)["id"]}
            ),
        )
        for kind, key, resource in (
            ("organizations", "networks.members", "networks"),
            ("contacts", "meeting.attendees", "meetings"),
            ("contacts", "engagement.participants", "engagement/activities"),
        )
    ),
    Row(
        "picker: a protected contact",
        only(LISTED, *CREATOR_OR_COORDINATOR, others=UNLISTED),
        protected_picked,
    ),
]


def delivery_rows() -> list[Row]:
    """The engagement plugin's delivery of an activity: coordinators run sessions, attendance and
    participants; every other member reads them."""
    base = "/engagement/activities/{record_id}"

    def activity(alpha: Alpha) -> int:
        return int(alpha.create("engagement/activities", COORDINATOR)["id"])

    def session(alpha: Alpha) -> tuple[int, int]:
        aid = activity(alpha)
        body = {"kind": "plenary", "title": "Plenaria", "starts_at": "2027-03-10T09:00:00-06:00"}
        made = alpha.api(COORDINATOR, "POST", f"/engagement/activities/{aid}/sessions", json=body)
        assert made.status_code == 201, made.text
        return aid, int(made.json()["id"])

    def participant(alpha: Alpha, aid: int) -> int:
        contact = alpha.create("contacts", COORDINATOR)
        added = alpha.browser(COORDINATOR).post(
            f"/engagement/activities/{aid}/participants", {"contact": contact["id"]}, follow_redirects=False
        )
        assert added.status_code == 303, added.text[:300]
        listed = alpha.api(COORDINATOR, "GET", f"/engagement/activities/{aid}/participants").json()
        return int(next(p["id"] for p in listed["items"] if p["contact"] == contact["id"]))

    def on_session(method: str, suffix: str = "", body: Any = None) -> Callable[[Alpha, str], Any]:
        def run(alpha: Alpha, role: str) -> Any:
            aid, sid = session(alpha)
            path = f"/engagement/activities/{aid}/sessions/{sid}{suffix}"
            return alpha.api(role, method, path, json=body(alpha, aid) if callable(body) else body)

        return run

    def marks(alpha: Alpha, aid: int) -> dict[str, Any]:
        return {"attendance": [{"participant": participant(alpha, aid), "status": "present"}]}

    def attendance_page(alpha: Alpha, role: str) -> Any:
        aid, sid = session(alpha)
        pid = participant(alpha, aid)
        return alpha.browser(role).post(
            f"/engagement/activities/{aid}/sessions/{sid}/attendance",
            {f"participant_{pid}": "absent"},
            follow_redirects=False,
        )

    def add_page(alpha: Alpha, role: str) -> Any:
        aid, contact = activity(alpha), alpha.create("contacts", COORDINATOR)
        return alpha.browser(role).post(
            f"/engagement/activities/{aid}/participants", {"contact": contact["id"]}, follow_redirects=False
        )

    def listing(suffix: str) -> Callable[[Alpha, str], Any]:
        return lambda a, r: a.api(r, "GET", f"/engagement/activities/{activity(a)}{suffix}")

    new_session = {"kind": "self_paced", "title": "Módulo"}
    return [
        Row("sessions: list", only(200, *EVERYONE), listing("/sessions"), f"GET {base}/sessions"),
        Row(
            "sessions: create",
            only(201, COORDINATOR),
            lambda a, r: a.api(r, "POST", f"/engagement/activities/{activity(a)}/sessions", json=new_session),
            f"POST {base}/sessions",
        ),
        Row("sessions: get", only(200, *EVERYONE), on_session("GET"), f"GET {base}/sessions/{{session_id}}"),
        Row(
            "sessions: update",
            only(200, COORDINATOR),
            on_session("PATCH", body={"version": 1, "title": "Cierre"}),
            f"PATCH {base}/sessions/{{session_id}}",
        ),
        Row(
            "sessions: archive",
            only(200, COORDINATOR),
            on_session("POST", "/archive"),
            f"POST {base}/sessions/{{session_id}}/archive",
        ),
        Row(
            "session attendance: read",
            only(200, *EVERYONE),
            on_session("GET", "/attendance"),
            f"GET {base}/sessions/{{session_id}}/attendance",
        ),
        Row(
            "session attendance: record in bulk",
            only(200, COORDINATOR),
            on_session("PUT", "/attendance", marks),
            f"PUT {base}/sessions/{{session_id}}/attendance",
        ),
        Row(
            "participants: list with scores",
            only(200, *EVERYONE),
            listing("/participants"),
            f"GET {base}/participants",
        ),
        Row("session attendance page: record", only(OK, COORDINATOR), attendance_page),
        Row("participants page: add by hand", only(OK, COORDINATOR), add_page),
    ]


def participating(alpha: Alpha) -> dict[str, Any]:
    """An engagement activity with one participant (written as the row selection makes: no route
    of this part adds one) whom the completion rule lets through (no session held, no questions)."""
    activity = alpha.create("engagement/activities", COORDINATOR)
    person = alpha.create("contacts", COORDINATOR)
    sql = "INSERT INTO engagement_participant (activity, contact, source, created_at) VALUES ({}, {}, {}, {})"
    at = datetime.now(UTC)
    alpha.run(lambda: User.raw(sql, activity["id"], person["id"], "selection", at).run())
    return activity


def issued_certificate(alpha: Alpha) -> dict[str, Any]:
    activity = participating(alpha)
    response = alpha.api(COORDINATOR, "POST", f"/engagement/activities/{activity['id']}/certificates/issue")
    assert response.status_code == 200, response.text
    return response.json()["issued"][0]


def verify_publicly(alpha: Alpha, role: str) -> Any:
    """The verification page needs no sign-in: the same for a member of any role and for no one."""
    code = issued_certificate(alpha)["code"]
    alpha.client.cookies.clear()
    return alpha.client.get(f"/t/alpha/engagement/certificates/verify/{code}")


# The engagement plugin's certificates: coordinators list, issue and revoke; anyone verifies a code.
CERTIFICATE_ROWS = [
    Row(
        "engagement certificates: list",
        only(200, COORDINATOR),
        lambda a, r: a.api(r, "GET", f"/engagement/activities/{participating(a)['id']}/certificates"),
        "GET /engagement/activities/{record_id}/certificates",
    ),
    Row(
        "engagement certificates: issue",
        only(200, COORDINATOR),
        lambda a, r: a.api(r, "POST", f"/engagement/activities/{participating(a)['id']}/certificates/issue"),
        "POST /engagement/activities/{record_id}/certificates/issue",
    ),
    Row(
        "engagement certificates: revoke",
        only(200, COORDINATOR),
        lambda a, r: a.api(
            r,
            "POST",
            f"/engagement/certificates/{issued_certificate(a)['id']}/revoke",
            json={"reason": "Datos erróneos"},
        ),
        "POST /engagement/certificates/{certificate_id}/revoke",
    ),
    Row("engagement certificates: public verification", only(200, *EVERYONE), verify_publicly),
]

RESOURCES = ("organizations", "contacts", "meetings", "actions")
# The networks plugin (enabled in the kit's tenants): civil society's records, kept by coordinators
# and NGO participants whoever entered them (plugins/networks/service.py).
CIVIL_SOCIETY = (COORDINATOR, NGO)
MATRIX = [
    *(row for resource in RESOURCES for row in record_rows(resource)),
    *record_rows("topics", writers=(COORDINATOR,), by_side=False),
    *record_rows("networks", writers=CIVIL_SOCIETY, by_side=False),
    *record_rows("networks/memberships", writers=CIVIL_SOCIETY, by_side=False),
    # The engagement plugin's activities: the coordinators run the programme, members read it.
    *record_rows("engagement/activities", writers=(COORDINATOR,), by_side=False),
    *selection_rows(),
    *delivery_rows(),
    *CERTIFICATE_ROWS,
    *dialogue_rows(),
    *attendee_rows(),
    *action_rows(),
    *tenant_rows(),
    *PRIVACY_AND_INVITATION_ROWS,
    Row(
        "search everything",
        only(200, *EVERYONE),
        lambda a, r: a.api(r, "GET", "/search", params={"q": "Org"}),
        "GET /search",
    ),
    Row(
        "contacts: choose the list's columns (page)",
        only(OK, *EVERYONE),
        lambda a, r: a.browser(r).post("/contacts/columns", {"columns": "email"}),
    ),
    Row("search everything (page)", only(200, *EVERYONE), lambda a, r: a.browser(r).get("/search?q=Org")),
    *PICK_ROWS,
]


# --- assertions -------------------------------------------------------------------------------------------


def assert_outcome(row: Row, role: str, expected: Outcome, response: Any) -> None:
    status, where = (
        response.status_code,
        f"{row.action} as {role}: {response.status_code} {response.text[:300]}",
    )
    if expected == OK:
        assert status in (200, 201, 204, 303), where
    elif expected in (FULL, PLACEHOLDER):
        assert status == 200, where
        body = response.json()
        hidden = body.get("hidden") is True and body.get("protected") is True
        names = {body.get("first_name"), body.get("last_name")} - {None, ""}
        assert (hidden and not names) if expected == PLACEHOLDER else (not body.get("hidden") and names), (
            where
        )
    elif expected == SIGN_IN:
        assert status == 303 and "/login" in response.headers["location"], where
    elif expected in (LISTED, UNLISTED):
        assert status == 200 and response.listed == (expected == LISTED), where
    else:
        assert status == expected, where


@pytest.fixture(scope="module")
def alpha(client, env) -> Alpha:
    site = Alpha(client, env)
    for role in ROLES:
        user_id = env.users[("alpha", role)]["id"]
        site.read_tokens[role] = site.run(lambda user_id=user_id: issue_token(user_id, "read", scope="read"))
    return site


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.action)
def test_matrix(alpha, row, role):
    assert_outcome(row, role, row.expected[role], row.run(alpha, role))


def test_every_api_operation_has_a_row(client):
    """The matrix covers the whole API, core's and the enabled plugins' operations alike (read from
    the OpenAPI document): a new operation without its row of expected outcomes fails here."""
    prefix = API.replace("alpha", "{tenant_slug}")
    operations = {f"{op.method} {op.path.removeprefix(prefix)}" for op in api_operations(client) if op.api}
    assert any(op.startswith("GET /networks") for op in operations)
    assert sorted(operations - {row.operation for row in MATRIX}) == []


def test_every_role_and_action_has_an_expected_outcome():
    for row in MATRIX:
        assert set(row.expected) == set(ROLES), row.action
    assert len({row.action for row in MATRIX}) == len(MATRIX)


def test_no_member_of_alpha_was_left_changed_by_role_changes(alpha, env):
    """Role changes in the matrix only ever touch members made for them."""
    roles = alpha.run(lambda: User.select(User.email, User.role).run())
    for role in ROLES:
        assert {"email": env.email("alpha", role), "role": role} in roles
