"""Full-text ``q``: records keep a folded (lower-case, accent-free) ``search_text``; each query term
must appear in it. Portable across SQLite and PostgreSQL.

A search is bounded: at most MAX_SEARCH_LENGTH characters and MAX_SEARCH_TERMS terms, refused with a
field error beyond that. Every term is one more condition in the query, so an unbounded ``q`` would
reach the databases' own limits (SQLite's LIKE pattern length, the ORM's recursion over nested
conditions) as server errors, and multiply the shapes of compiled queries."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from core.errors import Message, ValidationFailed
from core.i18n.markers import N_

# Arabic tatweel stretches a word on the line and is no letter: "الـعـربي" is "العربي".
TATWEEL = "\u0640"


def fold(text: str) -> str:
    """``text`` as it is stored and searched: compatibility-decomposed, without combining marks
    (accents, cedillas, Arabic harakat and hamza marks, the diaeresis of ё) or tatweel, case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c != TATWEEL).casefold()


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


MAX_SEARCH_LENGTH = 200
MAX_SEARCH_TERMS = 8


def search_terms(q: str | None) -> list[str]:
    """The terms of ``q``, or ValidationFailed on ``q`` when it is longer or has more terms than a
    search may have."""
    if not q:
        return []
    if len(q) > MAX_SEARCH_LENGTH:
        raise ValidationFailed(
            {"q": [Message(N_("Search with at most {max} characters."), {"max": MAX_SEARCH_LENGTH})]}
        )
    found = list(terms(q))
    if len(found) > MAX_SEARCH_TERMS:
        raise ValidationFailed(
            {"q": [Message(N_("Search with at most {max} words."), {"max": MAX_SEARCH_TERMS})]}
        )
    return found


def terms(q: str) -> Iterable[str]:
    for term in fold(q).split():
        cleaned = term.replace("%", "").replace("\\", "")
        if cleaned:
            yield cleaned
