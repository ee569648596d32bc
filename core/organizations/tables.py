from piccolo.columns import JSON, ForeignKey, Serial, Varchar
from piccolo.table import Table

from core.db.columns import RecordMixin
from core.db.routing import ROUTING_ENGINE
from core.topics.tables import Topic


class Organization(RecordMixin, Table, db=ROUTING_ENGINE, tablename="crm_organization"):
    id: Serial
    name = Varchar(length=300, index=True)
    acronym = Varchar(length=40, default="")
    sector = Varchar(length=40)
    side = Varchar(length=32)
    country = Varchar(length=3, default="")
    city = Varchar(length=120, default="")
    website = Varchar(length=300, default="")
    extra = JSON(default="{}")


class OrganizationTopic(Table, db=ROUTING_ENGINE, tablename="crm_organization_topic"):
    id: Serial
    organization = ForeignKey(references=Organization, index=True)
    topic = ForeignKey(references=Topic, index=True)
