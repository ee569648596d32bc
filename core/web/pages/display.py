"""How pages show service values: a moment in a chosen time zone (a meeting's own, else the
tenant's), a day, an ISO stamp for ``<time datetime>``, topic codes as labels. Values arrive as
datetimes and dates, or as ISO strings where a compiled list query hands back raw rows (SQLite), so
every helper accepts both and shows nothing rather than failing on a value it cannot read
(``datetimes.as_datetime`` reads moments; this module adds the zone of one's choice)."""

from __future__ import annotations

import dataclasses
import zoneinfo
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

from litestar import Request

from core.accounts.roles import Actor
from core.i18n.translator import Translator
from core.web.pages.datetimes import as_datetime
from core.web.pages.render import page_parts


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


async def list_formatters(request: Request, actor: Actor, filters: dict[str, str]) -> dict[str, Any]:
    """A ``PageSpec.list_context`` for lists whose rows show dates: the formatters, nothing else."""
    _, t, _ = page_parts(request)
    return formatters(t)


async def topic_names(actor: Actor, t: Translator) -> dict[str, str]:
    """Topic code → label in the page's language (archived topics keep showing their code)."""
    from core.topics.service import TopicService

    return dict(await TopicService(actor, t.locale).labelled())
