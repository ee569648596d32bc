from piccolo.columns import JSON, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.accounts.tables import User
from core.db.columns import RecordMixin
from core.db.routing import ROUTING_ENGINE
from core.meetings.tables import Meeting
from core.organizations.tables import Organization
from core.topics.tables import Topic


class JointAction(RecordMixin, Table, db=ROUTING_ENGINE, tablename="crm_joint_action"):
    id: Serial
    title = Varchar(length=300)
    description = Text(default="")
    status = Varchar(length=16, default="proposed", index=True)
    government_lead = ForeignKey(references=Organization, null=True)
    origin_meeting = ForeignKey(references=Meeting, null=True)
    due_date = Date(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    extra = JSON(default="{}")


class ActionTopic(Table, db=ROUTING_ENGINE, tablename="crm_action_topic"):
    id: Serial
    action = ForeignKey(references=JointAction, index=True)
    topic = ForeignKey(references=Topic, index=True)


class ActionPartner(Table, db=ROUTING_ENGINE, tablename="crm_action_partner"):
    id: Serial
    action = ForeignKey(references=JointAction, index=True)
    organization = ForeignKey(references=Organization, index=True)


class ProgressUpdate(Table, db=ROUTING_ENGINE, tablename="crm_progress_update"):
    id: Serial
    action = ForeignKey(references=JointAction, index=True)
    on_date = Date()
    note = Text()
    author = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class CompletionConfirmation(Table, db=ROUTING_ENGINE, tablename="crm_completion_confirmation"):
    id: Serial
    action = ForeignKey(references=JointAction, index=True)
    side = Varchar(length=32)
    user_id = Integer()
    confirmed_at = Timestamptz(default=TimestamptzNow())
