"""Columns every CRM record shares: a version for optimistic concurrency, timestamps, archiving,
the side that owns it (for participants' edit rights), and a folded text used by full-text ``q``."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow


class RecordMixin:
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    archived_at = Timestamptz(null=True, default=None)
    created_by = Integer(null=True, default=None)
    owner_side = Varchar(length=32, default="")
    search_text = Text(default="", index=True)
