"""Checks of a catalog set (core's, or a plugin's own), for tests: ``messages.pot`` holds exactly
the messages of its code and templates (as its ``babel.cfg`` extracts them), every locale has every
message (and the translated ones a text for each plural form), placeholders survive translation,
French follows its typography, and a msgid core also has keeps core's wording (a plugin's catalog
wins in its tenants, so another wording would change core's pages there). A message is its
(context, msgid) pair. One place for core and every plugin, so each test module only says which
catalogs and which locales."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from gettext import NullTranslations
from pathlib import Path
from typing import Any

from babel.messages.catalog import Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from core.i18n.markers import EXTRACTION_KEYWORDS

PLACEHOLDER = re.compile(r"{\w+}")
# A plugin without its own babel.cfg: its Python modules and its templates.
DEFAULT_MAPPING = "[python: **.py]\n[jinja2: templates/**.html]\n"

MessageKey = tuple[str | None, str]  # (msgctxt, msgid); a plural message by its singular


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place in the source where a message is marked for translation."""

    path: str  # relative to the catalog set's source folder
    line: int
    context: str | None
    msgid: str


def _key(message: Message) -> MessageKey:
    msgid = message.id
    return (message.context, msgid if isinstance(msgid, str) else msgid[0])


def _texts(message: Message) -> list[str]:
    strings = message.string
    return [str(s) for s in strings] if isinstance(strings, list | tuple) else [str(strings)]


@dataclass(frozen=True)
class Catalogs:
    """The catalogs under ``locales`` of the code under ``source``, extracted by ``mapping``."""

    source: Path
    locales: Path
    mapping: Path | None = None  # babel.cfg; None: DEFAULT_MAPPING

    def messages(self, locale: str) -> dict[MessageKey, Message]:
        with (self.locales / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            return {_key(m): m for m in read_po(fh) if m.id and not m.fuzzy}

    def catalog(self, locale: str) -> dict[str, str]:
        """msgid → text of the messages without a context (what ``gettext`` looks up)."""
        return {
            msgid: _texts(m)[0] for (context, msgid), m in self.messages(locale).items() if context is None
        }

    def template(self) -> set[MessageKey]:
        with (self.locales / "messages.pot").open("rb") as fh:
            return {_key(m) for m in read_po(fh) if m.id}

    def occurrences(self) -> Iterator[Occurrence]:
        text = self.mapping.read_text(encoding="utf-8") if self.mapping else DEFAULT_MAPPING
        method_map, options_map = parse_mapping_cfg(io.StringIO(text))
        keywords: dict[str, Any] = {**DEFAULT_KEYWORDS, **EXTRACTION_KEYWORDS}
        for path, line, message, _, context in extract_from_dir(
            str(self.source), method_map, options_map, keywords=keywords
        ):
            yield Occurrence(path, line, context, message if isinstance(message, str) else message[0])

    def code_strings(self) -> set[MessageKey]:
        return {(o.context, o.msgid) for o in self.occurrences()}

    def check_template(self) -> None:
        code, template = self.code_strings(), self.template()
        assert code, "no translatable string found: check babel.cfg"
        missing = sorted(code - template, key=str)[:5]
        assert not missing, f"not in messages.pot (run make messages): {missing}"
        assert not template - code, f"no longer in the code: {sorted(template - code, key=str)[:5]}"

    def check_complete(self, locale: str) -> None:
        """Every message of the template is in ``locale``'s catalog, and (but in English, whose
        msgids are the text) translated in every plural form."""
        path = self.locales / locale / "LC_MESSAGES" / "messages.po"
        assert path.is_file(), f"{locale}: no catalog at {path}"
        messages = self.messages(locale)
        missing = self.template() - set(messages)
        assert not missing, f"{locale}: {len(missing)} missing, e.g. {sorted(missing, key=str)[:3]}"
        if locale.split("_")[0] != "en":
            empty = [key for key, m in messages.items() if not all(_texts(m))]
            assert not empty, f"{locale}: {len(empty)} untranslated, e.g. {sorted(empty, key=str)[:3]}"

    def check_placeholders(self, locale: str) -> None:
        """A translation names exactly the placeholders of its msgid (a plural form may leave out
        ``{n}``, as "one" forms do), so formatting it never fails and never drops a value."""
        for (context, msgid), message in self.messages(locale).items():
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            wanted = set().union(*(PLACEHOLDER.findall(str(i)) for i in ids))
            for text in _texts(message):
                if not text:
                    continue
                found = set(PLACEHOLDER.findall(text))
                plural = len(ids) > 1
                assert found <= wanted and (plural or found == wanted), (locale, context, msgid, text)

    def check_french_typography(self) -> None:
        for (_, msgid), message in self.messages("fr").items():
            for text in _texts(message):
                assert "'" not in text, msgid
                bare = text.replace("{", "").replace("}", "")
                assert not re.search(r"(?<!\u00a0)[:;?!](\s|$)", bare), (msgid, text)

    def check_core_wording(self, core: NullTranslations, locale: str) -> None:
        """``core``: the translations of a tenant without the plugin (core's catalog alone)."""
        ours = self.catalog(locale)
        shared = [msgid for msgid in ours if core.gettext(msgid) != msgid]
        assert {m: ours[m] for m in shared} == {m: core.gettext(m) for m in shared}, locale


def PluginCatalogs(plugin: Path) -> Catalogs:
    """The catalogs under ``plugin/locales`` of the plugin package at ``plugin``."""
    mapping = plugin / "babel.cfg"
    return Catalogs(plugin, plugin / "locales", mapping if mapping.is_file() else None)
