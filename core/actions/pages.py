"""Joint action pages: the list, and the detail with its links (lead, partners, origin meeting), the
timeline of progress updates with the form to add one, and completion: each side confirms, and the
service completes the action once both have."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, post
from litestar.response import Redirect, Template

from core.accounts.roles import Actor
from core.actions.service import CONFIRMING_SIDES, PROGRESS_FIELDS, ActionService
from core.errors import Message, NotFound, ValidationFailed
from core.forms.definitions import FormDefinition
from core.forms.vocabulary import ACTION_STATUSES, GOVERNMENT, NON_GOVERNMENTAL
from core.i18n.markers import N_
from core.meetings.service import MeetingService
from core.web.pages.display import as_datetime, topic_names
from core.web.pages.forms import FieldView, field_views, parse_submission
from core.web.pages.inherit import run_base
from core.web.pages.listing import ListColumn
from core.web.pages.records import ListFilter, PageSpec, record_pages
from core.web.pages.render import page_parts, redirect
from core.web.params import CurrentActor, PathId

PROGRESS_FORM = FormDefinition("progress", PROGRESS_FIELDS)
SIDE_NAMES = {GOVERNMENT: N_("Government side"), NON_GOVERNMENTAL: N_("Non-governmental side")}


def progress_fields(
    request: Request,
    actor: Actor,
    record: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, list[Message]] | None = None,
) -> list[FieldView]:
    """The "add a progress update" form, for members who write, on live actions; dated today (in the
    tenant's time zone) until the member types something else."""
    if not actor.can_write or record.get("archived_at") is not None:
        return []
    tenant, t, _ = page_parts(request)
    zone = tenant.declaration.timezone
    shown = values if values is not None else {"on_date": datetime.now(ZoneInfo(zone)).date()}
    return field_views(PROGRESS_FORM, t, shown, errors or {}, {}, zone)


async def completion(request: Request, actor: Actor, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Each side's confirmation as the page shows it: who confirmed and when (to the minute, in the
    tenant's time zone), else whether the reader may confirm it or, if not, why not."""
    _, t, _ = page_parts(request)
    refusals = await ActionService(actor, t.locale).refusals(record)
    confirmed = {c["side"]: c for c in record.get("confirmations") or []}
    sides = []
    for side in CONFIRMING_SIDES:
        done = confirmed.get(side)
        refusal = refusals.get(side)
        moment = as_datetime(done["confirmed_at"]) if done else None
        sides.append(
            {
                "side": side,
                "name": t.gettext(SIDE_NAMES[side]),
                "by": done["by"] if done else "",
                "when": t.format_moment(moment) if moment else "",
                "can_confirm": done is None and refusal is None,
                "refusal": t.message(refusal) if refusal else "",
            }
        )
    return sides


async def action_context(request: Request, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
    _, t, _ = page_parts(request)
    origin = None
    if record.get("origin_meeting"):
        try:
            origin = await MeetingService(actor, t.locale).get(record["origin_meeting"])
        except NotFound:
            origin = None
    return {
        "origin": origin,
        "progress": await ActionService(actor, t.locale).progress(record["id"]),
        "progress_fields": progress_fields(request, actor, record),
        "completion": await completion(request, actor, record),
        "topic_names": await topic_names(actor, t),
    }


SPEC = PageSpec(
    path="/actions",
    service=ActionService,
    plural=N_("Joint actions"),
    singular=N_("Joint action"),
    new_label=N_("New joint action"),
    list_template="actions/list.html",
    detail_template="actions/detail.html",
    filters=(
        ListFilter("status", N_("Status"), ACTION_STATUSES),
        ListFilter("topic", N_("Topic"), source="topics"),
        ListFilter("government_lead", N_("Government lead"), source="organizations"),
        ListFilter("overdue", N_("Overdue only"), checkbox=True),
    ),
    columns=(
        ListColumn("title", N_("Title"), sort="title"),
        ListColumn("status", N_("Status")),
        ListColumn("government_lead", N_("Government lead")),
        ListColumn("due_date", N_("Due date"), sort="due_date"),
        ListColumn("topics", N_("Topics")),
    ),
    detail_context=action_context,
)

_Base = record_pages(SPEC)


class ActionPages(_Base):  # type: ignore[valid-type,misc]
    @post("/{record_id:int}/progress")
    async def add_progress(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        tenant, t, _ = page_parts(request)
        values = parse_submission(PROGRESS_FORM, await request.form(), tenant.declaration.timezone)
        try:
            await ActionService(actor, t.locale).add_progress(record_id, values)
        except ValidationFailed as exc:
            response = await run_base(
                _Base, "detail", self, request=request, actor=actor, record_id=record_id
            )
            record = response.context["record"]
            response.context["progress_fields"] = progress_fields(request, actor, record, values, exc.errors)
            response.status_code = 400
            return response
        return redirect(
            request, f"/actions/{record_id}#progress", flash=("success", N_("Progress update added."))
        )

    @post("/{record_id:int}/confirm")
    async def confirm(self, request: Request, actor: CurrentActor, record_id: PathId) -> Redirect:
        _, t, _ = page_parts(request)
        after = await ActionService(actor, t.locale).confirm_completion(record_id)
        if after["status"] == "completed":
            message = N_("Both sides have confirmed: this joint action is completed.")
        else:
            message = N_(
                "Your side's confirmation is recorded. "
                "The action is completed when the other side confirms it."
            )
        return redirect(request, f"/actions/{record_id}#completion", flash=("success", message))
