"""A member's calendar feed: a secret, revocable URL listing the meetings they are invited to, for
calendar apps (which cannot sign in, so the URL itself is the credential).

Who is invited: attendee lists link *contacts*, not members. A member's invitations are the
attendance rows (any status) of the live contacts that carry the member's email address among
their addresses, compared in the one form member addresses are stored in (NFKC, lower case:
``core.accounts.identity``). A member with no such contact has an empty feed. Archived meetings
stay in the feed as CANCELLED events, so calendar apps remove them.

The token is 256 random bits shown once; only its SHA-256 hash is stored (``hash_token``, as API
tokens). A member has at most one live feed: creating a new one revokes the old (rotation), and
a revoked, unknown or deactivated member's token finds nothing (the page answers 404). Creating
and revoking are audited on the member.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from core.accounts.identity import normalize_email
from core.accounts.roles import Actor
from core.accounts.tokens import hash_token
from core.contacts.tables import Contact
from core.meetings.tables import Attendance, CalendarFeed, Meeting
from core.records.service import load_json

FEED_PREFIX = "pcal_"


def new_feed_token() -> str:
    return FEED_PREFIX + secrets.token_urlsafe(32)


async def current_feed(user_id: int) -> dict[str, Any] | None:
    """The member's live feed (id, created_at), never its token."""
    return (
        await CalendarFeed.select(CalendarFeed.id, CalendarFeed.created_at)
        .where((CalendarFeed.user == user_id) & CalendarFeed.revoked_at.is_null())
        .first()
        .run()
    )


async def _revoke_live(actor: Actor, user_id: int) -> None:
    from core.audit import service as audit

    revoked = (
        await CalendarFeed.update({CalendarFeed.revoked_at: datetime.now(UTC)})
        .where((CalendarFeed.user == user_id) & CalendarFeed.revoked_at.is_null())
        .returning(CalendarFeed.id)
        .run()
    )
    for row in revoked:
        await audit.record(actor, "member", user_id, "calendar_feed_revoke", None, {"feed_id": row["id"]})


async def create_feed(actor: Actor, user_id: int) -> str:
    """A new feed token for the member (the old feed, if any, stops working). Shown once."""
    from core.audit import service as audit

    token = new_feed_token()
    async with CalendarFeed._meta.db.transaction():
        await _revoke_live(actor, user_id)
        made = (
            await CalendarFeed.insert(CalendarFeed(user=user_id, token_hash=hash_token(token)))
            .returning(CalendarFeed.id)
            .run()
        )
        await audit.record(actor, "member", user_id, "calendar_feed", None, {"feed_id": made[0]["id"]})
    return token


async def revoke_feed(actor: Actor, user_id: int) -> None:
    async with CalendarFeed._meta.db.transaction():
        await _revoke_live(actor, user_id)


async def feed_member(token: str) -> dict[str, Any] | None:
    """The active member whose live feed ``token`` opens, or None."""
    if not token.startswith(FEED_PREFIX) or len(token) > 128:
        return None
    return (
        await CalendarFeed.select(
            CalendarFeed.user.id.as_alias("id"), CalendarFeed.user.email.as_alias("email")
        )
        .where(
            (CalendarFeed.token_hash == hash_token(token))
            & CalendarFeed.revoked_at.is_null()
            & (CalendarFeed.user.active == True)  # noqa: E712 - a Piccolo expression
        )
        .first()
        .run()
    )


async def member_contacts(email: str) -> list[int]:
    """The live contacts that carry the member's address (see the module's docstring)."""
    rows = (
        await Contact.select(Contact.id, Contact.emails)
        .where(Contact.archived_at.is_null() & Contact.erased_at.is_null())
        .run()
    )
    return [
        row["id"]
        for row in rows
        if any(normalize_email(str(e)) == email for e in load_json(row["emails"], []) or [])
    ]


async def invited_meetings(email: str) -> list[dict[str, Any]]:
    """The meetings the member is invited to, soonest first, as ``core.meetings.calendar`` reads them."""
    contacts = await member_contacts(email)
    if not contacts:
        return []
    links = await Attendance.select(Attendance.meeting).where(Attendance.contact.is_in(contacts)).run()
    ids = sorted({row["meeting"] for row in links})
    if not ids:
        return []
    return (
        await Meeting.select(
            Meeting.id,
            Meeting.title,
            Meeting.starts_at,
            Meeting.ends_at,
            Meeting.timezone,
            Meeting.mode,
            Meeting.place,
            Meeting.agenda,
            Meeting.version,
            Meeting.updated_at,
            Meeting.archived_at,
        )
        .where(Meeting.id.is_in(ids))
        .order_by(Meeting.starts_at)
        .run()
    )
