"""Members of a tenant: create, find, issue and resolve API tokens; a member's own profile (language,
password); coordinators add members, change roles, deactivate and reactivate them (audited)."""

from __future__ import annotations

import secrets
from typing import Any

from core.accounts.passwords import hash_password, verify_password
from core.accounts.roles import ROLES, Actor
from core.accounts.sessions import close_all_sessions
from core.accounts.tables import ApiToken, User
from core.accounts.tokens import hash_token, new_token
from core.audit import service as audit
from core.db.prepared import Prepared
from core.errors import Conflict, Message, NotFound, PermissionDenied, ValidationFailed
from core.forms.fields import EMAIL_RE
from core.i18n.markers import N_

MIN_PASSWORD_LENGTH = 10


def actor_for(user: dict[str, Any]) -> Actor:
    return Actor(user_id=user["id"], email=user["email"], role=user["role"])


async def create_user(
    email: str, role: str, password: str, display_name: str = "", locale: str | None = None
) -> dict[str, Any]:
    email = email.strip().lower()
    errors: dict[str, list[Message]] = {}
    if not EMAIL_RE.match(email):
        errors["email"] = [Message(N_("Enter a valid email address."))]
    if role not in ROLES:
        errors["role"] = [Message(N_("Select a valid choice."))]
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [Message(N_("Use at least {n} characters."), {"n": MIN_PASSWORD_LENGTH})]
    if errors:
        raise ValidationFailed(errors)
    if await User.exists().where(User.email == email).run():
        raise Conflict(N_("A member with this email address already exists."))
    rows = (
        await User.insert(
            User(
                email=email,
                role=role,
                password_hash=hash_password(password),
                display_name=display_name,
                locale=locale,
            )
        )
        .returning(User.id)
        .run()
    )
    return {"id": rows[0]["id"], "email": email, "role": role}


async def find_user(email: str) -> dict[str, Any] | None:
    return await User.select().where(User.email == email.strip().lower()).first().run()


async def issue_token(user_id: int, name: str = "") -> str:
    token = new_token()
    await ApiToken.insert(ApiToken(user=user_id, token_hash=hash_token(token), name=name)).run()
    return token


def _token_query(token_hash: str) -> Any:
    return (
        ApiToken.select(
            ApiToken.user.id.as_alias("id"),
            ApiToken.user.email.as_alias("email"),
            ApiToken.user.role.as_alias("role"),
            ApiToken.user.locale.as_alias("locale"),
            ApiToken.user.active.as_alias("active"),
        )
        .where((ApiToken.token_hash == token_hash) & ApiToken.revoked_at.is_null())
        .limit(1)
    )


# Run on every API request: compiled once, replayed (see core.db.prepared).
_TOKEN_QUERY = Prepared(ApiToken, _token_query, 1)


async def user_for_token(token: str) -> dict[str, Any] | None:
    """The active member holding this (unrevoked) token in the tenant in context, or None."""
    rows = await _TOKEN_QUERY.rows(hash_token(token))
    if not rows or not rows[0]["active"]:
        return None
    return rows[0]


# --- Profile and member management -------------------------------------------------------------
# Audit entries never carry password hashes: only the fields a coordinator may see and change.

MEMBER_FIELDS = ("email", "display_name", "role", "active")


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
    if len(new) < MIN_PASSWORD_LENGTH:
        errors["new_password"] = [Message(N_("Use at least {n} characters."), {"n": MIN_PASSWORD_LENGTH})]
    elif new == current:
        errors["new_password"] = [Message(N_("Choose a password different from the current one."))]
    if errors:
        raise ValidationFailed(errors)
    async with User._meta.db.transaction():
        await User.update({User.password_hash: hash_password(new)}).where(User.id == user_id).run()
        await close_all_sessions(user_id, keep_token=keep_token)
        await audit.record(actor_for(user), "member", user_id, "password", None, None)


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
        )
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
    actor: Actor, user_id: int, changes: dict[str, Any], action: str, *, close_sessions: bool = False
) -> dict[str, Any]:
    """Apply ``changes`` to another member, audited with only the fields that change."""
    user = await _user(user_id)
    before = {key: user[key] for key in changes}
    if before == changes:
        return _member_view(user)
    columns = {getattr(User, key): value for key, value in changes.items()}
    async with User._meta.db.transaction():
        await User.update(columns).where(User.id == user_id).run()
        if close_sessions:
            await close_all_sessions(user_id)
        await audit.record(actor, "member", user_id, action, before, changes)
    return {**_member_view(user), **changes}


async def change_role(actor: Actor, user_id: int, role: str) -> dict[str, Any]:
    _require_coordinator(actor)
    if role not in ROLES:
        raise ValidationFailed({"role": [Message(N_("Select a valid choice."))]})
    if user_id == actor.user_id:
        raise Conflict(N_("You cannot change your own role. Ask another coordinator."))
    return await _change_member(actor, user_id, {"role": role}, "role")


async def deactivate(actor: Actor, user_id: int) -> dict[str, Any]:
    """The member can no longer sign in or use the API; their open sessions end at once."""
    _require_coordinator(actor)
    if user_id == actor.user_id:
        raise Conflict(N_("You cannot deactivate your own account. Ask another coordinator."))
    return await _change_member(actor, user_id, {"active": False}, "deactivate", close_sessions=True)


async def reactivate(actor: Actor, user_id: int) -> dict[str, Any]:
    _require_coordinator(actor)
    return await _change_member(actor, user_id, {"active": True}, "reactivate")
