"""Joint actions: a government lead, non-governmental partners, dated progress updates, and a
completion that counts only once one member of each side has confirmed it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from core.actions.tables import (
    ActionPartner,
    ActionTopic,
    CompletionConfirmation,
    JointAction,
    ProgressUpdate,
)
from core.errors import Conflict, Message, PermissionDenied, ValidationFailed
from core.forms.fields import FieldSpec, as_id
from core.forms.validation import clean_fields
from core.forms.vocabulary import GOVERNMENT, NON_GOVERNMENTAL
from core.i18n.markers import N_
from core.meetings.tables import Meeting
from core.organizations.tables import Organization
from core.records.service import RecordService, TopicLink, now
from core.tenancy.context import require_tenant
from core.topics.filters import topic_filter

CONFIRMING_SIDES = (GOVERNMENT, NON_GOVERNMENTAL)
CLOSED_STATUSES = ("completed", "discontinued")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
PROGRESS_FIELDS = (
    FieldSpec("on_date", "date", N_("Date"), required=True),
    FieldSpec("note", "textarea", N_("Note"), required=True, max_length=20000),
)


def _partner_filter(value: str):
    async def clause():
        rows = (
            await ActionPartner.select(ActionPartner.action)
            .where(ActionPartner.organization == as_id(value))
            .run()
        )
        return JointAction.id.is_in([r["action"] for r in rows] or [-1])

    return clause()


def tenant_today() -> date:
    """Today in the tenant's time zone: what "overdue" is measured against."""
    zone = ZoneInfo(require_tenant().declaration.timezone)
    return datetime.now(UTC).astimezone(zone).date()


def _overdue(value: str):
    """``true``: the open actions whose due date has passed; ``false``: every other one."""
    flag = value.strip().lower()
    if flag not in TRUE_WORDS + FALSE_WORDS:
        raise ValidationFailed({"overdue": [Message(N_("Enter yes or no (true or false)."))]})
    late = (
        (JointAction.due_date < tenant_today())
        & JointAction.due_date.is_not_null()
        & JointAction.status.not_in(list(CLOSED_STATUSES))
    )
    if flag in TRUE_WORDS:
        return late
    return JointAction.id.not_in(JointAction.select(JointAction.id).where(late))


def _due_before(value: str):
    try:
        return JointAction.due_date < date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({"due_before": [Message(N_("Enter a valid date (YYYY-MM-DD)."))]}) from None


def is_overdue(status: str, due: date | None, today: date) -> bool:
    """Whether an action is late: its due date has passed and it is neither completed nor dropped."""
    return due is not None and due < today and status not in CLOSED_STATUSES


