"""Single-use links mailed to members: invitations (a coordinator invites someone by email, who then
chooses a password) and password resets (a member who forgot theirs).

A link is a random token in a URL; only its SHA-256 is stored (``AccountLink``). It works once
(``used_at``), until ``expires_at``, and only in its own tenant's database. The account change and
its audit entry are committed before any mail is sent, so a mail that fails leaves a coherent state:
the invitation stays pending and can be re-sent."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.accounts import mails
from core.accounts.identity import normalize_email
from core.accounts.passwords import hash_password
from core.accounts.roles import Actor
from core.accounts.service import actor_for, claim_address, find_user, member_errors, password_problems
from core.accounts.sessions import close_all_sessions
from core.accounts.tables import DISPLAY_NAME_LENGTH, AccountLink, User
from core.accounts.tokens import hash_token
from core.audit import service as audit
from core.errors import Conflict, Message, NotFound, PermissionDenied, ValidationFailed
from core.i18n.markers import N_
from core.mail import Mail, Mailer, MailNotSent
from core.tenancy.context import require_tenant

log = logging.getLogger("pilot_crm.accounts")

INVITE, RESET = "invite", "reset"
PATHS = {INVITE: "invite", RESET: "password/reset"}
SENT, OUTBOX, FAILED = "sent", "outbox", "failed"


@dataclass(frozen=True, slots=True)
class Mailing:
    """Where a link went. ``link`` is for the one case where a person must pass it on: no mail
    server is configured (``OUTBOX``). ``FAILED``: the server refused it; nothing else is undone."""

    email: str
    status: str
    link: str

    @property
    def link_to_hand_over(self) -> str | None:
        return self.link if self.status == OUTBOX else None


@dataclass(frozen=True, slots=True)
class LinkMailer:
    """What sending a link needs besides the member: the mailer, the app's public base URL and how
    long the link lives."""

    mailer: Mailer
    base_url: str | None  # None: no trusted public address is known, so no link can be mailed
    ttl: timedelta


class LinkNotValid(NotFound):
    """Unknown, used, expired or replaced: one answer for all, so a link reveals nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.message = Message(N_("This link is no longer valid."))


def _now() -> datetime:
    return datetime.now(UTC)


