"""The delivery API under ``/t/{tenant}/api/v1/engagement/activities/{id}``: an activity's sessions
(list, create, get, update with versions, archive), a session's attendance read and replaced in
bulk, and the participants with their attendance rate and scores. The same services as the pages."""

from __future__ import annotations

from typing import Any

from core.plugin_api import (
    N_,
    Controller,
    CurrentActor,
    JSONObject,
    Message,
    PathId,
    ValidationFailed,
    get,
    patch,
    post,
    put,
)
from plugins.engagement.delivery.cohort import Cohort
from plugins.engagement.delivery.report import participant_rows, public_row
from plugins.engagement.delivery.sessions import SessionService

SESSION_BODY = "Body: the `session` form (its fields: `GET …/forms/session`)."


def _marks(data: dict[str, Any]) -> dict[int, str]:
    items = data.get("attendance")
    if not isinstance(items, list):
        raise ValidationFailed({"attendance": [Message(N_("This field is required."))]})
    marks: dict[int, str] = {}
    for item in items:
        participant = item.get("participant") if isinstance(item, dict) else None
        status = item.get("status") if isinstance(item, dict) else None
        if (
            not isinstance(participant, int)
            or isinstance(participant, bool)
            or not 1 <= participant < 2**31
            or not isinstance(status, str)
        ):
            raise ValidationFailed(
                {"attendance": [Message(N_("Each entry needs a participant id and a status."))]}
            )
        marks[participant] = status
    return marks


class DeliveryApi(Controller):
    path = "/activities/{record_id:int}"
    tags = ["Engagement delivery"]

    @get("/sessions", summary="List an activity's sessions", description="In programme order.")
    async def list_sessions(self, actor: CurrentActor, record_id: PathId) -> dict[str, Any]:
        service = SessionService(actor, None, record_id)
        await service.activity()
        return {"items": await service.all()}

    @post("/sessions", summary="Create a session", description=SESSION_BODY)
    async def create_session(
        self, actor: CurrentActor, record_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        return await SessionService(actor, None, record_id).create(data)

    @get("/sessions/{session_id:int}", summary="Get one session")
    async def get_session(self, actor: CurrentActor, record_id: PathId, session_id: PathId) -> dict[str, Any]:
        return await SessionService(actor, None, record_id).get(session_id)

    @patch(
        "/sessions/{session_id:int}",
        summary="Update a session",
        description=SESSION_BODY + " Send `version` as read; a stale version answers 409.",
    )
    async def update_session(
        self, actor: CurrentActor, record_id: PathId, session_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        return await SessionService(actor, None, record_id).update(session_id, data)

    @post("/sessions/{session_id:int}/archive", summary="Archive a session", status_code=200)
    async def archive_session(
        self, actor: CurrentActor, record_id: PathId, session_id: PathId
    ) -> dict[str, Any]:
        return await SessionService(actor, None, record_id).archive(session_id)

    @get("/sessions/{session_id:int}/attendance", summary="A session's attendance")
    async def get_attendance(
        self, actor: CurrentActor, record_id: PathId, session_id: PathId
    ) -> dict[str, Any]:
        marks = await Cohort(actor, None, record_id).attendance(session_id)
        return {"attendance": [{"participant": p, "status": s} for p, s in sorted(marks.items())]}

    @put(
        "/sessions/{session_id:int}/attendance",
        summary="Record a session's attendance in bulk",
        description='Body: `{"attendance": [{"participant": id, "status": "present" | "absent" | '
        '"excused"}]}`. One transaction; participants left out keep their mark.',
    )
    async def put_attendance(
        self, actor: CurrentActor, record_id: PathId, session_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        cohort = Cohort(actor, None, record_id)
        counts = await cohort.record_attendance(session_id, _marks(data))
        marks = await cohort.attendance(session_id)
        return {
            "counts": counts,
            "attendance": [{"participant": p, "status": s} for p, s in sorted(marks.items())],
        }

    @get(
        "/participants",
        summary="An activity's participants",
        description="With group, attendance rate (%), pre and post scores (%) and gain, and the "
        "cohort's means.",
    )
    async def list_participants(self, actor: CurrentActor, record_id: PathId) -> dict[str, Any]:
        await Cohort(actor, None, record_id).activity()
        rows, summary = await participant_rows(actor, record_id)
        return {"items": [public_row(r) for r in rows], "cohort": summary}
