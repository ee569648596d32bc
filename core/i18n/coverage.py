"""How much of each catalog a tenant's languages have translated: core's strings and each plugin's.

A msgid missing from a catalog is shown in English, which nothing else reports; this says, per
tenant and locale, which share of core's msgids (its ``messages.pot``) and of each enabled plugin's
(its ``messages.pot``, or every msgid its catalogs hold) that locale's catalog translates. English
msgids are English text, so an English catalog's entry counts as translated even with an empty
``msgstr``. Fuzzy entries do not count: gettext does not use them. A message is its (context,
msgid) pair: "Open" with the context "status" and "Open" with none are two messages to translate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

if TYPE_CHECKING:
    from core.tenancy.registry import TenantRuntime

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Coverage:
    tenant: str
    locale: str
    catalog: str  # "core" or a plugin's name
    translated: int
    total: int

    @property
    def percent(self) -> int:
        """Rounded down, so 100% means every msgid."""
        return self.translated * 100 // self.total if self.total else 100

    def line(self) -> str:
        return f"{self.tenant} {self.locale} {self.catalog} {self.percent}% ({self.translated}/{self.total})"


@cache
def _read(path: Path, mtime: float) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def _catalog(path: Path) -> Catalog | None:
    return _read(path, path.stat().st_mtime) if path.is_file() else None


MessageKey = tuple[str | None, str]  # (msgctxt, msgid); a plural message by its singular


def _ids(catalog: Catalog | None) -> set[MessageKey]:
    return {_key(m) for m in catalog or () if m.id}


def _key(message: Message) -> MessageKey:
    msgid = message.id
    return (message.context, msgid if isinstance(msgid, str) else msgid[0])


def msgids(directory: Path) -> set[MessageKey]:
    """The messages of the catalogs under ``directory``: its template's, else every language's."""
    template = _catalog(directory / "messages.pot")
    if template is not None:
        return _ids(template)
    found: set[MessageKey] = set()
    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        found |= _ids(_catalog(po))
    return found


def translated(directory: Path, locale: str) -> set[MessageKey]:
    """The messages ``locale``'s catalog under ``directory`` translates."""
    catalog = _catalog(directory / locale / "LC_MESSAGES" / "messages.po")
    if catalog is None:
        return set()
    source = locale.split("_")[0] == SOURCE_LANGUAGE
    done = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, list | tuple) else [message.string]
        if source or all(strings):
            done.add(_key(message))
    return done


def coverage(tenant: TenantRuntime) -> list[Coverage]:
    """One line per locale of ``tenant`` and catalog (core's first, then its plugins' in order)."""
    sources: dict[str, list[Path]] = {}
    for impl in tenant.plugins.hook.pilot_crm_locale_dirs.get_hookimpls():  # registration order
        dirs: Iterable[Path] = impl.function() or []  # type: ignore[assignment]
        sources.setdefault(impl.plugin_name, []).extend(Path(d) for d in dirs)
    lines = []
    for locale in tenant.declaration.locales:
        for name, dirs in sources.items():
            total = set().union(*(msgids(d) for d in dirs))
            if not total:
                continue
            done = set().union(*(translated(d, locale) for d in dirs)) & total
            lines.append(Coverage(tenant.slug, locale, name, len(done), len(total)))
    return lines
