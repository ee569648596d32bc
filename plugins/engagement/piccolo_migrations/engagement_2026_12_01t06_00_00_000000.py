"""The searched tables' folded search_text on each engine's own full-text index, filled for the rows
already there (activities, sessions and dialogue inputs are searched through the record service)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.plugin_api import add_search_indexes

ID = "2026-12-01T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search_text on the database's own full-text index"
SEARCHED = ("engagement_activity", "engagement_session", "engagement_input")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="engagement", description=DESCRIPTION)
    add_search_indexes(manager, SEARCHED)
    return manager
