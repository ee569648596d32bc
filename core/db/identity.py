"""Which database this is: a random id written once, when a tenant's database is first migrated.

A tenant's slug is only a label (a backup manifest carries one too, and a manifest can be edited);
the id lives inside the database itself, so it travels with every copy of it. A backup records the
id of the database it was taken from, and a restore compares it with the id of the database it is
about to replace (``core.db.backup``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from piccolo.columns import Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.db.routing import ROUTING_ENGINE


class TenantIdentity(Table, db=ROUTING_ENGINE, tablename="crm_tenant_identity"):
    id: Serial
    database_id = Varchar(length=36, unique=True)  # a random UUID, never changed
    slug = Varchar(length=64)  # the tenant the database was created for
    created_at = Timestamptz(default=TimestamptzNow())


@dataclass(frozen=True, slots=True)
class Identity:
    database_id: str
    slug: str


async def read_identity() -> Identity | None:
    """The identity of the database of the tenant in context (the oldest row, should a race between
    two first migrations ever have written two), or None if it has none yet."""
    row = (
        await TenantIdentity.select(TenantIdentity.database_id, TenantIdentity.slug)
        .order_by(TenantIdentity.id)
        .first()
        .run()
    )
    return Identity(row["database_id"], row["slug"]) if row else None


async def ensure_identity(slug: str) -> bool:
    """Give the tenant's database its identity unless it has one. Returns True when written now."""
    async with TenantIdentity._meta.db.transaction():
        if await read_identity() is not None:
            return False
        await TenantIdentity.insert(TenantIdentity(database_id=str(uuid.uuid4()), slug=slug)).run()
    return True
