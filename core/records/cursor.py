"""Opaque keyset cursors: ``(sort value, id)`` of the last row, as url-safe base64 JSON."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from core.errors import Message, ValidationFailed
from core.forms.fields import in_int_range
from core.i18n.markers import N_


def encode(value: Any, row_id: int) -> str:
    if isinstance(value, datetime):
        value = {"dt": value.isoformat()}
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, expected: type) -> tuple[Any, int]:
    """Return ``(sort value, id)``; the value must be of the ``expected`` type."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["dt"])
        if not isinstance(row_id, int) or isinstance(row_id, bool) or not isinstance(value, expected):
            raise ValueError
        if not in_int_range(row_id) or (isinstance(value, str) and "\x00" in value):
            raise ValueError  # would reach the database as an out-of-range id or an unstorable NUL
        return value, row_id
    except (ValueError, TypeError, KeyError):
        raise ValidationFailed({"cursor": [Message(N_("This cursor is not valid."))]}) from None
