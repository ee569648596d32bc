"""Opaque keyset cursors: ``(sort value, id)`` of a row, as url-safe base64 JSON, with the list's sort
key and the direction of the page they lead to (after the row, or before it: a list can page back).

A cursor names its sort, so one taken from a list sorted another way is refused as invalid instead
of leading to a page that skips or repeats rows."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.errors import Message, ValidationFailed
from core.forms.fields import in_int_range
from core.i18n.markers import N_

BACK = "b"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page starts: after (or, ``back``, before) the row of ``(value, row_id)``."""

    value: Any
    row_id: int
    sort: str = ""
    back: bool = False


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def encode(value: Any, row_id: int, sort: str = "", back: bool = False) -> str:
    payload: list[Any] = [_plain(value), row_id]
    if sort or back:
        payload += [sort, BACK if back else ""]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        return date.fromisoformat(value["d"])
    return value


def read(cursor: str, expected: type, sort: str = "", nullable: bool = False) -> Position:
    """The position ``cursor`` names; its value must be of the ``expected`` type (or None where the
    sort column may be empty) and it must have been made for the list sorted by ``sort``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(payload, list) or len(payload) not in (2, 4):
            raise ValueError
        value, row_id = _value(payload[0]), payload[1]
        made_for, direction = (payload[2], payload[3]) if len(payload) == 4 else ("", "")
        if made_for != sort or direction not in ("", BACK):
            raise ValueError
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError
        if not (value is None and nullable) and (isinstance(value, bool) or not isinstance(value, expected)):
            raise ValueError
        if expected is date and isinstance(value, datetime):
            raise ValueError
        if not in_int_range(row_id) or (isinstance(value, int) and not in_int_range(value)):
            raise ValueError  # would reach the database as an out-of-range number
        if isinstance(value, str) and "\x00" in value:
            raise ValueError  # an unstorable NUL
        return Position(value, row_id, made_for, direction == BACK)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ValidationFailed({"cursor": [Message(N_("This cursor is not valid."))]}) from None


def decode(cursor: str, expected: type) -> tuple[Any, int]:
    """Return ``(sort value, id)`` of a cursor of a list in its default order."""
    position = read(cursor, expected)
    return position.value, position.row_id
