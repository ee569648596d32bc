"""My profile (language, password) for every member; the members of the pilot for coordinators.

Rules live in core.accounts.service; these handlers only turn forms into calls and errors into
inline messages in the member's language."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from core.accounts import links, service
from core.accounts.identity import normalize_email
from core.accounts.link_pages import link_mailer
from core.accounts.roles import ROLE_SIDE, Actor
from core.accounts.tables import DISPLAY_NAME_LENGTH
from core.errors import Conflict, DomainError, Message, ValidationFailed
from core.forms import vocabulary
from core.forms.fields import as_id
from core.i18n.markers import N_
from core.web.pages.auth import client_address, throttles
from core.web.pages.display import format_moment
from core.web.pages.forms import FieldView, field_messages, picker_address
from core.web.pages.guards import require_coordinator, require_signed_in
from core.web.pages.render import locale_name, page_parts, redirect, render
from core.web.params import CurrentActor, PathId
from core.web.state import request_context

Errors = dict[str, list[Message]]


def _messages(request: Request, errors: Errors, name: str) -> list[str]:
    return field_messages(page_parts(request)[1], errors, name)


def _flash_for(exc: DomainError) -> tuple[tuple[str, str], dict[str, Any]]:
    """A refused member change as an error flash: the field's own message when there is one."""
    message = exc.message
    if isinstance(exc, ValidationFailed):
        message = next((m for msgs in exc.errors.values() for m in msgs), message)
    return ("error", message.msgid), message.params


# --- My profile ---------------------------------------------------------------------------------


def _language_field(request: Request, value: str, errors: Errors) -> FieldView:
    tenant, t, _ = page_parts(request)
    return FieldView(
        name="locale",
        kind="choice",
        label=t.gettext(N_("Language")),
        help=t.gettext(N_("Pages, messages, dates and numbers are shown in this language.")),
        required=True,
        value=value,
        errors=_messages(request, errors, "locale"),
        choices=[(code, locale_name(code)) for code in tenant.declaration.locales],
    )


async def _profile(
    request: Request, *, errors: Errors | None = None, status: int = 200, feed_url: str = ""
) -> Template:
    from core.meetings.feeds import current_feed

    _, t, _ = page_parts(request)
    ctx = request_context(request.scope)
    user = ctx.user if ctx and ctx.user else {}
    errors = errors or {}
    feed = await current_feed(user["id"]) if user.get("id") else None
    return render(
        request,
        "accounts/profile.html",
        status=status,
        language=_language_field(request, user.get("locale") or t.locale, errors),
        password_errors={
            name: _messages(request, errors, name)
            for name in ("current_password", "new_password", "confirm_password")
        },
        min_length=service.MIN_PASSWORD_LENGTH,
        feed_since=format_moment(t, feed["created_at"]) if feed else "",
        feed_url=feed_url,
        organization=await service.member_organization(user.get("id")),
    )


