"""Networks' and memberships' folded search_text on each engine's own full-text index, filled for the
rows already there."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.plugin_api import add_search_indexes

ID = "2026-12-01T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search_text on the database's own full-text index"
SEARCHED = ("networks_network", "networks_membership")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="networks", description=DESCRIPTION)
    add_search_indexes(manager, SEARCHED)
    return manager
