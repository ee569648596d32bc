from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T21:04:34:540628"
VERSION = "1.38.0"
DESCRIPTION = "Completion rule of activities for certificates"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="engagement", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Activity",
        tablename="engagement_activity",
        column_name="completion_attendance",
        db_column_name="completion_attendance",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 80,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Activity",
        tablename="engagement_activity",
        column_name="completion_requires_post",
        db_column_name="completion_requires_post",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": True,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
