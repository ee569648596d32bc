"""Tenant isolation attack: every credential of tenant ``alpha`` against everything of tenant ``beta``.

What is attacked: every operation of the OpenAPI document and every page route under
``/t/{tenant_slug}/``, for every role of alpha, with alpha's API token and alpha's browser session
(cookie and CSRF token), aimed at beta in three ways: beta's slug with beta's ids; alpha's slug
with beta's ids in the path, in every query parameter and in every id-like body field; alpha's
slug with beta's list cursors. No answer may be a server error or contain a marker or a personal
value of beta, and beta's database (every row of every table, audit log included) must be
unchanged afterwards.

Why it is complete: the operations are read from the running app (its OpenAPI document and its
route table), never listed here. Every path parameter, query parameter and request body is filled
by a resolver keyed by its name or operation; one the suite cannot fill with beta's data fails
``test_every_operation_can_be_aimed_at_beta``, so a new route cannot ship unattacked.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote_plus

import pytest

from core.accounts.roles import COORDINATOR, ROLES, SYSTEM, Actor
from core.accounts.tables import AccountLink, User
from core.accounts.tokens import hash_token
from core.imports.service import ImportService
from core.meetings.feeds import create_feed
from core.tenancy.context import tenant_context
from core.testing.environment import TEST_PASSWORD
from core.testing.surface import API, TENANT, Operation, api_operations, page_operations, site_operations
from core.testing.web import Browser, sign_in
from core.topics.tables import Topic
from core.web.middleware import SESSION_COOKIE
from plugins.engagement.tables import Application

MARKER = "BetaSecret" + secrets.token_hex(4)
# Searching for this finds beta's records; a page echoing the search box does not echo MARKER.
SEARCH_TERM = MARKER[1:-1].lower()
# Members of beta that exist only there: alpha's members are numbered from 1, as beta's first are.
BETA_ONLY_MEMBER_ID = 1_000_000


# --- beta's data, and resolvers that aim an operation at it --------------------------------------


@dataclass
class Beta:
    """What beta holds: ids by resource, list cursors, topic codes, form names, secret links."""

    ids: dict[str, list[int]]
    versions: dict[int, int]
    cursors: dict[str, str]
    topic_codes: list[str]
    forms: list[str]
    member_email: str
    personal: list[str]
    links: dict[tuple[str, str], str] = field(default_factory=dict)  # (slug, purpose) → token
    # Record collections (``contacts``, a plugin's ``networks/memberships``) → the form their writes take.
    resource_forms: dict[str, str] = field(default_factory=dict)

    def one(self, resource: str) -> int:
        return self.ids[resource][0]


class Unresolved(Exception):
    """An operation has a parameter or a body the suite cannot fill with beta's data."""


# Path parameters: name → beta's values for that operation on that target slug.
PathResolver = Callable[[Beta, Operation, str], list[Any]]
PATH_PARAMS: dict[str, PathResolver] = {
    "record_id": lambda beta, op, slug: beta.ids[op.resource],
    "contact_id": lambda beta, op, slug: beta.ids["contacts"],
    "member_id": lambda beta, op, slug: beta.ids["members"],
    # The other record of a pair to merge (``/contacts/{record_id}/merge/{other_id}``).
    "other_id": lambda beta, op, slug: beta.ids[op.resource],
    "form": lambda beta, op, slug: beta.forms,
    # A secret link is only ever tried against the *other* tenant: beta's own link on beta's slug
    # is no attack, it is the link working.
    "token": lambda beta, op, slug: [
        beta.links[("alpha" if slug == "beta" else "beta", _link_purpose(op.path))]
    ],
    # A calendar feed's secret, likewise only tried against the other tenant.
    "feed_token": lambda beta, op, slug: [beta.links[("alpha" if slug == "beta" else "beta", "feed")]],
    # Beta's import batch (its dry run done, a rejected line in it): alpha has no batch of this id.
    "batch_id": lambda beta, op, slug: beta.ids["imports"],
    # The public call of one of beta's activities (drafts, as the suite makes them: not public).
    "activity_id": lambda beta, op, slug: beta.ids["engagement/activities"][:1],
    # An application to beta's activity (the engagement plugin's review queue).
    "application_id": lambda beta, op, slug: beta.ids["applications"],
    # The engagement plugin's delivery, nested under beta's activity (``record_id``).
    "session_id": lambda beta, op, slug: beta.ids["engagement/sessions"],
    "participant_id": lambda beta, op, slug: beta.ids["engagement/participants"],
    "group_id": lambda beta, op, slug: beta.ids["engagement/groups"],
    "question_id": lambda beta, op, slug: beta.ids["engagement/questions"],
    # Beta's engagement certificate; its verification code, like a link, only tried on the other tenant.
    "certificate_id": lambda beta, op, slug: beta.ids["engagement/certificates"],
    "code": lambda beta, op, slug: [beta.links[("alpha" if slug == "beta" else "beta", "certificate")]],
    # Inputs to beta's constructive dialogue (the engagement plugin).
    "input_id": lambda beta, op, slug: beta.ids["engagement/inputs"],
}


def _link_purpose(path: str) -> str:
    """Which of the other tenant's mailed links a public page with a token is tried with."""
    if "/engagement/participant/" in path:
        return "participant"
    return "reset" if "reset" in path else "invite"


