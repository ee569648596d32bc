"""Delivery pages, nested under an activity (``/t/{tenant}/engagement/activities/{id}/…``): its
sessions (list, new, edit, archive), attendance per session in bulk, the participants page (scores,
cohort, add by hand, remove, personal links, breakout groups), the self-assessment's questions and a
participant's answers recorded from paper; and the participant's own page, reached through their
personal link without signing in. Pages are thin: every rule is in the services."""

from __future__ import annotations

from typing import Any

from core.plugin_api import (
    N_,
    PUBLIC,
    Actor,
    Conflict,
    ContactService,
    Controller,
    CurrentActor,
    FieldSpec,
    FormDefinition,
    LinkToken,
    Message,
    NotFound,
    PathId,
    PermissionDenied,
    Redirect,
    Request,
    Template,
    ValidationFailed,
    field_views,
    get,
    link_base_url,
    mailer_for,
    numbered,
    page_parts,
    parse_submission,
    post,
    redirect,
    render,
)
from plugins.engagement.delivery import links
from plugins.engagement.delivery.assessment import Assessment
from plugins.engagement.delivery.cohort import PARTICIPANTS_OF_ACTIVITY, Cohort
from plugins.engagement.delivery.report import participant_rows
from plugins.engagement.delivery.sessions import SessionService, in_order
from plugins.engagement.delivery.vocabulary import ATTENDANCE, PHASES, POST, PRE, SESSION_KINDS
from plugins.engagement.fields import reading_materials
from plugins.engagement.tables import Activity, Session
from plugins.engagement.vocabulary import label_of

ACTIVITIES = "/engagement/activities"
TEMPLATES = "engagement/delivery/"


def _errors(t: Any, errors: dict[str, list[Message]]) -> dict[str, list[str]]:
    return {name: [t.message(m) for m in messages] for name, messages in errors.items()}


# The participants page's "add a participant" form: one contact, chosen with core's picker.
PARTICIPANT_FORM = FormDefinition(
    "participant",
    (FieldSpec("contact", "reference", N_("Add a participant"), required=True, references="contact"),),
)


async def _contact_choices(actor: Actor, exclude: set[int]) -> list[tuple[str, str]]:
    """The live contacts the member may see, as core's selects name them, but those in ``exclude``."""
    return [(str(i), label) for i, label in await ContactService(actor).choices() if i not in exclude]


