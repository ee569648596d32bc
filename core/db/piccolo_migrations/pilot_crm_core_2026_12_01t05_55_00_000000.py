"""The outbox moves from ``<data_dir>/outbox/*.eml`` into the tenant's database (``crm_outbox``), so
every app process and host of a deployment shares it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T05:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Mails kept when no SMTP server is configured (crm_outbox)"


def _params(**extra):
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pilot_crm_core", description=DESCRIPTION)
    manager.add_table(class_name="OutboxMail", tablename="crm_outbox", schema=None, columns=None)
    columns = [
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("recipient", Varchar, _params(length=320, default="")),
        ("subject", Text, _params(default="")),
        ("message", Bytea, _params(default=b"")),
    ]
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="OutboxMail",
            tablename="crm_outbox",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
