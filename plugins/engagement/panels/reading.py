"""The queries behind the panels and exports, straight from the plugin's tables (every part writes
them; this one only reads). Each runs in the request's tenant like every plugin table query.

The funnel counts, over a set of activities: ``applied``, every application; ``eligible``, those
meeting the mandatory criteria; ``selected``, applications holding a place plus participants who
came without one (imported completions, added by a coordinator); ``attended``, participants present
at one session at least; ``certified``, certificates not revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.plugin_api import ContactVisibility
from plugins.engagement.tables import (
    Activity,
    Application,
    Attendance,
    Certificate,
    DialogueInput,
    Participant,
    Session,
)

FUNNEL = ("applied", "eligible", "selected", "attended", "certified")
# The dashboard's window: activities starting at most this long ago (and every upcoming one).
WINDOW = timedelta(days=365)


async def recent_activities(now: datetime | None = None) -> list[int]:
    since = (now or datetime.now(UTC)) - WINDOW
    rows = (
        await Activity.select(Activity.id)
        .where((Activity.starts_at >= since) & Activity.archived_at.is_null())
        .run()
    )
    return [r["id"] for r in rows]


async def funnel(activity_ids: list[int]) -> dict[str, int]:
    """The five steps' counts over ``activity_ids`` (all zero for none)."""
    if not activity_ids:
        return dict.fromkeys(FUNNEL, 0)
    applications = Application.activity.is_in(activity_ids)
    participants = Participant.activity.is_in(activity_ids)
    present = await (
        Attendance.select(Attendance.participant)
        .where(Attendance.participant.activity.is_in(activity_ids) & (Attendance.status == "present"))
        .distinct()
        .run()
    )
    return {
        "applied": await Application.count().where(applications).run(),
        "eligible": await Application.count().where(applications & (Application.eligible == True)).run(),  # noqa: E712
        "selected": await Application.count().where(applications & (Application.status == "selected")).run()
        + await Participant.count().where(participants & Participant.application.is_null()).run(),
        "attended": len(present),
        "certified": await Certificate.count()
        .where(Certificate.activity.is_in(activity_ids) & Certificate.revoked_at.is_null())
        .run(),
    }


async def _inputs(where: Any) -> list[dict[str, Any]]:
    """Dialogue inputs (the person's, or the organization's), newest first."""
    return (
        await DialogueInput.select(
            DialogueInput.id,
            DialogueInput.activity,
            DialogueInput.activity.title.as_alias("activity_title"),
            DialogueInput.topic,
            DialogueInput.status,
            DialogueInput.submitted_at,
        )
        .where(where)
        .order_by(DialogueInput.id, ascending=False)
        .run()
    )


async def contact_engagement(contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """A person's applications, participations (with sessions attended out of the activity's
    sessions) and dialogue inputs, newest first."""
    applications = (
        await Application.select(
            Application.id,
            Application.activity,
            Application.activity.title.as_alias("activity_title"),
            Application.status,
            Application.submitted_at,
            Application.created_at,
        )
        .where(Application.contact == contact_id)
        .order_by(Application.id, ascending=False)
        .run()
    )
    participations = (
        await Participant.select(
            Participant.id,
            Participant.activity,
            Participant.activity.title.as_alias("activity_title"),
            Participant.activity.starts_at.as_alias("starts_at"),
        )
        .where(Participant.contact == contact_id)
        .order_by(Participant.id, ascending=False)
        .run()
    )
    for row in participations:
        row["sessions"] = await Session.count().where(Session.activity == row["activity"]).run()
        row["present"] = (
            await Attendance.count()
            .where((Attendance.participant == row["id"]) & (Attendance.status == "present"))
            .run()
        )
        row["rate"] = round(100 * row["present"] / row["sessions"]) if row["sessions"] else None
    inputs = await _inputs(DialogueInput.contact == contact_id)
    return {"applications": applications, "participations": participations, "inputs": inputs}


def _person(row: dict[str, Any], visibility: ContactVisibility, translate: Any) -> dict[str, Any]:
    """An organization's applicant or participant as the reader may see the person: a contact the
    reader may not see (or an erased one) is its label, never a name."""
    if row.get("contact") is None or row.get("protected") is None:
        return {**row, "name": " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)}
    shown = visibility.reference(row, translate)
    if shown.get("label"):
        shown.update(name=shown["label"], contact=None, first_name="", last_name="")
    else:
        shown["name"] = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
    return shown


async def organization_engagement(
    organization_id: int, visibility: ContactVisibility, translate: Any
) -> dict[str, list[dict[str, Any]]]:
    """Applications from the organization, its people taking part in activities, its inputs."""
    contact = Application.contact
    applications = (
        await Application.select(
            Application.id,
            Application.activity,
            Application.activity.title.as_alias("activity_title"),
            Application.first_name,
            Application.last_name,
            Application.status,
            Application.submitted_at,
            Application.contact,
            contact.protected.as_alias("protected"),
            contact.created_by.as_alias("created_by"),
            contact.erased_at.as_alias("erased_at"),
        )
        .where(Application.organization == organization_id)
        .order_by(Application.id, ascending=False)
        .run()
    )
    person = Participant.contact
    participants = (
        await Participant.select(
            Participant.id,
            Participant.activity,
            Participant.activity.title.as_alias("activity_title"),
            Participant.contact,
            person.first_name.as_alias("first_name"),
            person.last_name.as_alias("last_name"),
            person.protected.as_alias("protected"),
            person.created_by.as_alias("created_by"),
            person.erased_at.as_alias("erased_at"),
        )
        .where(person.organization == organization_id)
        .order_by(Participant.id, ascending=False)
        .run()
    )
    inputs = await _inputs(DialogueInput.organization == organization_id)
    return {
        "applications": [_person(r, visibility, translate) for r in applications],
        "participants": [_person(r, visibility, translate) for r in participants],
        "inputs": inputs,
    }


async def counts_by_contact(table: Any, ids: list[int], where: Any = None) -> dict[int, int]:
    """Rows of ``table`` per contact, for the contacts' export columns."""
    if not ids:
        return {}
    clause = table.contact.is_in(ids)
    if where is not None:
        clause = clause & where
    rows = await table.select(table.contact).where(clause).run()
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["contact"]] = counts.get(row["contact"], 0) + 1
    return counts


async def activity_applications(activity_id: int) -> list[dict[str, Any]]:
    """An activity's applications with the names of what they reference, for its export."""
    return (
        await Application.select(
            *Application.all_columns(exclude=[Application.link_hash, Application.search_text]),
            Application.organization.name.as_alias("organization_record"),
            Application.contact.first_name.as_alias("contact_first_name"),
            Application.contact.last_name.as_alias("contact_last_name"),
            Application.contact.protected.as_alias("protected"),
            Application.contact.created_by.as_alias("created_by"),
            Application.contact.erased_at.as_alias("erased_at"),
        )
        .where(Application.activity == activity_id)
        .order_by(Application.score, ascending=False)
        .order_by(Application.id)
        .run()
    )
