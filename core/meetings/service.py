"""Meetings and their attendees (with the organization and side each attendee had at the time)."""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from core.contacts.tables import Contact
from core.contacts.visibility import ContactVisibility
from core.errors import Conflict, Message, NotFound, ValidationFailed
from core.forms.fields import FieldSpec, as_id
from core.forms.vocabulary import ATTENDANCE_STATUSES
from core.i18n.markers import N_
from core.meetings.tables import Attendance, Meeting, MeetingTopic
from core.records.service import RecordService, TopicLink, load_json, now
from core.topics.filters import topic_filter

STATUSES = {c.value for c in ATTENDANCE_STATUSES}
STALE = N_("This record was changed by someone else. Reload it and try again.")
# An attendee's status, as the API's body and the attendees form submit it.
ATTENDANCE_FIELD = FieldSpec("status", "choice", N_("Attendance"), required=True, choices=ATTENDANCE_STATUSES)


def _datetime_filter(op: str):
    def clause(value: str):
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationFailed({op: [Message(N_("Enter a valid date (YYYY-MM-DD)."))]}) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zoneinfo.ZoneInfo("UTC"))
        return Meeting.starts_at >= moment if op == "from" else Meeting.starts_at < moment

    return clause


async def _attended_by(organization: str):
    """Meetings where someone of ``organization`` was on the list of attendees."""
    org_id = as_id(organization)
    rows = await Attendance.select(Attendance.meeting).where(Attendance.organization == org_id).run()
    return Meeting.id.is_in([r["meeting"] for r in rows] or [-1])


