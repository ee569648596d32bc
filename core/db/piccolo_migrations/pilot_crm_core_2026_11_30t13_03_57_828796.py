from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T13:03:57:828796"
VERSION = "1.38.0"
DESCRIPTION = "Throttle counters (sign-in, password-reset and invitation budgets) in the tenant database, shared by every app process"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="pilot_crm_core", description=DESCRIPTION
    )

    manager.add_table(
        class_name="ThrottleCounter",
        tablename="crm_throttle",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="ThrottleCounter",
        tablename="crm_throttle",
        column_name="bucket",
        db_column_name="bucket",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ThrottleCounter",
        tablename="crm_throttle",
        column_name="hits",
        db_column_name="hits",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
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
        table_class_name="ThrottleCounter",
        tablename="crm_throttle",
        column_name="closes_at",
        db_column_name="closes_at",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