# Query parameters: name → beta's value (ids, codes, cursors) or a value that matches beta's data.
QueryResolver = Callable[[Beta, Operation], Any]
QUERY_PARAMS: dict[str, QueryResolver] = {
    "q": lambda beta, op: SEARCH_TERM,
    "cursor": lambda beta, op: beta.cursors[op.resource],
    "limit": lambda beta, op: 200,
    "include_archived": lambda beta, op: "true",
    "organization": lambda beta, op: beta.one("organizations"),
    "government_lead": lambda beta, op: beta.one("organizations"),
    "partner": lambda beta, op: beta.one("ngo_organizations"),
    "origin_meeting": lambda beta, op: beta.one("meetings"),
    "topic": lambda beta, op: beta.topic_codes[0],
    # Topics by code, by the shared topic they refine, or all but some: named by beta's codes.
    "code": lambda beta, op: beta.topic_codes[0],
    "refines": lambda beta, op: beta.topic_codes[0],
    "exclude": lambda beta, op: ",".join(beta.topic_codes),
    "entity": lambda beta, op: "contact",
    "entity_id": lambda beta, op: beta.one("contacts"),
    "by": lambda beta, op: beta.member_email,
    "sector": lambda beta, op: "ngo",
    "side": lambda beta, op: "government",
    "country": lambda beta, op: "AGO",
    "language": lambda beta, op: "pt",
    "protected": lambda beta, op: "true",
    "role": lambda beta, op: "review_focal_point",
    "meeting_type": lambda beta, op: "launch",
    "mode": lambda beta, op: "online",
    "from": lambda beta, op: "2000-01-01",
    "to": lambda beta, op: "2100-01-01",
    "status": lambda beta, op: "proposed",
    "due_before": lambda beta, op: "2100-01-01",
    "overdue": lambda beta, op: "false",
    "archived": lambda beta, op: "true",
    "category": lambda beta, op: "national",
    "priority": lambda beta, op: "true",
    "source": lambda beta, op: "custom",
    # An export as CSV (text the suite can search for beta's markers), its columns by key.
    "format": lambda beta, op: "csv",
    "columns": lambda beta, op: "id",
    # The engagement plugin's review queue: its filters and sorts.
    "eligible": lambda beta, op: "false",
    "gender": lambda beta, op: "female",
    "sort": lambda beta, op: "name",
    "page": lambda beta, op: "1",
    # A dialogue's inputs by the tag beta's carry; its summary's headings in another language.
    "tag": lambda beta, op: SEARCH_TERM,
    "lang": lambda beta, op: "pt",
}

# Bodies that are not a record form, by (method, path); a POST page without one is a plain button.
# Credentials and emails are the other tenant's: beta's own on beta's slug would simply work.
BodyResolver = Callable[[Beta, str, Any], dict[str, Any]]
MERGE_BODY = {
    "survivor_version": "1",
    "merged_version": "1",
    "pick_last_name": "merged",
    "pick_name": "merged",
}


def _other_email(slug: str, env: Any) -> str:
    return env.email("alpha" if slug == "beta" else "beta", "coordinator")


