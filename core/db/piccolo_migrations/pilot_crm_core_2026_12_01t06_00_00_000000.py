"""The searched tables' folded search_text on each engine's own full-text index (SQLite FTS5 trigram
tables kept by triggers, PostgreSQL pg_trgm GIN indexes), filled for the rows already there."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.textsearch import add_search_indexes

ID = "2026-12-01T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search_text on the database's own full-text index"
SEARCHED = ("crm_organization", "crm_contact", "crm_meeting", "crm_joint_action", "crm_topic")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="pilot_crm_core", description=DESCRIPTION)
    add_search_indexes(manager, SEARCHED)
    return manager
