"""The public pages of calls for applications, open without an account, under
``/t/{tenant}/engagement``: the open calls, a call's page and form, the thank-you page, and the
applicant's personal page (see, change or withdraw their application). Pages are thin: the rules
are in ``intake``. Each page is in the visitor's language, or the one its link names (``?lang=``),
among the tenant's languages; the form posts without JavaScript, with core's CSRF token."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar.params import PathParameter

from core.plugin_api import (
    N_,
    PUBLIC,
    SECTORS,
    FromQuery,
    MailNotSent,
    PathId,
    Redirect,
    Request,
    Template,
    Translator,
    ValidationFailed,
    field_views,
    get,
    link_base_url,
    mailer_for,
    page_parts,
    parse_submission,
    post,
    redirect,
    render,
    topic_names,
    use_locale,
)
from plugins.engagement.calls import form, intake, mails
from plugins.engagement.calls.intake import INTAKE, CallClosed
from plugins.engagement.fields import country_codes, reading_materials
from plugins.engagement.moments import now
from plugins.engagement.vocabulary import FORMATS, KINDS, LANGUAGES, label_of

log = logging.getLogger("pilot_crm.engagement")
# A personal link's token (43 characters as issued); anything far longer is not worth a lookup.
Token = Annotated[str, PathParameter(max_length=128)]
Lang = FromQuery[str | None]
# An application's status as its applicant reads it.
APPLICATION_STATUSES = {
    "submitted": N_("Submitted"),
    "selected": N_("Selected"),
    "waitlisted": N_("On the waiting list"),
    "rejected": N_("Not selected"),
    "offered": N_("Offered a place"),
    "declined": N_("Place declined"),
    "withdrawn": N_("Withdrawn"),
}


def _no_store(response: Template | Redirect) -> Template | Redirect:
    """Pages holding a personal link or an applicant's answers are never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def facts(t: Translator, activity: dict[str, Any]) -> dict[str, Any]:
    """An activity's public facts with their labels in the page's language."""
    return {
        "kind_label": t.gettext(label_of(KINDS, activity["kind"])),
        "format_label": t.gettext(label_of(FORMATS, activity["format"])),
        "language_labels": [t.gettext(label_of(LANGUAGES, code)) for code in activity["languages"]],
        "sector_labels": [t.gettext(label_of(SECTORS, code)) for code in activity["eligible_sectors"]],
        "countries": country_codes(activity.get("eligible_countries") or ""),
        "materials": reading_materials(activity.get("reading_materials") or ""),
    }


async def form_views(
    request: Request,
    t: Translator,
    activity: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, Any],
) -> dict[str, Any]:
    """The application form's fields by name, as core's form macro renders them."""
    tenant = page_parts(request)[0]
    definition = form.application_form(activity["issue_areas"])
    topics = await topic_names(INTAKE, t)
    countries = form.country_choices(t.locale)
    options = {
        "locale": [(code, t.gettext(label_of(LANGUAGES, code))) for code in tenant.declaration.locales],
        "country": countries,
        "organization_country": countries,
    }
    views = field_views(definition, t, values, errors, options, activity["timezone"])
    for view in views:
        if view.name == "issue_areas":
            view.choices = [(code, topics.get(code, code)) for code, _ in view.choices]
    return {view.name: view for view in views}


async def call_page(
    request: Request,
    activity: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    status: int = 200,
    since: Any = None,
) -> Template:
    t = use_locale(request, (values or {}).get("lang") or request.query_params.get("lang"))
    closed = since if since is not None else intake.closed_since(activity, now())
    shown = values if values is not None else {"language": t.locale}
    fields = None if closed else await form_views(request, t, activity, shown, errors or {})
    return render(
        request,
        "engagement/calls/call.html",
        status=status,
        activity=activity,
        closed=closed,
        fields=fields,
        form_errors=[t.message(m) for m in (errors or {}).get("", [])],
        honeypot=form.HONEYPOT,
        **facts(t, activity),
    )


@get("/calls", opt=PUBLIC, name="engagement-calls")
async def list_calls(request: Request, lang: Lang = None) -> Template:
    t = use_locale(request, lang)
    calls = await intake.open_calls()
    return render(
        request,
        "engagement/calls/list.html",
        calls=[{**call, "kind_label": t.gettext(label_of(KINDS, call["kind"]))} for call in calls],
    )


@get("/calls/{activity_id:int}", opt=PUBLIC)
async def show_call(request: Request, activity_id: PathId, lang: Lang = None) -> Template:
    return await call_page(request, await intake.public_activity(activity_id))