# Matching and long enough: if a link of the other tenant were accepted, the change would go through.
NEW_PASSWORD = {
    "password": "another horse battery staple",
    "confirm_password": "another horse battery staple",
}
BODIES: dict[tuple[str, str], BodyResolver] = {
    ("PUT", API + "/meetings/{record_id}/attendees/{contact_id}"): lambda b, s, e: {"status": "absent"},
    ("POST", API + "/actions/{record_id}/progress"): lambda b, s, e: {"on_date": "2025-01-02", "note": "x"},
    ("POST", TENANT + "/actions/{record_id}/progress"): lambda b, s, e: {
        "on_date": "2025-01-02",
        "note": "x",
    },
    ("POST", TENANT + "/meetings/{record_id}/attendees"): lambda b, s, e: {
        "contact": b.one("contacts"),
        "status": "attended",
    },
    ("POST", TENANT + "/meetings/{record_id}/attendance"): lambda b, s, e: {
        "version": 1,
        f"status_{b.one('contacts')}": "absent",
    },
    ("PUT", API + "/meetings/{record_id}/attendance"): lambda b, s, e: {
        "version": 1,
        "attendance": [{"contact": b.one("contacts"), "status": "absent"}],
    },
    ("POST", TENANT + "/members/{member_id}/organization"): lambda b, s, e: {
        "organization": b.one("organizations")
    },
    ("POST", TENANT + "/login"): lambda b, s, e: {
        "email": _other_email(s, e),
        "password": TEST_PASSWORD,
        "next": "/t/beta/contacts",
    },
    ("POST", TENANT + "/language"): lambda b, s, e: {"lang": "pt", "next": "/t/beta/contacts"},
    # A complete application to one of beta's calls for applications.
    ("POST", TENANT + "/engagement/calls/{activity_id}"): lambda b, s, e: {
        "first_name": "Intruder",
        "last_name": "Intruder",
        "email": "intruder@example.org",
        "country": "MEX",
        "organization_name": "Intruder",
        "organization_sector": "ngo",
        "based_in_region": "yes",
        "motivation": "Intruder",
        "language": "pt",
        "consent": "on",
    },
    ("POST", TENANT + "/profile"): lambda b, s, e: {"locale": "pt"},
    ("POST", TENANT + "/profile/password"): lambda b, s, e: {"current_password": "wrong", **NEW_PASSWORD},
    ("POST", TENANT + "/profile/calendar"): lambda b, s, e: {},  # a button: a new feed address
    ("POST", TENANT + "/members"): lambda b, s, e: {"email": b.member_email, "role": "observer"},
    ("POST", TENANT + "/members/{member_id}/role"): lambda b, s, e: {"role": "observer"},
    ("POST", TENANT + "/members/invite"): lambda b, s, e: {
        "email": b.member_email,
        "role": "coordinator",
        "locale": "pt",
    },
    ("POST", TENANT + "/invite/{token}"): lambda b, s, e: NEW_PASSWORD,
    ("POST", TENANT + "/password/forgot"): lambda b, s, e: {"email": _other_email(s, e)},
    ("POST", TENANT + "/password/reset/{token}"): lambda b, s, e: NEW_PASSWORD,
    # A merge keeping the other record's values, at versions beta's records have.
    ("POST", TENANT + "/contacts/{record_id}/merge/{other_id}"): lambda b, s, e: MERGE_BODY,
    ("POST", TENANT + "/organizations/{record_id}/merge/{other_id}"): lambda b, s, e: MERGE_BODY,
    # An upload naming beta's saved mapping (no file: a form error), and a dry run of beta's batch.
    ("POST", TENANT + "/imports"): lambda b, s, e: {"entity": "contact", "saved_mapping": IMPORT_MAPPING},
    # The engagement plugin: a decision on beta's application, the reviewer role for beta's member,
    # an applicant's answer through a link of the other tenant.
    ("POST", API + "/engagement/activities/{record_id}/applications/decisions"): lambda b, s, e: {
        "applications": [{"id": b.one("applications"), "version": 1}],
        "decision": "waitlisted",
    },
    ("POST", TENANT + "/engagement/activities/{record_id}/applications/decisions"): lambda b, s, e: {
        "application": f"{b.one('applications')}:1",
        "decision": "waitlisted",
    },
    ("POST", TENANT + "/engagement/reviewers"): lambda b, s, e: {"member": BETA_ONLY_MEMBER_ID},
    ("POST", TENANT + "/engagement/my-application/{token}/respond"): lambda b, s, e: {"answer": "decline"},
    # Issuing an activity's certificates is a button; revoking one takes a reason.
    ("POST", TENANT + "/engagement/activities/{record_id}/certificates/issue"): lambda b, s, e: {},
    ("POST", API + "/engagement/certificates/{certificate_id}/revoke"): lambda b, s, e: {"reason": "x"},
    # An import of completions into beta's activity (no file: a form error).
    ("POST", TENANT + "/engagement/certificates/import"): lambda b, s, e: {
        "activity": b.one("engagement/activities"),
        "platform": "x",
    },
    ("POST", TENANT + "/imports/{batch_id}/plan"): lambda b, s, e: {
        "column_0": "first_name",
        "column_1": "last_name",
        "on_duplicate": "update",
    },
    # The engagement plugin's delivery: beta's participants, groups and questions in the bodies.
    ("PUT", API + "/engagement/activities/{record_id}/sessions/{session_id}/attendance"): lambda b, s, e: {
        "attendance": [{"participant": b.one("engagement/participants"), "status": "absent"}]
    },
    ("POST", TENANT + "/engagement/activities/{record_id}/sessions/{session_id}/attendance"): (
        lambda b, s, e: {f"participant_{b.one('engagement/participants')}": "absent"}
    ),
    ("POST", TENANT + "/engagement/activities/{record_id}/participants"): lambda b, s, e: {
        "contact": b.one("contacts")
    },
    ("POST", TENANT + "/engagement/activities/{record_id}/participants/{participant_id}/answers"): (
        lambda b, s, e: {"phase": "pre", f"q_{b.one('engagement/questions')}": "0"}
    ),
    ("POST", TENANT + "/engagement/activities/{record_id}/groups"): lambda b, s, e: {"name": "Intruder"},
    ("POST", TENANT + "/engagement/activities/{record_id}/groups/{group_id}/edit"): lambda b, s, e: {
        "name": "Intruder"
    },
    ("POST", TENANT + "/engagement/activities/{record_id}/groups/assign"): lambda b, s, e: {
        f"group_{b.one('engagement/participants')}": b.one("engagement/groups")
    },
    ("POST", TENANT + "/engagement/activities/{record_id}/groups/balance"): lambda b, s, e: {},
    ("POST", TENANT + "/engagement/activities/{record_id}/questions"): lambda b, s, e: QUESTION_BODY,
    ("POST", TENANT + "/engagement/activities/{record_id}/questions/{question_id}/edit"): (
        lambda b, s, e: QUESTION_BODY
    ),
    ("POST", TENANT + "/engagement/participant/{token}"): lambda b, s, e: {
        "phase": "post",
        f"q_{b.one('engagement/questions')}": "0",
    },
}
BUTTONS = re.compile(
    r"/(archive|confirm|remove|deactivate|reactivate|logout|erase|resend|revoke|commit|undo|discard|remap"
    r"|withdraw|restore)$"
)
IMPORT_MAPPING = f"Mapa {MARKER}"
QUESTION_BODY = {"text": "Intruder", "options": "a\nb", "correct": "1"}
DIALOGUE_INPUTS = "/engagement/activities/{record_id}/inputs"
# The engagement plugin's dialogue inputs: writes naming beta's inputs (as ids, as a merge target).
BODIES.update(
    {
        ("POST", API + DIALOGUE_INPUTS): lambda b, s, e: {"topic": "firearms", "text": "Intruder"},
        ("PATCH", API + DIALOGUE_INPUTS + "/{input_id}"): lambda b, s, e: {
            "version": 1,
            "status": "merged",
            "merged_into": b.ids["engagement/inputs"][0],
        },
        ("POST", API + DIALOGUE_INPUTS + "/status"): lambda b, s, e: {
            "inputs": [{"id": i, "version": 1} for i in b.ids["engagement/inputs"]],
            "status": "received",
        },
        ("POST", TENANT + DIALOGUE_INPUTS + "/moderate"): lambda b, s, e: {
            "input": f"{b.ids['engagement/inputs'][0]}:1",
            "status": "received",
            "add_tags": "intruder",
        },
    }
)


