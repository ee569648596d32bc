"""Checks of a plugin's own catalogs, for its tests: ``messages.pot`` holds exactly the strings of
its code and templates (as its ``babel.cfg`` extracts them), every locale has every string (and the
translated ones a text for each), placeholders survive translation, French follows its typography,
and a msgid core also has keeps core's wording (a plugin's catalog wins in its tenants, so another
wording would change core's pages there). One place for every plugin, so each plugin's test module
only says which plugin and which locales."""

from __future__ import annotations

import re
from dataclasses import dataclass
from gettext import NullTranslations
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

PLACEHOLDER = re.compile(r"{\w+}")


@dataclass(frozen=True)
class PluginCatalogs:
    """The catalogs under ``plugin/locales`` of the plugin package at ``plugin``."""

    plugin: Path

    @property
    def locales(self) -> Path:
        return self.plugin / "locales"

    def catalog(self, locale: str) -> dict[str, str]:
        with (self.locales / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            return {str(m.id): str(m.string) for m in read_po(fh) if m.id and not m.fuzzy}

    def template(self) -> set[str]:
        with (self.locales / "messages.pot").open("rb") as fh:
            return {str(m.id) for m in read_po(fh) if m.id}

    def code_strings(self) -> set[str]:
        with (self.plugin / "babel.cfg").open() as fh:
            method_map, options_map = parse_mapping_cfg(fh)
        keywords = {**DEFAULT_KEYWORDS, "N_": None}
        return {
            message if isinstance(message, str) else message[0]
            for *_, message, _, _ in extract_from_dir(
                str(self.plugin), method_map, options_map, keywords=keywords
            )
        }

    def check_template(self) -> None:
        code, template = self.code_strings(), self.template()
        assert code, "no translatable string found: check babel.cfg"
        assert not code - template, f"not in messages.pot (run make messages): {sorted(code - template)[:5]}"
        assert not template - code, f"no longer in the code: {sorted(template - code)[:5]}"

    def check_complete(self, locale: str) -> None:
        translations = self.catalog(locale)
        assert set(translations) == self.template(), locale
        if locale != "en":  # English shows the msgid itself
            assert not [msgid for msgid, text in translations.items() if not text], locale

    def check_placeholders(self, locale: str) -> None:
        for msgid, text in self.catalog(locale).items():
            assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(text)), (locale, msgid)

    def check_french_typography(self) -> None:
        for msgid, text in self.catalog("fr").items():
            assert "'" not in text, msgid
            bare = text.replace("{", "").replace("}", "")
            assert not re.search(r"(?<!\u00a0)[:;?!](\s|$)", bare), (msgid, text)

    def check_core_wording(self, core: NullTranslations, locale: str) -> None:
        """``core``: the translations of a tenant without the plugin (core's catalog alone)."""
        ours = self.catalog(locale)
        shared = [msgid for msgid in ours if core.gettext(msgid) != msgid]
        assert {m: ours[m] for m in shared} == {m: core.gettext(m) for m in shared}, locale