class ActionService(RecordService):
    entity = "action"
    form_name = "action"
    table = JointAction
    label_column = "title"
    added_keys = ("partners", "partner_names", "confirmed_by", "overdue")
    sort_column = "id"
    sort_descending = True
    sort_keys: ClassVar = {"title": "title", "due_date": "due_date", "updated": "updated_at"}
    topic_link = TopicLink(ActionTopic, "action")
    filters: ClassVar = {
        "status": lambda v: JointAction.status == v,
        "topic": topic_filter(JointAction, ActionTopic, "action"),
        "government_lead": lambda v: JointAction.government_lead == as_id(v),
        "origin_meeting": lambda v: JointAction.origin_meeting == as_id(v),
        "partner": _partner_filter,
        "due_before": _due_before,
        "overdue": _overdue,
    }

    def _serialize(self, row: dict[str, Any]) -> dict[str, Any]:
        record = super()._serialize(row)
        due = record.get("due_date")
        if isinstance(due, str):
            due = date.fromisoformat(due[:10])
        record["overdue"] = is_overdue(record.get("status", ""), due, tenant_today())
        return record

    def _default_owner_side(self, core: dict[str, Any]) -> str:
        # A coordinator's action is owned by the side that leads it: the government.
        return GOVERNMENT

    def select_columns(self) -> list[Any]:
        return [*JointAction.all_columns(), JointAction.government_lead.name.as_alias("government_lead_name")]

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [values.get("title"), values.get("description")]

    async def related(self, rows: list[dict[str, Any]]) -> None:
        await super().related(rows)
        if not rows:
            return
        ids = [r["id"] for r in rows]
        partners = (
            await ActionPartner.select(
                ActionPartner.action,
                ActionPartner.organization,
                ActionPartner.organization.name.as_alias("name"),
            )
            .where(ActionPartner.action.is_in(ids))
            .order_by(ActionPartner.id)
            .run()
        )
        confirmations = (
            await CompletionConfirmation.select(
                CompletionConfirmation.action,
                CompletionConfirmation.side,
                CompletionConfirmation.confirmed_at,
            )
            .where(CompletionConfirmation.action.is_in(ids))
            .run()
        )
        for row in rows:
            mine = [p for p in partners if p["action"] == row["id"]]
            row["partners"] = [p["organization"] for p in mine]
            row["partner_names"] = [p["name"] for p in mine]
            row["confirmed_by"] = sorted(c["side"] for c in confirmations if c["action"] == row["id"])

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        errors: dict[str, list[Message]] = {}
        if values.get("status") == "completed" and (existing is None or existing["status"] != "completed"):
            errors["status"] = [Message(N_("An action is completed only when both sides confirm it."))]
        if existing is None and not values.get("status"):
            values["status"] = "proposed"
        lead = values.get("government_lead")
        if lead is not None:
            org = (
                await Organization.select(Organization.side)
                .where((Organization.id == lead) & Organization.archived_at.is_null())
                .first()
                .run()
            )
            if org is None:
                errors["government_lead"] = [Message(N_("This record does not exist."))]
            elif org["side"] != GOVERNMENT:
                errors["government_lead"] = [Message(N_("Choose a government organization."))]
        partners = values.get("partners") or []
        if partners:
            found = {
                r["id"]: r["side"]
                for r in await Organization.select(Organization.id, Organization.side)
                .where(Organization.id.is_in(partners) & Organization.archived_at.is_null())
                .run()
            }
            if any(p not in found for p in partners):
                errors["partners"] = [Message(N_("This record does not exist."))]
            elif any(found[p] != NON_GOVERNMENTAL for p in partners):
                errors["partners"] = [Message(N_("Choose non-governmental organizations."))]
        if values.get("origin_meeting") is not None:
            try:
                await self.check_reference(Meeting, "origin_meeting", values["origin_meeting"])
            except ValidationFailed as exc:
                errors.update(exc.errors)
        if errors:
            raise ValidationFailed(errors)

    async def write_related(self, record_id: int, values: dict[str, Any]) -> None:
        if "partners" in values:
            await ActionPartner.delete().where(ActionPartner.action == record_id).run()
            if values["partners"]:
                await ActionPartner.insert(
                    *[ActionPartner(action=record_id, organization=o) for o in values["partners"]]
                ).run()

    # -- progress updates ------------------------------------------------------------------------

    async def progress(self, action_id: int) -> list[dict[str, Any]]:
        await self._fetch(action_id)
        return (
            await ProgressUpdate.select(
                ProgressUpdate.id,
                ProgressUpdate.on_date,
                ProgressUpdate.note,
                ProgressUpdate.created_at,
                ProgressUpdate.author.email.as_alias("author_email"),
            )
            .where(ProgressUpdate.action == action_id)
            .order_by(ProgressUpdate.on_date)
            .order_by(ProgressUpdate.id)
            .run()
        )

    async def add_progress(self, action_id: int, data: Any) -> dict[str, Any]:
        """Any participant of either side may log progress on a joint action; observers may not."""
        from core.audit import service as audit

        if not self.actor.can_write:
            raise PermissionDenied()
        cleaned = clean_fields(PROGRESS_FIELDS, data)
        async with JointAction._meta.db.transaction():
            action = await self._fetch(action_id)
            if action["archived_at"] is not None:
                raise Conflict(N_("This record is archived and can no longer be changed."))
            rows = (
                await ProgressUpdate.insert(
                    ProgressUpdate(action=action_id, author=self.actor.user_id, **cleaned)
                )
                .returning(ProgressUpdate.id)
                .run()
            )
            entry = {"id": rows[0]["id"], **cleaned}
            await audit.record(self.actor, "action", action_id, "progress", None, entry)
        self._notify("progress", action_id, None, entry)
        return entry

    # -- completion ------------------------------------------------------------------------------

    async def confirm_completion(self, action_id: int) -> dict[str, Any]:
        """Record the actor's side's confirmation; when both sides have confirmed, the action is
        completed. Coordinators and observers have no side, so they cannot confirm."""
        from core.audit import service as audit

        side = self.actor.side
        if side not in CONFIRMING_SIDES:
            raise PermissionDenied(
                N_("Only a government or a non-governmental participant can confirm completion.")
            )
        async with JointAction._meta.db.transaction():
            action = await self._fetch(action_id)
            if action["archived_at"] is not None or action["status"] == "discontinued":
                raise Conflict(N_("This action can no longer be completed."))
            before = self._serialize(action)
            already = (
                await CompletionConfirmation.exists()
                .where((CompletionConfirmation.action == action_id) & (CompletionConfirmation.side == side))
                .run()
            )
            if not already:
                await CompletionConfirmation.insert(
                    CompletionConfirmation(action=action_id, side=side, user_id=self.actor.user_id or 0)
                ).run()
            sides = {
                r["side"]
                for r in await CompletionConfirmation.select(CompletionConfirmation.side)
                .where(CompletionConfirmation.action == action_id)
                .run()
            }
            if set(CONFIRMING_SIDES) <= sides and action["status"] != "completed":
                await (
                    JointAction.update(
                        {
                            JointAction.status: "completed",
                            JointAction.completed_at: now(),
                            JointAction.version: action["version"] + 1,
                            JointAction.updated_at: now(),
                        }
                    )
                    .where(JointAction.id == action_id)
                    .run()
                )
            after = self._serialize(await self._fetch(action_id))
            await audit.record(self.actor, "action", action_id, "confirm", before, after)
        self._notify("confirm", action_id, before, after)
        return after
