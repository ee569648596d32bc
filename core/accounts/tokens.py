"""API tokens: shown once, stored as a SHA-256 hash (they are long random secrets, so a fast hash is
right here; passwords use argon2)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "pcrm_"  # noqa: S105 - a public prefix, not a secret
READ_SCOPE, WRITE_SCOPE = "read", "write"
SCOPES = (READ_SCOPE, WRITE_SCOPE)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