class ProfilePages(Controller):
    path = "/profile"
    guards = [require_signed_in]
    include_in_schema = False

    @get("/", name="profile")
    async def show(self, request: Request) -> Template:
        return await _profile(request)

    @post("/")
    async def save_language(self, request: Request, actor: CurrentActor) -> Template | Redirect:
        """Remembered for the member, so every page (and every device) follows it."""
        tenant, _, _ = page_parts(request)
        form = await request.form()
        assert actor.user_id is not None
        try:
            await service.set_locale(actor.user_id, str(form.get("locale", "")), tenant.declaration.locales)
        except ValidationFailed as exc:
            return await _profile(request, errors=exc.errors, status=400)
        return redirect(request, "/profile", flash=("success", N_("Your language is saved.")))

    @post("/password")
    async def change_password(self, request: Request, actor: CurrentActor) -> Template | Redirect:
        """Passwords are never sent back to the page, even on error."""
        form = await request.form()
        current, new = str(form.get("current_password", "")), str(form.get("new_password", ""))
        ctx = request_context(request.scope)
        assert actor.user_id is not None
        errors: Errors = {}
        # Guessing the current password from a hijacked session is throttled like sign-in: the
        # attempt counts unless the current password turns out right.
        throttle = throttles(request).sign_in
        keys = {"account": actor.email, "address": client_address(request)}
        if not await throttle.attempt(**keys):
            errors["current_password"] = [
                Message(N_("Too many failed attempts. Wait 15 minutes and try again."))
            ]
            return await _profile(request, errors=errors, status=429)
        if new != str(form.get("confirm_password", "")):
            errors["confirm_password"] = [Message(N_("The two new passwords are not the same."))]
        try:
            if not errors:
                await service.change_password(
                    actor.user_id, current, new, keep_token=ctx.session_token if ctx else None
                )
        except ValidationFailed as exc:
            errors = exc.errors
        if "current_password" not in errors:
            await throttle.release(**keys)
        if errors:
            return await _profile(request, errors=errors, status=400)
        return redirect(
            request,
            "/profile",
            flash=("success", N_("Your password is changed. Your other sessions are signed out.")),
        )

    @post("/calendar")
    async def create_calendar_feed(self, request: Request, actor: CurrentActor) -> Template:
        """A new secret feed URL (the old one stops working), shown on this answer only: only its
        hash is kept."""
        from core.meetings.feed_pages import feed_url
        from core.meetings.feeds import create_feed

        tenant, _, _ = page_parts(request)
        assert actor.user_id is not None
        token = await create_feed(actor, actor.user_id)
        settings = request.app.state.settings
        base = settings.base_url or str(request.base_url).rstrip("/")
        return await _profile(request, feed_url=feed_url(base, tenant.slug, token))

    @post("/calendar/revoke")
    async def revoke_calendar_feed(self, request: Request, actor: CurrentActor) -> Redirect:
        from core.meetings.feeds import revoke_feed

        assert actor.user_id is not None
        await revoke_feed(actor, actor.user_id)
        return redirect(request, "/profile", flash=("success", N_("Your calendar feed is turned off.")))


# --- Members (coordinators) ---------------------------------------------------------------------


def _member_fields(request: Request, values: dict[str, Any], errors: Errors) -> list[FieldView]:
    _, t, _ = page_parts(request)

    def field(name: str, kind: str, label: str, **extra: Any) -> FieldView:
        return FieldView(
            name=name,
            kind=kind,
            label=t.gettext(label),
            help="",
            value=values.get(name, ""),
            errors=_messages(request, errors, name),
            **extra,
        )

    return [
        field("email", "email", N_("Email address"), required=True, max_length=254),
        field("display_name", "text", N_("Name"), required=False, max_length=DISPLAY_NAME_LENGTH),
        field(
            "role",
            "choice",
            N_("Role"),
            required=True,
            choices=[(c.value, t.gettext(c.label)) for c in vocabulary.ROLES],
        ),
    ]


async def _members(
    request: Request,
    actor: Actor,
    *,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    added: dict[str, Any] | None = None,
    handover: links.Mailing | None = None,
    refused: str | None = None,
    status: int = 200,
) -> Template:
    _, t, _ = page_parts(request)
    members = await service.list_members(actor)
    for member in members:
        member["last_seen"] = format_moment(t, member["last_login_at"])
    invitations = await links.pending_invitations(actor)
    for invitation in invitations:
        invitation["sent"] = format_moment(t, invitation["created_at"])
        invitation["until"] = format_moment(t, invitation["expires_at"])
    response = render(
        request,
        "accounts/members.html",
        status=status,
        members=members,
        invitations=invitations,
        fields=_member_fields(request, values or {}, errors or {}),
        roles=[(c.value, t.gettext(c.label)) for c in vocabulary.ROLES],
        organization_pickers=await _organization_pickers(actor, t.locale, members),
        added=added,
        handover=handover,
        refused=refused,
    )
    if added is not None or handover is not None:  # a password or live link must not stay in any cache
        response.headers["Cache-Control"] = "no-store"
    return response


