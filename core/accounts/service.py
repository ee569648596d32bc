"""Members of a tenant: create, find, issue and resolve API tokens; a member's own profile (language,
password); coordinators add members, change roles, deactivate and reactivate them (audited)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from core.accounts.identity import has_invisible, normalize_email, skeleton
from core.accounts.passwords import hash_password, verify_password
from core.accounts.roles import ROLE_SIDE, ROLES, Actor
from core.accounts.sessions import close_all_sessions
from core.accounts.tables import ApiToken, User, member_columns
from core.accounts.tokens import SCOPES, WRITE_SCOPE, hash_token, new_token
from core.audit import service as audit
from core.db.freeze import unless_frozen
from core.db.locks import transaction_lock
from core.db.prepared import Prepared, as_datetime
from core.errors import Conflict, Message, NotFound, PermissionDenied, ValidationFailed
from core.forms.fields import EMAIL_RE
from core.forms.vocabulary import GOVERNMENT, NON_GOVERNMENTAL
from core.i18n.markers import N_
from core.organizations.tables import Organization

MIN_PASSWORD_LENGTH = 10
MAX_EMAIL_LENGTH = 254  # the column's length, and the most an address can be (RFC 5321)


def actor_for(user: dict[str, Any]) -> Actor:
    return Actor(user_id=user["id"], email=user["email"], role=user["role"])


async def create_user(
    email: str, role: str, password: str, display_name: str = "", locale: str | None = None
) -> dict[str, Any]:
    email = normalize_email(email)
    errors = member_errors(email, role)
    if problems := password_problems(password):
        errors["password"] = problems
    if errors:
        raise ValidationFailed(errors)
    password_hash = hash_password(password)  # slow on purpose: not while holding the address lock
    async with User._meta.db.transaction():
        await claim_address(email)
        rows = (
            await User.insert(
                User(
                    email=email,
                    role=role,
                    password_hash=password_hash,
                    display_name=display_name,
                    locale=locale,
                )
            )
            .returning(User.id)
            .run()
        )
    return {"id": rows[0]["id"], "email": email, "role": role}


def member_errors(email: str, role: str) -> dict[str, list[Message]]:
    """What is wrong with a new member's (normalized) email address and role."""
    errors: dict[str, list[Message]] = {}
    if has_invisible(email):
        errors["email"] = [Message(N_("Remove the invisible or control characters from the address."))]
    elif not EMAIL_RE.match(email) or len(email) > MAX_EMAIL_LENGTH:
        errors["email"] = [Message(N_("Enter a valid email address."))]
    if role not in ROLES:
        errors["role"] = [Message(N_("Select a valid choice."))]
    return errors


# Any constant: each tenant has its own database, so this is one lock per tenant (core.db.locks).
ADDRESS_LOCK_KEY = 7_202_611_231


async def claim_address(email: str) -> None:
    """Refuse a (normalized) address that is already a member's (Conflict) or that looks like one
    (the same UTS #39 confusable skeleton: a field error naming that member's address; only
    coordinators and operators add members, and they see the members list anyway).

    Compared in Python against every member of the tenant, invitees and deactivated members
    included: a pilot has tens or hundreds of members and members are added rarely, while a stored
    skeleton column would go stale whenever Unicode's confusables data is updated. Call inside the
    transaction that inserts the member: the lock keeps two look-alike addresses added at the same
    moment (by two processes) from both passing."""
    await transaction_lock(User, ADDRESS_LOCK_KEY)
    target = skeleton(email)
    existing = [normalize_email(row["email"]) for row in await User.select(User.email).run()]
    if email in existing:
        raise Conflict(N_("A member with this email address already exists."))
    alike = next((other for other in existing if skeleton(other) == target), None)
    if alike is not None:
        message = N_("This address looks like the address of another member ({email}). Check it.")
        raise ValidationFailed({"email": [Message(message, {"email": alike})]})


