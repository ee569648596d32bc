"""The intake of a call's applications: which calls take them, one application per email and call
(a second submission before the deadline updates the first), the match of the applicant to the
tenant's contacts and organizations, and the personal link to the application.

Everything an application changes is written in one transaction: the organization and contact
created for a newcomer, the application, the audit entries. An existing contact or organization is
only linked, never changed: anyone may submit the public form, so what it says about a person the
tenant already knows is kept on the application for coordinators to review, not written over the
record. Applicants do not act as a member: the writes are the programme's own (``INTAKE``)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from core.plugin_api import (
    COORDINATOR,
    N_,
    Actor,
    ContactService,
    Message,
    NotFound,
    OrganizationService,
    ValidationFailed,
    load_json,
    matching_contact,
    matching_organization,
    record_audit,
    require_tenant,
)
from plugins.engagement.links import link_hash, new_token
from plugins.engagement.moments import instant, now
from plugins.engagement.tables import Activity, Application

# Who the audit trail names for what a public application writes: no member of the tenant did.
INTAKE = Actor(user_id=None, email="system", role=COORDINATOR)
# Marks a contact or organization created from an application (in its ``extra``).
ORIGIN = {"engagement_source": "application"}
# Statuses an applicant may still change or withdraw (later ones are the review's decision).
CHANGEABLE = ("submitted", "withdrawn")
ANSWER_KEYS = ("issue_areas", "based_in_region")
APPLICATION_COLUMNS = (
    "first_name",
    "last_name",
    "phone",
    "gender",
    "birth_year",
    "country",
    "language",
    "job_title",
    "organization_name",
    "organization_sector",
    "organization_country",
    "motivation",
)


class CallClosed(Exception):
    """The call takes no applications any more: since ``since`` (None: its activity moved past the
    call without a deadline)."""

    def __init__(self, since: datetime | None) -> None:
        super().__init__(since)
        self.since = since


@dataclass(frozen=True, slots=True)
class Intake:
    """What a submission did: the application, whether it updated an earlier one, and its personal
    link's token (to mail, never stored)."""

    application: dict[str, Any]
    updated: bool
    token: str


def closed_since(activity: dict[str, Any], moment: datetime) -> datetime | None:
    """When the call closed, or None while it is open. A call is open while its activity's status is
    ``call_open`` and its deadline (if any) has not passed."""
    deadline = instant(activity.get("registration_deadline"))
    if activity["status"] != "call_open":
        return deadline or instant(activity.get("updated_at")) or moment
    if deadline is not None and moment >= deadline:
        return deadline
    return None


async def public_activity(activity_id: int) -> dict[str, Any]:
    """An activity whose call is public: not a draft, not archived (else NotFound)."""
    row = (
        await Activity.select()
        .where((Activity.id == activity_id) & Activity.archived_at.is_null() & (Activity.status != "draft"))
        .first()
        .run()
    )
    if row is None:
        raise NotFound()
    for key in ("languages", "eligible_sectors", "issue_areas"):
        row[key] = load_json(row[key], [])
    return row


async def open_calls() -> list[dict[str, Any]]:
    """The tenant's calls open now, the soonest activity first."""
    rows = (
        await Activity.select()
        .where(Activity.archived_at.is_null() & (Activity.status == "call_open"))
        .order_by(Activity.starts_at)
        .run()
    )
    moment = now()
    return [row for row in rows if closed_since(row, moment) is None]


async def application_by_token(token: str) -> dict[str, Any]:
    return await _application(Application.link_hash == link_hash(token))


async def _application(where: Any) -> dict[str, Any]:
    """The application of ``where`` (a condition, or an id), its answers read; else NotFound."""
    condition = Application.id == where if isinstance(where, int) else where
    row = await Application.select().where(condition).first().run()
    if row is None:
        raise NotFound()
    row["answers"] = load_json(row["answers"], {})
    return row


async def submit(activity_id: int, values: dict[str, Any]) -> Intake:
    """Store ``values`` (the cleaned form) as the application of ``values["email"]`` to the call:
    a new one, or the update of that email's earlier one. Two submissions racing for the same email
    meet the unique index: the one that loses updates the winner's row instead."""
    try:
        return await _submit(activity_id, values)
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError):
        return await _submit(activity_id, values)