async def _organizations_by_role(actor: Actor, locale: str) -> dict[str, list[tuple[int, str]]]:
    """The organizations a member of each role may be linked to: a participant's side's, or any."""
    from core.organizations.service import OrganizationService
    from core.organizations.tables import Organization

    organizations = OrganizationService(actor, locale)
    every = await organizations.choices()
    by_side = {
        side: await organizations.choices(Organization.side == side) for side in set(ROLE_SIDE.values())
    }
    return {c.value: by_side.get(ROLE_SIDE.get(c.value, ""), every) for c in vocabulary.ROLES}


async def _organization_pickers(
    actor: Actor, locale: str, members: list[dict[str, Any]]
) -> dict[int, FieldView]:
    """Each member's organization as a picker (``organization-<member id>``) over the organizations
    of the member's side; the select under it offers the same (and the organization linked now,
    were it archived or of another side since)."""
    by_role = await _organizations_by_role(actor, locale)
    pickers = {}
    for member in members:
        offered = [(str(i), label) for i, label in by_role.get(member["role"], [])]
        linked = member["organization"]
        if linked is not None and str(linked) not in {value for value, _ in offered}:
            offered.append((str(linked), member["organization_name"]))
        side = ROLE_SIDE.get(member["role"])
        pickers[member["id"]] = FieldView(
            name="organization",
            kind="reference",
            label="",
            help="",
            required=False,
            value="" if linked is None else linked,
            errors=[],
            choices=offered,
            picker=picker_address("organization"),
            picker_params={"side": side} if side else {},
            dom_id=f"organization-{member['id']}",
        )
    return pickers


def _invite_fields(request: Request, values: dict[str, Any], errors: Errors) -> list[FieldView]:
    tenant, _, _ = page_parts(request)
    language = _language_field(request, values.get("locale") or tenant.declaration.default_locale, errors)
    language.help = ""
    return [*_member_fields(request, values, errors), language]


def _invite_form(
    request: Request,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    status: int = 200,
    refused: str | None = None,
) -> Template:
    return render(
        request,
        "accounts/invite.html",
        status=status,
        fields=_invite_fields(request, values or {}, errors or {}),
        refused=refused,
    )


TOO_MANY_INVITATIONS = N_(
    "Too many invitations in the last hour, from you or to this address. Wait an hour and try again."
)


def _invitation_keys(actor: Actor, email: str) -> dict[str, str]:
    """What an invitation is counted against (core.accounts.throttle): who sends it, and to whom."""
    return {"coordinator": str(actor.user_id), "invitee": normalize_email(email)}


async def _after_mailing(
    request: Request, actor: Actor, mailing: links.Mailing, sent: str
) -> Template | Redirect:
    """Where a coordinator lands once an invitation is saved: told it was mailed, shown the link once
    when no mail server is configured, or told the mail failed (the invitation stays pending)."""
    if mailing.status == links.OUTBOX:
        return await _members(request, actor, handover=mailing)
    if mailing.status == links.FAILED:
        failed = N_(
            "The invitation for {email} is saved, but the email could not be sent. "
            "Try “Resend” in a moment, or check the mail settings."
        )
        return redirect(request, "/members", flash=("error", failed), email=mailing.email)
    return redirect(request, "/members", flash=("success", sent), email=mailing.email)


async def _after_change(request: Request, change: Awaitable[dict[str, Any]], done: str) -> Redirect:
    """Back to the members page once ``change`` is made (``done`` names the member's email), or with
    the reason it was refused."""
    try:
        member = await change
    except (ValidationFailed, Conflict) as exc:
        flash, params = _flash_for(exc)
        return redirect(request, "/members", flash=flash, **params)
    return redirect(request, "/members", flash=("success", done), email=member["email"])


