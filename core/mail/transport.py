"""Deliver a composed message: over SMTP (aiosmtplib) when a server is configured, else into
``<data_dir>/outbox`` as an ``.eml`` file, logged, so the local demo never loses a link."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from core.errors import DomainError, Message
from core.i18n.markers import N_
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
    """How a message left: ``sent`` over SMTP, or kept at ``outbox_path`` (no server configured)."""

    sent: bool
    outbox_path: Path | None = None


class Mailer:
    def __init__(self, settings: MailSettings, outbox: Path) -> None:
        self.settings = settings
        self.outbox = outbox

    async def send(self, mail: Mail) -> Delivery:
        message = compose(mail, self.settings.sender)
        if not self.settings.configured:
            return Delivery(sent=False, outbox_path=self._keep(message))
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

    def _keep(self, message: EmailMessage) -> Path:
        self.outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
        # The file holds a live link: readable by the service's user only.
        path.touch(mode=0o600)
        path.write_bytes(bytes(message))
        log.warning("no SMTP server configured: mail to %s kept in %s", message["To"], path)
        return path


def mailer_for(settings: Settings) -> Mailer:
    """The app's mailer: its SMTP settings, and the outbox in its data directory."""
    return Mailer(settings.mail, settings.data_dir / "outbox")
