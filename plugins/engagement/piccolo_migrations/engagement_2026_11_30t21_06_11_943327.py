from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T21:06:11:943327"
VERSION = "1.38.0"
DESCRIPTION = "Activities: the countries of the priority review group, for the selection score"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="engagement", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Activity",
        tablename="engagement_activity",
        column_name="priority_countries",
        db_column_name="priority_countries",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 2000,
            "default": "",
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
