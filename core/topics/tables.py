from piccolo.columns import JSON, Boolean, Serial, Varchar
from piccolo.table import Table

from core.db.columns import RecordMixin
from core.db.routing import ROUTING_ENGINE


class Topic(RecordMixin, Table, db=ROUTING_ENGINE, tablename="crm_topic"):
    id: Serial
    code = Varchar(length=64, unique=True)
    category = Varchar(length=32)
    label = Varchar(length=200)  # English source text; translated through the tenant's catalogs
    labels = JSON(default="{}")  # per-locale overrides for topics coordinators add themselves
    source = Varchar(length=64, default="core")  # "core", a plugin name, or "custom"
    priority = Boolean(default=False)  # a national priority of this pilot
    # What the declaring plugin last said (label, category, priority), so that `migrate` can tell a
    # value code set from one a coordinator chose (core.topics.seeding); NULL for custom topics.
    declared = JSON(null=True, default=None)
    # The shared taxonomy's code a plugin's priority refines (TopicSpec.refines), as its plugin
    # declares it (written by migrate only); NULL for every other topic.
    refines = Varchar(length=64, null=True, default=None)
