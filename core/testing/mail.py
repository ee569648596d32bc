"""A real SMTP server for tests (aiosmtpd on a free loopback port) that keeps what it receives, so a
test can read the mails the app sent: recipient, subject, body, links."""

from __future__ import annotations

import re
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from core.settings import MailSettings
from core.testing.processes import free_port

LINK = re.compile(r"https?://\S+")


class MailSink:
    """Start with :meth:`start`, point the app at :attr:`settings`, read :attr:`messages`."""

    __test__ = False

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()
        self._controller: Any = None
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> MailSink:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def settings(self) -> MailSettings:
        return MailSettings(host="127.0.0.1", port=self.port, sender="pilot-crm@test.example")

    def clear(self) -> None:
        with self._arrived:
            self.messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        """The first ``count`` messages, waiting for them to arrive (mail may leave after the
        response, in a background task); AssertionError if they do not."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"expected {count} mail(s), got {len(self.messages)}"
                self._arrived.wait(left)
            return list(self.messages[:count])


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def mailed_link(message: EmailMessage) -> str:
    """The one link in a mail's plain-text body."""
    links = LINK.findall(body_text(message))
    assert len(links) == 1, links
    return str(links[0])


async def outbox_mails(recipient: str | None = None) -> list[EmailMessage]:
    """The mails the tenant in context kept in its outbox (no SMTP server configured), oldest
    first; only those to ``recipient`` when given. Run it in the tenant (``env.run``)."""
    from core.mail import outbox

    found = []
    for kept in await outbox.kept(recipient):
        message = await outbox.read(kept.id)
        assert message is not None
        found.append(message)
    return found