def password_problems(password: str) -> list[Message]:
    """The rules a new password must meet, wherever it is chosen (profile, invitation, reset)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [Message(N_("Use at least {n} characters."), {"n": MIN_PASSWORD_LENGTH})]
    return []


async def find_user(email: str) -> dict[str, Any] | None:
    return await User.select().where(User.email == normalize_email(email)).first().run()


async def issue_token(
    user_id: int, name: str = "", scope: str = WRITE_SCOPE, expires_at: datetime | None = None
) -> str:
    """A new token for the member; returned once, stored only hashed. ``expires_at`` None: never."""
    if scope not in SCOPES:
        raise ValidationFailed({"scope": [Message(N_("Select a valid choice."))]})
    token = new_token()
    await ApiToken.insert(
        ApiToken(user=user_id, token_hash=hash_token(token), name=name, scope=scope, expires_at=expires_at)
    ).run()
    return token


def _token_query(token_hash: str, now: datetime) -> Any:
    return (
        ApiToken.select(
            *member_columns(ApiToken.user),
            ApiToken.id.as_alias("token_id"),
            ApiToken.scope.as_alias("token_scope"),
            ApiToken.last_used_at.as_alias("token_last_used_at"),
        )
        .where(
            (ApiToken.token_hash == token_hash)
            & ApiToken.revoked_at.is_null()
            & (ApiToken.expires_at.is_null() | (ApiToken.expires_at > now))
        )
        .limit(1)
    )


# Run on every API request: compiled once, replayed (see core.db.prepared).
_TOKEN_QUERY = Prepared(ApiToken, _token_query, 2)

# last_used_at is informative (which tokens are still in use), not an access log: writing it on every
# request would turn each read into a write, so it moves at most once per this interval.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def _now() -> datetime:
    """The clock tokens are checked against (one seam, so expiry can be tested without waiting)."""
    return datetime.now(UTC)


async def user_for_token(token: str) -> dict[str, Any] | None:
    """The active member holding this token (not revoked, not expired) in the tenant in context, or
    None. The row carries ``token_scope``; ``last_used_at`` is refreshed when older than a minute."""
    now = _now()
    rows = await _TOKEN_QUERY.rows(hash_token(token), now)
    if not rows or not rows[0]["active"]:
        return None
    user = rows[0]
    last_used = as_datetime(user["token_last_used_at"])
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        async with unless_frozen():  # a moving tenant is read-only, and still readable
            await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == user["token_id"]).run()
    return user


async def list_tokens(email: str | None = None) -> list[dict[str, Any]]:
    """Every token of the tenant in context (or of one member), newest first: metadata only, never
    the token or its hash."""
    query = ApiToken.select(
        ApiToken.id,
        ApiToken.user.email.as_alias("email"),
        ApiToken.name,
        ApiToken.scope,
        ApiToken.created_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
    ).order_by(ApiToken.id, ascending=False)
    if email is not None:
        query = query.where(ApiToken.user.email == normalize_email(email))
    return await query.run()


async def revoke_token(actor: Actor, token_id: int) -> None:
    """Revoke one token; revoking a revoked token changes nothing. NotFound if unknown. Audited on
    the member who holds it (action ``token_revoke``), where a coordinator looks for their access."""
    token = (
        await ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.name, ApiToken.revoked_at)
        .where(ApiToken.id == token_id)
        .first()
        .run()
    )
    if token is None:
        raise NotFound()
    if token["revoked_at"] is not None:
        return
    async with ApiToken._meta.db.transaction():
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(ApiToken.id == token_id).run()
        after = {"token_id": token_id, "name": token["name"]}
        await audit.record(actor, "member", token["user"], "token_revoke", None, after)


async def _revoke_all_tokens(user_id: int) -> int:
    """Revoke every live token of a member; how many. Call inside the caller's transaction."""
    live = ApiToken.revoked_at.is_null() & (ApiToken.user == user_id)
    count = await ApiToken.count().where(live).run()
    if count:
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(live).run()
    return count


# --- Profile and member management -------------------------------------------------------------
# Audit entries never carry password hashes: only the fields a coordinator may see and change.

MEMBER_FIELDS = ("email", "display_name", "role", "active", "organization")


