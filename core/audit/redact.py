"""Scrub personal data out of audit entries when a person's data are erased.

The payload (before/after) is covered by the chain only through ``payload_hash``, and ``redacted`` is
outside the hash (``core.audit.chain``): a scrubbed entry keeps its place in the chain, verification
skips its payload check, and ``pilot-crm audit verify`` still passes. Call inside the erasure's
transaction, so the record and its history are scrubbed together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.audit.chain import decoded, entries_from
from core.audit.tables import AuditEntry


def _kept(payload: Any, keep: frozenset[str]) -> Any:
    if not isinstance(payload, dict):
        return None
    return {k: v for k, v in payload.items() if k in keep}


def _without(value: Any, needles: frozenset[str]) -> tuple[Any, bool]:
    """``value`` with every string equal (ignoring case) to one of ``needles`` blanked out."""
    if isinstance(value, str):
        return ("", True) if value.strip().casefold() in needles else (value, False)
    if isinstance(value, list):
        pairs = [_without(v, needles) for v in value]
        return [v for v, _ in pairs], any(hit for _, hit in pairs)
    if isinstance(value, dict):
        found = False
        out = {}
        for key, item in value.items():
            out[key], hit = _without(item, needles)
            found = found or hit
        return out, found
    return value, False


async def _scrub(entry_id: int, before: Any, after: Any) -> None:
    await (
        AuditEntry.update({AuditEntry.before: before, AuditEntry.after: after, AuditEntry.redacted: True})
        .where(AuditEntry.id == entry_id)
        .run()
    )


async def redact_record(entity: str, entity_id: int, keep: Iterable[str]) -> int:
    """Reduce every entry about one record to the ``keep`` keys of its payload; returns how many."""
    keep_keys = frozenset(keep)
    rows = (
        await AuditEntry.select(AuditEntry.id, AuditEntry.before, AuditEntry.after)
        .where((AuditEntry.entity == entity) & (AuditEntry.entity_id == entity_id))
        .order_by(AuditEntry.id)
        .run()
    )
    for row in rows:
        await _scrub(
            row["id"], _kept(decoded(row["before"]), keep_keys), _kept(decoded(row["after"]), keep_keys)
        )
    return len(rows)


async def redact_mentions(values: Iterable[str], *, skip_entity: str) -> int:
    """Blank every string equal to one of ``values`` in the entries of other kinds of record (a
    plugin's or another area's entry that copied a name or an address); returns how many entries.
    ``skip_entity``'s own entries are left alone: they are about other people of that kind."""
    needles = frozenset(v.strip().casefold() for v in values if v and v.strip())
    if not needles:
        return 0
    count = 0
    async for row in entries_from(0):
        if row["entity"] == skip_entity:
            continue
        before, hit_before = _without(row["before"], needles)
        after, hit_after = _without(row["after"], needles)
        if hit_before or hit_after:
            await _scrub(row["id"], before, after)
            count += 1
    return count
