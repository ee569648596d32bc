"""Outgoing mail: a message is a subject and paragraphs (already translated by the caller), sent
through the configured SMTP server or, when none is configured, kept in the tenant database's outbox."""

from core.mail.compose import Mail, compose
from core.mail.transport import Delivery, Mailer, MailNotSent, mailer_for

__all__ = ["Delivery", "Mail", "MailNotSent", "Mailer", "compose", "mailer_for"]
