"""Full-text ``q``: records keep a folded (lower-case, accent-free) ``search_text``; each query term
must appear in it. Portable across SQLite and PostgreSQL and served by one indexed column."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_text(*parts: object) -> str:
    flat: list[str] = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, list | tuple | set):
            flat.extend(str(p) for p in part)
        elif isinstance(part, dict):
            flat.extend(str(v) for v in part.values() if isinstance(v, str | int))
        else:
            flat.append(str(part))
    return fold(" ".join(p for p in flat if p))


def terms(q: str) -> Iterable[str]:
    for term in fold(q).split():
        cleaned = term.replace("%", "").replace("\\", "")
        if cleaned:
            yield cleaned
