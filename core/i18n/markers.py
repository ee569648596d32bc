"""Markers for translatable strings. ``N_`` marks a msgid for extraction and returns it unchanged:
translation happens at the edge, in the request's locale, never at import time.

``NP_(context, msgid)`` marks a msgid with a message context (``msgctxt``), for one English string
that reads differently by use ("Imported" said of an import and of a record in the audit log). It
returns the msgid as a :class:`Contextual` string that remembers its context, so whatever later
translates it with ``Translator.gettext`` (a choice's label, an error message, a template's ``_()``)
looks it up in that context."""

from __future__ import annotations


class Contextual(str):
    """A msgid with its message context. It compares, hashes and prints as the English msgid."""

    context: str

    def __new__(cls, context: str, msgid: str) -> Contextual:
        marked = super().__new__(cls, msgid)
        marked.context = context
        return marked

    def __reduce__(self) -> tuple[type[Contextual], tuple[str, str]]:
        return (Contextual, (self.context, str(self)))


def N_(msgid: str) -> str:
    return msgid


def NP_(context: str, msgid: str) -> str:
    return Contextual(context, msgid)


def context_of(msgid: str) -> str | None:
    """The message context ``msgid`` was marked with, or None."""
    return msgid.context if isinstance(msgid, Contextual) else None


# What ``make messages`` extracts besides gettext's own functions (``_``, ``gettext``, ``ngettext``,
# ``pgettext``, ``npgettext``…), in Babel's keyword-spec form; the Makefile passes the same as
# ``-k N_ -k NP_:1c,2``.
EXTRACTION_KEYWORDS: dict[str, object] = {"N_": None, "NP_": ((1, "c"), 2)}
