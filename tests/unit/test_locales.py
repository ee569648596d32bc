"""Locale negotiation, catalog completeness (core and every shipped plugin, seven locales, by
(context, msgid)), one msgid per grammatical context, right-to-left, CLDR formatting in the
tenant's zone, to the minute."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import NullTranslations, Translations

from core.i18n.catalogs import load_translations
from core.i18n.markers import EXTRACTION_KEYWORDS, NP_
from core.i18n.negotiate import choose_locale, parse_accept_language
from core.i18n.translator import Translator
from core.testing.catalogs import Catalogs, PluginCatalogs

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
# The six UN languages and Portuguese: every catalog, core's and each shipped plugin's, in each.
REQUIRED = ("en", "es", "pt", "fr", "ar", "zh", "ru")


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


# Every catalog set that ships: core's, then each plugin's (a plugin package with a ``locales``).
CATALOGS = {
    "core": Catalogs(ROOT, LOCALES, ROOT / "babel.cfg"),
    **{p.parent.name: PluginCatalogs(p.parent) for p in sorted((ROOT / "plugins").glob("*/locales"))},
}


def test_every_shipped_plugin_with_strings_has_catalogs():
    """A plugin that marks strings but ships no catalogs would show English in every language."""
    for plugin in sorted((ROOT / "plugins").glob("*/plugin.py")):
        has_strings = any(
            "N_(" in p.read_text(encoding="utf-8") or "_(" in p.read_text(encoding="utf-8")
            for p in plugin.parent.rglob("*.py")
            if "tests" not in p.parts
        )
        assert not has_strings or plugin.parent.name in CATALOGS, plugin.parent.name


def keyword_flag(name: str, spec: object) -> str:
    """A Babel keyword spec as pybabel's ``-k`` option: ``((1, "c"), 2)`` is ``NP_:1c,2``."""
    if spec is None:
        return f"-k {name}"
    parts = [f"{p[0]}{p[1]}" if isinstance(p, tuple) else str(p) for p in spec]  # type: ignore[attr-defined]
    return f"-k {name}:{','.join(parts)}"


