"""Load message catalogs straight from ``.po`` files (compiled in memory, so no build step) and merge
core's with the tenant's plugins', plugin wording winning."""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations


@cache
def _load_po(path: Path, mtime: float) -> Translations:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def load_translations(locale: str, locale_dirs: Iterable[Path]) -> NullTranslations:
    """Merge ``<dir>/<locale>/LC_MESSAGES/messages.po`` for each dir in order; later dirs override."""
    merged: Translations | None = None
    for directory in locale_dirs:
        po = Path(directory) / locale / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        loaded = _load_po(po, po.stat().st_mtime)
        if merged is None:
            merged = Translations()
            merged.merge(loaded)
        else:
            merged.merge(loaded)
    return merged or NullTranslations()