@post("/calls/{activity_id:int}", opt=PUBLIC, request_max_body_size=form.MAX_BODY_BYTES)
async def apply(request: Request, activity_id: PathId) -> Template | Redirect:
    activity = await intake.public_activity(activity_id)
    data = await request.form()
    tenant = page_parts(request)[0]
    lang = data.get("lang") if data.get("lang") in tenant.declaration.locales else ""
    definition = form.application_form(activity["issue_areas"])
    values = parse_submission(definition, data, activity["timezone"])
    shown = {**values, "lang": lang}
    since = intake.closed_since(activity, now())
    if since is not None:
        return await call_page(request, activity, shown, status=409, since=since)
    if data.get(form.HONEYPOT):
        # A bot: answered exactly as a new applicant is, with nothing stored or sent.
        return redirect(request, f"/engagement/calls/{activity_id}/thanks?lang={lang}&updated=0&mailed=1")
    try:
        cleaned = form.clean(definition, values, tenant.declaration.locales)
        done = await intake.submit(activity_id, cleaned)
    except ValidationFailed as exc:
        return await call_page(request, activity, shown, exc.errors, status=400)
    except CallClosed as exc:
        return await call_page(request, activity, shown, status=409, since=exc.since)
    sent = await send_confirmation(request, done, activity)
    query = f"?lang={lang}&updated={int(done.updated)}&mailed={int(sent)}"
    return redirect(request, f"/engagement/calls/{activity_id}/thanks{query}")


async def send_confirmation(request: Request, done: intake.Intake, activity: dict[str, Any]) -> bool:
    """Mail the personal link in the applicant's language; False when it could not leave (the
    application stays stored: submitting it again sends a new link)."""
    application = done.application
    base_url = link_base_url(request)
    if base_url is None:
        log.warning("no trusted public address: the application link of %s was not mailed", application["id"])
        return False
    tenant = page_parts(request)[0]
    t = tenant.translator(application["language"] or tenant.declaration.default_locale)
    link = f"{base_url}/t/{tenant.slug}/engagement/my-application/{done.token}?lang={t.locale}"
    try:
        await mailer_for(request.app.state.settings).send(
            mails.confirmation(t, application, activity, link, done.updated)
        )
    except MailNotSent:
        return False
    return True


@get("/calls/{activity_id:int}/thanks", opt=PUBLIC)
async def thanks(
    request: Request,
    activity_id: PathId,
    lang: Lang = None,
    updated: FromQuery[int] = 0,
    mailed: FromQuery[int] = 1,
) -> Template:
    use_locale(request, lang)
    activity = await intake.public_activity(activity_id)
    return render(
        request, "engagement/calls/thanks.html", activity=activity, updated=bool(updated), mailed=bool(mailed)
    )


@get("/my-application/{token:str}", opt=PUBLIC)
async def my_application(request: Request, token: Token, lang: Lang = None) -> Template | Redirect:
    t = use_locale(request, lang)
    application = await intake.application_by_token(token)
    activity = await intake.public_activity(application["activity"])
    topics = await topic_names(INTAKE, t)
    return _no_store(
        render(
            request,
            "engagement/calls/mine.html",
            application=application,
            activity=activity,
            token=token,
            closed=intake.closed_since(activity, now()),
            changeable=application["status"] in intake.CHANGEABLE,
            status_label=t.gettext(APPLICATION_STATUSES.get(application["status"], application["status"])),
            area_labels=[topics.get(c, c) for c in application["answers"].get("issue_areas", [])],
            **facts(t, activity),
        )
    )


@get("/my-application/{token:str}/edit", opt=PUBLIC)
async def edit_application(request: Request, token: Token, lang: Lang = None) -> Template | Redirect:
    """The call's form, filled with the application as it stands; it posts to the call as a second
    submission with the same email does."""
    application = await intake.application_by_token(token)
    activity = await intake.public_activity(application["activity"])
    values = {
        **application,
        **application["answers"],
        "consent": False,
        "lang": lang or application["language"],
    }
    return _no_store(await call_page(request, activity, values))


@post("/my-application/{token:str}/withdraw", opt=PUBLIC)
async def withdraw(request: Request, token: Token) -> Template | Redirect:
    data = await request.form()
    lang = data.get("lang") if data.get("lang") in page_parts(request)[0].declaration.locales else ""
    use_locale(request, lang)
    page = f"/engagement/my-application/{token}?lang={lang}"
    try:
        await intake.withdraw(token)
    except CallClosed:
        return _no_store(
            redirect(request, page, flash=("error", N_("The call is closed: nothing was changed.")))
        )
    except ValidationFailed:
        refused = N_("This application has been decided on and can no longer be changed.")
        return _no_store(redirect(request, page, flash=("error", refused)))
    return _no_store(redirect(request, page, flash=("success", N_("Your application is withdrawn."))))


CALL_PAGES = [list_calls, show_call, apply, thanks, my_application, edit_application, withdraw]