def record_write(op: Operation, beta: Beta) -> str | None:
    """The form of a record collection's create, new-page, update or edit-page operation, else None."""
    form = beta.resource_forms.get(op.resource)
    collection = (API if op.api else TENANT) + "/" + op.resource
    if form and re.fullmatch(re.escape(collection) + r"(?:/new|/\{record_id\}(?:/edit)?)?", op.path):
        return form
    return None


def form_body(
    beta: Beta, fields: list[dict[str, Any]], text: str = "Intruder", pick: int = 0
) -> dict[str, Any]:
    """The required fields of a record form with harmless values (``text`` in text fields), and
    every field that refers to another record set to beta's records (the ``pick``-th of them): only
    the references can make such a write reach beta."""
    fillers: dict[str, Any] = {
        "text": text,
        "textarea": text,
        "date": "2025-01-02",
        "datetime": "2025-01-02T10:00:00+00:00",
        "boolean": False,
        "email": "intruder@example.org",
        "url": "https://example.org",
        "country": "MEX",
        "locale": "es",
        "integer": 1,
    }
    body: dict[str, Any] = {}
    for spec in fields:
        kind, target = spec["type"], spec["references"]
        if kind == "topics":
            body[spec["name"]] = beta.topic_codes
        elif kind in ("reference", "references"):
            ids = beta.ids[target + "s"]
            body[spec["name"]] = ids[pick % len(ids)] if kind == "reference" else ids
        elif spec["required"]:
            if kind == "choice":
                body[spec["name"]] = spec["choices"][0]["value"]
            elif kind in fillers:
                body[spec["name"]] = fillers[kind]
            else:
                raise Unresolved(f"no value for a required {kind} field {spec['name']}")
    if "code" in body:
        body["code"] = "X-" + secrets.token_hex(3)
    if "ends_at" in body:
        body["ends_at"] = "2025-01-02T11:00:00+00:00"
    return body


@dataclass(frozen=True, slots=True)
class Request:
    operation: Operation
    url: str
    query: dict[str, Any] | None
    body: dict[str, Any] | None


def aimed_at_beta(
    op: Operation, slug: str, beta: Beta, forms: dict[str, list[dict[str, Any]]], env: Any
) -> Iterator[Request]:
    """The requests that aim ``op`` at beta's data through tenant ``slug``: one per combination of
    beta's path values, then (on alpha's slug) one per query parameter."""
    unknown = [p for p in op.params if p not in PATH_PARAMS]
    if unknown:
        raise Unresolved(f"{op}: no resolver for path parameter(s) {unknown}")
    body = request_body(op, slug, beta, forms, env)
    values = [PATH_PARAMS[p](beta, op, slug) for p in op.params]
    for combination in itertools.product(*values):
        url = op.path.replace("{tenant_slug}", slug)
        for name, value in zip(op.params, combination, strict=True):
            url = url.replace("{" + name + "}", quote_plus(str(value)))
        patch = dict(body or {})
        if "version" in patch and op.params and op.params[0] == "record_id":
            patch["version"] = beta.versions.get(combination[0], 1)
        yield Request(op, url, None, patch if op.body else None)
        if slug != "beta":
            for name in op.query:
                value = (
                    QUERY_PARAMS[name](beta, op)
                    if name in QUERY_PARAMS
                    else filter_value(op, name, beta, forms)
                )
                yield Request(op, url, {name: value}, None)


def filter_value(op: Operation, name: str, beta: Beta, forms: dict[str, list[dict[str, Any]]]) -> Any:
    """A list filter named after a field of its collection's form (a plugin's ``network`` or
    ``scope``): beta's record for a reference, the value beta's records were given for a choice."""
    spec = next(
        (f for f in forms.get(beta.resource_forms.get(op.resource, ""), []) if f["name"] == name), None
    )
    if (
        spec is not None
        and spec["type"] in ("reference", "references")
        and spec["references"] + "s" in beta.ids
    ):
        return beta.one(spec["references"] + "s")
    if spec is not None and spec["choices"]:
        return spec["choices"][0]["value"]  # what ``form_body`` gives beta's records
    raise Unresolved(f"{op}: no resolver for query parameter {name!r}")


def request_body(
    op: Operation, slug: str, beta: Beta, forms: dict[str, list[dict[str, Any]]], env: Any
) -> dict[str, Any] | None:
    if not op.body:
        return None
    if (op.method, op.path) in BODIES:
        return BODIES[(op.method, op.path)](beta, slug, env)
    form = record_write(op, beta) or op.form
    if form in forms and op.method in ("POST", "PATCH"):
        body = form_body(beta, forms[form])
        return {**body, "version": 1} if "{record_id}" in op.path else body
    if not op.api and BUTTONS.search(op.path):
        return {}
    if not op.api and op.path.endswith("/columns"):  # a list's column chooser, sent back to beta's search
        return {"columns": "name", "kept": f"q={SEARCH_TERM}"}
    raise Unresolved(f"{op}: no resolver for its request body")


# --- beta's data and database state -----------------------------------------------------------------


