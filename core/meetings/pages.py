"""Meeting pages: the list (each start in the meeting's own time zone), the detail with the joint
actions born in the meeting, and the attendees section. Members who may edit the meeting change
attendees in place with HTMX (the section is re-rendered and swapped) or, without JavaScript, by
plain form posts answered with a redirect and a flash message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from litestar_htmx import HTMXRequest

from core.accounts.roles import Actor
from core.actions.pages import SPEC as ACTION_PAGES
from core.actions.service import ActionService
from core.contacts.service import ContactService
from core.errors import Conflict, Message, ValidationFailed
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
from core.web.pages.forms import field_views, numbered
from core.web.pages.inherit import run_base
from core.web.pages.listing import ListColumn
from core.web.pages.records import ListFilter, PageSpec, form_page, record_pages
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


@dataclass(frozen=True)
class AttendanceForm:
    """The attendance form as sent back after a refusal: the statuses chosen (kept, not lost), the
    errors by row (``status_<contact id>``) and a message for the whole form (a stale version)."""

    statuses: dict[int, str] = field(default_factory=dict)
    errors: dict[str, list[Message]] = field(default_factory=dict)
    error: str = ""


async def attendee_section(
    request: Request,
    actor: Actor,
    record: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, list[Message]] | None = None,
    notice: str = "",
    attendance: AttendanceForm | None = None,
) -> dict[str, Any]:
    """Everything the attendees section shows: the list (one form setting every attendee's status),
    and for members who may edit the meeting the "add" form (contacts not yet on the list; typed
    values and errors kept after a refusal)."""
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
            # Its picker leaves out those already listed.
            picker_params={"contact": {"without": "meeting.attendees", "of": record["id"]}},
        )
    marks = attendance or AttendanceForm()
    rows = {f"status_{a['contact']}" for a in attendees}
    messages = {name: [t.message(m) for m in ms] for name, ms in marks.errors.items()}
    return {
        "attendees": attendees,
        "can_manage_attendees": can_manage,
        "attendee_fields": fields,
        "attendee_notice": notice,
        "attendance_statuses": marks.statuses,
        "attendance_errors": messages,
        # What names no row of the list (a contact removed meanwhile, the form as a whole).
        "attendance_other_errors": [m for name, ms in messages.items() if name not in rows for m in ms],
        "attendance_error": marks.error,
    }


async def meeting_context(request: Request, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
    _, t, _ = page_parts(request)
    service = ActionService(actor, t.locale)
    actions = await service.list_page(filters={"origin_meeting": str(record["id"])}, limit=200)
    return {
        "actions": actions.items,
        "can_start_action": service.may_write() and record.get("archived_at") is None,
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
        values: dict[str, Any] | None = None,
        errors: dict[str, list[Message]] | None = None,
        attendance: AttendanceForm | None = None,
        status: int = 400,
    ) -> Template:
        """A form of the section again with its errors and what was typed or chosen: in the section
        for HTMX (answered 200, because htmx does not swap error responses), else on the whole page
        with ``status``."""
        _, t, _ = page_parts(request)
        record = await MeetingService(actor, t.locale).get(record_id)
        section = await attendee_section(request, actor, record, values, errors, attendance=attendance)
        if request.htmx:
            return render(request, SECTION_TEMPLATE, record=record, **section)
        response = await run_base(_Base, "detail", self, request=request, actor=actor, record_id=record_id)
        response.context.update(section)
        response.status_code = status
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

    @post("/{record_id:int}/attendance")
    async def save_attendance(
        self, request: HTMXRequest, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        """Every attendee's status from the one form over the list (``status_<contact id>``), saved
        at once; ``version`` is the meeting's as the page showed it."""
        _, t, _ = page_parts(request)
        form = await request.form()
        statuses = numbered(form, "status_")
        version = str(form.get("version", ""))
        try:
            await MeetingService(actor, t.locale).set_attendances(
                record_id, int(version) if version.isascii() and version.isdigit() else -1, statuses
            )
        except ValidationFailed as exc:
            return await self._refused(
                request, actor, record_id, attendance=AttendanceForm(statuses, exc.errors)
            )
        except Conflict as exc:
            stale = AttendanceForm(statuses, error=t.message(exc.message))
            return await self._refused(request, actor, record_id, attendance=stale, status=409)
        return await self._answer(request, actor, record_id, N_("Attendance saved."))

    @post("/{record_id:int}/attendees/{contact_id:int}/remove")
    async def remove_attendee(
        self, request: HTMXRequest, actor: CurrentActor, record_id: PathId, contact_id: PathId
    ) -> Template | Redirect:
        _, t, _ = page_parts(request)
        await MeetingService(actor, t.locale).remove_attendee(record_id, contact_id)
        return await self._answer(request, actor, record_id, N_("Attendee removed."))

    @get("/{record_id:int}/actions/new")
    async def new_action(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template:
        """The joint action form started from the meeting: born in it, on its topics, with its
        attendees' organizations as lead and partners (``ActionService.draft_from_meeting``); it
        saves as any new action does."""
        _, t, _ = page_parts(request)
        meeting, values = await ActionService(actor, t.locale).draft_from_meeting(record_id)
        notice = t.gettext(
            N_(
                "Started from the meeting “{title}”: its topics and its attendees' organizations are "
                "filled in. Check them before saving."
            ),
            title=meeting["title"],
        )
        return await form_page(ACTION_PAGES, request, actor, values, {}, None, notice=notice)

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
