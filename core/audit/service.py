"""Write audit entries inside the caller's transaction, so a change and its record land together;
each entry is appended to the tenant's hash chain (``core.audit.chain``) under the chain lock."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from core.accounts.identity import normalize_email
from core.accounts.roles import SYSTEM, Actor
from core.audit.chain import backfill_chain, chain_head, entry_hash, lock_chain, payload_hash
from core.audit.tables import AuditEntry
from core.db.bulk import insert_rows
from core.tenancy.context import require_tenant


def _jsonable(value: Any) -> Any:
    """``value`` as JSON would give it back: times and dates in ISO 8601, tuples as lists, keys as
    text, anything else JSON cannot hold as its text. Walked directly rather than encoded and
    decoded: an import audits thousands of records at once."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {k if isinstance(k, str) else _key(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _key(key: Any) -> str:
    """A dict key as JSON writes it (``True`` → ``"true"``, ``None`` → ``"null"``, 1 → ``"1"``)."""
    if isinstance(key, str):
        return key
    return json.dumps(key) if key is None or isinstance(key, bool | int | float) else str(key)


@dataclass(frozen=True, slots=True)
class Change:
    """One audited change: what ``record`` writes, and what ``record_many`` writes in bulk."""

    entity: str
    entity_id: int
    action: str
    before: dict | None
    after: dict | None


async def record(
    actor: Actor, entity: str, entity_id: int, action: str, before: dict | None, after: dict | None
) -> None:
    """Append one entry. Joins the caller's transaction when there is one (the usual case), else
    opens its own: either way the chain lock is held from reading the head to the insert's commit."""
    await record_many(actor, [Change(entity, entity_id, action, before, after)])


async def record_many(actor: Actor, changes: list[Change]) -> None:
    """Append ``changes`` in order, chained one after the other under one lock and one read of the
    head, inserted a few hundred per statement: an import of thousands of records is audited entry
    by entry at the cost of a few queries, not thousands."""
    if not changes:
        return
    at = datetime.now(UTC)
    tenant = require_tenant().slug
    async with AuditEntry._meta.db.transaction():
        await lock_chain()
        prev, seq = await chain_head()
        rows = []
        for change in changes:
            fields: dict[str, Any] = {
                "at": at,
                "tenant": tenant,
                "actor_id": actor.user_id,
                "actor_email": actor.email,
                "entity": change.entity,
                "entity_id": change.entity_id,
                "action": change.action,
            }
            old = _jsonable(change.before) if change.before is not None else None
            new = _jsonable(change.after) if change.after is not None else None
            payload = payload_hash(old, new)
            seq += 1
            digest = entry_hash(prev, seq, fields, payload)
            rows.append(
                {
                    **fields,
                    "before": old,
                    "after": new,
                    "seq": seq,
                    "payload_hash": payload,
                    "prev_hash": prev,
                    "entry_hash": digest,
                }
            )
            prev = digest
        await insert_rows(AuditEntry, rows)


async def chain_legacy() -> int:
    """Chain the entries written before the hash chain existed (``migrate`` does, once) and record
    that it did, as the system, in the same transaction: the hashes are filled in by code, so the
    log itself says when and over which entries. Returns how many entries were chained."""
    async with AuditEntry._meta.db.transaction():
        chained = await backfill_chain()
        if chained:
            summary = {"entries": len(chained), "first_id": chained[0], "last_id": chained[-1]}
            await record(SYSTEM, "audit", chained[-1], "chain", None, summary)
    return len(chained)


async def history(
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int = 100,
    before_id: int | None = None,
    actor_email: str | None = None,
) -> list[dict]:
    """Newest first. ``before_id`` pages backwards (entries older than that id); ``actor_email``
    keeps one member's changes."""
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False).limit(limit)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if actor_email:
        query = query.where(AuditEntry.actor_email == normalize_email(actor_email))
    rows = await query.run()
    for row in rows:
        for key in ("before", "after"):
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
    return rows
