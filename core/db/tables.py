"""The base for plugins' tables: bound to the routing engine, so a plugin's queries run in the
database of the tenant in context and fail when there is none, like core's own."""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

from core.db.columns import RecordMixin
from core.db.routing import ROUTING_ENGINE

# The columns ``RecordService`` needs (version, timestamps, archiving, owner side, search text):
# a plugin's record table is ``class Network(RecordColumns, PluginTable, tablename=…)``.
RecordColumns = RecordMixin


class PluginTable(Table, db=ROUTING_ENGINE, tablename="pilot_crm_plugin_table"):
    """Subclass it instead of Piccolo's ``Table``; give a ``tablename`` prefixed with the plugin's
    name (``networks_network``), never core's ``crm_``. This base has no table of its own."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        kwargs.setdefault("db", ROUTING_ENGINE)
        super().__init_subclass__(**kwargs)
