from piccolo.columns import JSON, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.contacts.tables import Contact
from core.db.columns import RecordMixin
from core.db.routing import ROUTING_ENGINE
from core.organizations.tables import Organization
from core.topics.tables import Topic


class Meeting(RecordMixin, Table, db=ROUTING_ENGINE, tablename="crm_meeting"):
    id: Serial
    title = Varchar(length=300)
    meeting_type = Varchar(length=40)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    timezone = Varchar(length=64)
    mode = Varchar(length=16)
    place = Varchar(length=300, default="")
    agenda = Text(default="")
    minutes = Text(default="")
    outcomes = Text(default="")
    extra = JSON(default="{}")


class MeetingTopic(Table, db=ROUTING_ENGINE, tablename="crm_meeting_topic"):
    id: Serial
    meeting = ForeignKey(references=Meeting, index=True)
    topic = ForeignKey(references=Topic, index=True)


class Attendance(Table, db=ROUTING_ENGINE, tablename="crm_attendance"):
    id: Serial
    meeting = ForeignKey(references=Meeting, index=True)
    contact = ForeignKey(references=Contact, index=True)
    organization = ForeignKey(references=Organization, null=True)  # at the time of the meeting
    side = Varchar(length=32, default="")  # the organization's side at the time, for balance charts
    status = Varchar(length=16, default="invited")
