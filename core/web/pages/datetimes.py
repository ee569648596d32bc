"""Show a stored moment in the member's language and the tenant's time zone, whatever shape the
database driver returned it in (datetime on PostgreSQL, sometimes ISO text elsewhere)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.i18n.translator import Translator


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            return as_datetime(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def format_moment(t: Translator, value: Any, fmt: str = "medium") -> str:
    """The formatted moment, or "" when there is none (never signed in, unreadable value)."""
    moment = as_datetime(value)
    return t.format_datetime(moment, fmt) if moment is not None else ""