def test_the_makefile_extracts_with_the_same_keywords():
    """``make messages`` and these tests must find the same strings: both use EXTRACTION_KEYWORDS,
    for core and for every plugin that ships catalogs."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    flags = " ".join(keyword_flag(name, spec) for name, spec in EXTRACTION_KEYWORDS.items())
    extract_lines = [line for line in makefile.splitlines() if "pybabel extract" in line]
    assert extract_lines and all(flags in line for line in extract_lines), flags
    assert len(extract_lines) == 2 and "-o locales/messages.pot" in extract_lines[0]
    listed = next(line for line in makefile.splitlines() if line.startswith("PLUGIN_CATALOGS :="))
    assert set(listed.split(":=")[1].split()) == set(CATALOGS) - {"core"}


@pytest.mark.parametrize("name", CATALOGS)
def test_the_template_holds_exactly_the_strings_of_the_code(name):
    """A string added to the code without ``make messages`` would reach users untranslated."""
    CATALOGS[name].check_template()


def test_core_template_exists_and_is_not_empty():
    assert len(CATALOGS["core"].template()) > 100


@pytest.mark.parametrize(("name", "locale"), [(n, loc) for n in CATALOGS for loc in REQUIRED])
def test_every_message_is_translated(name, locale):
    """Every (context, msgid) of core and of every shipped plugin, in each of the seven locales."""
    CATALOGS[name].check_complete(locale)


@pytest.mark.parametrize(("name", "locale"), [(n, loc) for n in CATALOGS for loc in REQUIRED])
def test_placeholders_survive_translation(name, locale):
    if (CATALOGS[name].locales / locale / "LC_MESSAGES" / "messages.po").is_file():
        CATALOGS[name].check_placeholders(locale)


@pytest.mark.parametrize("name", CATALOGS)
def test_french_uses_its_apostrophe_and_non_breaking_spaces(name):
    if (CATALOGS[name].locales / "fr" / "LC_MESSAGES" / "messages.po").is_file():
        CATALOGS[name].check_french_typography()


def test_a_message_context_reaches_the_reader():
    """``NP_`` and ``pgettext`` look a msgid up in its context, and fall back to English without it."""
    catalog = Catalog(locale="es")
    catalog.add("Imported", "Importada", context="import status")
    catalog.add("Imported", "Importado")
    buf = io.BytesIO()
    write_mo(buf, catalog)
    t = Translator("es", Translations(io.BytesIO(buf.getvalue())), "UTC")
    assert t.gettext(NP_("import status", "Imported")) == "Importada"
    assert t.pgettext("import status", "Imported") == "Importada"
    assert t.gettext("Imported") == "Importado"
    assert t.pgettext("other", "Imported") == "Imported"


# Grammatical contexts (see test_no_msgid_serves_two_grammatical_contexts).
COMMAND_TAGS = {"button"}
LABEL_TAGS = {"th", "dt", "label", "legend", "caption", "figcaption", "option", "optgroup", "summary"}
TEXT_TAGS = {"p", "td", "dd", "li", "span", "strong", "em", "div", "small"}
OPEN_TAG = re.compile(r"<(\w+)([^<>]*)>?[^<]*$")
# Words whose translation agrees with what they describe or stand for (gender, number): past
# participles and adjectives used alone, and elliptical sentences of one or two words.
AGREEING = re.compile(
    r"^(\w+ed|Withdrawn|Hidden|Chosen|Active|Inactive|All|Eligible|Valid|Open|Closed|New|None|Other)$"
    r"|^\S+( \S+)?[.!?]$"
)

# Reviewed: an agreeing word or short sentence used in several places, with the one thing every use
# describes, so one translation is right everywhere. Anything else needs a message context (NP_ /
# pgettext) or its own sentence per place.
REVIEWED = {
    "core": {
        "Active": "a member (the members page, the member fields of the audit log)",
        "All": "a list filter's choice: every value of that filter",
        "Deactivated": "a member (members page status, audit log event on a member)",
        "Not found.": "the requested page or record; no noun to agree with in any language",
        "Nothing matches.": "a search or filter's empty result; no noun to agree with",
        "Unknown field.": "a form or import column naming a field the form does not have",
    },
    "engagement": {
        "All": "a list filter's choice: every value of that filter",
        "Eligible": "an application (selection page and the application's page)",
        "Nothing matches.": "a search or filter's empty result; no noun to agree with",
        "Received": "an application's or an input's status, both feminine/neuter alike in the catalogs",
        "Selected": "an application (selection page, application page, mails)",
        "Submitted": "an application or a questionnaire answer, shown as a status",
        "Valid": "a certificate (verification page and certificates list)",
        "Waitlisted": "an application (selection page, application page, mails)",
        "Withdrawn": "an application (selection page, application page, the contact's panel)",
    },
}


def use_kind(catalogs: Catalogs, occurrence) -> str:
    """How a template uses a string: "command" (a button, or a link styled as one), "label" (a
    column, a field's label, a term, a choice) or "text" (a cell, a paragraph). A page's title and
    headings name what the page does or shows, and a plain link, a macro's argument and Python code
    say nothing by themselves: "any"."""
    if not occurrence.path.endswith(".html"):
        return "any"
    lines = (catalogs.source / occurrence.path).read_text(encoding="utf-8").splitlines()
    line = lines[occurrence.line - 1] if occurrence.line <= len(lines) else ""
    at = line.find(occurrence.msgid.replace('"', '\\"'))
    before = line[: at if at >= 0 else len(line)]
    tag = OPEN_TAG.search(before)
    name, attributes = (tag.group(1).lower(), tag.group(2)) if tag else ("", "")
    if name in COMMAND_TAGS or 'type="submit"' in attributes:
        return "command"
    return "label" if name in LABEL_TAGS else "text" if name in TEXT_TAGS else "any"


@pytest.mark.parametrize("name", CATALOGS)
def test_no_msgid_serves_two_grammatical_contexts(name):
    """One msgid is one translation, so a string used at several places must read right at all of
    them; where it cannot, the places need a message context (``NP_`` / ``pgettext``) or sentences of
    their own. Two failures this catches, from every marked string of the catalog set's source:

    1. **Command and label.** A msgid used as a command (a button) in one template and as a label or
       text (a heading, a column, a status) in another: "Open" the verb and "Open" the state, which
       most languages tell apart, must carry contexts.
    2. **Agreement.** A word or short sentence whose translation agrees with what it refers to — a
       participle or adjective used alone ("Imported", "Confirmed"), an elliptical sentence ("None
       yet.") — used in two or more files without a context, unless REVIEWED names the one thing all
       its uses describe. "None yet." under People and under Meetings is "Todavía no hay ninguna."
       for one and "… ninguno." for the other: it fails here, so each list says its own sentence.

    Occurrences in one file count as one use (a page's ``<title>`` and ``<h1>``, or one check made
    twice); a REVIEWED entry that no longer applies fails too, so the list stays a reviewed one.
    """
    catalogs = CATALOGS[name]
    uses: dict[str, list] = defaultdict(list)
    for occurrence in catalogs.occurrences():
        if occurrence.context is None:
            uses[occurrence.msgid].append(occurrence)
    reviewed = REVIEWED.get(name, {})
    problems = []
    for msgid, places in uses.items():
        kinds = {use_kind(catalogs, o) for o in places} - {"any"}
        if "command" in kinds and len(kinds) > 1:
            problems.append(f"{msgid!r} is a command and a {sorted(kinds - {'command'})[0]}: {places[:3]}")
        files = {o.path for o in places}
        if len(files) > 1 and AGREEING.match(msgid) and msgid not in reviewed:
            problems.append(f"{msgid!r} agrees with what it describes, used in {sorted(files)[:4]}")
    stale = [m for m in reviewed if len({o.path for o in uses.get(m, [])}) < 2 or not AGREEING.match(m)]
    assert not stale, f"REVIEWED entries that no longer apply: {stale}"
    assert not problems, "\n".join(problems)


def test_times_are_shown_to_the_minute():
    """No seconds in any locale and format a page, mail or report uses."""
    moment = datetime(2025, 3, 1, 3, 30, 47, tzinfo=UTC)
    for locale in REQUIRED:
        t = Translator(locale, NullTranslations(), "America/Mexico_City")
        for text in (t.format_datetime(moment, fmt) for fmt in ("short", "medium", "long", "full")):
            assert "47" not in text and "30" in text, (locale, text)
        assert "47" not in t.format_moment(moment) and "47" not in t.format_time(moment)


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
