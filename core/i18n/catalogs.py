"""Load message catalogs straight from ``.po`` files (compiled in memory, so no build step) and merge
core's with the tenant's plugins', plugin wording winning."""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations


def catalog_locales(directory: Path) -> set[str]:
    """The languages ``directory`` holds a catalog for (``<lang>/LC_MESSAGES/messages.po``)."""
    return {po.parent.parent.name for po in Path(directory).glob("*/LC_MESSAGES/messages.po")}


@cache
def core_locales() -> frozenset[str]:
    """The languages core's own wording is translated into. A tenant may offer others that one of its
    plugins ships a catalog for; core's strings then show in English (gettext's fallback)."""
    return frozenset(catalog_locales(core_locale_dir()))


def core_locale_dir() -> Path:
    """Core's catalogs: the package ``core.locales``, inside the installed distribution (or, in an
    editable install, the source tree's top-level ``locales/`` it maps to), never a path guessed from
    where ``core`` sits."""
    return Path(str(resources.files("core.locales")))


@cache
def _compile_po(path: Path, mtime: float) -> bytes:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def load_translations(locale: str, locale_dirs: Iterable[Path]) -> NullTranslations:
    """Merge ``<dir>/<locale>/LC_MESSAGES/messages.po`` for each dir in order; later dirs override.

    Tenants with the same plugins share one merged catalog per language (read-only once merged):
    parsed per tenant, catalogs took about 0.4 MB and 20 ms per tenant and language."""
    found = []
    for directory in locale_dirs:
        po = Path(directory) / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            found.append((po, po.stat().st_mtime))
    return _merged(tuple(found))


@lru_cache(maxsize=256)  # distinct (plugin set, language) pairs, not tenants
def _merged(catalogs: tuple[tuple[Path, float], ...]) -> NullTranslations:
    merged: Translations | None = None
    for po, mtime in catalogs:
        loaded = Translations(fp=io.BytesIO(_compile_po(po, mtime)))
        # The first catalog is the base so its plural rule survives (merge() copies messages only).
        if merged is None:
            merged = loaded
        else:
            merged.merge(loaded)
    return merged or NullTranslations()
