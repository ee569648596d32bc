"""Composite unique indexes of the engagement tables, which Piccolo's columns cannot declare: one
application per email and call, one participant per contact and activity, one attendance per session
and participant, one answer sheet per participant and phase. Both backends accept this form. A
migration of its own, as Piccolo runs a migration's raw steps before its table changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T20:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique together"

UNIQUE_TOGETHER = (
    ("engagement_application_call_email", "engagement_application", "activity, email"),
    ("engagement_participant_activity_contact", "engagement_participant", "activity, contact"),
    ("engagement_attendance_session_participant", "engagement_attendance", "session, participant"),
    ("engagement_response_participant_phase", "engagement_response", "participant, phase"),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="engagement", description=DESCRIPTION)

    async def create() -> None:
        from plugins.engagement.tables import Activity as Bound

        for name, table, columns in UNIQUE_TOGETHER:
            await Bound.raw(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})").run()

    async def drop() -> None:
        from plugins.engagement.tables import Activity as Bound

        for name, _, _ in UNIQUE_TOGETHER:
            await Bound.raw(f"DROP INDEX IF EXISTS {name}").run()

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
