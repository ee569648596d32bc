"""Cross-country figures without personal data: per tenant, counts of organizations by side,
meetings by type and month, joint actions by topic and status, and participation by side.

Only codes and counts leave a tenant: no names, no contact data, no titles or other free text of
records (topics appear by code and their declared label). A cell that counts people and holds
fewer than :data:`THRESHOLD` of them is suppressed (``None`` with ``suppressed: true``), so no one
can be singled out. Only live (non-archived) records count; months are the tenant's calendar.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.actions.tables import ActionTopic, JointAction
from core.meetings.tables import Attendance, Meeting
from core.organizations.tables import Organization
from core.tenancy.context import require_tenant
from core.topics.tables import Topic

THRESHOLD = 5  # the smallest number of people a published cell may count


def people_cell(count: int) -> dict[str, Any]:
    """A count of people, suppressed when it is small enough to point at someone (1 to 4)."""
    if 0 < count < THRESHOLD:
        return {"people": None, "suppressed": True}
    return {"people": count, "suppressed": False}


async def _organizations_by_side() -> list[dict[str, Any]]:
    rows = await Organization.select(Organization.side).where(Organization.archived_at.is_null()).run()
    counts = Counter(row["side"] or "" for row in rows)
    return [{"side": side, "count": counts[side]} for side in sorted(counts)]


async def _meetings_by_type_and_month(zone: ZoneInfo) -> list[dict[str, Any]]:
    rows = (
        await Meeting.select(Meeting.meeting_type, Meeting.starts_at)
        .where(Meeting.archived_at.is_null())
        .run()
    )
    counts = Counter(
        (row["meeting_type"], row["starts_at"].astimezone(zone).strftime("%Y-%m")) for row in rows
    )
    return [
        {"meeting_type": kind, "month": month, "count": counts[(kind, month)]}
        for kind, month in sorted(counts)
    ]


async def _actions_by_topic_and_status() -> list[dict[str, Any]]:
    actions = (
        await JointAction.select(JointAction.id, JointAction.status)
        .where(JointAction.archived_at.is_null())
        .run()
    )
    status = {row["id"]: row["status"] for row in actions}
    links = await ActionTopic.select(ActionTopic.action, ActionTopic.topic).run()
    topics = {row["id"]: row for row in await Topic.select(Topic.id, Topic.code, Topic.label).run()}
    topics_of: dict[int, set[str]] = {}
    for link in links:
        if link["action"] in status and link["topic"] in topics:
            topics_of.setdefault(link["action"], set()).add(topics[link["topic"]]["code"])
    counts: Counter[tuple[str, str]] = Counter()
    for action_id, action_status in status.items():
        for code in topics_of.get(action_id) or {""}:
            counts[(code, action_status)] += 1
    labels = {row["code"]: row["label"] for row in topics.values()}
    return [
        {
            "topic_code": code or None,
            "topic_label": labels.get(code),
            "status": state,
            "count": counts[(code, state)],
        }
        for code, state in sorted(counts)
    ]


async def _participation_by_side() -> list[dict[str, Any]]:
    """Distinct people on the attendee lists of live meetings, per side and attendance status."""
    rows = (
        await Attendance.select(Attendance.contact, Attendance.side, Attendance.status)
        .where(Attendance.meeting.archived_at.is_null())
        .run()
    )
    people: dict[tuple[str, str], set[int]] = {}
    for row in rows:
        people.setdefault((row["side"] or "", row["status"]), set()).add(row["contact"])
    return [
        {"side": side, "status": status, **people_cell(len(people[(side, status)]))}
        for side, status in sorted(people)
    ]


async def tenant_figures() -> dict[str, Any]:
    """The figures of the tenant in context."""
    tenant = require_tenant()
    zone = ZoneInfo(tenant.declaration.timezone)
    return {
        "tenant": tenant.slug,
        "country": tenant.declaration.country,
        "organizations_by_side": await _organizations_by_side(),
        "meetings_by_type_and_month": await _meetings_by_type_and_month(zone),
        "actions_by_topic_and_status": await _actions_by_topic_and_status(),
        "participation_by_side": await _participation_by_side(),
    }


def report(figures: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "suppression_threshold": THRESHOLD,
        "tenants": figures,
    }
