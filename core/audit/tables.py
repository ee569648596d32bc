"""The audit table. Each tenant's entries form a hash chain (see ``core.audit.chain``): ``seq`` numbers
them without gaps, ``payload_hash`` covers before/after, ``entry_hash`` covers the entry's fields, its
``payload_hash`` and the previous entry's ``entry_hash``. ``redacted`` marks an entry whose payload
was scrubbed of personal data on purpose; it is outside the hash so scrubbing keeps the chain valid."""

from piccolo.columns import JSON, Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.db.routing import ROUTING_ENGINE


class AuditEntry(Table, db=ROUTING_ENGINE, tablename="crm_audit_entry"):
    id: Serial
    at = Timestamptz(default=TimestamptzNow())
    tenant = Varchar(length=32)
    actor_id = Integer(null=True, default=None)
    actor_email = Varchar(length=254, default="")
    entity = Varchar(length=64, index=True)
    entity_id = Integer(index=True)
    action = Varchar(length=32)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    seq = Integer(default=0)
    payload_hash = Varchar(length=64, default="")
    prev_hash = Varchar(length=64, default="")
    entry_hash = Varchar(length=64, default="")
    redacted = Boolean(default=False)
