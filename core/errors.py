"""Domain errors. Services raise these; the web layer maps them to RFC 9457 problem details.

Messages are *lazy*: they carry a msgid and parameters, and are translated at the edge in the
request's locale, so services never need to know who is asking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.i18n.markers import N_


@dataclass(frozen=True, slots=True)
class Message:
    """A translatable message: msgid plus format parameters."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)


class DomainError(Exception):
    status = 400

    def __init__(self, message: Message | str, **params: Any) -> None:
        self.message = message if isinstance(message, Message) else Message(message, params)
        super().__init__(self.message.msgid)


class ValidationFailed(DomainError):
    """One or more fields are invalid. `errors` maps field name → list of messages."""

    status = 400

    def __init__(self, errors: dict[str, list[Message]]) -> None:
        self.errors = errors
        super().__init__(Message(N_("The submitted data is not valid.")))


class NotFound(DomainError):
    status = 404

    def __init__(self) -> None:
        super().__init__(Message(N_("Not found.")))


class Conflict(DomainError):
    status = 409


class Unavailable(DomainError):
    """The tenant cannot take this request now: it is read-only while it moves, or its database is
    out of connections or time. Answered with 503 and ``Retry-After: retry_after`` (seconds)."""

    status = 503

    def __init__(self, message: Message | str | None = None, retry_after: int = 5) -> None:
        self.retry_after = retry_after
        super().__init__(message or Message(N_("This pilot is busy for a moment. Try again shortly.")))


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: Message | str | None = None) -> None:
        super().__init__(message or Message(N_("You do not have permission to do this.")))


class NotAuthenticated(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__(Message(N_("Authentication is required.")))


class NoTenantInContext(RuntimeError):
    """Raised when a database query runs with no tenant in context. Never caught: fail closed."""


class TooManyRequests(DomainError):
    status = 429

    def __init__(self, message: Message | str | None = None) -> None:
        super().__init__(message or Message(N_("Too many requests. Try again later.")))