class MemberPages(Controller):
    path = "/members"
    guards = [require_coordinator]
    include_in_schema = False

    @get("/", name="members")
    async def list_members(self, request: Request, actor: CurrentActor) -> Template:
        return await _members(request, actor)

    @post("/")
    async def add(self, request: Request, actor: CurrentActor) -> Template:
        """The one-time password is shown on this response only: never in a cookie, a URL or a log."""
        form = await request.form()
        values = {key: str(form.get(key, "")) for key in ("email", "display_name", "role")}
        try:
            added = await service.add_member(actor, values["email"], values["role"], values["display_name"])
        except ValidationFailed as exc:
            return await _members(request, actor, values=values, errors=exc.errors, status=400)
        except Conflict as exc:
            return await _members(request, actor, values=values, errors={"email": [exc.message]}, status=409)
        return await _members(request, actor, added=added)

    @get("/invite", name="invite_member")
    async def invite_form(self, request: Request) -> Template:
        return _invite_form(request)

    @post("/invite")
    async def invite(self, request: Request, actor: CurrentActor) -> Template | Redirect:
        form = await request.form()
        values = {key: str(form.get(key, "")) for key in ("email", "display_name", "role", "locale")}
        mailer = link_mailer(request, links.INVITE)
        throttle, keys = throttles(request).invitation, _invitation_keys(actor, values["email"])
        if not await throttle.attempt(**keys):
            return _invite_form(request, values, status=429, refused=TOO_MANY_INVITATIONS)
        try:
            mailing = await links.invite(actor, mailer, **values)
        except ValidationFailed as exc:
            await throttle.release(**keys)  # nothing was sent
            return _invite_form(request, values, exc.errors, status=400)
        return await _after_mailing(request, actor, mailing, N_("An invitation is sent to {email}."))

    @post("/{member_id:int}/invitation/resend")
    async def resend_invitation(
        self, request: Request, actor: CurrentActor, member_id: PathId
    ) -> Template | Redirect:
        mailer = link_mailer(request, links.INVITE)
        invitee = await service.get_member(actor, member_id)
        if not await throttles(request).invitation.attempt(**_invitation_keys(actor, invitee["email"])):
            return await _members(request, actor, refused=TOO_MANY_INVITATIONS, status=429)
        mailing = await links.resend_invitation(actor, mailer, member_id)
        return await _after_mailing(request, actor, mailing, N_("A new invitation is sent to {email}."))

    @post("/{member_id:int}/invitation/revoke")
    async def revoke_invitation(self, request: Request, actor: CurrentActor, member_id: PathId) -> Redirect:
        member = await links.revoke_invitation(actor, member_id)
        return redirect(
            request,
            "/members",
            flash=("success", N_("The invitation for {email} is withdrawn.")),
            email=member["email"],
        )

    @post("/{member_id:int}/role")
    async def change_role(self, request: Request, actor: CurrentActor, member_id: PathId) -> Redirect:
        role = str((await request.form()).get("role", ""))
        changed = service.change_role(actor, member_id, role)
        return await _after_change(request, changed, N_("The role of {email} is changed."))

    @post("/{member_id:int}/organization")
    async def set_organization(self, request: Request, actor: CurrentActor, member_id: PathId) -> Redirect:
        """Link the member to the organization they work for, or to none (an empty choice)."""
        chosen = str((await request.form()).get("organization", ""))
        changed = service.set_organization(actor, member_id, as_id(chosen) if chosen else None)
        return await _after_change(request, changed, N_("The organization of {email} is saved."))

    @get("/{member_id:int}/deactivate")
    async def confirm_deactivate(self, request: Request, actor: CurrentActor, member_id: PathId) -> Template:
        """Asked before doing it: the member is signed out at once."""
        return render(request, "accounts/deactivate.html", member=await service.get_member(actor, member_id))

    @post("/{member_id:int}/deactivate")
    async def deactivate(self, request: Request, actor: CurrentActor, member_id: PathId) -> Redirect:
        try:
            member = await service.deactivate(actor, member_id)
        except Conflict as exc:
            flash, params = _flash_for(exc)
            return redirect(request, "/members", flash=flash, **params)
        return redirect(
            request, "/members", flash=("success", N_("{email} is deactivated.")), email=member["email"]
        )

    @post("/{member_id:int}/reactivate")
    async def reactivate(self, request: Request, actor: CurrentActor, member_id: PathId) -> Redirect:
        member = await service.reactivate(actor, member_id)
        return redirect(
            request, "/members", flash=("success", N_("{email} is active again.")), email=member["email"]
        )
