"""Meeting pages: the list (each start in the meeting's own time zone), the detail with the joint
actions born in the meeting, and the attendees section. Members who may edit the meeting change
attendees in place with HTMX (the section is re-rendered and swapped) or, without JavaScript, by
plain form posts answered with a redirect and a flash message."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from core.accounts.roles import Actor
from core.actions.service import ActionService
from core.contacts.service import ContactService
from core.errors import Message, ValidationFailed
from core.forms.definitions import FormDefinition
from core.forms.fields import FieldSpec, as_id
from core.forms.vocabulary import MEETING_MODES, MEETING_TYPES
from core.i18n.markers import N_
from core.meetings.calendar import MEDIA_TYPE, calendar_file, filename
from core.meetings.export import AttendeesExport
from core.meetings.service import ATTENDANCE_FIELD, MeetingService
from core.records.export import attachment
from core.web.download import Download, download
from core.web.pages.display import topic_names
from core.web.pages.forms import field_views
from core.web.pages.inherit import run_base
from core.web.pages.listing import ListColumn
from core.web.pages.records import ListFilter, PageSpec, record_pages
from core.web.pages.render import page_parts, redirect, render
from core.web.params import CurrentActor, PathId

ATTENDEE_FORM = FormDefinition(
    "attendee",
    (
        FieldSpec("contact", "reference", N_("Contact"), required=True, references="contact"),
        ATTENDANCE_FIELD,
    ),
)
SECTION_TEMPLATE = "meetings/attendees.html"


async def attendee_section(
    request: Request,
    actor: Actor,
    record: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, list[Message]] | None = None,
    notice: str = "",
) -> dict[str, Any]:
    """Everything the attendees section shows: the list, and for members who may edit the meeting
    the "add" form (contacts not yet on the list; typed values and errors kept after a refusal)."""
    tenant, t, _ = page_parts(request)
    service = MeetingService(actor, t.locale)
    attendees = await service.attendees(record["id"])
    can_manage = service.may_edit(record) and record.get("archived_at") is None
    fields = []
    if can_manage:
        listed = {a["contact"] for a in attendees}
        contacts = [
            (str(i), label) for i, label in await ContactService(actor, t.locale).choices() if i not in listed
        ]
        fields = field_views(
            ATTENDEE_FORM,
            t,
            values or {"status": "invited"},
            errors or {},
            {"contact": contacts},
            tenant.declaration.timezone,
            picker_params={"contact": {"meeting": record["id"]}},  # its picker skips those listed
        )
    return {
        "attendees": attendees,
        "can_manage_attendees": can_manage,
        "attendee_fields": fields,
        "attendee_notice": notice,
    }


async def meeting_context(request: Request, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
    _, t, _ = page_parts(request)
    actions = await ActionService(actor, t.locale).list_page(
        filters={"origin_meeting": str(record["id"])}, limit=200
    )
    return {
        "actions": actions.items,
        "topic_names": await topic_names(actor, t),
        **await attendee_section(request, actor, record),
    }


SPEC = PageSpec(
    path="/meetings",
    service=MeetingService,
    plural=N_("Meetings"),
    singular=N_("Meeting"),
    new_label=N_("New meeting"),
    list_template="meetings/list.html",
    detail_template="meetings/detail.html",
    filters=(
        ListFilter("meeting_type", N_("Meeting type"), MEETING_TYPES),
        ListFilter("mode", N_("Mode"), MEETING_MODES),
        ListFilter("topic", N_("Topic"), source="topics"),
    ),
    columns=(
        ListColumn("title", N_("Title"), sort="title"),
        ListColumn("meeting_type", N_("Meeting type")),
        ListColumn("starts_at", N_("Starts"), sort="starts_at"),
        ListColumn("mode", N_("Mode")),
        ListColumn("place", N_("Place")),
    ),
    detail_context=meeting_context,
)

_Base = record_pages(SPEC)


class MeetingPages(_Base):  # type: ignore[valid-type,misc]
    async def _answer(
        self,
        request: HTMXRequest,
        actor: Actor,
        record_id: int,
        flash: str,
        **params: Any,
    ) -> Template | Redirect:
        """After a change: the re-rendered section for HTMX, else back to the meeting with a flash."""
        if not request.htmx:
            return redirect(request, f"/meetings/{record_id}#attendees", flash=("success", flash), **params)
        _, t, _ = page_parts(request)
        record = await MeetingService(actor, t.locale).get(record_id)
        section = await attendee_section(request, actor, record, notice=t.gettext(flash, **params))
        return render(request, SECTION_TEMPLATE, record=record, **section)

    async def _refused(
        self,
        request: HTMXRequest,
        actor: Actor,
        record_id: int,
        values: dict[str, Any],
        errors: dict[str, list[Message]],
    ) -> Template:
        """The add form again with its errors and typed values: in the section for HTMX (answered 200,
        because htmx does not swap error responses), else on the whole page with status 400."""
        _, t, _ = page_parts(request)
        record = await MeetingService(actor, t.locale).get(record_id)
        section = await attendee_section(request, actor, record, values, errors)
        if request.htmx:
            return render(request, SECTION_TEMPLATE, record=record, **section)
        response = await run_base(_Base, "detail", self, request=request, actor=actor, record_id=record_id)
        response.context.update(section)
        response.status_code = 400
        return response

    @post("/{record_id:int}/attendees")
    async def add_attendee(
        self, request: HTMXRequest, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        _, t, _ = page_parts(request)
        form = await request.form()
        values = {"contact": str(form.get("contact", "")), "status": str(form.get("status", ""))}
        try:
            if not values["contact"].isdigit():
                raise ValidationFailed({"contact": [Message(N_("This field is required."))]})
            await MeetingService(actor, t.locale).set_attendance(
                record_id, as_id(values["contact"]), values["status"]
            )
        except ValidationFailed as exc:
            return await self._refused(request, actor, record_id, values, exc.errors)
        return await self._answer(request, actor, record_id, N_("Attendee added."))

    @post("/{record_id:int}/attendees/{contact_id:int}")
    async def set_attendance(
        self, request: HTMXRequest, actor: CurrentActor, record_id: PathId, contact_id: PathId
    ) -> Template | Redirect:
        _, t, _ = page_parts(request)
        form = await request.form()
        status = str(form.get("status", ""))
        try:
            await MeetingService(actor, t.locale).set_attendance(record_id, contact_id, status)
        except ValidationFailed as exc:
            return await self._refused(request, actor, record_id, {"status": status}, exc.errors)
        return await self._answer(request, actor, record_id, N_("Attendance updated."))

    @post("/{record_id:int}/attendees/{contact_id:int}/remove")
    async def remove_attendee(
        self, request: HTMXRequest, actor: CurrentActor, record_id: PathId, contact_id: PathId
    ) -> Template | Redirect:
        _, t, _ = page_parts(request)
        await MeetingService(actor, t.locale).remove_attendee(record_id, contact_id)
        return await self._answer(request, actor, record_id, N_("Attendee removed."))

    async def _attendees_file(self, request: Request, actor: Actor, record_id: int, fmt: str) -> Download:
        _, t, _ = page_parts(request)
        return download(await AttendeesExport.start(MeetingService(actor, t.locale), t, fmt, record_id))

    @get("/{record_id:int}/attendees/export.csv")
    async def attendees_csv(self, request: Request, actor: CurrentActor, record_id: PathId) -> Download:
        """The attendees as the page lists them, as a CSV file, for members who may see the meeting."""
        return await self._attendees_file(request, actor, record_id, "csv")

    @get("/{record_id:int}/attendees/export.xlsx")
    async def attendees_xlsx(self, request: Request, actor: CurrentActor, record_id: PathId) -> Download:
        return await self._attendees_file(request, actor, record_id, "xlsx")

    @get("/{record_id:int}/calendar.ics")
    async def calendar(self, request: Request, actor: CurrentActor, record_id: PathId) -> Response[bytes]:
        """The meeting as an .ics file ("Add to calendar"), for members who may see it."""
        tenant, t, _ = page_parts(request)
        record = await MeetingService(actor, t.locale).get(record_id)
        body = calendar_file(tenant.slug, [record], t.gettext)
        return Response(body, media_type=MEDIA_TYPE, headers=attachment(filename(record)))
