"""The plugin's Piccolo app: its tables, with migrations in ``piccolo_migrations``."""

import os

from core.plugin_api import AppConfig
from plugins.engagement.tables import Activity

APP_CONFIG = AppConfig(
    app_name="engagement",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Activity],
    migration_dependencies=[],
    commands=[],
)
