"""Locale negotiation, catalog completeness, right-to-left, CLDR formatting in the tenant's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from core.i18n.catalogs import load_translations
from core.i18n.negotiate import choose_locale, parse_accept_language
from core.i18n.translator import Translator

LOCALES = Path(__file__).resolve().parents[2] / "locales"
SHIPPED = ("es", "pt", "fr", "ar")


def test_accept_language_is_ordered_by_quality():
    assert parse_accept_language("en;q=0.5, es-MX, fr;q=0.8, *;q=0.1") == ["es-MX", "fr", "en"]
    assert parse_accept_language("de;q=0") == []


@pytest.mark.parametrize(
    ("user", "header", "expected"),
    [
        ("en", "es", "en"),  # the user's preference wins
        (None, "es-MX,en;q=0.5", "es"),
        (None, "en-US", "en"),
        (None, "fr-CA,fr", "es"),  # not allowed in this tenant → tenant default
        ("fr", None, "es"),  # a preference outside the tenant's locales is ignored
        (None, None, "es"),
    ],
)
def test_locale_choice(user, header, expected):
    assert choose_locale(user, header, ("es", "en"), "es") == expected


@pytest.mark.parametrize(
    ("user", "header", "expected"),
    [
        ("en", "es", "es"),  # an API caller's explicit header wins over the saved preference
        ("en", "fr", "en"),  # a header naming none of the tenant's locales: the saved one
        ("en", None, "en"),
        (None, "fr", "es"),  # neither: the tenant default
    ],
)
def test_api_locale_choice_puts_the_header_first(user, header, expected):
    assert choose_locale(user, header, ("es", "en"), "es", header_first=True) == expected


def extracted_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every string marked in core's code and templates, as ``make messages``
    extracts them (babel.cfg, the ``N_`` marker besides gettext's own keywords)."""
    root = LOCALES.parent
    with (root / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    return {
        (context, message if isinstance(message, str) else message[0])
        for _, _, message, _, context in extract_from_dir(
            str(root), method_map, options_map, keywords=keywords
        )
    }


def test_the_template_holds_exactly_the_strings_of_the_code():
    """A string added to the code without ``make messages`` would reach users untranslated."""
    with (LOCALES / "messages.pot").open("rb") as fh:
        template = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(fh) if m.id}
    code = extracted_messages()
    assert not code - template, f"not in messages.pot (run make messages): {sorted(code - template)[:5]}"
    assert not template - code, f"in messages.pot but no longer in the code: {sorted(template - code)[:5]}"


def test_template_exists_and_is_not_empty():
    with (LOCALES / "messages.pot").open("rb") as fh:
        assert len([m for m in read_po(fh) if m.id]) > 100


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_core_string_is_translated(locale):
    with (LOCALES / "messages.pot").open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = template - translated
    assert not missing, f"{locale}: {len(missing)} untranslated, e.g. {sorted(missing)[:3]}"


def test_placeholders_survive_translation():
    for locale in SHIPPED:
        with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            for message in read_po(fh):
                if message.id and "{" in str(message.id):
                    names = {p.split("}")[0] for p in str(message.id).split("{")[1:]}
                    for name in names:
                        assert "{" + name + "}" in message.string, (locale, message.id)


def test_arabic_is_right_to_left_and_keeps_its_plural_rule():
    t = Translator("ar", load_translations("ar", [LOCALES]), "Asia/Amman")
    assert t.direction == "rtl"
    assert Translator("es", load_translations("es", [LOCALES]), "UTC").direction == "ltr"
    assert t.translations.plural(3) != t.translations.plural(1)


def test_dates_and_numbers_follow_locale_and_tenant_time_zone():
    moment = datetime(2025, 3, 1, 3, 30, tzinfo=UTC)  # 21:30 on Feb 28 in Mexico City
    es = Translator("es", load_translations("es", [LOCALES]), "America/Mexico_City")
    assert "28 feb 2025" in es.format_datetime(moment)
    assert "21:30" in es.format_datetime(moment)
    assert es.format_number(1234567.5) == "1.234.567,5"
    en = Translator("en", load_translations("en", [LOCALES]), "Africa/Luanda")
    assert en.format_date(date(2025, 3, 1)) == "Mar 1, 2025"
    assert "4:30" in en.format_datetime(moment)
