"""The selection's pages: the review queue of an activity (filters and sorts as a GET form, one
bulk decision form, working without JavaScript), an application's page, the reviewer role's page
for coordinators, and the applicant's own page behind their personal link (public)."""

from __future__ import annotations

from typing import Any

from core.plugin_api import (
    N_,
    PUBLIC,
    SECTORS,
    Actor,
    Conflict,
    Controller,
    CurrentActor,
    Datum,
    LinkToken,
    Message,
    NotFound,
    PathId,
    Redirect,
    Request,
    Template,
    Translator,
    ValidationFailed,
    audit_history,
    get,
    horizontal_bars,
    link_base_url,
    mailer_for,
    page_parts,
    post,
    redirect,
    render,
    require_coordinator,
    require_signed_in,
)
from plugins.engagement.selection import display, mails
from plugins.engagement.selection.display import APPLICATION_STATUSES, DECISIONS
from plugins.engagement.selection.service import Notice, SelectionService, by_link, respond
from plugins.engagement.tables import Activity
from plugins.engagement.vocabulary import GENDERS, label_of

FILTERS = ("status", "eligible", "country", "sector", "gender", "sort")
SORT_CHOICES = (
    ("score", N_("Score")),
    ("submitted_at", N_("Submitted")),
    ("name", N_("Name")),
    ("country", N_("Country")),
)


def queue_path(activity_id: int) -> str:
    return f"/engagement/activities/{activity_id}/applications"


async def notify(request: Request, notices: list[Notice]) -> int:
    """Mail the notices of a committed decision; what could not leave stays marked unsent."""
    if not notices:
        return 0
    return await mails.send(notices, mailer_for(request.app.state.settings), link_base_url(request))


def application_view(t: Translator, application: dict[str, Any]) -> dict[str, Any]:
    """An application with its checks, score parts and labels in the reader's language."""
    return {
        **application,
        "name": " ".join(p for p in (application["first_name"], application["last_name"]) if p),
        "checks": [
            {"passed": c["passed"], "criterion": c["criterion"], "text": display.check_text(t, c)}
            for c in application["eligibility"]
        ],
        "parts": [display.part_text(t, p) for p in display.score_parts(application)],
        "status_label": display.status_label(t, application["status"]),
        "sector_label": display.sector_label(t, application["organization_sector"]),
        "country_shown": (application["organization_country"] or application["country"] or "—"),
        "unsent": application["status"] in mails.SUBJECTS and application["notified_at"] is None,
    }


def bars(t: Translator, counts: dict[str, int], label: Any) -> Any:
    data = [Datum(key, label(key), value) for key, value in sorted(counts.items(), key=lambda kv: -kv[1])]
    return horizontal_bars(data, fmt=t.format_number, rtl=t.direction == "rtl", label_share=0.45)


def panel(t: Translator, figures: dict[str, Any]) -> dict[str, Any]:
    """The selection's figures as the panel shows them: counts by status, and charts of who was
    selected by country, sector and gender."""
    charts = [
        ("countries", N_("Selected by country"), bars(t, figures["countries"], lambda code: code)),
        (
            "sectors",
            N_("Selected by sector"),
            bars(t, figures["sectors"], lambda s: display.sector_label(t, s)),
        ),
        (
            "genders",
            N_("Selected by gender"),
            bars(t, figures["genders"], lambda g: t.gettext(label_of(GENDERS, g))),
        ),
    ]
    return {
        **figures,
        "statuses": [
            (c.value, t.gettext(c.label), figures["by_status"].get(c.value, 0)) for c in APPLICATION_STATUSES
        ],
        "charts": [
            {
                "key": key,
                "title": t.gettext(title),
                "chart": chart,
                "description": "; ".join(
                    t.gettext(N_("{label}: {value}"), label=b.label, value=t.format_number(b.value))
                    for b in chart.bars
                ),
            }
            for key, title, chart in charts
            if not chart.empty
        ],
    }


