"""The plugin's Piccolo app: its tables, with migrations in ``piccolo_migrations``."""

import os

from core.plugin_api import AppConfig
from plugins.engagement.tables import (
    Activity,
    Application,
    Attendance,
    BreakoutGroup,
    Certificate,
    DialogueInput,
    Participant,
    Question,
    Response,
    Reviewer,
    Session,
)

APP_CONFIG = AppConfig(
    app_name="engagement",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Activity,
        Application,
        Reviewer,
        Participant,
        Session,
        BreakoutGroup,
        Attendance,
        Question,
        Response,
        Certificate,
        DialogueInput,
    ],
    migration_dependencies=[],
    commands=[],
)
