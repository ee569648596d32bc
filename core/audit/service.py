"""Write audit entries inside the caller's transaction, so a change and its record land together."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from core.accounts.roles import Actor
from core.audit.tables import AuditEntry
from core.tenancy.context import require_tenant


def _jsonable(value: Any) -> Any:
    return json.loads(
        json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date | datetime) else str(v))
    )


async def record(
    actor: Actor, entity: str, entity_id: int, action: str, before: dict | None, after: dict | None
) -> None:
    await AuditEntry.insert(
        AuditEntry(
            tenant=require_tenant().slug,
            actor_id=actor.user_id,
            actor_email=actor.email,
            entity=entity,
            entity_id=entity_id,
            action=action,
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
        )
    ).run()


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
        query = query.where(AuditEntry.actor_email == actor_email.strip().lower())
    rows = await query.run()
    for row in rows:
        for key in ("before", "after"):
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
    return rows
