"""Indexes that let counts read an index instead of a table: the dashboard's live counts (records
whose ``archived_at`` is empty), its one pass over joint actions by status and due date, and a
contact list's total under the protected-contacts rule. Both backends accept this form; a migration
of its own, as Piccolo runs a migration's raw steps before its table changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T06:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "count indexes"

INDEXES = (
    # COUNT(*) of live contacts (dashboard) and of those a member may see (list totals).
    ("crm_contact_live", "crm_contact", "archived_at, erased_at, protected, created_by"),
    # Live actions per status, and how many are overdue, in one pass.
    ("crm_joint_action_live_status", "crm_joint_action", "archived_at, status, due_date"),
    ("crm_organization_live", "crm_organization", "archived_at"),
    ("crm_meeting_live", "crm_meeting", "archived_at, starts_at"),
    # Distinct actions per topic, and the topics of given actions, without visiting the link rows.
    ("crm_action_topic_topic_action", "crm_action_topic", "topic, action"),
    ("crm_action_topic_action_topic", "crm_action_topic", "action, topic"),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="pilot_crm_core", description=DESCRIPTION)

    async def create() -> None:
        from core.contacts.tables import Contact as Bound

        for name, table, columns in INDEXES:
            await Bound.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})").run()

    async def drop() -> None:
        from core.contacts.tables import Contact as Bound

        for name, _, _ in INDEXES:
            await Bound.raw(f"DROP INDEX IF EXISTS {name}").run()

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
