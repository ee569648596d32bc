from typing import Any

from litestar import Request, Response, delete, get, put
from litestar.status_codes import HTTP_204_NO_CONTENT

from core.errors import Message, ValidationFailed
from core.forms.fields import in_int_range
from core.forms.validation import clean_fields
from core.i18n.markers import N_
from core.meetings.calendar import MEDIA_TYPE, calendar_file, filename
from core.meetings.export import AttendeesExport
from core.meetings.service import ATTENDANCE_FIELD, MeetingService
from core.records.api import record_controller
from core.records.export import attachment
from core.records.writers import MEDIA_TYPES
from core.web.download import Download, download
from core.web.params import CurrentActor, FromQuery, JSONObject, PathId
from core.web.state import request_locale

_Base = record_controller("/meetings", MeetingService, "Meetings")


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and in_int_range(value)


def attendance_body(data: dict[str, Any]) -> tuple[int, dict[int, str]]:
    """``version`` and ``{contact id: status}`` from the body of a bulk attendance change."""
    errors: dict[str, list[Message]] = {}
    version = data.get("version")
    if not _whole_number(version):
        errors["version"] = [Message(N_("Enter a whole number."))]
    items = data.get("attendance")
    statuses: dict[int, str] = {}
    if not isinstance(items, list) or not items:
        errors["attendance"] = [Message(N_("This field is required."))]
    else:
        for item in items:
            contact = item.get("contact") if isinstance(item, dict) else None
            status = item.get("status") if isinstance(item, dict) else None
            if not isinstance(contact, int) or not _whole_number(contact) or not isinstance(status, str):
                errors["attendance"] = [Message(N_("Each entry needs a contact id and a status."))]
                break
            statuses[contact] = status
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(version, int)
    return version, statuses


class MeetingController(_Base):  # type: ignore[valid-type,misc]
    @get("/{record_id:int}/attendees", summary="Attendees of a meeting")
    async def list_attendees(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> list[dict[str, Any]]:
        return await MeetingService(actor, request_locale(request)).attendees(record_id)

    @get(
        "/{record_id:int}/attendees/export",
        summary="Export a meeting's attendees as CSV or XLSX",
        description="The attendees as the meeting page lists them (a contact the reader may not see is a "
        "placeholder), headed in the reader's language. `format`: `csv` or `xlsx`.",
        media_type=MEDIA_TYPES["csv"],
    )
    async def export_attendees(
        self, request: Request, actor: CurrentActor, record_id: PathId, format: FromQuery[str] = "csv"
    ) -> Download:
        service = MeetingService(actor, request_locale(request))
        t = service.tenant.translator(service.locale)
        return download(await AttendeesExport.start(service, t, format, record_id))

    @put("/{record_id:int}/attendees/{contact_id:int}", summary="Add an attendee or set their attendance")
    async def set_attendee(
        self, actor: CurrentActor, record_id: PathId, contact_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        status = clean_fields((ATTENDANCE_FIELD,), data)["status"]
        return await MeetingService(actor).set_attendance(record_id, contact_id, status)

    @put(
        "/{record_id:int}/attendance",
        summary="Set the attendance of many attendees at once",
        description="Body: `version` (the meeting's, as read) and `attendance`, a list of `{contact, "
        "status}` for attendees already on the list. One transaction: a changed meeting is a 409, "
        "an unknown status or a contact not on the list a 400 naming `status_<contact>`. Returns the "
        "meeting's new `version` and how many attendees `changed`.",
    )
    async def set_attendance_many(
        self, request: Request, actor: CurrentActor, record_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        version, statuses = attendance_body(data)
        return await MeetingService(actor, request_locale(request)).set_attendances(
            record_id, version, statuses
        )

    @delete(
        "/{record_id:int}/attendees/{contact_id:int}",
        summary="Remove an attendee",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def remove_attendee(self, actor: CurrentActor, record_id: PathId, contact_id: PathId) -> None:
        await MeetingService(actor).remove_attendee(record_id, contact_id)

    @get(
        "/{record_id:int}/calendar.ics",
        summary="A meeting as an iCalendar (RFC 5545) file",
        description="One VEVENT in the meeting's own time zone (TZID and VTIMEZONE), its UID stable and "
        "its SEQUENCE the record's version; CANCELLED once archived.",
        media_type=MEDIA_TYPE,
    )
    async def calendar(self, request: Request, actor: CurrentActor, record_id: PathId) -> Response[bytes]:
        service = MeetingService(actor, request_locale(request))
        record = await service.get(record_id)
        body = calendar_file(service.tenant.slug, [record], service.tenant.translator(service.locale).gettext)
        return Response(body, media_type=MEDIA_TYPE, headers=attachment(filename(record)))