def _member_view(user: dict[str, Any]) -> dict[str, Any]:
    return {key: user[key] for key in MEMBER_FIELDS}


async def _user(user_id: int) -> dict[str, Any]:
    user = await User.select().where(User.id == user_id).first().run()
    if user is None:
        raise NotFound()
    return user


def _require_coordinator(actor: Actor) -> None:
    if not actor.is_coordinator:
        raise PermissionDenied()


async def change_password(user_id: int, current: str, new: str, keep_token: str | None = None) -> None:
    """A member changes their own password. Every other session of theirs ends (a stolen session
    should not outlive the password change); the one with cookie token ``keep_token`` stays."""
    user = await _user(user_id)
    errors: dict[str, list[Message]] = {}
    if not verify_password(user["password_hash"], current):
        errors["current_password"] = [Message(N_("The current password is not correct."))]
    if problems := password_problems(new):
        errors["new_password"] = problems
    elif new == current:
        errors["new_password"] = [Message(N_("Choose a password different from the current one."))]
    if errors:
        raise ValidationFailed(errors)
    async with User._meta.db.transaction():
        await User.update({User.password_hash: hash_password(new)}).where(User.id == user_id).run()
        await close_all_sessions(user_id, keep_token=keep_token)
        await audit.record(actor_for(user), "member", user_id, "password", None, None)


async def set_password(actor: Actor, user_id: int, password: str) -> None:
    """Set a member's password for them (an operator resetting the demo accounts): every session
    of theirs ends, as after a reset by mailed link, and the change is audited as ``actor``'s."""
    if problems := password_problems(password):
        raise ValidationFailed({"password": problems})
    password_hash = hash_password(password)
    async with User._meta.db.transaction():
        await User.update({User.password_hash: password_hash}).where(User.id == user_id).run()
        await close_all_sessions(user_id)
        await audit.record(actor, "member", user_id, "password", None, None)


async def set_locale(user_id: int, locale: str | None, allowed: tuple[str, ...] | list[str]) -> None:
    """A member's interface language, one of the tenant's ``allowed`` locales; empty means "follow
    the browser"."""
    chosen = locale or None
    if chosen is not None and chosen not in allowed:
        raise ValidationFailed({"locale": [Message(N_("Select a valid choice."))]})
    user = await _user(user_id)
    if user["locale"] == chosen:
        return
    async with User._meta.db.transaction():
        await User.update({User.locale: chosen}).where(User.id == user_id).run()
        await audit.record(
            actor_for(user), "member", user_id, "locale", {"locale": user["locale"]}, {"locale": chosen}
        )


async def list_members(actor: Actor) -> list[dict[str, Any]]:
    """Every member of the tenant in context, by email (coordinators only: emails are personal data)."""
    _require_coordinator(actor)
    return (
        await User.select(
            User.id,
            User.email,
            User.display_name,
            User.role,
            User.locale,
            User.active,
            User.created_at,
            User.last_login_at,
            User.organization,
            User.organization.name.as_alias("organization_name"),
        )
        .where(User.active.eq(True) | (User.password_hash != ""))  # invitees are listed apart
        .order_by(User.email)
        .run()
    )


async def get_member(actor: Actor, user_id: int) -> dict[str, Any]:
    _require_coordinator(actor)
    user = await _user(user_id)
    return {"id": user["id"], **_member_view(user), "last_login_at": user["last_login_at"]}


async def add_member(actor: Actor, email: str, role: str, display_name: str = "") -> dict[str, Any]:
    """Create a member with a one-time password that the coordinator hands over (the member then
    changes it on their profile). Returns the member with that ``password``; it is stored only hashed."""
    _require_coordinator(actor)
    password = secrets.token_urlsafe(12)
    async with User._meta.db.transaction():
        created = await create_user(email, role, password, display_name.strip())
        member = _member_view(await _user(created["id"]))
        await audit.record(actor, "member", created["id"], "create", None, member)
    return {"id": created["id"], **member, "password": password}


