"""Core's Piccolo app: every core table, with its migrations in ``piccolo_migrations``."""

import os

from piccolo.conf.apps import AppConfig

from core.accounts.tables import AccountLink, ApiToken, ThrottleCounter, User, WebSession
from core.actions.tables import (
    ActionPartner,
    ActionTopic,
    CompletionConfirmation,
    JointAction,
    ProgressUpdate,
)
from core.audit.tables import AuditEntry
from core.contacts.tables import Contact
from core.db.identity import TenantIdentity
from core.imports.tables import ImportBatch, ImportChange, ImportFile, ImportMapping, ImportRow
from core.mail.tables import OutboxMail
from core.meetings.tables import Attendance, CalendarFeed, Meeting, MeetingTopic
from core.organizations.tables import Organization, OrganizationTopic
from core.records.tables import ListColumns
from core.topics.tables import Topic

APP_CONFIG = AppConfig(
    app_name="pilot_crm_core",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        User,
        ApiToken,
        WebSession,
        AccountLink,
        ThrottleCounter,
        AuditEntry,
        Topic,
        Organization,
        OrganizationTopic,
        Contact,
        Meeting,
        MeetingTopic,
        Attendance,
        JointAction,
        ActionTopic,
        ActionPartner,
        ProgressUpdate,
        CompletionConfirmation,
        TenantIdentity,
        CalendarFeed,
        ImportBatch,
        ImportFile,
        ImportRow,
        ImportChange,
        ImportMapping,
        ListColumns,
        OutboxMail,
    ],
    migration_dependencies=[],
    commands=[],
)
