from piccolo.columns import JSON, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.accounts.tables import User
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


class CalendarFeed(Table, db=ROUTING_ENGINE, tablename="crm_calendar_feed"):
    """A member's secret calendar feed (core.meetings.feeds): only the hash of its token is stored.
    Rotating revokes the old row and adds a new one; ``revoked_at`` set means the feed answers 404."""

    id: Serial
    user = ForeignKey(references=User, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
