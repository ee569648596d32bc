"""Joint actions: a government lead, non-governmental partners, dated progress updates, and a
completion that counts only once one member of each side has confirmed it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from core.accounts.tables import User
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
from core.tenancy.declaration import CONFIRM_BY_ORGANIZATION
from core.topics.filters import topic_filter

CONFIRMING_SIDES = (GOVERNMENT, NON_GOVERNMENTAL)
CLOSED_STATUSES = ("completed", "discontinued")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
# Why a member cannot confirm for a side, by side: they are not of that side; (where only the lead's
# and partners' members confirm) they are not linked to an organization, the action has none of
# that side yet, or theirs is not one of the action's.
NOT_OF_SIDE = {
    GOVERNMENT: N_("Only a member of the government side can confirm for the government side."),
    NON_GOVERNMENTAL: N_(
        "Only a member of the non-governmental side can confirm for the non-governmental side."
    ),
}
NO_ORGANIZATION = {
    GOVERNMENT: N_(
        "Only members of the lead organization can confirm for the government side, and your account "
        "is not linked to an organization. A coordinator can link it on the members page."
    ),
    NON_GOVERNMENTAL: N_(
        "Only members of the partner organizations can confirm for the non-governmental side, and your "
        "account is not linked to an organization. A coordinator can link it on the members page."
    ),
}
NO_LEAD_OR_PARTNER = {
    GOVERNMENT: N_(
        "This action has no government lead yet: only members of its lead organization can confirm "
        "for the government side."
    ),
    NON_GOVERNMENTAL: N_(
        "This action has no non-governmental partners yet: only members of its partner organizations "
        "can confirm for the non-governmental side."
    ),
}
OTHER_ORGANIZATION = {
    GOVERNMENT: N_("Only members of the lead organization ({names}) can confirm for the government side."),
    NON_GOVERNMENTAL: N_(
        "Only members of the partner organizations ({names}) can confirm for the non-governmental side."
    ),
}
CLOSED = N_("This action can no longer be completed.")
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
    added_keys = ("partners", "partner_names", "confirmed_by", "overdue", "confirmations")
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
                CompletionConfirmation.user_id,
                CompletionConfirmation.confirmed_at,
            )
            .where(CompletionConfirmation.action.is_in(ids))
            .order_by(CompletionConfirmation.id)
            .run()
        )
        names = await _member_names({c["user_id"] for c in confirmations})
        for row in rows:
            mine = [p for p in partners if p["action"] == row["id"]]
            row["partners"] = [p["organization"] for p in mine]
            row["partner_names"] = [p["name"] for p in mine]
            confirmed = [c for c in confirmations if c["action"] == row["id"]]
            row["confirmed_by"] = sorted(c["side"] for c in confirmed)
            # Who confirmed each side and when (a member since removed from the tenant is "").
            row["confirmations"] = [
                {"side": c["side"], "by": names.get(c["user_id"], ""), "confirmed_at": c["confirmed_at"]}
                for c in confirmed
            ]

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

    # -- from a meeting ----------------------------------------------------------------------------

    async def draft_from_meeting(self, meeting_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The meeting (as the actor may see it) and a new action's starting values: born in that
        meeting, on its topics, led by the government organization most of its attendees came from
        (the first listed on a tie), with the non-governmental organizations of its attendees as
        partners. Absent attendees, attendees the actor may not see and archived organizations count
        for nothing. An archived meeting starts nothing (a Conflict)."""
        from core.meetings.service import MeetingService

        self._require_writer()
        meetings = MeetingService(self.actor, self.locale)
        meeting = await meetings.get(meeting_id)
        if meeting["archived_at"] is not None:
            raise Conflict(N_("This meeting is archived: it can no longer start a joint action."))
        present = [a for a in await meetings.attendees(meeting_id) if a["status"] != "absent"]
        org_ids = [a["organization"] for a in present if a.get("organization")]
        sides = {
            row["id"]: row["side"]
            for row in await Organization.select(Organization.id, Organization.side)
            .where(Organization.id.is_in(org_ids or [-1]) & Organization.archived_at.is_null())
            .run()
        }
        governments = [o for o in org_ids if sides.get(o) == GOVERNMENT]
        lead = max(dict.fromkeys(governments), key=governments.count, default=None)
        partners = list(dict.fromkeys(o for o in org_ids if sides.get(o) == NON_GOVERNMENTAL))
        values = {
            "origin_meeting": meeting_id,
            "topics": list(meeting.get("topics") or []),
            "government_lead": lead,
            "partners": partners,
        }
        return meeting, values

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

    async def refusals(self, action: dict[str, Any]) -> dict[str, Message | None]:
        """For each side not yet confirmed: why the actor cannot confirm it, or None when they can
        (the page shows the reason where the button would be; ``confirm_completion`` raises it)."""
        confirmed = set(action.get("confirmed_by") or [])
        closed = action.get("archived_at") is not None or action.get("status") in CLOSED_STATUSES
        organization = None
        by_organization = self.tenant.declaration.confirmations == CONFIRM_BY_ORGANIZATION
        if by_organization and self.actor.side in CONFIRMING_SIDES and self.actor.user_id:
            row = await User.select(User.organization).where(User.id == self.actor.user_id).first().run()
            organization = row["organization"] if row else None
        return {
            side: Message(CLOSED) if closed else self._refusal(side, action, organization)
            for side in CONFIRMING_SIDES
            if side not in confirmed
        }

    def _refusal(self, side: str, action: dict[str, Any], organization: int | None) -> Message | None:
        if self.actor.side != side:
            return Message(NOT_OF_SIDE[side])
        if self.tenant.declaration.confirmations != CONFIRM_BY_ORGANIZATION:
            return None
        if side == GOVERNMENT:
            ids = [action["government_lead"]] if action.get("government_lead") else []
            names = [action.get("government_lead_name") or ""] if ids else []
        else:
            ids, names = list(action.get("partners") or []), list(action.get("partner_names") or [])
        if not ids:
            return Message(NO_LEAD_OR_PARTNER[side])
        if organization is None:
            return Message(NO_ORGANIZATION[side])
        if organization not in ids:
            return Message(OTHER_ORGANIZATION[side], {"names": ", ".join(names)})
        return None

    async def confirm_completion(self, action_id: int) -> dict[str, Any]:
        """Record the actor's side's confirmation; when both sides have confirmed, the action is
        completed. Coordinators and observers have no side, so they cannot confirm; where the tenant
        declares ``confirmations = "organization_members"``, only members linked to the action's lead
        (government side) or one of its partners (non-governmental side) confirm. A side confirmed
        already stays as it was (confirming again changes nothing)."""
        from core.audit import service as audit

        side = self.actor.side
        if side not in CONFIRMING_SIDES:
            raise PermissionDenied(
                N_("Only a government or a non-governmental participant can confirm completion.")
            )
        async with JointAction._meta.db.transaction():
            action = await self._fetch(action_id)
            if action["archived_at"] is not None or action["status"] == "discontinued":
                raise Conflict(CLOSED)
            refusal = (await self.refusals(action)).get(side)
            if refusal is not None:
                raise PermissionDenied(refusal)
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


async def _member_names(user_ids: set[int]) -> dict[int, str]:
    """``{user id: name}`` of members (their display name, else their email address)."""
    if not user_ids:
        return {}
    rows = (
        await User.select(User.id, User.display_name, User.email).where(User.id.is_in(list(user_ids))).run()
    )
    return {row["id"]: row["display_name"] or row["email"] for row in rows}
