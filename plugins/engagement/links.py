"""Personal links of applicants and participants (their application, their questionnaire, their
inputs to a dialogue): a random token mailed to the person, of which only the SHA-256 is stored
(``link_hash`` columns), so a copy of the database opens no link. One definition for every part."""

from __future__ import annotations

import hashlib
import secrets


def link_hash(token: str) -> str:
    """What is stored of a personal link."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh personal link's secret (256 bits)."""
    return secrets.token_urlsafe(32)
