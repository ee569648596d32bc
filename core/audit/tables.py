from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
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
