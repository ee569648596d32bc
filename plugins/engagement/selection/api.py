"""The selection's JSON API, under ``/t/{tenant}/api/v1/engagement/activities/{id}/applications``:
the queue with the same filters and sorts as the page, one application, and decisions in bulk.
The same rules as the pages (coordinators and reviewers; mails after the decision commits)."""

from __future__ import annotations

from typing import Any

from core.plugin_api import (
    N_,
    Controller,
    CurrentActor,
    FromQuery,
    JSONObject,
    Message,
    PathId,
    Request,
    ValidationFailed,
    get,
    post,
)
from plugins.engagement.selection.display import score_parts
from plugins.engagement.selection.pages import notify
from plugins.engagement.selection.service import SelectionService

# Never in an answer: the personal link's hash and the search index.
HIDDEN = ("link_hash", "search_text")


def shown(application: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in application.items() if k not in HIDDEN}
    view["score_parts"] = score_parts(application)
    view["mail_sent"] = application["notified_at"] is not None
    return view


def _decisions(data: dict[str, Any]) -> tuple[list[int], dict[int, int], str, str]:
    """The body's applications (``[{"id", "version"}]``), decision and reason, or field errors."""
    items = data.get("applications")
    decision, reason = data.get("decision"), data.get("reason", "")
    errors: dict[str, list[Message]] = {}
    ids, versions = [], {}
    if not isinstance(items, list) or not all(
        isinstance(i, dict)
        and type(i.get("id")) is int
        and type(i.get("version")) is int
        and 0 < i["id"] < 2**31
        for i in items
    ):
        wanted = N_("Give a list of applications, each with its id and version as whole numbers.")
        errors["applications"] = [Message(wanted)]
    else:
        ids = [i["id"] for i in items]
        versions = {i["id"]: i["version"] for i in items}
    if not isinstance(decision, str):
        errors["decision"] = [Message(N_("Select a valid choice."))]
    if not isinstance(reason, str):
        errors["reason"] = [Message(N_("Enter text."))]
    if errors:
        raise ValidationFailed(errors)
    return ids, versions, str(decision), str(reason)


class SelectionApi(Controller):
    path = "/activities/{record_id:int}/applications"
    tags = ["Engagement selection"]

    @get(
        "/",
        summary="List an activity's applications (review queue)",
        description=(
            "Coordinators and reviewers. Sorted by `sort` (score, submitted_at, name, country), "
            f"{50} per `page`. Filters (query parameters): status, eligible, country, sector, gender."
        ),
    )
    async def list_applications(
        self,
        actor: CurrentActor,
        record_id: PathId,
        status: FromQuery[str | None] = None,
        eligible: FromQuery[str | None] = None,
        country: FromQuery[str | None] = None,
        sector: FromQuery[str | None] = None,
        gender: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        found = await SelectionService(actor).queue(
            record_id,
            status=status,
            eligible=eligible,
            country=country,
            sector=sector,
            gender=gender,
            sort=sort,
            page=page,
        )
        return {**found, "items": [shown(a) for a in found["items"]]}

    @get("/{application_id:int}", summary="Get one application with its checks and score parts")
    async def get_application(
        self, actor: CurrentActor, record_id: PathId, application_id: PathId
    ) -> dict[str, Any]:
        return shown(await SelectionService(actor).get(record_id, application_id))

    @post(
        "/decisions",
        summary="Decide on applications in bulk",
        description=(
            'Body: `{"applications": [{"id": 1, "version": 2}], "decision": "selected" | "waitlisted" | '
            '"rejected" | "declined", "reason": "…"}` (a reason is required to reject). All or nothing; '
            "a stale version is a 409. Decision mails leave once it is saved."
        ),
        status_code=200,
    )
    async def decide(
        self, request: Request, actor: CurrentActor, record_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        ids, versions, decision, reason = _decisions(data)
        notices = await SelectionService(actor).decide(record_id, ids, decision, reason, versions)
        sent = await notify(request, notices)
        return {"decided": len(ids), "mailed": sent, "not_mailed": len(notices) - sent}
