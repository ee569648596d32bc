"""A meeting's attendance list imported from a spreadsheet: each line is a person (found among the
contacts by the duplicate rules, or created) and, optionally, their attendance status. The contacts
are imported as any contacts import is; then each line's person is put on the meeting's list through
``MeetingService.set_attendance`` (its checks, its audit entry), and undoing the batch takes them off
again (or gives them back the status they had) before the contacts themselves are undone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.errors import Conflict, Message
from core.forms.definitions import FormDefinition
from core.forms.fields import FieldSpec
from core.forms.vocabulary import ATTENDANCE_STATUSES
from core.i18n.markers import N_
from core.imports.tables import ImportChange
from core.meetings.tables import Attendance

ENTITY = "attendance"
STATUS_FIELD = FieldSpec("attendance_status", "choice", N_("Attendance"), choices=ATTENDANCE_STATUSES)
DEFAULT_STATUS = "invited"


def attendance_form(contact_form: FormDefinition) -> FormDefinition:
    """The contact form plus the attendance status: what an attendance file's columns can fill."""
    return replace(contact_form, fields=(*contact_form.fields, STATUS_FIELD))


def split(values: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A line's contact values, and its attendance status."""
    contact = dict(values)
    return contact, contact.pop(STATUS_FIELD.name, None) or DEFAULT_STATUS


async def attend(
    batch_id: int, meeting_id: int, people: list[tuple[int, int, str]], actor: Any, locale: str | None
) -> None:
    """Put each ``(line, contact id, status)`` on the meeting's list, remembering what was there."""
    from core.meetings.service import MeetingService

    meetings = MeetingService(actor, locale)
    for line, contact_id, status in people:
        current = (
            await Attendance.select(Attendance.status)
            .where((Attendance.meeting == meeting_id) & (Attendance.contact == contact_id))
            .first()
            .run()
        )
        await meetings.set_attendance(meeting_id, contact_id, status)
        await ImportChange.insert(
            ImportChange(
                batch=batch_id,
                entity=ENTITY,
                record_id=contact_id,
                action="attend",
                line=line,
                before={"previous": current["status"] if current else None, "status": status},
            )
        ).run()


async def unattend(changes: list[dict[str, Any]], meeting_id: int, actor: Any, locale: str | None) -> None:
    """Take the batch's people off the meeting's list (or back to their earlier status), refusing
    if a status was changed since."""
    from core.meetings.service import MeetingService
    from core.records.service import load_json

    meetings = MeetingService(actor, locale)
    for change in reversed(changes):
        saved = load_json(change["before"], {})
        current = (
            await Attendance.select(Attendance.status)
            .where((Attendance.meeting == meeting_id) & (Attendance.contact == change["record_id"]))
            .first()
            .run()
        )
        if current is None or current["status"] != saved["status"]:
            raise Conflict(
                Message(
                    N_(
                        "This import can no longer be undone: {count} of its records were changed "
                        "since (line {line} first)."
                    ),
                    {"count": 1, "line": change["line"]},
                )
            )
        if saved["previous"] is None:
            await meetings.remove_attendee(meeting_id, change["record_id"])
        else:
            await meetings.set_attendance(meeting_id, change["record_id"], saved["previous"])