def parse_applications(values: list[str]) -> tuple[list[int], dict[int, int]]:
    """The ticked boxes, each "id:version", as ids and the versions the reviewer saw."""
    ids, versions = [], {}
    for value in values:
        number, _, version = str(value).partition(":")
        if not (number.isascii() and number.isdigit() and version.isascii() and version.isdigit()):
            raise ValidationFailed({"ids": [Message(N_("Select a valid choice."))]})
        if int(number) >= 2**31:
            raise NotFound()
        ids.append(int(number))
        versions[int(number)] = int(version)
    return ids, versions


class SelectionPages(Controller):
    path = "/"
    guards = [require_signed_in]
    include_in_schema = False

    async def _queue(
        self,
        request: Request,
        actor: Actor,
        record_id: int,
        status: int = 200,
        errors: dict[str, list[str]] | None = None,
        values: dict[str, str] | None = None,
    ) -> Template:
        _, t, _ = page_parts(request)
        service = SelectionService(actor, t.locale)
        activity = await service.activity(record_id)
        chosen = {name: request.query_params.get(name, "") for name in (*FILTERS, "page")}
        filter_errors: list[str] = []
        try:
            page = await service.queue(record_id, **chosen)
        except ValidationFailed as exc:
            status = 400
            filter_errors = [t.message(m) for ms in exc.errors.values() for m in ms]
            page = {"items": [], "total": 0, "page": 1, "pages": 1}
        query = {k: v for k, v in chosen.items() if v and k != "page"}
        return render(
            request,
            "engagement/selection/queue.html",
            status=status,
            activity=activity,
            page=page,
            applications=[application_view(t, a) for a in page["items"]],
            chosen=chosen,
            query=query,
            filter_errors=filter_errors,
            statuses=[(c.value, t.gettext(c.label)) for c in APPLICATION_STATUSES],
            decisions=[(c.value, t.gettext(c.label)) for c in DECISIONS],
            genders=[(c.value, t.gettext(c.label)) for c in GENDERS],
            sectors=[(c.value, t.gettext(c.label)) for c in SECTORS],
            sorts=[(value, t.gettext(label)) for value, label in SORT_CHOICES],
            errors=errors or {},
            values=values or {},
            can_decide=service.may_write(),
            figures=panel(t, await service.figures(activity)),
        )

    @get("/activities/{record_id:int}/applications")
    async def queue(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template:
        """The review queue: who applied, eligible or not and why, their score and its parts."""
        return await self._queue(request, actor, record_id)

    @post("/activities/{record_id:int}/applications/decisions")
    async def decide(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template | Redirect:
        """One decision for every ticked application; errors come back on the queue."""
        _, t, _ = page_parts(request)
        form = await request.form()
        decision, reason = str(form.get("decision", "")), str(form.get("reason", ""))
        service = SelectionService(actor, t.locale)
        try:
            ids, versions = parse_applications(form.getall("application", []))
            notices = await service.decide(record_id, ids, decision, reason, versions)
        except ValidationFailed as exc:
            errors = {name: [t.message(m) for m in ms] for name, ms in exc.errors.items()}
            values = {"decision": decision, "reason": reason}
            return await self._queue(request, actor, record_id, 400, errors, values)
        except Conflict as exc:
            values = {"decision": decision, "reason": reason}
            return await self._queue(
                request, actor, record_id, 409, {"ids": [t.message(exc.message)]}, values
            )
        sent = await notify(request, notices)
        flash = (
            N_("Decision saved.") if sent == len(notices) else N_("Decision saved; some mails were not sent.")
        )
        return redirect(request, queue_path(record_id), flash=("success", flash))

    @get("/activities/{record_id:int}/applications/{application_id:int}")
    async def application(
        self, request: Request, actor: CurrentActor, record_id: PathId, application_id: PathId
    ) -> Template:
        """Everything the applicant submitted, the checks with their reasons, the score's parts and
        how the application's assessment and status changed."""
        _, t, _ = page_parts(request)
        service = SelectionService(actor, t.locale)
        application = await service.get(record_id, application_id)
        history = await audit_history("application", application_id)
        return render(
            request,
            "engagement/selection/application.html",
            activity=await service.activity(record_id),
            a=application_view(t, application),
            answers=display.answers(t, application),
            history=[
                {
                    "at": entry["at"],
                    "action": entry["action"],
                    "who": entry["actor_email"],
                    "status": (entry["after"] or {}).get("status"),
                    "status_label": display.status_label(t, (entry["after"] or {}).get("status") or ""),
                    "score": (entry["after"] or {}).get("score"),
                    "parts": [
                        display.part_text(t, p) for p in (entry["after"] or {}).get("score_parts") or []
                    ],
                    "reason": (entry["after"] or {}).get("decision_reason"),
                }
                for entry in history
            ],
            can_decide=service.may_write(),
        )

    @post("/activities/{record_id:int}/applications/{application_id:int}/resend")
    async def resend(
        self, request: Request, actor: CurrentActor, record_id: PathId, application_id: PathId
    ) -> Redirect:
        """Mail the current decision again (the last send failed)."""
        _, t, _ = page_parts(request)
        notice = await SelectionService(actor, t.locale).resend(record_id, application_id)
        sent = await notify(request, [notice])
        flash = N_("Mail sent.") if sent else N_("The email could not be sent. Try again in a moment.")
        return redirect(request, queue_path(record_id), flash=("success" if sent else "error", flash))

    @get("/reviewers", guards=[require_coordinator])
    async def reviewers(self, request: Request, actor: CurrentActor) -> Template:
        """The members and who among them reviews applications."""
        _, t, _ = page_parts(request)
        return render(
            request,
            "engagement/selection/reviewers.html",
            members=await SelectionService(actor, t.locale).members(),
        )

    @post("/reviewers", guards=[require_coordinator])
    async def grant(self, request: Request, actor: CurrentActor) -> Redirect:
        """Give a member the reviewer role."""
        _, t, _ = page_parts(request)
        member = str((await request.form()).get("member", ""))
        if not (member.isascii() and member.isdigit() and int(member) < 2**31):
            raise NotFound()
        await SelectionService(actor, t.locale).set_reviewer(int(member), True)
        return redirect(request, "/engagement/reviewers", flash=("success", N_("Reviewer role given.")))

    @post("/reviewers/{member_id:int}/revoke", guards=[require_coordinator])
    async def revoke(self, request: Request, actor: CurrentActor, member_id: PathId) -> Redirect:
        """Take the reviewer role back."""
        _, t, _ = page_parts(request)
        await SelectionService(actor, t.locale).set_reviewer(member_id, False)
        return redirect(request, "/engagement/reviewers", flash=("success", N_("Reviewer role taken back.")))


def _no_store(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    return response


async def _respond_page(request: Request, token: str, status: int = 200, **extra: Any) -> Template:
    """The applicant's page as it stands now (after their answer, when there was one)."""
    _, t, _ = page_parts(request)
    application = await by_link(token)
    row = await Activity.select(Activity.title).where(Activity.id == application["activity"]).first().run()
    return _no_store(
        render(
            request,
            "engagement/selection/respond.html",
            status=status,
            token=token,
            title=row["title"] if row else "",
            status_label=display.status_label(t, application["status"]),
            application=application,
            **extra,
        )
    )


class RespondPage(Controller):
    """The applicant's page behind their personal link: no account, the link is the credential.
    A GET changes nothing (mail scanners follow links); only the form's POST does."""

    path = "/my-application"
    include_in_schema = False

    @get("/{token:str}/respond", opt=PUBLIC)
    async def page(self, request: Request, token: LinkToken) -> Template:
        return await _respond_page(request, token)

    @post("/{token:str}/respond", opt=PUBLIC)
    async def answer(self, request: Request, token: LinkToken) -> Template:
        answer = str((await request.form()).get("answer", ""))
        try:
            notices = await respond(token, answer)
        except ValidationFailed as exc:
            _, t, _ = page_parts(request)
            errors = [t.message(m) for ms in exc.errors.values() for m in ms]
            return await _respond_page(request, token, 400, errors=errors)
        await notify(request, notices)
        return await _respond_page(request, token, done=answer)
