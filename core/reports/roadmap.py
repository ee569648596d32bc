"""The roadmap report's content: the live joint actions grouped by topic (the pilot's national
priorities first, then the other topics, then actions with no topic), each with its people, due date,
overdue flag, dated progress and both sides' confirmations. No web code: the page and the PDF both
render what ``RoadmapService.build`` returns, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.accounts.roles import Actor
from core.accounts.tables import User
from core.actions.service import CONFIRMING_SIDES, ActionService, is_overdue
from core.actions.tables import CompletionConfirmation, ProgressUpdate
from core.forms.vocabulary import ACTION_STATUSES
from core.records.service import load_json
from core.tenancy.context import require_tenant
from core.topics.tables import Topic

STATUS_ORDER = {choice.value: i for i, choice in enumerate(ACTION_STATUSES)}


@dataclass(frozen=True, slots=True)
class Progress:
    on_date: date
    note: str
    author: str


@dataclass(frozen=True, slots=True)
class Confirmation:
    side: str
    email: str
    confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class ReportAction:
    id: int
    title: str
    status: str
    lead: str
    partners: list[str]
    due_date: date | None
    overdue: bool
    topics: list[str]  # labels of every topic of the action, in the reader's language
    progress: list[Progress]
    confirmations: dict[str, Confirmation]  # side → who confirmed it and when


@dataclass(frozen=True, slots=True)
class Section:
    """One topic's actions. ``code`` is None for the actions without a topic."""

    code: str | None
    label: str
    priority: bool
    actions: list[ReportAction] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Roadmap:
    tenant_name: str
    generated_at: datetime
    today: date  # in the tenant's time zone: what "overdue" is measured against
    sections: list[Section]

    @property
    def actions(self) -> list[ReportAction]:
        return [action for section in self.sections for action in section.actions]

    @property
    def overdue(self) -> list[ReportAction]:
        return [action for action in self.actions if action.overdue]


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class RoadmapService:
    """Every member who may read joint actions may read the report (observers included)."""

    def __init__(self, actor: Actor, locale: str | None = None) -> None:
        self.actor = actor
        self.tenant = require_tenant()
        self.locale = locale or self.tenant.declaration.default_locale

    async def _actions(self) -> list[dict[str, Any]]:
        service = ActionService(self.actor, self.locale)
        rows: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = await service.list_page(cursor=cursor, limit=200)
            rows.extend(page.items)
            if page.next is None:
                return rows
            cursor = page.next

    async def _topics(self) -> list[tuple[str, str, bool]]:
        """(code, label, priority) of the live topics, priorities first, then by label."""
        rows = (
            await Topic.select(Topic.code, Topic.label, Topic.labels, Topic.priority)
            .where(Topic.archived_at.is_null())
            .run()
        )
        t = self.tenant.translator(self.locale)
        items = []
        for row in rows:
            labels = load_json(row["labels"], {})
            label = labels.get(self.locale) or t.gettext(str(row["label"]))
            items.append((row["code"], label, bool(row["priority"])))
        return sorted(items, key=lambda i: (not i[2], i[1].casefold()))

    async def _progress(self, ids: list[int]) -> dict[int, list[Progress]]:
        if not ids:
            return {}
        rows = (
            await ProgressUpdate.select(
                ProgressUpdate.action,
                ProgressUpdate.on_date,
                ProgressUpdate.note,
                ProgressUpdate.author.email.as_alias("author_email"),
            )
            .where(ProgressUpdate.action.is_in(ids))
            .order_by(ProgressUpdate.on_date)
            .order_by(ProgressUpdate.id)
            .run()
        )
        out: dict[int, list[Progress]] = {}
        for row in rows:
            day = _as_date(row["on_date"])
            assert day is not None
            out.setdefault(row["action"], []).append(Progress(day, row["note"], row["author_email"] or ""))
        return out

    async def _confirmations(self, ids: list[int]) -> dict[int, dict[str, Confirmation]]:
        if not ids:
            return {}
        rows = (
            await CompletionConfirmation.select(
                CompletionConfirmation.action,
                CompletionConfirmation.side,
                CompletionConfirmation.user_id,
                CompletionConfirmation.confirmed_at,
            )
            .where(CompletionConfirmation.action.is_in(ids))
            .run()
        )
        users = [r["user_id"] for r in rows] or [-1]
        found = await User.select(User.id, User.email).where(User.id.is_in(users)).run()
        emails = {u["id"]: u["email"] for u in found}
        out: dict[int, dict[str, Confirmation]] = {}
        for row in rows:
            if row["side"] in CONFIRMING_SIDES:
                out.setdefault(row["action"], {})[row["side"]] = Confirmation(
                    row["side"], emails.get(row["user_id"], ""), _as_moment(row["confirmed_at"])
                )
        return out

    async def build(self, now: datetime | None = None) -> Roadmap:
        now = now or datetime.now(UTC)
        today = now.astimezone(ZoneInfo(self.tenant.declaration.timezone)).date()
        records = await self._actions()
        ids = [r["id"] for r in records]
        progress = await self._progress(ids)
        confirmations = await self._confirmations(ids)
        topics = await self._topics()
        rank = {code: i for i, (code, _, _) in enumerate(topics)}
        labels = {code: label for code, label, _ in topics}
        sections = {code: Section(code, label, priority) for code, label, priority in topics}
        untopiced = Section(None, "", False)
        for record in records:
            due = _as_date(record.get("due_date"))
            codes = sorted((c for c in record.get("topics") or [] if c in rank), key=rank.__getitem__)
            action = ReportAction(
                id=record["id"],
                title=record["title"],
                status=record["status"],
                lead=record.get("government_lead_name") or "",
                partners=list(record.get("partner_names") or []),
                due_date=due,
                overdue=is_overdue(record["status"], due, today),
                topics=[labels[c] for c in codes],
                progress=progress.get(record["id"], []),
                confirmations=confirmations.get(record["id"], {}),
            )
            # Each action once, under its first topic (a national priority when it has one).
            (sections[codes[0]] if codes else untopiced).actions.append(action)
        ordered = [s for s in sections.values() if s.actions]
        if untopiced.actions:
            ordered.append(untopiced)
        for section in ordered:
            section.actions.sort(
                key=lambda a: (STATUS_ORDER.get(a.status, 99), a.due_date or date.max, a.title.casefold())
            )
        return Roadmap(self.tenant.declaration.name_in(self.locale), now, today, ordered)
