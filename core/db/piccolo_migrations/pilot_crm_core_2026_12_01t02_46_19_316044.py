from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T02:46:19:316044"
VERSION = "1.38.0"
DESCRIPTION = "crm_topic.refines: the shared topic a plugin's priority refines (written by migrate)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="pilot_crm_core", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Topic",
        tablename="crm_topic",
        column_name="refines",
        db_column_name="refines",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
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