async def _submit(activity_id: int, values: dict[str, Any]) -> Intake:
    email = values["email"].strip().lower()
    token = new_token()
    moment = now()
    async with Application._meta.db.transaction():
        activity = await public_activity(activity_id)
        since = closed_since(activity, moment)
        if since is not None:
            raise CallClosed(since)
        existing = (
            await Application.select()
            .where((Application.activity == activity_id) & (Application.email == email))
            .first()
            .run()
        )
        if existing is not None and existing["status"] not in CHANGEABLE:
            raise ValidationFailed(
                {"email": [Message(N_("This application has been decided on and can no longer be changed."))]}
            )
        columns: dict[Any, Any] = {name: values[name] for name in APPLICATION_COLUMNS}
        columns.update(
            answers={key: values[key] for key in ANSWER_KEYS if key in values},
            consent_at=moment,
            submitted_at=moment,
            status="submitted",
            link_hash=link_hash(token),
            search_text=" ".join(
                part.casefold() for part in (values["first_name"], values["last_name"], email) if part
            ),
        )
        # The (activity, email) row is claimed first, before anything takes the audit chain's lock:
        # a racing submission then waits on this row alone, never on a lock its holder awaits.
        if existing is None:
            columns.update(activity=activity_id, email=email, source="public")
            inserted = await Application.insert(Application(**columns)).returning(Application.id).run()
            application_id, before = inserted[0]["id"], None
            contact, organization = await match(values, email)
            linked: dict[Any, Any] = {Application.contact: contact, Application.organization: organization}
            await Application.update(linked).where(Application.id == application_id).run()
        else:
            application_id, before = existing["id"], _audited(existing)
            columns.update(version=Application.version + 1, updated_at=moment)
            await Application.update(columns).where(Application.id == application_id).run()
        after = await _application(application_id)
        await record_audit(
            INTAKE, "application", application_id, "update" if before else "create", before, _audited(after)
        )
        await assess(after)
    return Intake(after, existing is not None, token)


async def withdraw(token: str) -> dict[str, Any]:
    """Withdraw the application of this personal link, while its call is open (else CallClosed)."""
    async with Application._meta.db.transaction():
        row = await application_by_token(token)
        since = closed_since(await public_activity(row["activity"]), now())
        if since is not None:
            raise CallClosed(since)
        if row["status"] not in CHANGEABLE:
            raise ValidationFailed(
                {"": [Message(N_("This application has been decided on and can no longer be changed."))]}
            )
        if row["status"] == "withdrawn":
            return row
        changed: dict[Any, Any] = {"status": "withdrawn", "version": row["version"] + 1, "updated_at": now()}
        await Application.update(changed).where(Application.id == row["id"]).run()
        after = {**row, **changed}
        await record_audit(INTAKE, "application", row["id"], "withdraw", _audited(row), _audited(after))
    return after


async def assess(application: dict[str, Any]) -> None:
    """The application's eligibility and priority score, from its activity's rules, computed in the
    intake's transaction by the selection part (so the review queue never shows an unassessed one)."""
    from plugins.engagement.selection.service import assess as assess_application

    await assess_application(int(application["id"]))


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    """An application as the audit trail keeps it (never its personal link's hash)."""
    return {k: v for k, v in row.items() if k not in ("link_hash", "search_text")}


async def match(values: dict[str, Any], email: str) -> tuple[int | None, int | None]:
    """The contact and organization of a new application: the best match by the tenant's duplicate
    rules, else created (marked as from an application). A record the tenant's own rules refuse
    (a plugin's required field the public form does not ask) is left for coordinators to link."""
    tenant = require_tenant()
    org_country = values.get("organization_country") or tenant.declaration.country
    organization = await matching_organization({"name": values["organization_name"], "country": org_country})
    if organization is None:
        organization = await _create(
            OrganizationService,
            {
                "name": values["organization_name"],
                "sector": values["organization_sector"],
                "country": org_country,
            },
        )
    person = {
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "emails": [email],
        "phones": [values["phone"]] if values.get("phone") else [],
        "organization": organization,
    }
    contact = await matching_contact(person)
    if contact is None:
        contact = await _create(
            ContactService,
            {
                **person,
                "position": values.get("job_title") or "",
                "preferred_language": values["language"],
            },
        )
    return contact, organization


Service = type[ContactService] | type[OrganizationService]


async def _create(service: Service, data: dict[str, Any]) -> int | None:
    try:
        record = await service(INTAKE).create(data)
    except ValidationFailed:
        return None
    table = service.table
    await (
        table.update({table.extra: {**load_json(record.get("extra"), {}), **ORIGIN}})
        .where(table.id == record["id"])
        .run()
    )
    await record_audit(INTAKE, service.entity, record["id"], "update", record, {**record, **ORIGIN})
    return int(record["id"])
