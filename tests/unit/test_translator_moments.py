"""Deadlines in mails: the long date, the time to the minute, the zone's name, in the reader's
language and the tenant's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from babel.support import NullTranslations

from core.i18n.translator import Translator

MOMENT = datetime(2026, 11, 23, 7, 42, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "zone", "expected"),
    [
        ("es", "America/Mexico_City", "23 de noviembre de 2026, 1:42 (hora de México (Ciudad de México))"),
        ("en", "America/Mexico_City", "November 23, 2026, 1:42\u202fAM (Mexico (Mexico City) Time)"),
        ("pt", "Africa/Luanda", "23 de novembro de 2026 08:42 (Horário Angola)"),
    ],
)
def test_a_moment_reads_naturally_in_the_tenants_zone(locale, zone, expected):
    assert Translator(locale, NullTranslations(), zone).format_moment(MOMENT) == expected


def test_an_arabic_moment_has_no_seconds_and_names_the_zone():
    text = Translator("ar", NullTranslations(), "Asia/Amman").format_moment(MOMENT)
    assert "10:42" in text and ":10" not in text.replace("10:42", "") and "الأردن" in text
