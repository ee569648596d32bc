"""The pages behind mailed links, open without signing in: accept an invitation, ask for a password
reset, choose a new password. Rules live in core.accounts.links.

Token pages are never cached (``Cache-Control: no-store``), and a token is only spent by the form's
POST: mail scanners that follow links with GET must not use them up."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.response import Redirect, Template

from core.accounts import links
from core.accounts.identity import normalize_email
from core.accounts.service import MIN_PASSWORD_LENGTH
from core.errors import Message, ValidationFailed
from core.i18n.markers import N_
from core.mail import mailer_for
from core.web.pages.auth import client_address, start_session, throttles
from core.web.pages.forms import field_messages
from core.web.pages.render import page_parts, render
from core.web.params import LinkToken

Errors = dict[str, list[Message]]


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def link_base_url(request: Request) -> str | None:
    """Where mailed links point: PILOT_CRM_BASE_URL, else the address this request came to, but only
    when that host is one the tenant declares (``hosts``) or the local machine. The Host header is
    the client's to choose: trusting any value would let someone ask for a reset link to a victim's
    account that points at their own server (and receive the victim's token when it is clicked)."""
    settings = request.app.state.settings
    if settings.base_url:
        return settings.base_url
    host = (request.url.hostname or "").strip("[]").lower()
    tenant = page_parts(request)[0]
    if host in LOOPBACK_HOSTS or host in tenant.declaration.hosts:
        return str(request.base_url).rstrip("/")
    return None


def link_mailer(request: Request, purpose: str) -> links.LinkMailer:
    """How this request mails a link for ``purpose`` (links.INVITE or links.RESET)."""
    settings = request.app.state.settings
    ttl = settings.invite_ttl if purpose == links.INVITE else settings.reset_ttl
    return links.LinkMailer(mailer_for(settings), link_base_url(request), ttl)


def _no_store(response: Template | Redirect) -> Template | Redirect:
    response.headers["Cache-Control"] = "no-store"
    return response


def _translated(request: Request, errors: Errors) -> dict[str, list[str]]:
    t = page_parts(request)[1]
    return {name: field_messages(t, errors, name) for name in errors}


def _invalid(request: Request) -> Template | Redirect:
    return _no_store(render(request, "auth/link_invalid.html", status=404))


# --- Invitation ----------------------------------------------------------------------------------


def _accept_page(
    request: Request, token: str, member: dict, name: str, errors: Errors, status: int = 200
) -> Template | Redirect:
    return _no_store(
        render(
            request,
            "auth/accept_invite.html",
            status=status,
            token=token,
            member=member,
            name=name,
            errors=_translated(request, errors),
            min_length=MIN_PASSWORD_LENGTH,
        )
    )


@get("/invite/{token:str}", name="accept_invite")
async def accept_invite_page(request: Request, token: LinkToken) -> Template | Redirect:
    try:
        member = await links.link_member(links.INVITE, token)
    except links.LinkNotValid:
        return _invalid(request)
    return _accept_page(request, token, member, member["display_name"], {})


@post("/invite/{token:str}")
async def accept_invite(request: Request, token: LinkToken) -> Template | Redirect:
    form = await request.form()
    name = str(form.get("display_name", ""))
    try:
        member = await links.accept_invitation(
            token, name, str(form.get("password", "")), str(form.get("confirm_password", ""))
        )
    except links.LinkNotValid:
        return _invalid(request)
    except ValidationFailed as exc:
        holder = await links.link_member(links.INVITE, token)
        return _accept_page(request, token, holder, name, exc.errors, status=400)
    flash = ("success", N_("Welcome! Your account is ready."))
    return _no_store(await start_session(request, member["id"], "/", flash))


# --- Password reset ------------------------------------------------------------------------------


@get("/password/forgot", name="forgot_password")
async def forgot_page(request: Request) -> Template:
    return render(request, "auth/forgot.html", email="", sent=False, error=None)


@post("/password/forgot")
async def forgot(request: Request) -> Template:
    """The same answer whether or not the address has an account; the link is looked up and mailed
    after the response is sent, so the answer's timing does not tell either."""
    form = await request.form()
    email = normalize_email(str(form.get("email", "")))
    if not await throttles(request).reset_request.attempt(account=email, address=client_address(request)):
        error = N_("Too many requests for this address. Wait an hour and try again.")
        return render(request, "auth/forgot.html", status=429, email=email, sent=False, error=error)
    response = render(request, "auth/forgot.html", email="", sent=True, error=None)
    mailer = link_mailer(request, links.RESET)
    response.background = BackgroundTask(links.request_reset, mailer, email)
    return response


def _reset_page(request: Request, token: str, errors: Errors, status: int = 200) -> Template | Redirect:
    return _no_store(
        render(
            request,
            "auth/reset.html",
            status=status,
            token=token,
            errors=_translated(request, errors),
            min_length=MIN_PASSWORD_LENGTH,
        )
    )


@get("/password/reset/{token:str}", name="reset_password")
async def reset_page(request: Request, token: LinkToken) -> Template | Redirect:
    try:
        await links.link_member(links.RESET, token)
    except links.LinkNotValid:
        return _invalid(request)
    return _reset_page(request, token, {})


@post("/password/reset/{token:str}")
async def reset(request: Request, token: LinkToken) -> Template | Redirect:
    """Every session of the member ends and their sign-in lockout is lifted; then this browser is
    signed in with the new password."""
    form = await request.form()
    try:
        member = await links.reset_password(
            token, str(form.get("password", "")), str(form.get("confirm_password", ""))
        )
    except links.LinkNotValid:
        return _invalid(request)
    except ValidationFailed as exc:
        return _reset_page(request, token, exc.errors, status=400)
    await throttles(request).sign_in.clear(account=member["email"])
    flash = ("success", N_("Your new password is set. Your other sessions are signed out."))
    return _no_store(await start_session(request, member["id"], "/", flash))
