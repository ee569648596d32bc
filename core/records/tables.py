from piccolo.columns import JSON, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.accounts.tables import User
from core.db.routing import ROUTING_ENGINE


class ListColumns(Table, db=ROUTING_ENGINE, tablename="crm_list_columns"):
    """The columns a member chose to see in one list (``listing``: the list's path, ``/contacts``)."""

    id: Serial
    member = ForeignKey(references=User, index=True, on_delete=OnDelete.cascade)
    listing = Varchar(length=120)
    columns = JSON(default="[]")
    updated_at = Timestamptz(default=TimestamptzNow())