class MeetingService(RecordService):
    entity = "meeting"
    form_name = "meeting"
    table = Meeting
    label_column = "title"
    sort_column = "starts_at"
    sort_descending = True
    sort_keys: ClassVar = {"starts_at": "starts_at", "title": "title"}
    topic_link = TopicLink(MeetingTopic, "meeting")
    filters: ClassVar = {
        "meeting_type": lambda v: Meeting.meeting_type == v,
        "mode": lambda v: Meeting.mode == v,
        "topic": topic_filter(Meeting, MeetingTopic, "meeting"),
        "organization": _attended_by,
        "from": _datetime_filter("from"),
        "to": _datetime_filter("to"),
    }

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [values.get("title"), values.get("place"), values.get("agenda")]

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        if existing is None or "timezone" in values:
            # The field's kind has checked a given zone against the database; blank: the pilot's.
            values["timezone"] = values.get("timezone") or self.tenant.declaration.timezone
        starts = values.get("starts_at", existing and existing["starts_at"])
        ends = values.get("ends_at", existing and existing["ends_at"])
        if starts and ends and ends < starts:
            raise ValidationFailed({"ends_at": [Message(N_("The end must be after the start."))]})

    # -- attendees -----------------------------------------------------------------------------

    async def attendees(self, meeting_id: int) -> list[dict[str, Any]]:
        """Every attendee (counts and sides stay whole); a contact the actor may not see is a
        placeholder (``core.contacts.visibility``)."""
        await self._fetch(meeting_id)
        rows = (
            await Attendance.select(
                Attendance.id,
                Attendance.contact,
                Attendance.contact.first_name.as_alias("first_name"),
                Attendance.contact.last_name.as_alias("last_name"),
                Attendance.contact.emails.as_alias("emails"),
                Attendance.contact.protected.as_alias("protected"),
                Attendance.contact.created_by.as_alias("created_by"),
                Attendance.contact.erased_at.as_alias("erased_at"),
                Attendance.organization,
                Attendance.organization.name.as_alias("organization_name"),
                Attendance.side,
                Attendance.status,
            )
            .where(Attendance.meeting == meeting_id)
            .order_by(Attendance.id)
            .run()
        )
        visibility = ContactVisibility(self.actor)
        translate = self.tenant.translator(self.locale).gettext
        for row in rows:
            row["emails"] = load_json(row["emails"], [])
        return [visibility.reference(row, translate) for row in rows]

    async def set_attendance(self, meeting_id: int, contact_id: int, status: str) -> dict[str, Any]:
        """Add the contact to the meeting or change their status; the organization and side are the
        contact's at the moment they are first added, so later moves don't rewrite history."""
        from core.audit import service as audit

        self._require_writer()
        if status not in STATUSES:
            raise ValidationFailed({"status": [Message(N_("Select a valid choice."))]})
        async with Meeting._meta.db.transaction():
            meeting = await self._fetch(meeting_id)
            self._check_edit(meeting)
            # Only a contact the actor may see can be added: a hidden one "does not exist" for them.
            contact = (
                await Contact.select(
                    Contact.id,
                    Contact.organization,
                    Contact.organization.side.as_alias("side"),
                )
                .where((Contact.id == contact_id) & Contact.archived_at.is_null())
                .where(ContactVisibility(self.actor).where())
                .first()
                .run()
            )
            if contact is None:
                raise ValidationFailed({"contact": [Message(N_("This record does not exist."))]})
            current = (
                await Attendance.select()
                .where((Attendance.meeting == meeting_id) & (Attendance.contact == contact_id))
                .first()
                .run()
            )
            if current is None:
                await Attendance.insert(
                    Attendance(
                        meeting=meeting_id,
                        contact=contact_id,
                        status=status,
                        organization=contact["organization"],
                        side=contact["side"] or "",
                    )
                ).run()
            else:
                await (
                    Attendance.update({Attendance.status: status}).where(Attendance.id == current["id"]).run()
                )
            await (
                Meeting.update({Meeting.version: Meeting.version + 1, Meeting.updated_at: now()})
                .where(Meeting.id == meeting_id)
                .run()
            )
            before = {"contact": contact_id, "status": current["status"]} if current else None
            after = {"contact": contact_id, "status": status}
            await audit.record(self.actor, "meeting", meeting_id, "attendance", before, after)
        self._notify("attendance", meeting_id, before, after)
        return after

    async def set_attendances(
        self, meeting_id: int, version: int, statuses: dict[int, str]
    ) -> dict[str, Any]:
        """Set the attendance of many attendees at once (``{contact id: status}``, as the attendees
        form sends it), in one transaction: ``version`` is the meeting's as the form was read (a
        Conflict if anyone changed the meeting or its attendance since), attendees left out keep
        their status, a contact not on the list or an unknown status is refused on its own field
        (``status_<contact id>``), and each attendee whose status changes is audited. Returns the
        meeting's ``version`` now and how many attendees ``changed``."""
        from core.audit import service as audit

        self._require_writer()
        if not statuses:
            raise ValidationFailed({"attendance": [Message(N_("This field is required."))]})
        errors = {
            f"status_{contact}": [Message(N_("Select a valid choice."))]
            for contact, status in statuses.items()
            if status not in STATUSES
        }
        async with Meeting._meta.db.transaction():
            meeting = await self._fetch(meeting_id)
            self._check_edit(meeting)
            if meeting["archived_at"] is not None:
                raise Conflict(N_("This record is archived and can no longer be changed."))
            if meeting["version"] != version:
                raise Conflict(STALE)
            current = {
                row["contact"]: row
                for row in await Attendance.select(Attendance.id, Attendance.contact, Attendance.status)
                .where(Attendance.meeting == meeting_id)
                .run()
            }
            for contact in statuses:
                if contact not in current:
                    errors[f"status_{contact}"] = [Message(N_("This contact is not on the attendee list."))]
            if errors:
                raise ValidationFailed(errors)
            changes = [
                audit.Change(
                    "meeting",
                    meeting_id,
                    "attendance",
                    {"contact": contact, "status": current[contact]["status"]},
                    {"contact": contact, "status": status},
                )
                for contact, status in statuses.items()
                if current[contact]["status"] != status
            ]
            if changes:
                # The version moves only from the one the form read: of two saves racing, the
                # second finds it moved (PostgreSQL re-reads the row once the first commits).
                bumped = (
                    await Meeting.update({Meeting.version: version + 1, Meeting.updated_at: now()})
                    .where((Meeting.id == meeting_id) & (Meeting.version == version))
                    .returning(Meeting.id)
                    .run()
                )
                if not bumped:
                    raise Conflict(STALE)
                version += 1
                for change in changes:
                    assert change.after is not None
                    row = current[change.after["contact"]]
                    await (
                        Attendance.update({Attendance.status: change.after["status"]})
                        .where(Attendance.id == row["id"])
                        .run()
                    )
                await audit.record_many(self.actor, changes)
        for change in changes:
            self._notify("attendance", meeting_id, change.before, change.after)
        return {"version": version, "changed": len(changes)}

    async def remove_attendee(self, meeting_id: int, contact_id: int) -> None:
        from core.audit import service as audit

        self._require_writer()
        async with Meeting._meta.db.transaction():
            meeting = await self._fetch(meeting_id)
            self._check_edit(meeting)
            deleted = (
                await Attendance.delete()
                .where((Attendance.meeting == meeting_id) & (Attendance.contact == contact_id))
                .returning(Attendance.status)
                .run()
            )
            if not deleted:
                raise NotFound()
            before = {"contact": contact_id, "status": deleted[0]["status"]}
            await audit.record(self.actor, "meeting", meeting_id, "attendance", before, None)
        self._notify("attendance", meeting_id, before, None)

    # -- a contact's meetings ----------------------------------------------------------------------

    async def meetings_of_contact(self, contact_id: int) -> list[dict[str, Any]]:
        """The live meetings ``contact_id`` is on the attendee list of, latest first, each with the
        contact's attendance ``status`` (the contact's page shows their record of participation)."""
        return (
            await Attendance.select(
                Attendance.meeting.as_alias("id"),
                Attendance.meeting.title.as_alias("title"),
                Attendance.meeting.starts_at.as_alias("starts_at"),
                Attendance.status,
            )
            .where((Attendance.contact == contact_id) & Attendance.meeting.archived_at.is_null())
            .order_by(Attendance.meeting.starts_at, ascending=False)
            .run()
        )