async def _issue(user_id: int, purpose: str, ttl: timedelta, created_by: int | None) -> tuple[str, datetime]:
    """A new link for the member; earlier unused links of the same purpose stop working (their
    expiry is moved to now, the rows stay as history). Call inside the caller's transaction."""
    now = _now()
    await (
        AccountLink.update({AccountLink.expires_at: now})
        .where(
            (AccountLink.user == user_id)
            & (AccountLink.purpose == purpose)
            & AccountLink.used_at.is_null()
            & (AccountLink.expires_at > now)
        )
        .run()
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + ttl
    await AccountLink.insert(
        AccountLink(
            user=user_id,
            purpose=purpose,
            token_hash=hash_token(token),
            expires_at=expires_at,
            created_by=created_by,
        )
    ).run()
    return token, expires_at


def _untrusted(email: str) -> Mailing:
    log.error("no link mailed to %s: set PILOT_CRM_BASE_URL (the request's host is not trusted)", email)
    return Mailing(email, FAILED, "")


async def _mail(mailer: Mailer, mail: Mail, link: str) -> Mailing:
    try:
        delivery = await mailer.send(mail)
    except MailNotSent:
        return Mailing(mail.to, FAILED, link)
    return Mailing(mail.to, SENT if delivery.sent else OUTBOX, link)


def _url(base_url: str, purpose: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/t/{require_tenant().slug}/{PATHS[purpose]}/{token}"


# --- Invitations ---------------------------------------------------------------------------------


def _pending(user: dict[str, Any]) -> bool:
    """Invited and not yet accepted: no password was ever chosen."""
    return not user["active"] and not user["password_hash"]


async def invite(
    actor: Actor, links: LinkMailer, *, email: str, display_name: str, role: str, locale: str
) -> Mailing:
    """Create the member, unable to sign in until they accept, and mail them the invitation."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    email = normalize_email(email)
    errors = member_errors(email, role)
    if locale not in require_tenant().declaration.locales:
        errors["locale"] = [Message(N_("Select a valid choice."))]
    if errors:
        raise ValidationFailed(errors)
    member = {"email": email, "display_name": display_name.strip(), "role": role, "locale": locale}
    async with User._meta.db.transaction():
        try:
            await claim_address(email)
        except Conflict as exc:  # on the invitation form, a field error like any other
            raise ValidationFailed({"email": [exc.message]}) from None
        invitee = User(
            email=email, display_name=member["display_name"], role=role, locale=locale, password_hash=""
        )
        invitee.active = False
        rows = await User.insert(invitee).returning(User.id).run()
        user_id = rows[0]["id"]
        token, expires_at = await _issue(user_id, INVITE, links.ttl, actor.user_id)
        await audit.record(actor, "member", user_id, "invite", None, {**member, "active": False})
    return await _send_invitation(actor, links, {"id": user_id, **member}, token, expires_at)


async def _send_invitation(
    actor: Actor, links: LinkMailer, member: dict[str, Any], token: str, expires_at: datetime
) -> Mailing:
    if links.base_url is None:
        return _untrusted(member["email"])
    link = _url(links.base_url, INVITE, token)
    inviter = actor.email if actor.user_id is not None else None
    mail = mails.invitation(require_tenant(), member, inviter, link, expires_at)
    return await _mail(links.mailer, mail, link)


async def _pending_member(user_id: int) -> dict[str, Any]:
    user = await User.select().where(User.id == user_id).first().run()
    if user is None or not _pending(user):
        raise NotFound()
    return user


async def resend_invitation(actor: Actor, links: LinkMailer, user_id: int) -> Mailing:
    """A new link, mailed again; the previous one stops working."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    member = await _pending_member(user_id)
    async with User._meta.db.transaction():
        token, expires_at = await _issue(user_id, INVITE, links.ttl, actor.user_id)
        await audit.record(actor, "member", user_id, "invite_resend", None, {"email": member["email"]})
    return await _send_invitation(actor, links, member, token, expires_at)


async def revoke_invitation(actor: Actor, user_id: int) -> dict[str, Any]:
    """Withdraw an invitation: its links and the never-used account go, so the address can be
    invited again later. Returns the member as it was."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    member = await _pending_member(user_id)
    async with User._meta.db.transaction():
        await AccountLink.delete().where(AccountLink.user == user_id).run()
        await User.delete().where(User.id == user_id).run()
        before = {key: member[key] for key in ("email", "display_name", "role")}
        await audit.record(actor, "member", user_id, "invite_revoke", before, None)
    return member


async def pending_invitations(actor: Actor) -> list[dict[str, Any]]:
    """Invitations not yet accepted, newest first, each with its latest link's dates and whether
    that link has expired (an expired one can still be re-sent)."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    rows = (
        await AccountLink.select(
            AccountLink.user.id.as_alias("id"),
            AccountLink.user.email.as_alias("email"),
            AccountLink.user.display_name.as_alias("display_name"),
            AccountLink.user.role.as_alias("role"),
            AccountLink.created_at,
            AccountLink.expires_at,
        )
        .where(
            (AccountLink.purpose == INVITE)
            & AccountLink.used_at.is_null()
            & (AccountLink.user.active == False)  # noqa: E712 - a SQL comparison
            & (AccountLink.user.password_hash == "")
        )
        .order_by(AccountLink.id, ascending=False)
        .run()
    )
    latest: dict[int, dict[str, Any]] = {}
    now = _now()
    for row in rows:
        if row["id"] not in latest:
            latest[row["id"]] = {**row, "expired": row["expires_at"] <= now}
    return list(latest.values())


# --- Following a link ----------------------------------------------------------------------------


async def _valid_link(purpose: str, token: str) -> dict[str, Any]:
    """The link and its member, if the link can still be used; else LinkNotValid."""
    row = (
        await AccountLink.select(
            AccountLink.id,
            AccountLink.expires_at,
            AccountLink.user.id.as_alias("user_id"),
            AccountLink.user.email.as_alias("email"),
            AccountLink.user.display_name.as_alias("display_name"),
            AccountLink.user.role.as_alias("role"),
            AccountLink.user.active.as_alias("active"),
            AccountLink.user.password_hash.as_alias("password_hash"),
        )
        .where(
            (AccountLink.token_hash == hash_token(token))
            & (AccountLink.purpose == purpose)
            & AccountLink.used_at.is_null()
            & (AccountLink.expires_at > _now())
        )
        .first()
        .run()
    )
    if row is None:
        raise LinkNotValid()
    # An invitation only for someone who never chose a password; a reset only for an active member.
    if (purpose == INVITE and not _pending(row)) or (purpose == RESET and not row["active"]):
        raise LinkNotValid()
    return row


async def link_member(purpose: str, token: str) -> dict[str, Any]:
    """Who a still-valid link is for (``email``, ``display_name``): shown on the link's page. Reading
    it does not spend it: only the form's POST does (mail scanners follow links with GET)."""
    row = await _valid_link(purpose, token)
    return {"email": row["email"], "display_name": row["display_name"]}


def _check_password(password: str, confirm: str) -> dict[str, list[Message]]:
    errors: dict[str, list[Message]] = {}
    if problems := password_problems(password):
        errors["password"] = problems
    elif password != confirm:
        errors["confirm_password"] = [Message(N_("The two passwords are not the same."))]
    return errors


async def _spend(link_id: int) -> None:
    """Mark the link used; a link spent meanwhile (a double submit) is refused."""
    spent = (
        await AccountLink.update({AccountLink.used_at: _now()})
        .where((AccountLink.id == link_id) & AccountLink.used_at.is_null())
        .returning(AccountLink.id)
        .run()
    )
    if not spent:
        raise LinkNotValid()


async def accept_invitation(token: str, display_name: str, password: str, confirm: str) -> dict[str, Any]:
    """The invitee chooses their name and password: the account becomes active. Returns the member."""
    link = await _valid_link(INVITE, token)
    errors = _check_password(password, confirm)
    name = display_name.strip() or link["display_name"]
    longest = DISPLAY_NAME_LENGTH
    if len(name) > longest:  # refused with the limit, never cut
        errors["display_name"] = [Message(N_("Enter at most {max} characters."), {"max": longest})]
    if errors:
        raise ValidationFailed(errors)
    user_id = link["user_id"]
    async with User._meta.db.transaction():
        await _spend(link["id"])
        await (
            User.update(
                {User.password_hash: hash_password(password), User.active: True, User.display_name: name}
            )
            .where(User.id == user_id)
            .run()
        )
        member = {"id": user_id, "email": link["email"], "role": link["role"]}
        await audit.record(actor_for(member), "member", user_id, "invite_accept", None, {"active": True})
    return member


# --- Password reset ------------------------------------------------------------------------------


async def request_reset(links: LinkMailer, email: str) -> None:
    """Mail a reset link to the active member with this address. Says nothing either way, not even
    when the mail fails (that would tell who has an account): failures are logged."""
    user = await find_user(email)
    if user is None or not user["active"]:
        return
    if links.base_url is None:
        _untrusted(user["email"])
        return
    async with User._meta.db.transaction():
        token, expires_at = await _issue(user["id"], RESET, links.ttl, None)
        await audit.record(actor_for(user), "member", user["id"], "reset_request", None, None)
    link = _url(links.base_url, RESET, token)
    mailing = await _mail(links.mailer, mails.password_reset(require_tenant(), user, link, expires_at), link)
    if mailing.status == FAILED:
        log.error("password reset link for member %s could not be mailed", user["id"])


async def reset_password(token: str, password: str, confirm: str) -> dict[str, Any]:
    """Set the new password: the link is spent and every session of the member ends (whoever may
    have had the old password is signed out). Returns the member."""
    link = await _valid_link(RESET, token)
    errors = _check_password(password, confirm)
    if errors:
        raise ValidationFailed(errors)
    user_id = link["user_id"]
    async with User._meta.db.transaction():
        await _spend(link["id"])
        await User.update({User.password_hash: hash_password(password)}).where(User.id == user_id).run()
        await close_all_sessions(user_id)
        member = {"id": user_id, "email": link["email"], "role": link["role"]}
        await audit.record(actor_for(member), "member", user_id, "password_reset", None, None)
    return member
