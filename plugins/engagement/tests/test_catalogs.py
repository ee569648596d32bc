"""The plugin's catalogs: ``messages.pot`` holds exactly the strings of its code and templates (as
``make messages`` extracts them), every one is translated in Spanish, Portuguese, French and Arabic
with its placeholders, French follows its typography, and a msgid core also has keeps core's
wording (a plugin's catalog wins in its tenants, so a different wording would change core's pages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from plugins.engagement.tests.support import OFF

PLUGIN = Path(__file__).resolve().parents[1]
LOCALES = PLUGIN / "locales"
TRANSLATED = ("es", "pt", "fr", "ar")


def catalog(locale: str) -> dict[str, str]:
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id and not m.fuzzy}


def template() -> set[str]:
    with (LOCALES / "messages.pot").open("rb") as fh:
        return {str(m.id) for m in read_po(fh) if m.id}


def test_the_template_holds_exactly_the_strings_of_the_code():
    with (PLUGIN / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    code = {
        message if isinstance(message, str) else message[0]
        for *_, message, _, _ in extract_from_dir(str(PLUGIN), method_map, options_map, keywords=keywords)
    }
    assert len(code) > 40
    assert not code - template(), f"not in messages.pot (run make messages): {sorted(code - template())[:5]}"
    assert not template() - code, f"no longer in the code: {sorted(template() - code)[:5]}"


@pytest.mark.parametrize("locale", [*TRANSLATED, "en"])
def test_every_locale_has_every_string(locale):
    translations = catalog(locale)
    assert set(translations) == template()
    if locale != "en":  # English shows the msgid itself
        assert not [msgid for msgid, text in translations.items() if not text]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_survive_translation(locale):
    for msgid, text in catalog(locale).items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), (locale, msgid)


def test_french_uses_its_apostrophe_and_non_breaking_spaces():
    for msgid, text in catalog("fr").items():
        assert "'" not in text, msgid
        assert not re.search(r"(?<!\u00a0)[:;?!](\s|$)", text.replace("{", "").replace("}", "")), (
            msgid,
            text,
        )


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_msgid_core_has_keeps_cores_wording(env, locale):
    core = env.registry.get(OFF).translations(locale)  # a tenant without the plugin: core's alone
    shared = [msgid for msgid in catalog(locale) if core.gettext(msgid) != msgid]
    assert shared  # "Title", "Starts", "Status"…
    assert {m: catalog(locale)[m] for m in shared} == {m: core.gettext(m) for m in shared}
