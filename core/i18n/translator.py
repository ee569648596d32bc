"""A per-request translator bound to a locale. Nothing is installed globally, so concurrent requests
in different languages never see each other's catalog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_datetime_format, get_timezone_location
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations

from core.errors import Message

RTL_LANGUAGES = {"ar", "he", "fa", "ur"}


def text_direction(locale: str) -> str:
    """ "rtl" or "ltr": how text in ``locale`` runs (pages and mails set it on their root element)."""
    return "rtl" if Locale.parse(locale).language in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True, slots=True)
class Translator:
    locale: str
    translations: NullTranslations
    timezone: str

    def gettext(self, msgid: str, **params: object) -> str:
        text = self.translations.gettext(msgid)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        return self.translations.ngettext(singular, plural, n).format(n=n, **params)

    def message(self, message: Message) -> str:
        return self.gettext(message.msgid, **message.params)

    @property
    def direction(self) -> str:
        return text_direction(self.locale)

    def format_datetime(self, value: datetime, fmt: str = "medium") -> str:
        return format_datetime(value, fmt, tzinfo=ZoneInfo(self.timezone), locale=self.locale)

    def format_moment(self, value: datetime) -> str:
        """A deadline as people read it in a mail: the long date, the time to the minute and the
        time zone's name ("23 de noviembre de 2026, 1:42 (hora de México (Ciudad de México))"),
        where ``format_datetime(..., "long")`` gives seconds and a bare UTC offset."""
        zone = ZoneInfo(self.timezone)
        day = format_date(value.astimezone(zone), "long", locale=self.locale)
        time = format_time(value, "short", tzinfo=zone, locale=self.locale)
        pattern = str(get_datetime_format("long", locale=self.locale)).replace("'", "")
        moment = pattern.replace("{1}", day).replace("{0}", time)
        return f"{moment} ({get_timezone_location(zone, locale=self.locale)})"

    def format_date(self, value: date, fmt: str = "medium") -> str:
        return format_date(value, fmt, locale=self.locale)

    def format_number(self, value: float | int) -> str:
        return format_decimal(value, locale=self.locale)

    def format_percent(self, share: float) -> str:
        """``0.8`` as the locale writes 80 percent ("80 %", "80%", "٨٠٪")."""
        return format_percent(share, locale=self.locale)
