"""The outbox: mails kept, not sent, because no SMTP server is configured (the local demo, a pilot
before its mail server exists). They live in the tenant's own database, so every app process and
host of a deployment writes to and reads from the same place, and ``pilot-crm mail outbox`` shows
them wherever it runs."""

from piccolo.columns import Bytea, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.db.routing import ROUTING_ENGINE


class OutboxMail(Table, db=ROUTING_ENGINE, tablename="crm_outbox"):
    id: Serial
    created_at = Timestamptz(default=TimestamptzNow())
    recipient = Varchar(length=320)  # the To header, for listing without parsing the message
    subject = Text(default="")
    message = Bytea()  # the whole RFC 5322 message, as it would have gone over SMTP
