"""How pages show service values: a moment in a chosen time zone (a meeting's own, else the
tenant's), a day, an ISO stamp for ``<time datetime>``, topic codes as labels. Values arrive as
datetimes and dates, or as ISO strings where a compiled list query hands back raw rows (SQLite), so
every helper accepts both and shows nothing rather than failing on a value it cannot read
Every page gets ``when``, ``day`` and ``iso`` from ``render()``; Python code uses the functions."""

from __future__ import annotations

import dataclasses
import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from core.accounts.roles import Actor
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


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def format_in_zone(t: Translator, value: Any, zone: str | None = None, fmt: str = "medium") -> str:
    """``value`` in ``zone`` (an IANA name; the tenant's when empty or unknown), in ``t``'s locale."""
    moment = as_datetime(value)
    if moment is None:
        return ""
    if zone and zone != t.timezone:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone:
            t = dataclasses.replace(t, timezone=zone)
    return t.format_datetime(moment, fmt)


def format_moment(t: Translator, value: Any, fmt: str = "medium") -> str:
    """A moment in the tenant's time zone, or "" when there is none (never signed in, say)."""
    return format_in_zone(t, value, None, fmt)


def format_day(t: Translator, value: Any, fmt: str = "medium") -> str:
    day = as_date(value)
    return t.format_date(day, fmt) if day else ""


def iso(value: Any) -> str:
    """The machine-readable form for ``<time datetime="…">``."""
    if isinstance(value, date):  # datetimes are dates too
        return value.isoformat()
    if isinstance(value, str) and len(value) > 10:
        moment = as_datetime(value)
        return moment.isoformat() if moment else ""
    day = as_date(value)
    return day.isoformat() if day else ""


def formatters(t: Translator) -> dict[str, Callable[..., str]]:
    """Template helpers: ``when(value, zone)``, ``day(value)``, ``iso(value)``."""
    return {"when": partial(format_in_zone, t), "day": partial(format_day, t), "iso": iso}


async def topic_names(actor: Actor, t: Translator) -> dict[str, str]:
    """Topic code → name in the page's language, archived topics included (a record shows its
    topics by name, never by code)."""
    from core.topics.service import TopicService

    return await TopicService(actor, t.locale).names()
