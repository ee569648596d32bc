"""Build a MIME message from translated text: plain text first, and a simple HTML alternative in
which every paragraph is escaped and a bare link becomes clickable."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape

from core.i18n.translator import text_direction

_LINK = re.compile(r"^https?://\S+$")


@dataclass(frozen=True, slots=True)
class Mail:
    """What to say, in the recipient's language: a subject and paragraphs (a paragraph that is only a
    URL is shown as a link)."""

    to: str
    subject: str
    paragraphs: tuple[str, ...]
    language: str = "en"

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs) + "\n"

    @property
    def html(self) -> str:
        def paragraph(text: str) -> str:
            safe = escape(text)
            if _LINK.match(text):
                return f'<p><a href="{safe}">{safe}</a></p>'
            return "<p>" + safe.replace("\n", "<br>") + "</p>"

        body = "\n".join(paragraph(p) for p in self.paragraphs)
        lang, direction = escape(self.language), text_direction(self.language)
        return (
            f'<!doctype html>\n<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f"<title>{escape(self.subject)}</title></head>\n<body>\n{body}\n</body></html>\n"
        )


def compose(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to an unattended sender
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    message["Content-Language"] = mail.language  # after the body: set_content drops Content-* headers
    return message
