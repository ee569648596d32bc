"""Keeping and reading the mails of the tenant in context that no SMTP server took.

A kept mail holds a live link (an invitation, a password reset): only the tenant's database holds
it, and only a coordinator of the tenant's deployment reads it (``pilot-crm mail outbox``). Writing
needs a tenant in context, like every query through the routing engine: every mail the app sends
belongs to one tenant (invitations, resets, a plugin's notices), so no mail is ever sent without
one; one that tried would fail closed (``NoTenantInContext``) rather than land somewhere shared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from core.mail.tables import OutboxMail


@dataclass(frozen=True, slots=True)
class KeptMail:
    id: int
    created_at: datetime
    recipient: str
    subject: str


async def keep(message: EmailMessage) -> int:
    """Store ``message`` in the outbox; returns its id."""
    rows = await OutboxMail.insert(
        OutboxMail(
            recipient=str(message["To"] or "")[:320],
            subject=str(message["Subject"] or ""),
            message=bytes(message),
        )
    ).run()
    return int(rows[0]["id"])


async def kept(recipient: str | None = None) -> list[KeptMail]:
    """The outbox, oldest first; only the mails to ``recipient`` when given."""
    query = OutboxMail.select(OutboxMail.id, OutboxMail.created_at, OutboxMail.recipient, OutboxMail.subject)
    if recipient:
        query = query.where(OutboxMail.recipient == recipient)
    rows = await query.order_by(OutboxMail.id).run()
    return [KeptMail(**row) for row in rows]


async def read(mail_id: int) -> EmailMessage | None:
    """The kept message ``mail_id``, parsed, or None if the outbox has no such mail."""
    row = await OutboxMail.select(OutboxMail.message).where(OutboxMail.id == mail_id).first().run()
    if row is None:
        return None
    message = message_from_bytes(bytes(row["message"]), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message
