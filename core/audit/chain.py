"""The audit hash chain: why an edited or deleted audit entry is detected.

Each entry stores ``seq`` (1, 2, 3… per tenant, no gaps), ``payload_hash`` (SHA-256 of the canonical
JSON of before/after), ``prev_hash`` (the previous entry's ``entry_hash``; the first entry uses
``GENESIS``) and ``entry_hash`` (SHA-256 of the canonical JSON of prev_hash, seq, at, tenant, actor,
entity, entity_id, action and payload_hash). Verification walks the entries in id order and recomputes
all of it, so changing any field, the payload, or removing an entry from the middle breaks the chain at
a nameable entry.

Why ``seq`` and not the id for gaps: a PostgreSQL sequence skips values when a transaction that
inserted an entry rolls back, so id gaps happen legitimately; ``seq`` is assigned under the chain
lock and is contiguous by construction.

Why the payload is covered only through ``payload_hash``: a contact erasure must be able to scrub
personal data from before/after. It then sets ``redacted`` (outside the hash) and verification skips
the payload check for that entry while the chain still holds.

Limits, stated plainly: the hash has no secret key, so someone with write access who recomputes every
later hash, or who deletes the newest entries, is not detected by the database alone; compare the
entry count or the last ``entry_hash`` with an earlier export to catch that.

Appending is serialized per tenant so two writers never chain off the same predecessor: on SQLite the
caller's ``BEGIN IMMEDIATE`` transaction already makes it the one writer; on PostgreSQL a
transaction-level advisory lock (one per tenant database) is taken before the last entry is read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.accounts.identity import normalize_email
from core.audit.tables import AuditEntry
from core.db.locks import transaction_lock

GENESIS = "0" * 64
# Any constant works: each tenant has its own database, so one key means one lock per tenant.
CHAIN_LOCK_KEY = 7_202_611_230
BATCH = 500


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def payload_hash(before: Any, after: Any) -> str:
    return _sha256(canonical({"before": before, "after": after}))


def moment(at: datetime) -> str:
    """The timestamp as hashed: UTC ISO 8601 with microseconds (what both backends store)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(prev: str, seq: int, fields: dict[str, Any], payload: str) -> str:
    return _sha256(
        canonical(
            [
                prev,
                seq,
                moment(fields["at"]),
                fields["tenant"],
                fields["actor_id"],
                fields["actor_email"],
                fields["entity"],
                fields["entity_id"],
                fields["action"],
                payload,
            ]
        )
    )


async def lock_chain() -> None:
    """Serialize appends to the tenant's chain until the caller's transaction ends."""
    await transaction_lock(AuditEntry, CHAIN_LOCK_KEY)


async def chain_head() -> tuple[str, int]:
    """(entry_hash, seq) of the newest entry, or the genesis value; call under ``lock_chain``."""
    last = (
        await AuditEntry.select(AuditEntry.entry_hash, AuditEntry.seq)
        .order_by(AuditEntry.id, ascending=False)
        .first()
        .run()
    )
    return (last["entry_hash"], last["seq"]) if last else (GENESIS, 0)


def decoded(value: Any) -> Any:
    """A JSON column as Python: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


async def entries_from(after_id: int, *, entity: str | None = None, actor_email: str | None = None):
    """Every entry with an id above ``after_id``, oldest first, read in batches (payloads decoded)."""
    last_id = after_id
    while True:
        query = AuditEntry.select().where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(BATCH)
        if entity:
            query = query.where(AuditEntry.entity == entity)
        if actor_email:
            query = query.where(AuditEntry.actor_email == normalize_email(actor_email))
        rows = await query.run()
        for row in rows:
            row["before"], row["after"] = decoded(row["before"]), decoded(row["after"])
            yield row
        if len(rows) < BATCH:
            return
        last_id = rows[-1]["id"]


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def _problem(row: dict[str, Any], prev: str, seq: int) -> str:
    if not row["entry_hash"]:
        return "it carries no hash (an unchained entry among chained ones)"
    if row["seq"] != seq:
        return f"its sequence number is {row['seq']}, expected {seq}: an entry before it was deleted"
    if row["prev_hash"] != prev:
        return "it does not follow the previous entry: an entry before it was deleted or changed"
    if not row["redacted"] and payload_hash(row["before"], row["after"]) != row["payload_hash"]:
        return "its before/after data were changed"
    if entry_hash(prev, seq, row, row["payload_hash"]) != row["entry_hash"]:
        return "its fields were changed"
    return ""


async def verify_chain() -> ChainReport:
    """Walk the tenant's entries in id order and report the first one that breaks the chain."""
    prev, seq, count = GENESIS, 1, 0
    async for row in entries_from(0):
        if reason := _problem(row, prev, seq):
            return ChainReport(count, row["id"], reason)
        prev, seq, count = row["entry_hash"], seq + 1, count + 1
    return ChainReport(count)


async def backfill_chain() -> list[int]:
    """Chain the entries written before the chain existed (empty ``entry_hash``), in id order,
    continuing from the newest chained entry; returns their ids. Only entries after the newest
    chained one are touched: an unchained entry before a chained one stays as it is, for
    verification to report. Joins the caller's transaction (see ``audit.service.chain_legacy``)."""
    async with AuditEntry._meta.db.transaction():
        await lock_chain()
        newest = (
            await AuditEntry.select(AuditEntry.id, AuditEntry.entry_hash, AuditEntry.seq)
            .where(AuditEntry.entry_hash != "")
            .order_by(AuditEntry.id, ascending=False)
            .first()
            .run()
        )
        start, prev, seq = (newest["id"], newest["entry_hash"], newest["seq"]) if newest else (0, GENESIS, 0)
        rows = [row async for row in entries_from(start)]
        for row in rows:
            seq += 1
            payload = payload_hash(row["before"], row["after"])
            chained = entry_hash(prev, seq, row, payload)
            await (
                AuditEntry.update(
                    {
                        AuditEntry.seq: seq,
                        AuditEntry.payload_hash: payload,
                        AuditEntry.prev_hash: prev,
                        AuditEntry.entry_hash: chained,
                    }
                )
                .where(AuditEntry.id == row["id"])
                .run()
            )
            prev = chained
    return [row["id"] for row in rows]