def create_beta_data(client: Any, env: Any) -> Beta:
    """Records of every kind in beta, each carrying MARKER; beta's ids, cursors and form names."""
    h = env.headers("beta", "coordinator")
    base = "/t/beta/api/v1"

    def post(path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        response = client.post(base + path, json=body, headers=h)
        assert response.status_code == status, (path, response.text)
        return response.json()

    email, phone = f"pessoa.{MARKER.lower()}@exemplo.ao", "+244923456789"
    topic = post("/topics", {"code": "BT-" + secrets.token_hex(3), "label": MARKER, "category": "national"})
    gov = post("/organizations", {"name": f"Ministério {MARKER}", "sector": "government_ministry"})
    ngo = post(
        "/organizations",
        {"name": f"ONG {MARKER}", "sector": "ngo", "ao_nif": "5417000001", "topics": [topic["code"]]},
    )
    contact = post(
        "/contacts",
        {
            "first_name": f"Ana {MARKER}",
            "last_name": f"Silva {MARKER}",
            "organization": gov["id"],
            "emails": [email],
            "phones": [phone],
        },
    )
    protected = post(
        "/contacts",
        {"first_name": f"Rosa {MARKER}", "last_name": f"Protegida {MARKER}", "protected": True},
    )
    meeting_body = {
        "title": f"Reunião {MARKER}",
        "meeting_type": "launch",
        "mode": "online",
        "starts_at": "2025-01-01T10:00:00+01:00",
        "ends_at": "2025-01-01T11:00:00+01:00",
        "topics": [topic["code"]],
    }
    meeting = post("/meetings", meeting_body)
    client.put(
        f"{base}/meetings/{meeting['id']}/attendees/{contact['id']}", json={"status": "attended"}, headers=h
    ).raise_for_status()
    action = post(
        "/actions",
        {
            "title": f"Ação {MARKER}",
            "government_lead": gov["id"],
            "partners": [ngo["id"]],
            "origin_meeting": meeting["id"],
        },
    )
    post(f"/actions/{action['id']}/progress", {"on_date": "2025-01-02", "note": f"Progresso {MARKER}"})
    # A second meeting and action, so that every list of beta has a next page (a cursor to steal).
    post("/meetings", {**meeting_body, "title": f"Outra reunião {MARKER}"})
    post("/actions", {"title": f"Outra ação {MARKER}"})
    return Beta(
        ids={
            "organizations": [gov["id"], ngo["id"]],
            "ngo_organizations": [ngo["id"]],
            "contacts": [contact["id"], protected["id"]],
            "meetings": [meeting["id"]],
            "actions": [action["id"]],
            "topics": [topic["id"]],
            "members": [BETA_ONLY_MEMBER_ID],
        },
        versions={},
        cursors={},
        topic_codes=[topic["code"]],
        forms=client.get(f"{base}/forms", headers=h).json()["forms"],
        member_email=env.email("beta", "observer"),
        personal=[email, phone, phone.removeprefix("+244")],
    )


def create_other_records(client: Any, env: Any, beta: Beta, api: list[Operation]) -> None:
    """Two records, carrying MARKER, of every record collection of the API that the data above
    does not hold (plugins'), each made from the form its create operation names; then a list
    cursor of every collection. Collections whose forms refer to others are made after those."""
    h = env.headers("beta", "coordinator")
    creates = {op.resource: op for op in api if op.method == "POST" and op.form and not op.params}
    beta.resource_forms = {resource: op.form for resource, op in creates.items() if op.form}
    pending = {resource: op for resource, op in creates.items() if resource not in beta.ids}
    fields = {
        op.form: client.get(f"{API}/forms/{op.form}".replace("{tenant_slug}", "beta"), headers=h).json()[
            "fields"
        ]
        for op in pending.values()
    }

    def ready(op: Operation) -> bool:
        targets = [f["references"] for f in fields[op.form] if f["type"] in ("reference", "references")]
        return all(target + "s" in beta.ids for target in targets)

    while pending:
        batch = [resource for resource, op in pending.items() if ready(op)]
        assert batch, (
            f"no order creates {sorted(pending)}: their forms refer to each other or to unknown records"
        )
        for resource in batch:
            op = pending.pop(resource)
            beta.ids[resource] = []
            for n in range(2):
                body = form_body(beta, fields[op.form], text=f"{MARKER} {n}", pick=n)
                response = client.post(op.path.replace("{tenant_slug}", "beta"), json=body, headers=h)
                assert response.status_code == 201, (str(op), body, response.text)
                beta.ids[resource].append(response.json()["id"])
    for resource in beta.resource_forms:
        page = client.get(f"/t/beta/api/v1/{resource}", params={"limit": 1}, headers=h).json()
        assert page["next"], resource
        beta.cursors[resource] = page["next"]
        for record_id in beta.ids[resource]:
            record = client.get(f"/t/beta/api/v1/{resource}/{record_id}", headers=h).json()
            beta.versions[record_id] = record["version"]


def add_applications(client: Any, env: Any, beta: Beta) -> None:
    """An application to beta's first engagement activity, carrying MARKER, as its call writes it."""

    async def write() -> int:
        with tenant_context(env.registry.get("beta")):
            row = Application(
                activity=beta.one("engagement/activities"),
                contact=beta.one("contacts"),
                email=f"candidata.{MARKER.lower()}@exemplo.ao",
                first_name=f"Candidata {MARKER}",
                motivation=MARKER,
            )
            return int((await Application.insert(row).returning(Application.id).run())[0]["id"])

    beta.ids["applications"] = [client.blocking_portal.call(write)]


def add_dialogue_inputs(client: Any, env: Any, beta: Beta) -> None:
    """A constructive dialogue of beta (open for years) with two inputs carrying MARKER, the second
    merged into the first and tagged: its inputs, moderation and summary are aimed at with beta's
    ids, and its summary would show MARKER if it leaked."""
    h = env.headers("beta", "coordinator")
    base = "/t/beta/api/v1/engagement/activities"
    dialogue = client.post(
        base,
        json={
            "kind": "constructive_dialogue",
            "title": f"Diálogo {MARKER}",
            "format": "in_person",
            "starts_at": "2099-01-01T09:00:00+00:00",
            "ends_at": "2099-01-02T17:00:00+00:00",
            "status": "running",
        },
        headers=h,
    )
    assert dialogue.status_code == 201, dialogue.text
    path = f"{base}/{dialogue.json()['id']}/inputs"
    made = []
    for n in range(2):
        body = {"topic": "firearms", "text": f"Aporte {MARKER} {n}", "organization_name": f"Org {MARKER}"}
        response = client.post(path, json={**body, "tags": [SEARCH_TERM]}, headers=h)
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    change = {"inputs": [{"id": made[0], "version": 1}], "status": "included"}
    assert client.post(f"{path}/status", json=change, headers=h).status_code == 200
    merge = {"version": 1, "status": "merged", "merged_into": made[0]}
    assert client.patch(f"{path}/{made[1]}", json=merge, headers=h).status_code == 200
    beta.ids["engagement/activities"].append(dialogue.json()["id"])
    beta.ids["engagement/inputs"] = made


def add_import_batch(client: Any, env: Any, beta: Beta) -> None:
    """An import batch of beta through the import service, its dry run done (a line created, a line
    rejected with MARKER in its cells), and a saved mapping named with MARKER."""
    user = env.users[("beta", COORDINATOR)]
    content = b"Nome,Apelido,Email\n" + f"Ana {MARKER},Lima,\n{MARKER},,nope\n".encode()

    async def write() -> int:
        with tenant_context(env.registry.get("beta")):
            service = ImportService(Actor(user_id=user["id"], email=user["email"], role=COORDINATOR))
            batch = await service.start("contact", f"{MARKER}.csv", content)
            await service.configure(
                batch, {0: "first_name", 1: "last_name", 2: "emails"}, "skip", IMPORT_MAPPING
            )
            counts = await service.plan(batch)
            assert counts["create"] == 1 and counts["error"] == 1, counts
            return batch

    beta.ids["imports"] = [client.blocking_portal.call(write)]


def add_members_and_links(client: Any, env: Any, beta: Beta) -> None:
    """A beta member whose id alpha does not have, and an invitation and a password-reset link in
    each tenant (written as the account-link service stores them: the token's hash)."""
    expires = datetime.now(UTC) + timedelta(days=2)

    async def write() -> None:
        for slug in ("alpha", "beta"):
            with tenant_context(env.registry.get(slug)):
                user_id = env.users[(slug, "observer")]["id"]
                if slug == "beta":
                    await User.insert(
                        User(id=BETA_ONLY_MEMBER_ID, email=f"extra.{MARKER.lower()}@beta.test", role="ngo")
                    ).run()
                for purpose in ("invite", "reset"):
                    token = secrets.token_urlsafe(32)
                    await AccountLink.insert(
                        AccountLink(
                            user=user_id, purpose=purpose, token_hash=hash_token(token), expires_at=expires
                        )
                    ).run()
                    beta.links[(slug, purpose)] = token
                beta.links[(slug, "feed")] = await create_feed(SYSTEM, user_id)

    client.blocking_portal.call(write)


def add_certificates(client: Any, env: Any, beta: Beta) -> None:
    """An engagement certificate in each tenant, issued by the completion rule to a participant
    (written as the row selection makes) of the tenant's first activity; beta's holder is beta's
    marked contact. Alpha's code is what is tried on beta's public verification page."""
    at = datetime.now(UTC)
    sql = "INSERT INTO engagement_participant (activity, contact, source, created_at) VALUES ({}, {}, {}, {})"
    for slug in ("alpha", "beta"):
        h = env.headers(slug, "coordinator")
        base = f"/t/{slug}/api/v1"
        if slug == "beta":
            activity, person = beta.one("engagement/activities"), beta.one("contacts")
        else:
            activity = client.post(
                f"{base}/engagement/activities",
                json={
                    "kind": "workshop",
                    "title": "Taller alfa",
                    "format": "in_person",
                    "starts_at": "2025-01-02T10:00:00+00:00",
                    "ends_at": "2025-01-03T10:00:00+00:00",
                    "status": "completed",
                },
                headers=h,
            ).json()["id"]
            person = client.post(
                f"{base}/contacts", json={"first_name": "Eva", "last_name": "Alfa"}, headers=h
            )
            person = person.json()["id"]

        async def write(activity: int = activity, person: int = person, slug: str = slug) -> None:
            with tenant_context(env.registry.get(slug)):
                await Topic.raw(sql, activity, person, "selection", at).run()

        client.blocking_portal.call(write)
        issued = client.post(f"{base}/engagement/activities/{activity}/certificates/issue", headers=h)
        assert issued.status_code == 200, issued.text
        (certificate,) = issued.json()["issued"]
        beta.links[(slug, "certificate")] = certificate["code"]
        if slug == "beta":
            beta.ids["engagement/certificates"] = [certificate["id"]]


# Counts of attempts at a tenant's public forms (sign-in, forgot password): anyone may add to them by
# trying, they belong to the tenant tried, and they hold nothing of either tenant (hashed keys).
ATTEMPT_COUNTERS = frozenset({"crm_throttle"})


def database_state(client: Any, env: Any, slug: str) -> dict[str, tuple[int, str]]:
    """Every table of ``slug``'s database → (row count, hash of its rows), read from the database
    itself so no table (audit log, sessions, tokens, links, plugin tables) can be left out; only the
    attempt counters are (see ATTEMPT_COUNTERS)."""

    async def read() -> dict[str, tuple[int, str]]:
        tenant = env.registry.get(slug)
        with tenant_context(tenant):
            if tenant.declaration.engine_kind == "postgres":
                sql = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
            else:
                sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
            state = {}
            for table in sorted(row["name"] for row in await Topic.raw(sql).run()):
                if table in ATTEMPT_COUNTERS:
                    continue
                query = f'SELECT * FROM "{table}"'  # noqa: S608 - names read from the catalog
                rows = sorted(repr(sorted(row.items())) for row in await Topic.raw(query).run())
                digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
                state[table] = (len(rows), digest)
            return state

    return client.blocking_portal.call(read)


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def surface(client) -> list[Operation]:
    api = api_operations(client)
    return api + page_operations(client.app, api) + site_operations(client.app)


def add_engagement_delivery(client: Any, env: Any, beta: Beta) -> None:
    """Beta's activity gets a session (through the API), and a participant, a breakout group, a
    question, attendance and answers, all carrying MARKER where they hold text; each tenant gets a
    participant with a personal link (its hash stored, as the plugin stores it)."""
    from plugins.engagement.links import link_hash
    from plugins.engagement.tables import Attendance, BreakoutGroup, Participant, Question, Response

    h = env.headers("beta", "coordinator")
    activity = beta.one("engagement/activities")
    session = client.post(
        f"/t/beta/api/v1/engagement/activities/{activity}/sessions",
        json={"kind": "plenary", "title": f"Sessão {MARKER}", "starts_at": "2025-01-02T10:00:00+00:00"},
        headers=h,
    )
    assert session.status_code == 201, session.text
    beta.ids["engagement/sessions"] = [session.json()["id"]]
    now = datetime.now(UTC)

    async def write() -> None:
        for slug in ("alpha", "beta"):
            with tenant_context(env.registry.get(slug)):
                token = secrets.token_urlsafe(32)
                beta.links[(slug, "participant")] = token
                if slug == "alpha":
                    continue
                # Not the first contact: that one holds beta's certificate, as a participant too.
                contact = beta.ids["contacts"][-1]
                participant = Participant(
                    activity=activity,
                    contact=contact,
                    source="coordinator",
                    link_hash=link_hash(token),
                    created_at=now,
                )
                pid = (await Participant.insert(participant).returning(Participant.id).run())[0]["id"]
                group = BreakoutGroup(activity=activity, name=f"Grupo {MARKER}", position=1)
                gid = (await BreakoutGroup.insert(group).returning(BreakoutGroup.id).run())[0]["id"]
                await Participant.update({Participant.group: gid}).where(Participant.id == pid).run()
                question = Question(
                    activity=activity, text=f"Pergunta {MARKER}", options=["a", MARKER], correct=1
                )
                qid = (await Question.insert(question).returning(Question.id).run())[0]["id"]
                await Attendance.insert(
                    Attendance(session=beta.ids["engagement/sessions"][0], participant=pid, recorded_at=now)
                ).run()
                await Response.insert(
                    Response(participant=pid, phase="pre", answers={str(qid): 1}, score=100, submitted_at=now)
                ).run()
                beta.ids.update(
                    {
                        "engagement/participants": [pid],
                        "engagement/groups": [gid],
                        "engagement/questions": [qid],
                    }
                )

    client.blocking_portal.call(write)


@pytest.fixture(scope="module")
def beta(client, env, surface) -> Beta:
    data = create_beta_data(client, env)
    create_other_records(client, env, data, [op for op in surface if op.api])
    add_members_and_links(client, env, data)
    add_import_batch(client, env, data)
    add_applications(client, env, data)
    add_certificates(client, env, data)  # before any session is held: its holder completes
    add_engagement_delivery(client, env, data)
    add_dialogue_inputs(client, env, data)
    return data


@pytest.fixture(scope="module")
def alpha_forms(client, env, beta) -> dict[str, list[dict[str, Any]]]:
    """Alpha's record forms (core and plugin fields), to build write bodies from."""
    h = env.headers("alpha", "coordinator")
    alpha = client.get("/t/alpha/api/v1/forms", headers=h).json()["forms"]
    return {
        name: client.get(f"/t/alpha/api/v1/forms/{name}", headers=h).json()["fields"]
        for name in beta.forms
        if name in alpha
    }


# --- the attack ---------------------------------------------------------------------------------------


def test_every_operation_can_be_aimed_at_beta(surface, beta, alpha_forms, env):
    """The coverage check: the app's whole surface is found, and each of its operations resolves."""
    paths = {op.path for op in surface}
    assert API + "/contacts/{record_id}" in paths and TENANT + "/contacts/{record_id}/edit" in paths
    assert "/" in paths  # the site's root page, outside every tenant
    assert any(op.public for op in surface) and any(not op.api and not op.public for op in surface)
    for op in surface:
        for slug in ("alpha", "beta"):
            assert list(aimed_at_beta(op, slug, beta, alpha_forms, env)), op


def test_every_api_route_is_in_the_openapi_document(client, surface):
    """An API route (core's or a plugin's) left out of the document would escape the attack: none is."""
    documented = {(op.method, op.path) for op in surface if op.api}
    routed = {
        (method, re.sub(r"{(\w+):\w+}", r"{\1}", route.path))
        for route in client.app.routes
        if route.path.startswith("/t/{tenant_slug:str}/api/v1/")
        for method in getattr(route, "route_handler_map", {})
        if method not in ("HEAD", "OPTIONS")
    }
    assert routed and routed == documented


def test_an_operation_the_suite_cannot_fill_fails_the_coverage_check(beta, alpha_forms, env):
    for op in (
        Operation("GET", API + "/widgets/{widget_id}"),
        Operation("POST", API + "/someplugin/{gadget_id}/explode", body=True),
        Operation("POST", TENANT + "/someplugin/gadgets/{record_id}/edit", body=True),
        Operation("GET", API + "/contacts", ("secret_filter",)),
        Operation("POST", API + "/widgets", body=True),
        Operation("POST", TENANT + "/widgets/{record_id}/explode", body=True),
    ):
        with pytest.raises(Unresolved):
            list(aimed_at_beta(op, "alpha", beta, alpha_forms, env))


def leaks(response: Any, beta: Beta) -> list[str]:
    text = response.text
    return [value for value in (MARKER, *beta.personal) if value in text]


def send(client: Any, request: Request, credential: Browser | dict[str, str]) -> Any:
    op = request.operation
    if isinstance(credential, Browser):
        if op.method == "POST" and not op.api:
            return credential.post(
                request.url, request.body or {}, params=request.query, follow_redirects=False
            )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in credential.cookies.items())}
        if credential.csrf:
            headers["X-CSRFToken"] = credential.csrf
        client.cookies.clear()
    else:
        headers = credential
    return client.request(
        op.method,
        request.url,
        params=request.query,
        json=request.body,
        headers=headers,
        follow_redirects=False,
    )