class DeliveryPages(Controller):
    path = "/activities/{record_id:int}"
    include_in_schema = False

    # -- sessions -------------------------------------------------------------------------------

    async def _session_form(
        self,
        request: Request,
        actor: Actor,
        record_id: int,
        values: dict[str, Any],
        errors: dict[str, list[Message]],
        session: dict[str, Any] | None,
        status: int = 200,
        error: str | None = None,
    ) -> Template:
        tenant, t, _ = page_parts(request)
        service = SessionService(actor, t.locale, record_id)
        activity = await service.activity()
        views = field_views(tenant.form("session"), t, values, errors, {}, activity["timezone"])
        return render(
            request,
            TEMPLATES + "session_form.html",
            status=status,
            activity=activity,
            session=session,
            fields=views,
            error=error,
            general_errors=[t.message(m) for m in errors.get("", [])],
        )

    async def _submission(self, request: Request, actor: Actor, record_id: int) -> dict[str, Any]:
        tenant, t, _ = page_parts(request)
        activity = await SessionService(actor, t.locale, record_id).activity()
        data = await request.form()
        values = parse_submission(tenant.form("session"), data, activity["timezone"])
        version = str(data.get("version", ""))
        if "version" in data:
            values["version"] = int(version) if version.isascii() and version.isdigit() else version
        return values

    @get("/sessions")
    async def sessions(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template:
        _, t, _ = page_parts(request)
        service = SessionService(actor, t.locale, record_id)
        activity = await service.activity()
        sessions = await service.all()
        for one in sessions:
            one["kind_label"] = t.gettext(label_of(SESSION_KINDS, one["kind"]))
            one["materials_list"] = reading_materials(one.get("materials") or "")
        return render(
            request,
            TEMPLATES + "sessions.html",
            activity=activity,
            sessions=sessions,
            can_write=service.may_write() and activity.get("archived_at") is None,
        )

    @get("/sessions/new")
    async def new_session(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template:
        _, t, _ = page_parts(request)
        if not SessionService(actor, t.locale, record_id).may_write():
            raise PermissionDenied()
        return await self._session_form(request, actor, record_id, {"kind": "plenary"}, {}, None)

    @post("/sessions/new", opt={"form": "session"})
    async def create_session(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        _, t, _ = page_parts(request)
        values = await self._submission(request, actor, record_id)
        try:
            await SessionService(actor, t.locale, record_id).create(values)
        except ValidationFailed as exc:
            return await self._session_form(request, actor, record_id, values, exc.errors, None, 400)
        return redirect(request, f"{ACTIVITIES}/{record_id}/sessions", flash=("success", N_("Saved.")))

    @get("/sessions/{session_id:int}/edit")
    async def edit_session(
        self, request: Request, actor: CurrentActor, record_id: PathId, session_id: PathId
    ) -> Template:
        _, t, _ = page_parts(request)
        service = SessionService(actor, t.locale, record_id)
        session = await service.get(session_id)
        if not service.may_write():
            raise PermissionDenied()
        return await self._session_form(request, actor, record_id, session, {}, session)

    @post("/sessions/{session_id:int}/edit", opt={"form": "session"})
    async def update_session(
        self, request: Request, actor: CurrentActor, record_id: PathId, session_id: PathId
    ) -> Template | Redirect:
        _, t, _ = page_parts(request)
        values = await self._submission(request, actor, record_id)
        values.setdefault("version", "")
        service = SessionService(actor, t.locale, record_id)
        try:
            await service.update(session_id, values)
        except ValidationFailed as exc:
            session = await service.get(session_id)
            shown = {**session, "version": values["version"]}
            return await self._session_form(request, actor, record_id, values, exc.errors, shown, 400)
        except Conflict as exc:
            session = await service.get(session_id)
            return await self._session_form(
                request, actor, record_id, values, {}, session, 409, t.message(exc.message)
            )
        return redirect(request, f"{ACTIVITIES}/{record_id}/sessions", flash=("success", N_("Saved.")))

    @post("/sessions/{session_id:int}/archive")
    async def archive_session(
        self, request: Request, actor: CurrentActor, record_id: PathId, session_id: PathId
    ) -> Redirect:
        _, t, _ = page_parts(request)
        await SessionService(actor, t.locale, record_id).archive(session_id)
        return redirect(request, f"{ACTIVITIES}/{record_id}/sessions", flash=("success", N_("Archived.")))

    # -- attendance -----------------------------------------------------------------------------

    async def _attendance_page(
        self,
        request: Request,
        actor: Actor,
        record_id: int,
        session_id: int,
        marks: dict[int, str] | None = None,
        errors: dict[str, list[Message]] | None = None,
        status: int = 200,
    ) -> Template:
        _, t, _ = page_parts(request)
        cohort = Cohort(actor, t.locale, record_id)
        activity = await cohort.activity()
        session = await cohort.session(session_id)
        recorded = await cohort.attendance(session_id)
        return render(
            request,
            TEMPLATES + "attendance.html",
            status=status,
            activity=activity,
            session=session,
            participants=await cohort.rows(),
            marks={**recorded, **(marks or {})},
            recorded=bool(recorded),
            choices=[(c.value, t.gettext(c.label)) for c in ATTENDANCE],
            errors=_errors(t, errors or {}),
            can_write=cohort.may_write() and activity.get("archived_at") is None,
        )

    @get("/sessions/{session_id:int}/attendance")
    async def attendance(
        self, request: Request, actor: CurrentActor, record_id: PathId, session_id: PathId
    ) -> Template:
        return await self._attendance_page(request, actor, record_id, session_id)

    @post("/sessions/{session_id:int}/attendance")
    async def record_attendance(
        self, request: Request, actor: CurrentActor, record_id: PathId, session_id: PathId
    ) -> Template | Redirect:
        """Every participant's mark at once; "mark all present" sends ``all_present``."""
        _, t, _ = page_parts(request)
        cohort = Cohort(actor, t.locale, record_id)
        data = await request.form()
        if data.get("all_present"):
            marks = {row["id"]: "present" for row in await cohort.rows()}
        else:
            marks = numbered(data, "participant_")
        try:
            counts = await cohort.record_attendance(session_id, marks)
        except ValidationFailed as exc:
            return await self._attendance_page(request, actor, record_id, session_id, marks, exc.errors, 400)
        return redirect(
            request,
            f"{ACTIVITIES}/{record_id}/sessions/{session_id}/attendance",
            flash=("success", N_("Attendance saved: {present} present, {absent} absent, {excused} excused.")),
            present=counts["present"],
            absent=counts["absent"],
            excused=counts["excused"],
        )

    # -- participants and groups ----------------------------------------------------------------

    async def _participants_page(
        self,
        request: Request,
        actor: Actor,
        record_id: int,
        errors: dict[str, list[Message]] | None = None,
        status: int = 200,
        error: str | None = None,
    ) -> Template:
        _, t, _ = page_parts(request)
        cohort = Cohort(actor, t.locale, record_id)
        activity = await cohort.activity()
        rows, summary = await participant_rows(actor, record_id)
        can_write = cohort.may_write() and activity.get("archived_at") is None
        adding = []
        if can_write:
            contacts = await _contact_choices(actor, {r["contact"] for r in rows})
            adding = field_views(
                PARTICIPANT_FORM,
                t,
                {},
                {"contact": (errors or {}).get("contact", [])},
                {"contact": contacts},
                activity["timezone"],
                picker_params={"contact": {"without": PARTICIPANTS_OF_ACTIVITY, "of": record_id}},
            )
        return render(
            request,
            TEMPLATES + "participants.html",
            status=status,
            activity=activity,
            participants=rows,
            summary=summary,
            groups=await cohort.groups(),
            add_fields=adding,
            errors=_errors(t, errors or {}),
            error=error,
            can_write=can_write,
        )

    async def _act(self, request: Request, actor: Actor, record_id: int, action: Any, done: str) -> Any:
        """Run a write of the participants page; its refusal comes back on that page."""
        _, t, _ = page_parts(request)
        try:
            outcome = await action()
        except ValidationFailed as exc:
            return await self._participants_page(request, actor, record_id, exc.errors, 400)
        except Conflict as exc:
            return await self._participants_page(request, actor, record_id, None, 409, t.message(exc.message))
        params: dict[str, Any] = outcome if isinstance(outcome, dict) else {}
        return redirect(request, f"{ACTIVITIES}/{record_id}/participants", flash=("success", done), **params)

    @get("/participants")
    async def participants(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template:
        return await self._participants_page(request, actor, record_id)

    @post("/participants")
    async def add_participant(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        data = await request.form()
        raw = str(data.get("contact") or "")
        contact = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        cohort = Cohort(actor, None, record_id)
        return await self._act(
            request, actor, record_id, lambda: cohort.add(contact), N_("Participant added.")
        )

    @post("/participants/{participant_id:int}/remove")
    async def remove_participant(
        self, request: Request, actor: CurrentActor, record_id: PathId, participant_id: PathId
    ) -> Template | Redirect:
        cohort = Cohort(actor, None, record_id)
        return await self._act(
            request, actor, record_id, lambda: cohort.remove(participant_id), N_("Participant removed.")
        )

    async def _send(self, request: Request, actor: Actor, record_id: int, only: int | None) -> Any:
        settings = request.app.state.settings
        base_url = link_base_url(request)

        async def send() -> dict[str, int]:
            sent = await links.send_links(actor, record_id, base_url, mailer_for(settings), only)
            return {"mailed": sent.mailed, "without": len(sent.without_email)}

        return await self._act(
            request,
            actor,
            record_id,
            send,
            N_("Personal links sent: {mailed}; without an email address: {without}."),
        )

    @post("/participants/resend")
    async def send_links(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        """Mail every participant a new personal link."""
        return await self._send(request, actor, record_id, None)

    @post("/participants/{participant_id:int}/resend")
    async def send_link(
        self, request: Request, actor: CurrentActor, record_id: PathId, participant_id: PathId
    ) -> Template | Redirect:
        await Cohort(actor, None, record_id).participant(participant_id)
        return await self._send(request, actor, record_id, participant_id)

    @post("/groups")
    async def add_group(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        data = await request.form()
        cohort = Cohort(actor, None, record_id)
        return await self._act(
            request, actor, record_id, lambda: cohort.add_group(data.get("name")), N_("Saved.")
        )

    @post("/groups/{group_id:int}/edit")
    async def rename_group(
        self, request: Request, actor: CurrentActor, record_id: PathId, group_id: PathId
    ) -> Template | Redirect:
        data = await request.form()
        cohort = Cohort(actor, None, record_id)

        async def rename() -> Any:
            try:
                return await cohort.rename_group(group_id, data.get("name"))
            except ValidationFailed as exc:  # said by this group's name, not by the new group's
                raise ValidationFailed({f"group-{group_id}": exc.errors.get("name", [])}) from exc

        return await self._act(request, actor, record_id, rename, N_("Saved."))

    @post("/groups/{group_id:int}/remove")
    async def remove_group(
        self, request: Request, actor: CurrentActor, record_id: PathId, group_id: PathId
    ) -> Template | Redirect:
        cohort = Cohort(actor, None, record_id)
        return await self._act(
            request, actor, record_id, lambda: cohort.remove_group(group_id), N_("Group deleted.")
        )

    @post("/groups/assign")
    async def assign_groups(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        """One select per participant (``group_<id>``), saved at once; an empty choice: no group."""
        data = await request.form()
        assignments = {
            pid: None if not value else int(value) if value.isascii() and value.isdigit() else 0
            for pid, value in numbered(data, "group_").items()
        }  # 0: no such group, refused on its field
        cohort = Cohort(actor, None, record_id)
        return await self._act(
            request, actor, record_id, lambda: cohort.assign(assignments), N_("Groups saved.")
        )

    @post("/groups/balance")
    async def balance_groups(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        cohort = Cohort(actor, None, record_id)
        return await self._act(
            request, actor, record_id, cohort.balance, N_("Participants spread over the groups.")
        )

    # -- self-assessment ------------------------------------------------------------------------

    async def _questions_page(
        self,
        request: Request,
        actor: Actor,
        record_id: int,
        errors: dict[str, list[Message]] | None = None,
        values: dict[str, Any] | None = None,
        status: int = 200,
        error: str | None = None,
        editing: int | None = None,
    ) -> Template:
        _, t, _ = page_parts(request)
        activity = await Cohort(actor, t.locale, record_id).activity()
        assessment = Assessment(actor, record_id)
        answered = await assessment.answered()
        return render(
            request,
            TEMPLATES + "questions.html",
            status=status,
            activity=activity,
            questions=await assessment.questions(),
            errors=_errors(t, errors or {}),
            values=values or {},
            error=error,
            editing=editing,
            answered=answered,
            can_write=assessment.may_write() and not answered and activity.get("archived_at") is None,
        )

    async def _question_write(
        self,
        request: Request,
        actor: Actor,
        record_id: int,
        action: Any,
        values: dict[str, Any],
        editing: int | None = None,
    ) -> Template | Redirect:
        _, t, _ = page_parts(request)
        await Cohort(actor, t.locale, record_id).activity()
        try:
            await action()
        except ValidationFailed as exc:
            return await self._questions_page(
                request, actor, record_id, exc.errors, values, 400, editing=editing
            )
        except Conflict as exc:
            return await self._questions_page(
                request, actor, record_id, None, values, 409, t.message(exc.message)
            )
        return redirect(request, f"{ACTIVITIES}/{record_id}/questions", flash=("success", N_("Saved.")))

    @get("/questions")
    async def questions(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template:
        return await self._questions_page(request, actor, record_id)

    @post("/questions")
    async def add_question(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        values = dict(await request.form())
        assessment = Assessment(actor, record_id)
        return await self._question_write(
            request, actor, record_id, lambda: assessment.add_question(values), values
        )

    @post("/questions/{question_id:int}/edit")
    async def edit_question(
        self, request: Request, actor: CurrentActor, record_id: PathId, question_id: PathId
    ) -> Template | Redirect:
        values = dict(await request.form())
        assessment = Assessment(actor, record_id)
        return await self._question_write(
            request,
            actor,
            record_id,
            lambda: assessment.update_question(question_id, values),
            {},
            question_id,
        )

    @post("/questions/{question_id:int}/remove")
    async def remove_question(
        self, request: Request, actor: CurrentActor, record_id: PathId, question_id: PathId
    ) -> Template | Redirect:
        assessment = Assessment(actor, record_id)
        return await self._question_write(
            request, actor, record_id, lambda: assessment.remove_question(question_id), {}
        )

    async def _answers_page(
        self,
        request: Request,
        actor: Actor,
        record_id: int,
        participant_id: int,
        errors: dict[str, list[Message]] | None = None,
        status: int = 200,
        error: str | None = None,
    ) -> Template:
        _, t, _ = page_parts(request)
        cohort = Cohort(actor, t.locale, record_id)
        activity = await cohort.activity()
        await cohort.participant(participant_id)
        row = next(r for r in await cohort.rows() if r["id"] == participant_id)
        assessment = Assessment(actor, record_id)
        return render(
            request,
            TEMPLATES + "answers.html",
            status=status,
            activity=activity,
            participant=row,
            questions=await assessment.questions(),
            done=await assessment.phases_done(participant_id),
            phases=[(c.value, t.gettext(c.label)) for c in PHASES],
            errors=_errors(t, errors or {}),
            error=error,
            can_write=assessment.may_write(),
        )

    @get("/participants/{participant_id:int}/answers")
    async def answers(
        self, request: Request, actor: CurrentActor, record_id: PathId, participant_id: PathId
    ) -> Template:
        return await self._answers_page(request, actor, record_id, participant_id)

    @post("/participants/{participant_id:int}/answers")
    async def record_answers(
        self, request: Request, actor: CurrentActor, record_id: PathId, participant_id: PathId
    ) -> Template | Redirect:
        """A paper form typed in by a coordinator, for the phase it names."""
        _, t, _ = page_parts(request)
        assessment = Assessment(actor, record_id)
        if not assessment.may_write():
            raise PermissionDenied()
        await Cohort(actor, t.locale, record_id).participant(participant_id)
        data = await request.form()
        answers = {str(qid): value for qid, value in numbered(data, "q_").items()}
        try:
            await assessment.submit(participant_id, str(data.get("phase") or ""), answers, on_behalf=actor)
        except ValidationFailed as exc:
            return await self._answers_page(request, actor, record_id, participant_id, exc.errors, 400)
        except Conflict as exc:
            return await self._answers_page(
                request, actor, record_id, participant_id, None, 409, t.message(exc.message)
            )
        return redirect(request, f"{ACTIVITIES}/{record_id}/participants", flash=("success", N_("Saved.")))


# -- the participant's own page ------------------------------------------------------------------


async def _own_page(
    request: Request,
    participant: dict[str, Any],
    errors: dict[str, list[Message]] | None = None,
    status: int = 200,
    notice: str | None = None,
) -> Template:
    """The activity, its sessions and materials, and the questionnaire the participant is due."""
    _, t, _ = page_parts(request)
    activity = await Activity.select().where(Activity.id == participant["activity"]).first().run()
    if activity is None:
        raise NotFound()
    sessions = in_order(
        await Session.select()
        .where((Session.activity == activity["id"]) & Session.archived_at.is_null())
        .run()
    )
    for one in sessions:
        one["kind_label"] = t.gettext(label_of(SESSION_KINDS, one["kind"]))
        one["materials_list"] = reading_materials(one.get("materials") or "")
    assessment = Assessment(None, activity["id"])
    questions = await assessment.questions()
    done = await assessment.phases_done(participant["id"])
    started = await assessment.started(activity)
    due = None
    if questions:
        if started and POST not in done:
            due = POST
        elif not started and PRE not in done:
            due = PRE
    response = render(
        request,
        TEMPLATES + "participant.html",
        status=status,
        activity=activity,
        materials=reading_materials(activity.get("reading_materials") or ""),
        sessions=sessions,
        questions=questions if due else [],
        due=due,
        done=done,
        errors=_errors(t, errors or {}),
        notice=notice,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@get("/participant/{token:str}", opt=PUBLIC)
async def participant_page(request: Request, token: LinkToken) -> Template:
    participant = await links.participant_by_link(token)
    if participant is None:
        raise NotFound()
    return await _own_page(request, participant)


@post("/participant/{token:str}", opt=PUBLIC)
async def participant_answers(request: Request, token: LinkToken) -> Template:
    """The questionnaire the page offered (``phase``); answered once per phase (409 after)."""
    _, t, _ = page_parts(request)
    participant = await links.participant_by_link(token)
    if participant is None:
        raise NotFound()
    data = await request.form()
    phase = str(data.get("phase") or "")
    assessment = Assessment(None, participant["activity"])
    activity = await Activity.select().where(Activity.id == participant["activity"]).first().run()
    started = await assessment.started(activity or {})
    if phase not in (PRE, POST) or (phase == POST) != started:
        return await _own_page(
            request, participant, {"": [Message(N_("This questionnaire is not open now."))]}, 400
        )
    answers = {str(qid): value for qid, value in numbered(data, "q_").items()}
    try:
        await assessment.submit(participant["id"], phase, answers)
    except ValidationFailed as exc:
        return await _own_page(request, participant, exc.errors, 400)
    except Conflict as exc:
        return await _own_page(request, participant, None, 409, t.message(exc.message))
    return await _own_page(request, participant, notice=t.gettext("Thank you: your answers are saved."))


PAGES = [DeliveryPages, participant_page, participant_answers]
