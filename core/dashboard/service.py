"""What the dashboard shows, computed in a handful of aggregated queries on the tenant in context.

Only live (non-archived) records count. Months and meeting dates are the tenant's calendar (its time
zone), not UTC, so a meeting on the evening of the 31st in Mexico City lands in the right month.
Every member may read every figure here (observers included), as they may read the records behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from core.accounts.roles import Actor
from core.actions.service import CLOSED_STATUSES, is_overdue
from core.actions.tables import ActionTopic, JointAction
from core.contacts.tables import Contact
from core.forms.vocabulary import ACTION_STATUSES, GOVERNMENT, INTERNATIONAL, NON_GOVERNMENTAL
from core.meetings.tables import Attendance, Meeting
from core.organizations.tables import Organization
from core.tenancy.context import require_tenant
from core.topics.service import TopicService

MONTHS = 12
TOP_TOPICS = 10
RECENT_MEETINGS = 10
ATTENTION_LIMIT = 8  # overdue and blocked actions listed; the rest behind links to the filtered lists
BLOCKED = "blocked"
BALANCE_SIDES = (GOVERNMENT, NON_GOVERNMENTAL, INTERNATIONAL)


@dataclass(frozen=True, slots=True)
class Headline:
    organizations: int
    contacts: int
    meetings: int
    actions: int
    completed_actions: int


@dataclass(frozen=True, slots=True)
class TopicCount:
    code: str
    label: str  # in the service's locale
    count: int


@dataclass(frozen=True, slots=True)
class MeetingBalance:
    """Attendees marked "attended" at one held meeting, per side (at the time of the meeting)."""

    meeting_id: int
    title: str
    starts_at: datetime
    starts_on: date  # the start's date in the tenant's time zone
    attended: dict[str, int]  # side → count, every side of BALANCE_SIDES present


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """A live joint action that is overdue (its due date passed, neither completed nor discontinued)
    or blocked."""

    id: int
    title: str
    status: str
    due_date: date | None
    overdue: bool
    side: str  # the side that owns it


@dataclass(frozen=True, slots=True)
class Attention:
    """The overdue and blocked actions: the most overdue first, then the blocked ones (latest first),
    at most ATTENTION_LIMIT of them, and how many there are of each."""

    items: list[AttentionItem]
    overdue: int
    blocked: int
    total: int  # overdue or blocked (an overdue blocked action counts once)

    @property
    def more(self) -> bool:
        return self.total > len(self.items)


@dataclass(frozen=True, slots=True)
class Dashboard:
    headline: Headline
    by_status: list[tuple[str, int]]  # every action status, in vocabulary order, zeros included
    by_topic: list[TopicCount]  # the most used topics, most used first
    per_month: list[tuple[date, int]]  # first day of each of the last months, oldest first
    balance: list[MeetingBalance]  # the most recent held meetings, most recent first
    attention: Attention


def month_starts(today: date, count: int = MONTHS) -> list[date]:
    """First days of the ``count`` months ending with ``today``'s month, oldest first."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class DashboardService:
    def __init__(self, actor: Actor, locale: str | None = None) -> None:
        self.actor = actor
        self.tenant = require_tenant()
        self.locale = locale or self.tenant.declaration.default_locale
        self.zone = ZoneInfo(self.tenant.declaration.timezone)

    async def build(self, now: datetime | None = None) -> Dashboard:
        now = now or datetime.now(UTC)
        by_status = await self.actions_by_status()
        return Dashboard(
            headline=Headline(
                organizations=await Organization.count().where(Organization.archived_at.is_null()).run(),
                contacts=await Contact.count().where(Contact.archived_at.is_null()).run(),
                meetings=await Meeting.count().where(Meeting.archived_at.is_null()).run(),
                actions=sum(n for _, n in by_status),
                completed_actions=dict(by_status)["completed"],
            ),
            by_status=by_status,
            by_topic=await self.actions_by_topic(),
            per_month=await self.meetings_per_month(now),
            balance=await self.attendance_balance(now),
            attention=await self.needing_attention(now.astimezone(self.zone).date()),
        )

    async def actions_by_status(self) -> list[tuple[str, int]]:
        rows = (
            await JointAction.select(JointAction.status, Count(alias="n"))
            .where(JointAction.archived_at.is_null())
            .group_by(JointAction.status)
            .run()
        )
        counts = {r["status"]: r["n"] for r in rows}
        return [(choice.value, counts.get(choice.value, 0)) for choice in ACTION_STATUSES]

    async def actions_by_topic(self, limit: int = TOP_TOPICS) -> list[TopicCount]:
        """The most used topics. A shared topic counts the actions tagged with it or with a
        priority refining it (as the list filtered on it shows them); a priority is named with the
        shared topic it refines as context."""
        code = ActionTopic.topic.code
        rows = (
            await ActionTopic.select(
                ActionTopic.action, code.as_alias("code"), ActionTopic.topic.refines.as_alias("refines")
            )
            .where(ActionTopic.action.archived_at.is_null())
            .run()
        )
        if not rows:
            return []
        actions: dict[str, set[int]] = {}
        for r in rows:
            actions.setdefault(r["code"], set()).add(r["action"])
            if r["refines"]:
                actions.setdefault(r["refines"], set()).add(r["action"])
        service = TopicService(self.actor, self.locale)
        labels = {**await service.names(), **dict(await service.labelled())}
        top = sorted(actions.items(), key=lambda item: (-len(item[1]), item[0]))[:limit]
        return [TopicCount(c, labels.get(c, c), len(ids)) for c, ids in top]

    async def needing_attention(self, today: date, limit: int = ATTENTION_LIMIT) -> Attention:
        live = JointAction.archived_at.is_null()
        late = (
            JointAction.due_date.is_not_null()
            & (JointAction.due_date < today)
            & JointAction.status.not_in(list(CLOSED_STATUSES))
        )
        blocked = JointAction.status == BLOCKED
        columns = (
            JointAction.id,
            JointAction.title,
            JointAction.status,
            JointAction.due_date,
            JointAction.owner_side,
        )
        overdue_rows = (
            await JointAction.select(*columns)
            .where(live & late)
            .order_by(JointAction.due_date)
            .order_by(JointAction.id)
            .limit(limit)
            .run()
        )
        blocked_rows = (
            await JointAction.select(*columns)
            .where(live & blocked)
            .where(JointAction.id.not_in([r["id"] for r in overdue_rows] or [-1]))
            .order_by(JointAction.id, ascending=False)
            .limit(limit)
            .run()
        )
        items = [self._attention(r, today) for r in [*overdue_rows, *blocked_rows][:limit]]
        return Attention(
            items=items,
            overdue=await JointAction.count().where(live & late).run(),
            blocked=await JointAction.count().where(live & blocked).run(),
            total=await JointAction.count().where(live & (late | blocked)).run(),
        )

    @staticmethod
    def _attention(row: dict[str, Any], today: date) -> AttentionItem:
        due = row["due_date"]
        if due is not None and not isinstance(due, date):
            due = date.fromisoformat(str(due)[:10])
        return AttentionItem(
            id=row["id"],
            title=row["title"],
            status=row["status"],
            due_date=due,
            overdue=is_overdue(row["status"], due, today),
            side=row["owner_side"],
        )

    async def meetings_per_month(self, now: datetime) -> list[tuple[date, int]]:
        months = month_starts(now.astimezone(self.zone).date())
        start = datetime.combine(months[0], datetime.min.time(), self.zone)
        end = datetime.combine(_next_month(months[-1]), datetime.min.time(), self.zone)
        rows = (
            await Meeting.select(Meeting.starts_at)
            .where(Meeting.archived_at.is_null())
            .where(Meeting.starts_at >= start.astimezone(UTC))
            .where(Meeting.starts_at < end.astimezone(UTC))
            .run()
        )
        counts = dict.fromkeys(months, 0)
        for row in rows:
            local = row["starts_at"].astimezone(self.zone).date()
            counts[local.replace(day=1)] += 1
        return list(counts.items())

    async def attendance_balance(self, now: datetime, limit: int = RECENT_MEETINGS) -> list[MeetingBalance]:
        meetings = (
            await Meeting.select(Meeting.id, Meeting.title, Meeting.starts_at)
            .where(Meeting.archived_at.is_null())
            .where(Meeting.starts_at <= now)
            .order_by(Meeting.starts_at, ascending=False)
            .order_by(Meeting.id, ascending=False)
            .limit(limit)
            .run()
        )
        if not meetings:
            return []
        rows = (
            await Attendance.select(Attendance.meeting, Attendance.side, Count(alias="n"))
            .where(Attendance.meeting.is_in([m["id"] for m in meetings]))
            .where(Attendance.status == "attended")
            .group_by(Attendance.meeting, Attendance.side)
            .run()
        )
        counts: dict[tuple[int, str], int] = {(r["meeting"], r["side"]): r["n"] for r in rows}
        return [self._balance(m, counts) for m in meetings]

    def _balance(self, meeting: dict[str, Any], counts: dict[tuple[int, str], int]) -> MeetingBalance:
        starts_at: datetime = meeting["starts_at"]
        return MeetingBalance(
            meeting_id=meeting["id"],
            title=meeting["title"],
            starts_at=starts_at,
            starts_on=starts_at.astimezone(self.zone).date(),
            attended={side: counts.get((meeting["id"], side), 0) for side in BALANCE_SIDES},
        )