async def _change_member(
    actor: Actor,
    user_id: int,
    changes: dict[str, Any],
    action: str,
    *,
    close_sessions: bool = False,
    revoke_tokens: bool = False,
) -> dict[str, Any]:
    """Apply ``changes`` to another member, audited with only the fields that change. With
    ``revoke_tokens`` their API tokens are revoked in the same transaction and the audit entry says
    how many (``tokens_revoked``)."""
    user = await _user(user_id)
    before = {key: user[key] for key in changes}
    if before == changes:
        return _member_view(user)
    columns = {getattr(User, key): value for key, value in changes.items()}
    async with User._meta.db.transaction():
        await User.update(columns).where(User.id == user_id).run()
        if close_sessions:
            await close_all_sessions(user_id)
        after = dict(changes)
        if revoke_tokens:
            after["tokens_revoked"] = await _revoke_all_tokens(user_id)
        await audit.record(actor, "member", user_id, action, before, after)
    return {**_member_view(user), **changes}


async def change_role(actor: Actor, user_id: int, role: str) -> dict[str, Any]:
    """A new role; a link to an organization of the other side than the new role's is undone with it
    (a government participant does not work for an NGO)."""
    _require_coordinator(actor)
    if role not in ROLES:
        raise ValidationFailed({"role": [Message(N_("Select a valid choice."))]})
    if user_id == actor.user_id:
        raise Conflict(N_("You cannot change your own role. Ask another coordinator."))
    changes: dict[str, Any] = {"role": role}
    user = await _user(user_id)
    if user["organization"] is not None and ROLE_SIDE.get(role):
        side = await _organization_side(user["organization"])
        if side != ROLE_SIDE[role]:
            changes["organization"] = None
    return await _change_member(actor, user_id, changes, "role")


async def _organization_side(organization_id: int) -> str | None:
    """The side of a live organization; None when there is none of this id (or it is archived)."""
    row = (
        await Organization.select(Organization.side)
        .where((Organization.id == organization_id) & Organization.archived_at.is_null())
        .first()
        .run()
    )
    return row["side"] if row else None


# What a participant's organization of the other side is answered with, by the participant's side.
WRONG_SIDE_ORGANIZATION = {
    GOVERNMENT: N_("Choose a government organization for a government participant."),
    NON_GOVERNMENTAL: N_("Choose a non-governmental organization for a non-governmental participant."),
}


async def set_organization(actor: Actor, user_id: int, organization_id: int | None) -> dict[str, Any]:
    """Link a member to the organization they work for (None: to none). A participant's organization
    is one of their side's; coordinators and observers may be linked to any. Audited."""
    _require_coordinator(actor)
    user = await _user(user_id)
    if organization_id is not None:
        side = await _organization_side(organization_id)
        if side is None:
            raise ValidationFailed({"organization": [Message(N_("This record does not exist."))]})
        wanted = ROLE_SIDE.get(user["role"])
        if wanted and side != wanted:
            raise ValidationFailed({"organization": [Message(WRONG_SIDE_ORGANIZATION[wanted])]})
    return await _change_member(actor, user_id, {"organization": organization_id}, "organization")


async def member_organization(user_id: int | None) -> dict[str, Any] | None:
    """The organization a member is linked to (``id``, ``name``), if any (archived ones too)."""
    if user_id is None:
        return None
    row = (
        await User.select(User.organization.id.as_alias("id"), User.organization.name.as_alias("name"))
        .where((User.id == user_id) & User.organization.is_not_null())
        .first()
        .run()
    )
    return row


async def deactivate(actor: Actor, user_id: int) -> dict[str, Any]:
    """The member can no longer sign in or use the API; their open sessions end at once and their API
    tokens are revoked for good (reactivation does not bring them back: new ones must be issued)."""
    _require_coordinator(actor)
    if user_id == actor.user_id:
        raise Conflict(N_("You cannot deactivate your own account. Ask another coordinator."))
    return await _change_member(
        actor, user_id, {"active": False}, "deactivate", close_sessions=True, revoke_tokens=True
    )


async def reactivate(actor: Actor, user_id: int) -> dict[str, Any]:
    _require_coordinator(actor)
    return await _change_member(actor, user_id, {"active": True}, "reactivate")
