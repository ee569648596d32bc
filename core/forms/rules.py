"""Reusable whole-record rules for ``pilot_crm_validate`` (part of core's public API for plugins)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from core.errors import Message


def required_for_sectors(
    form: str, data: dict[str, Any], field: str, sectors: Collection[str], msgid: str
) -> dict[str, list[Message]] | None:
    """``field`` must be filled on organizations whose sector is in ``sectors`` (e.g. a tax number
    required for companies). Returns the hook's error mapping, or None when the rule holds."""
    if form == "organization" and data.get("sector") in sectors and not data.get(field):
        return {field: [Message(msgid)]}
    return None