def opens_a_session(response: Any) -> bool:
    """Whether ``response`` hands out a session cookie (clearing one, on sign-out, is not that)."""
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if SESSION_COOKIE in jar and jar[SESSION_COOKIE].value and jar[SESSION_COOKIE]["max-age"] != "0":
            return True
    return False


def expect_refused_by_beta(request: Request, response: Any, with_csrf: bool) -> None:
    """Beta does not know alpha's token or session: its API answers 401; its pages answer a 401 the
    way pages do (303 to beta's sign-in page); its public pages serve an anonymous visitor, and a
    mailed link, calendar feed or certificate code of alpha's is unknown there (404); a form posted
    without a CSRF token (a bearer token on a page) is refused first, with 403."""
    op, status = request.operation, response.status_code
    where = f"{op} → {request.url}: {status}"
    assert not opens_a_session(response), where
    if op.api:
        assert status == 401, where
    elif op.method == "POST" and not with_csrf:
        assert status == 403, where
    elif op.public and re.search(r"{(token|feed_token|activity_id|code)}", op.path):
        # A link, feed or certificate code of alpha's is unknown in beta, and beta's activities are
        # drafts, whose calls for applications are not public.
        assert status == 404, where
    elif op.public:
        assert status in (200, 303, 400), where
    else:
        assert status == 303, where
        assert response.headers["location"].startswith("/t/beta/login?next="), where


