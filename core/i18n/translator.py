"""A per-request translator bound to a locale. Nothing is installed globally, so concurrent requests
in different languages never see each other's catalog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_datetime_format, get_timezone_location
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations

from core.errors import Message
from core.i18n.markers import context_of

RTL_LANGUAGES = {"ar", "he", "fa", "ur"}


def _join(pattern: object, day: str, time: str) -> str:
    """CLDR's date-time pattern ("{1}, {0}", "{1} 'at' {0}") with the date and the time put in."""
    return str(pattern).replace("'", "").replace("{1}", day).replace("{0}", time)


def text_direction(locale: str) -> str:
    """ "rtl" or "ltr": how text in ``locale`` runs (pages and mails set it on their root element)."""
    return "rtl" if Locale.parse(locale).language in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True, slots=True)
class Translator:
    locale: str
    translations: NullTranslations
    timezone: str

    def gettext(self, msgid: str, **params: object) -> str:
        """``msgid`` in this locale; one marked with ``NP_`` is looked up in its message context."""
        context = context_of(msgid)
        found = self.translations.pgettext(context, msgid) if context else self.translations.gettext(msgid)
        text = str(found)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        return self.translations.ngettext(singular, plural, n).format(n=n, **params)

    def pgettext(self, context: str, msgid: str, **params: object) -> str:
        """``msgid`` as used in ``context`` (``msgctxt``): one English string that reads differently
        by use, e.g. "Open" as a status and as a command. Extracted by ``make messages``."""
        text = str(self.translations.pgettext(context, msgid))
        return text.format(**params) if params else text

    def npgettext(self, context: str, singular: str, plural: str, n: int, **params: object) -> str:
        return self.translations.npgettext(context, singular, plural, n).format(n=n, **params)

    def message(self, message: Message) -> str:
        return self.gettext(message.msgid, **message.params)

    @property
    def direction(self) -> str:
        return text_direction(self.locale)

    def format_datetime(self, value: datetime, fmt: Any = "medium") -> str:
        """A moment in the translator's time zone, to the minute: CLDR's ``medium`` and ``long``
        times carry seconds, which no one reads in a CRM, so the date in ``fmt`` is joined with the
        ``short`` time by the locale's own date-time pattern ("28 feb 2025, 21:30")."""
        zone = ZoneInfo(self.timezone)
        if fmt not in ("short", "medium", "long", "full"):
            return format_datetime(value, fmt, tzinfo=zone, locale=self.locale)  # an explicit pattern
        day = format_date(value.astimezone(zone), fmt, locale=self.locale)
        time = format_time(value, "short", tzinfo=zone, locale=self.locale)
        return _join(get_datetime_format(fmt, locale=self.locale), day, time)

    def format_moment(self, value: datetime) -> str:
        """A deadline as people read it in a mail: the long date, the time to the minute and the
        time zone's name ("23 de noviembre de 2026, 1:42 (hora de México (Ciudad de México))"),
        where ``format_datetime(..., "long")`` gives seconds and a bare UTC offset."""
        zone = ZoneInfo(self.timezone)
        return f"{self.format_datetime(value, 'long')} ({get_timezone_location(zone, locale=self.locale)})"

    def format_time(self, value: datetime) -> str:
        """The time of day in the translator's time zone, to the minute."""
        return format_time(value, "short", tzinfo=ZoneInfo(self.timezone), locale=self.locale)

    def format_date(self, value: date, fmt: str = "medium") -> str:
        return format_date(value, fmt, locale=self.locale)

    def format_number(self, value: float | int) -> str:
        return format_decimal(value, locale=self.locale)

    def format_percent(self, share: float) -> str:
        """``0.8`` as the locale writes 80 percent ("80 %", "80%", "٨٠٪")."""
        return format_percent(share, locale=self.locale)
