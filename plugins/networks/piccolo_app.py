"""The plugin's Piccolo app: its tables, with migrations in ``piccolo_migrations``. ``pilot-crm
migrate`` runs them after core's, whose tables memberships reference."""

import os

from core.plugin_api import AppConfig
from plugins.networks.tables import Membership, Network

APP_CONFIG = AppConfig(
    app_name="networks",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Network, Membership],
    migration_dependencies=[],
    commands=[],
)