def attack(client, env, surface, beta, alpha_forms, role: str) -> int:
    """Every operation, with each of ``role``'s credentials of alpha, aimed at beta. Sign-out runs
    last, as it ends the session it is sent with."""
    browser = sign_in(client, env, "alpha", role)
    credentials: list[Browser | dict[str, str]] = [env.headers("alpha", role), browser]
    ordered = sorted(surface, key=lambda op: op.path.endswith("/logout"))
    sent = 0
    for credential, op, slug in itertools.product(credentials, ordered, ("beta", "alpha")):
        for request in aimed_at_beta(op, slug, beta, alpha_forms, env):
            response = send(client, request, credential)
            sent += 1
            where = f"{role} {type(credential).__name__} {op} → {request.url} {request.query or ''}"
            assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
            assert not leaks(response, beta), f"{where} shows beta's {leaks(response, beta)}"
            if slug == "beta":
                expect_refused_by_beta(request, response, isinstance(credential, Browser))
    return sent


@pytest.mark.parametrize("role", ROLES)
def test_alpha_reaches_nothing_of_beta(client, env, surface, beta, alpha_forms, role):
    before = database_state(client, env, "beta")
    sent = attack(client, env, surface, beta, alpha_forms, role)
    assert sent > 2 * len(surface)
    assert database_state(client, env, "beta") == before


def test_no_credentials_is_401_and_an_unknown_tenant_is_404(client, env, surface, beta, alpha_forms):
    for op in surface:
        if not op.api:
            continue
        for request in aimed_at_beta(op, "beta", beta, alpha_forms, env):
            response = client.request(op.method, request.url, json=request.body)
            assert response.status_code == 401, (str(op), request.url)
            assert not leaks(response, beta)
    assert (
        client.get("/t/nowhere/api/v1/contacts", headers=env.headers("alpha", "coordinator")).status_code
        == 404
    )


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


def test_the_markers_are_what_beta_itself_sees(client, env, beta):
    """The leak check can fail: beta's own member reading beta's contact gets every marker."""
    contact = client.get(
        f"/t/beta/api/v1/contacts/{beta.one('contacts')}", headers=env.headers("beta", "observer")
    )
    assert set(leaks(contact, beta)) == {MARKER, *beta.personal}
