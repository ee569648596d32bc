"""Markers for translatable strings. ``N_`` marks a msgid for extraction and returns it unchanged:
translation happens at the edge, in the request's locale, never at import time."""


def N_(msgid: str) -> str:
    return msgid
