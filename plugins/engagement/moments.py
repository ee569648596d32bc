"""Instants as every part of the plugin reads them: stored timestamps come back from SQLite as text
and from PostgreSQL as aware datetimes, and submitted ones as ISO text; all become aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def instant(value: Any) -> datetime | None:
    """A stored or submitted instant as an aware datetime (UTC when it says no offset); None when
    there is none."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def now() -> datetime:
    return datetime.now(UTC)
