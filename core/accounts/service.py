"""Members of a tenant: create, find, issue and resolve API tokens."""

from __future__ import annotations

from typing import Any

from core.accounts.passwords import hash_password
from core.accounts.roles import ROLES, Actor
from core.accounts.tables import ApiToken, User
from core.accounts.tokens import hash_token, new_token
from core.db.prepared import Prepared
from core.errors import Conflict, Message, ValidationFailed
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
