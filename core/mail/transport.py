"""Deliver a composed message: over SMTP (aiosmtplib) when a server is configured, else into the
outbox in the tenant's database (``core.mail.outbox``), logged, so the local demo never loses a link
and every app process of a deployment sees what any of them kept."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiosmtplib

from core.errors import DomainError, Message
from core.i18n.markers import N_
from core.mail import outbox
from core.mail.compose import Mail, compose
from core.settings import MailSettings, Settings

log = logging.getLogger("pilot_crm.mail")


class MailNotSent(DomainError):
    """The SMTP server refused the message or could not be reached. Nothing else is undone: the
    caller decides what the member sees (an invitation stays pending and can be re-sent)."""

    status = 503

    def __init__(self) -> None:
        super().__init__(Message(N_("The email could not be sent. Try again in a moment.")))


@dataclass(frozen=True, slots=True)
class Delivery:
    """How a message left: ``sent`` over SMTP, or kept in the tenant's outbox as mail ``outbox_id``
    (no server configured)."""

    sent: bool
    outbox_id: int | None = None


class Mailer:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    async def send(self, mail: Mail) -> Delivery:
        message = compose(mail, self.settings.sender)
        if not self.settings.configured:
            kept = await outbox.keep(message)
            log.warning("no SMTP server configured: mail %s kept in the tenant's outbox", kept)
            return Delivery(sent=False, outbox_id=kept)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.settings.host,
                port=self.settings.port,
                username=self.settings.username or None,
                password=self.settings.password or None,
                use_tls=self.settings.tls,
                start_tls=self.settings.starttls,
                timeout=self.settings.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.error("mail to %s not sent through %s: %s", mail.to, self.settings.host, exc)
            raise MailNotSent() from exc
        log.info("mail to %s sent: %s", mail.to, message["Subject"])
        return Delivery(sent=True)


def mailer_for(settings: Settings) -> Mailer:
    """The app's mailer: its SMTP settings (the outbox is the tenant's database)."""
    return Mailer(settings.mail)
