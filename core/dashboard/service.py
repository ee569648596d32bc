"""What the dashboard shows, computed in a handful of aggregated queries on the tenant in context:
counts read indexes (``archived_at`` first) rather than tables, and each table is read once.

Only live (non-archived) records count. Months and meeting dates are the tenant's calendar (its time
zone), not UTC, so a meeting on the evening of the 31st in Mexico City lands in the right month.
Every member may read every figure here (observers included), as they may read the records behind it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from core.accounts.roles import Actor
from core.actions.service import CLOSED_STATUSES, is_overdue
from core.actions.tables import ActionTopic, JointAction
from core.forms.vocabulary import ACTION_STATUSES, GOVERNMENT, INTERNATIONAL, NON_GOVERNMENTAL
from core.meetings.tables import Attendance, Meeting
from core.organizations.tables import Organization
from core.tenancy.context import require_tenant
from core.topics.service import TopicService
from core.topics.tables import Topic

MONTHS = 12
TOP_TOPICS = 10
RECENT_MEETINGS = 10
ATTENTION_LIMIT = 8  # overdue and blocked actions listed; the rest behind links to the filtered lists
BLOCKED = "blocked"
BALANCE_SIDES = (GOVERNMENT, NON_GOVERNMENTAL, INTERNATIONAL)

# Live organizations, contacts and meetings in one statement; each count reads an index whose first
# column is ``archived_at`` (migration "dashboard indexes"), not the table.
HEADLINE_COUNTS = (
    "SELECT (SELECT COUNT(*) FROM crm_organization WHERE archived_at IS NULL) AS organizations, "
    "(SELECT COUNT(*) FROM crm_contact WHERE archived_at IS NULL) AS contacts, "
    "(SELECT COUNT(*) FROM crm_meeting WHERE archived_at IS NULL) AS meetings"
)
# Live joint actions per status and, per status, how many are overdue: a due date before the first
# value, a status none of the closed ones (the two next values: CLOSED_STATUSES). One pass over an
# index holding (archived_at, status, due_date).
ACTIONS_BY_STATUS = (
    "SELECT status, COUNT(*) AS n, SUM(CASE WHEN due_date IS NOT NULL AND due_date < {} "
    "AND status NOT IN ({}, {}) THEN 1 ELSE 0 END) AS late "
    "FROM crm_joint_action WHERE archived_at IS NULL GROUP BY status"
)
# Topic use in three cheap reads instead of one join over every link: the distinct actions per topic
# (an index holding (topic, action)), minus those of the few archived actions (found through the
# index on archived_at, then the one holding (action, topic)).
TOPIC_USE = "SELECT topic, COUNT(DISTINCT action) AS n FROM crm_action_topic GROUP BY topic"
ARCHIVED_TOPIC_USE = (
    "SELECT topic, COUNT(DISTINCT action) AS n FROM crm_action_topic "
    "WHERE action IN (SELECT id FROM crm_joint_action WHERE archived_at IS NOT NULL) GROUP BY topic"
)
# A shared topic that priorities refine counts the live actions tagged with it or with one of them,
# each once: the (action, code) pairs of those topics only, deduplicated by UNION.
REFINED_TOPIC_USE = (
    "SELECT code, COUNT(*) AS n FROM ("
    "SELECT l.action AS action, t.code AS code FROM crm_action_topic l JOIN crm_topic t ON t.id = l.topic "
    "WHERE t.code IN (SELECT refines FROM crm_topic WHERE refines IS NOT NULL) "
    "UNION "
    "SELECT l.action AS action, t.refines AS code FROM crm_action_topic l JOIN crm_topic t ON t.id = l.topic "
    "WHERE t.refines IS NOT NULL"
    ") pairs WHERE action NOT IN (SELECT id FROM crm_joint_action WHERE archived_at IS NOT NULL) "
    "GROUP BY code"
)


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
        """Every figure; the independent reads run at once (on PostgreSQL each on a connection of the
        tenant's pool, at most six), so the page waits for the slowest rather than for their sum."""
        now = now or datetime.now(UTC)
        today = now.astimezone(self.zone).date()
        (by_status, late), headline, by_topic, per_month, balance, attention = await asyncio.gather(
            self.actions_by_status(today),
            self.headline_counts(),
            self.actions_by_topic(),
            self.meetings_per_month(now),
            self.attendance_balance(now),
            self.attention_items(today),
        )
        counts = dict(by_status)
        n_overdue, n_blocked = sum(late.values()), counts.get(BLOCKED, 0)
        return Dashboard(
            headline=Headline(
                organizations=headline["organizations"],
                contacts=headline["contacts"],
                meetings=headline["meetings"],
                actions=sum(counts.values()),
                completed_actions=counts["completed"],
            ),
            by_status=by_status,
            by_topic=by_topic,
            per_month=per_month,
            balance=balance,
            # A blocked action can be overdue too (blocked is not a closed status): counted once.
            attention=Attention(
                items=attention,
                overdue=n_overdue,
                blocked=n_blocked,
                total=n_overdue + n_blocked - late.get(BLOCKED, 0),
            ),
        )

    async def headline_counts(self) -> dict[str, int]:
        """Live organizations, contacts and meetings, counted in one statement."""
        (row,) = await Organization.raw(HEADLINE_COUNTS).run()
        return {name: int(value) for name, value in row.items()}

    async def actions_by_status(self, today: date) -> tuple[list[tuple[str, int]], dict[str, int]]:
        """Live joint actions per status, every status in vocabulary order (zeros included), and per
        status how many are overdue on ``today``: one pass over the actions' status index, which
        also gives the attention counts."""
        rows = await JointAction.raw(ACTIONS_BY_STATUS, today, *CLOSED_STATUSES).run()
        counts = {r["status"]: int(r["n"]) for r in rows}
        late = {r["status"]: int(r["late"] or 0) for r in rows}
        return [(choice.value, counts.get(choice.value, 0)) for choice in ACTION_STATUSES], late

    async def actions_by_topic(self, limit: int = TOP_TOPICS) -> list[TopicCount]:
        """The most used topics. A shared topic counts the actions tagged with it or with a
        priority refining it (as the list filtered on it shows them); a priority is named with the
        shared topic it refines as context."""
        topics, archived_use, use = await asyncio.gather(
            Topic.select(Topic.id, Topic.code, Topic.refines).run(),
            ActionTopic.raw(ARCHIVED_TOPIC_USE).run(),
            ActionTopic.raw(TOPIC_USE).run(),
        )
        archived = {r["topic"]: r["n"] for r in archived_use}
        codes = {t["id"]: t["code"] for t in topics}
        counts = {codes[r["topic"]]: int(r["n"]) - int(archived.get(r["topic"], 0)) for r in use}
        if any(t["refines"] for t in topics):
            counts.update({r["code"]: int(r["n"]) for r in await ActionTopic.raw(REFINED_TOPIC_USE).run()})
        counts = {code: n for code, n in counts.items() if n > 0}
        if not counts:
            return []
        service = TopicService(self.actor, self.locale)
        names, labelled = await asyncio.gather(service.names(), service.labelled())
        labels = {**names, **dict(labelled)}
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [TopicCount(c, labels.get(c, c), n) for c, n in top]

    async def attention_items(self, today: date, limit: int = ATTENTION_LIMIT) -> list[AttentionItem]:
        """The overdue actions, most overdue first, then the blocked ones that are not overdue,
        latest first: ``limit`` in all. Both read at once: of the ``2 * limit`` latest blocked ones,
        those not among the listed overdue ones (at most ``limit``) still give ``limit``."""
        live = JointAction.archived_at.is_null()
        overdue = (
            JointAction.due_date.is_not_null()
            & (JointAction.due_date < today)
            & JointAction.status.not_in(list(CLOSED_STATUSES))
        )
        columns = (
            JointAction.id,
            JointAction.title,
            JointAction.status,
            JointAction.due_date,
            JointAction.owner_side,
        )
        overdue_rows, blocked_rows = await asyncio.gather(
            JointAction.select(*columns)
            .where(live & overdue)
            .order_by(JointAction.due_date)
            .order_by(JointAction.id)
            .limit(limit)
            .run(),
            JointAction.select(*columns)
            .where(live & (JointAction.status == BLOCKED))
            .order_by(JointAction.id, ascending=False)
            .limit(2 * limit)
            .run(),
        )
        listed = {r["id"] for r in overdue_rows}
        blocked_rows = [r for r in blocked_rows if r["id"] not in listed]
        return [self._attention(r, today) for r in [*overdue_rows, *blocked_rows][:limit]]

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
