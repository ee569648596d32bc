"""Browser sessions, kept in the tenant's own database: a session of one tenant cannot exist in
another. The cookie holds a random token; only its hash is stored. Signing in always creates a new
session (so a token planted before login is worthless) and signing out deletes it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from core.accounts.identity import normalize_email
from core.accounts.passwords import hash_password, verify_password
from core.accounts.tables import User, WebSession, member_columns
from core.accounts.tokens import hash_token
from core.db.freeze import unless_frozen
from core.db.prepared import Prepared, as_datetime

SESSION_LIFETIME = timedelta(hours=12)


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


# A session ends SESSION_LIFETIME after sign-in however active it is, and earlier after the
# configured idle time without a request (Settings.session_idle).
DEFAULT_IDLE = timedelta(minutes=30)
# last_seen_at only needs minute precision to measure idleness: refreshing it on every request would
# turn each page view into a write (the same reasoning as an API token's last_used_at).
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def _session_query(token_hash: str) -> Any:
    return (
        WebSession.select(
            *member_columns(WebSession.user),
            WebSession.id.as_alias("session_id"),
            WebSession.expires_at.as_alias("session_expires_at"),
            WebSession.last_seen_at.as_alias("session_last_seen_at"),
        )
        .where(WebSession.token_hash == token_hash)
        .limit(1)
    )


_SESSION_QUERY = Prepared(WebSession, _session_query, 1)


@dataclass(frozen=True, slots=True)
class SessionLookup:
    """The member behind a session cookie, or None; ``expired`` says the cookie named a session that
    just ended (absolute lifetime or idle time), so the member can be told why they must sign in."""

    user: dict[str, Any] | None
    expired: bool = False


async def authenticate(email: str, password: str) -> dict[str, Any] | None:
    """The active member with this email and password, or None (same answer for either mistake)."""
    user = await User.select().where(User.email == normalize_email(email)).first().run()
    if user is None:
        verify_password(_dummy_hash(), password)  # spend the same time: don't reveal who has an account
        return None
    if not user["active"] or not verify_password(user["password_hash"], password):
        return None
    return user


async def open_session(user_id: int, previous_token: str | None = None) -> str:
    """Start a session for ``user_id``; the previous one (if any) is ended. Returns the cookie token."""
    if previous_token:
        await close_session(previous_token)
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await WebSession.insert(
        WebSession(
            user=user_id,
            token_hash=hash_token(token),
            expires_at=now + SESSION_LIFETIME,
            last_seen_at=now,
            csrf_secret=secrets.token_hex(16),
        )
    ).run()
    await User.update({User.last_login_at: now}).where(User.id == user_id).run()
    return token


async def user_for_session(token: str, idle: timedelta = DEFAULT_IDLE) -> SessionLookup:
    """Resolve a cookie token. An ended session is deleted when met; a live one has its
    ``last_seen_at`` moved forward at most once per LAST_SEEN_RESOLUTION."""
    rows = await _SESSION_QUERY.rows(hash_token(token))
    if not rows:
        return SessionLookup(None)
    row, now = rows[0], datetime.now(UTC)
    expires_at = as_datetime(row["session_expires_at"])
    last_seen = as_datetime(row["session_last_seen_at"]) or now
    if (expires_at is not None and expires_at <= now) or now - last_seen >= idle:
        await WebSession.delete().where(WebSession.id == row["session_id"]).run()
        return SessionLookup(None, expired=True)
    if not row["active"]:
        return SessionLookup(None)
    if now - last_seen >= LAST_SEEN_RESOLUTION:
        async with unless_frozen():  # a moving tenant is read-only, and still readable
            await (
                WebSession.update({WebSession.last_seen_at: now})
                .where(WebSession.id == row["session_id"])
                .run()
            )
    return SessionLookup(row)


async def close_session(token: str) -> None:
    await WebSession.delete().where(WebSession.token_hash == hash_token(token)).run()


async def close_all_sessions(user_id: int, keep_token: str | None = None) -> None:
    """End every session of a member (password changed, account deactivated), except the one whose
    cookie token is ``keep_token``: the browser that changed the password stays signed in."""
    query = WebSession.delete().where(WebSession.user == user_id)
    if keep_token:
        query = query.where(WebSession.token_hash != hash_token(keep_token))
    await query.run()
