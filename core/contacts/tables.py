from piccolo.columns import JSON, Boolean, Date, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

from core.db.columns import RecordMixin
from core.db.routing import ROUTING_ENGINE
from core.organizations.tables import Organization


class Contact(RecordMixin, Table, db=ROUTING_ENGINE, tablename="crm_contact"):
    id: Serial
    first_name = Varchar(length=120)
    last_name = Varchar(length=120, index=True)
    organization = ForeignKey(references=Organization, null=True, index=True)
    position = Varchar(length=200, default="")
    emails = JSON(default="[]")
    phones = JSON(default="[]")
    preferred_language = Varchar(length=8, default="")
    roles = JSON(default="[]")
    consent_basis = Varchar(length=32, default="")
    consent_date = Date(null=True, default=None)
    protected = Boolean(default=False)
    extra = JSON(default="{}")
    # Set when the person's data were erased (anonymized in place): the row stays for history.
    erased_at = Timestamptz(null=True, default=None)
