from typing import Any

from litestar import delete, get, put
from litestar.status_codes import HTTP_204_NO_CONTENT

from core.accounts.roles import Actor
from core.meetings.service import MeetingService
from core.records.api import record_controller

_Base = record_controller("/meetings", MeetingService, "Meetings")


class MeetingController(_Base):  # type: ignore[valid-type,misc]
    @get("/{record_id:int}/attendees", summary="Attendees of a meeting")
    async def list_attendees(self, actor: Actor, record_id: int) -> list[dict[str, Any]]:
        return await MeetingService(actor).attendees(record_id)

    @put("/{record_id:int}/attendees/{contact_id:int}", summary="Add an attendee or set their attendance")
    async def set_attendee(
        self, actor: Actor, record_id: int, contact_id: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        return await MeetingService(actor).set_attendance(record_id, contact_id, str(data.get("status", "")))

    @delete(
        "/{record_id:int}/attendees/{contact_id:int}",
        summary="Remove an attendee",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def remove_attendee(self, actor: Actor, record_id: int, contact_id: int) -> None:
        await MeetingService(actor).remove_attendee(record_id, contact_id)
