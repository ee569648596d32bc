"""Verification codes: 16 characters of Crockford's base32 (80 random bits, unguessable), stored
without separators and shown in groups of four. Typed codes are read case-insensitively, with or
without dashes or spaces, and with Crockford's look-alikes (O for 0, I and L for 1)."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
SEPARATORS = re.compile(r"[\s\-–—]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """ "ABCD1234EFGH5678" → "ABCD-1234-EFGH-5678"."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize(typed: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one (so no lookup is made)."""
    code = SEPARATORS.sub("", typed).upper().translate(LOOK_ALIKES)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code
