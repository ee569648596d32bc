"""The public plugin surface: everything a plugin may import from Pilot CRM, and nothing else.

Plugins write ``from core.plugin_api import …`` and only that; every other module of ``core`` is
private and may change in any release. This module changes by the rules of :data:`API_VERSION`: a
name is only removed, or its meaning changed, in a new major version, and a plugin says which
versions it supports in a module-level ``API_VERSIONS = (1,)``; ``pilot-crm plugins check``,
``serve`` and ``migrate`` refuse a plugin that supports none of :data:`SUPPORTED_API_VERSIONS`.

What is here, by use (the plugin guide, ``plugins/README.md``, walks through each):

- the contract: :data:`hookimpl` (the hooks are documented in ``core.hookspecs``);
- describing data: :class:`FieldSpec`, :class:`Choice`, :class:`FieldInvalid`, :class:`TopicSpec`,
  :data:`SECTORS` (organization sectors), :class:`PluginForm`, :func:`N_` and :func:`NP_` (a msgid
  with a message context), :class:`Message`,
  ready-made rules (:func:`required_for_sectors`);
- tables: :class:`PluginTable` (bound to the tenant routing engine), :class:`RecordColumns` (the
  columns the record service needs), Piccolo's columns and ``AppConfig`` re-exported, and core's
  tables that plugin tables may reference (:class:`Organization`, :class:`Contact`,
  :class:`Meeting`, :class:`JointAction`), and :class:`ContactVisibility`, core's one rule for
  who sees a protected contact, for plugin rows that reference contacts, and
  :class:`ContactService` (its ``choices`` offer people as core's selects do);
- services: :class:`RecordService` (list, search, create, update with versions, archive, audit),
  :func:`record_audit`, :func:`require_tenant`, :class:`Actor`, the errors services raise;
- the web: Litestar's route decorators (``put`` for bulk replacements), ``Controller``,
  ``Request`` and responses (so a plugin's handlers need no other import), :data:`PUBLIC`,
  guards, :func:`render`, :func:`redirect`,
  :func:`page_parts`, :func:`record_pages` / :class:`PageSpec` (list, detail, forms),
  :func:`record_controller` (JSON API), the handler parameter markers, the contributions
  (:class:`NavEntry`, :class:`Panel`, :class:`ExportColumn`, :class:`PersonalDataSource`,
  :class:`PickExclusion`) and chart geometry for panels;
- people from outside the tenant (a call for applications, an import of course completions):
  :func:`matching_contact` and :func:`matching_organization` (the best match by the tenant's
  duplicate rules, or None), :class:`ContactService` and :class:`OrganizationService` (to create
  them, audited);
- a plugin's own forms, for pages ``record_pages`` does not build: :class:`FormDefinition`,
  :func:`clean_fields`, :func:`field_views` (as the ``render_field`` macro shows them, a
  reference to a contact or an organization as a searchable picker; ``picker_select`` in
  ``macros/forms.html`` shows one such field alone) and
  :func:`parse_submission` (an HTML submission back as the service's input), :func:`numbered` (a
  table's per-row fields, ``<prefix><id>``, by id); :func:`topic_names`
  (topic labels in the page's language); :func:`use_locale` (a public page in the language its link
  names);
- mail and personal links: :class:`Mail`, :func:`mailer_for` (a :class:`Mailer`),
  :class:`MailNotSent`, :func:`link_base_url` (the trusted address a mailed link or a QR code may
  point at) and :data:`LinkToken` (the path parameter of a link's secret, bounded in length);
- accounts and audit: :func:`list_members` (a coordinator's read-only member listing, to grant a
  plugin's role) and :func:`audit_history` (a record's audit entries, to show its history);
- spreadsheets: :func:`read_spreadsheet` / :class:`UnreadableFile` (CSV in any encoding and
  delimiter, or XLSX), :func:`cell_text` and :func:`suggest_columns` (headers to fields in the
  tenant's languages), for a plugin's own import;
- documents and exports: :class:`ShapedPDF` and :data:`PDF_FONT` (core's fonts and Arabic shaping),
  Litestar's ``Response`` (a download of a plugin's own format), :class:`ExportFile`,
  :class:`FileColumn`, :func:`download` and :class:`Download` (a CSV or XLSX of a plugin's own
  rows, streamed, headers in the reader's language);
- :func:`search_text`, the folded text a record's ``search_text`` column holds, for a plugin that
  rewrites such a column outside the record service (an erasure scrubbing a name), and
  :func:`add_search_indexes`, the migration steps that index a searched table's ``search_text`` on
  the database's own full-text index (``core.db.textsearch``);
- tests: the pytest plugin's kit, loaded on first use (``core.plugin_api.TenantSpec``…), so the
  running app never imports pytest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.response import Redirect, Response, Template
from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.conf.apps import AppConfig

from core.accounts.link_pages import link_base_url
from core.accounts.roles import COORDINATOR, GOVERNMENT_PARTICIPANT, NGO_PARTICIPANT, OBSERVER, ROLES, Actor
from core.accounts.service import list_members
from core.actions.tables import JointAction
from core.audit.service import history as audit_history
from core.audit.service import record as record_audit
from core.contacts.service import ContactService
from core.contacts.tables import Contact
from core.contacts.visibility import ContactVisibility
from core.dashboard.charts import Chart, Datum, column_bars, horizontal_bars
from core.db.tables import PluginTable, RecordColumns
from core.db.textsearch import add_search_indexes
from core.duplicates.finder import matching_contact, matching_organization
from core.errors import Conflict, Message, NotFound, PermissionDenied, TooManyRequests, ValidationFailed
from core.forms.definitions import FormDefinition
from core.forms.fields import KINDS, Choice, FieldInvalid, FieldSpec
from core.forms.rules import required_for_sectors
from core.forms.validation import clean_fields
from core.forms.vocabulary import SECTORS
from core.hookspecs import hookimpl
from core.i18n.markers import N_, NP_
from core.i18n.translator import Translator
from core.imports.mapping import suggest_columns
from core.imports.reading import UnreadableFile
from core.imports.reading import read_table as read_spreadsheet
from core.imports.values import cell_text
from core.mail import Mail, Mailer, MailNotSent, mailer_for
from core.meetings.tables import Meeting
from core.organizations.service import OrganizationService
from core.organizations.tables import Organization
from core.plugins.contributions import (
    ExportColumn,
    NavEntry,
    Panel,
    PersonalDataSource,
    PickExclusion,
    PluginForm,
)
from core.plugins.routes import PUBLIC
from core.records.api import record_controller
from core.records.export import Column as FileColumn
from core.records.export import ExportFile
from core.records.search import search_text
from core.records.service import Page, RecordService, TopicLink, VisibilityRule, load_json
from core.reports.shaped import FONT as PDF_FONT
from core.reports.shaped import ShapedPDF
from core.tenancy.context import require_tenant
from core.topics.specs import CATEGORIES as TOPIC_CATEGORIES
from core.topics.specs import TopicSpec
from core.web.download import Download, download
from core.web.pages.display import topic_names
from core.web.pages.forms import field_views, numbered, parse_submission
from core.web.pages.guards import require_coordinator, require_role, require_signed_in, require_writer
from core.web.pages.listing import ListColumn
from core.web.pages.records import ListFilter, PageSpec, record_pages
from core.web.pages.render import page_parts, redirect, render, use_locale
from core.web.params import (
    CurrentActor,
    CurrentTenant,
    CurrentTranslator,
    FromQuery,
    JSONObject,
    LinkToken,
    PathId,
)

if TYPE_CHECKING:
    from core.testing.environment import TenantSpec, TestEnvironment, build_environment
    from core.testing.mail import outbox_mails
    from core.testing.web import Browser, app_client, section, sign_in

API_VERSION = 1


# The versions of this surface this release of core serves (a plugin must support one of them).
SUPPORTED_API_VERSIONS = (1,)

# The test kit, imported on first use only (it pulls in pytest-era helpers the app never needs).
_KIT = {
    "TenantSpec": "core.testing.environment",
    "TestEnvironment": "core.testing.environment",
    "build_environment": "core.testing.environment",
    "TEST_PASSWORD": "core.testing.environment",
    "Browser": "core.testing.web",
    "app_client": "core.testing.web",
    "sign_in": "core.testing.web",
    "section": "core.testing.web",
    "MailSink": "core.testing.mail",
    "outbox_mails": "core.testing.mail",
    "PluginCatalogs": "core.testing.catalogs",
}


def __getattr__(name: str) -> Any:
    if name in _KIT:
        import importlib

        return getattr(importlib.import_module(_KIT[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "API_VERSION",
    "COORDINATOR",
    "GOVERNMENT_PARTICIPANT",
    "JSON",
    "KINDS",
    "NGO_PARTICIPANT",
    "NP_",
    "N_",
    "OBSERVER",
    "PDF_FONT",
    "PUBLIC",
    "ROLES",
    "SECTORS",
    "SUPPORTED_API_VERSIONS",
    "TOPIC_CATEGORIES",
    "Actor",
    "AppConfig",
    "Boolean",
    "Browser",
    "Chart",
    "Choice",
    "Conflict",
    "Contact",
    "ContactService",
    "ContactVisibility",
    "Controller",
    "CurrentActor",
    "CurrentTenant",
    "CurrentTranslator",
    "Date",
    "Datum",
    "Download",
    "ExportColumn",
    "ExportFile",
    "FieldInvalid",
    "FieldSpec",
    "FileColumn",
    "ForeignKey",
    "FormDefinition",
    "FromQuery",
    "Integer",
    "JSONObject",
    "JointAction",
    "LinkToken",
    "ListColumn",
    "ListFilter",
    "Mail",
    "MailNotSent",
    "Mailer",
    "Meeting",
    "Message",
    "NavEntry",
    "NotFound",
    "Organization",
    "OrganizationService",
    "Page",
    "PageSpec",
    "Panel",
    "PathId",
    "PermissionDenied",
    "PersonalDataSource",
    "PickExclusion",
    "PluginForm",
    "PluginTable",
    "RecordColumns",
    "RecordService",
    "Redirect",
    "Request",
    "Response",
    "Serial",
    "ShapedPDF",
    "Template",
    "TenantSpec",
    "TestEnvironment",
    "Text",
    "Timestamptz",
    "TooManyRequests",
    "TopicLink",
    "TopicSpec",
    "Translator",
    "UnreadableFile",
    "ValidationFailed",
    "Varchar",
    "VisibilityRule",
    "add_search_indexes",
    "app_client",
    "audit_history",
    "build_environment",
    "cell_text",
    "clean_fields",
    "column_bars",
    "delete",
    "download",
    "field_views",
    "get",
    "hookimpl",
    "horizontal_bars",
    "link_base_url",
    "list_members",
    "load_json",
    "mailer_for",
    "matching_contact",
    "matching_organization",
    "numbered",
    "outbox_mails",
    "page_parts",
    "parse_submission",
    "patch",
    "post",
    "put",
    "read_spreadsheet",
    "record_audit",
    "record_controller",
    "record_pages",
    "redirect",
    "render",
    "require_coordinator",
    "require_role",
    "require_signed_in",
    "require_tenant",
    "require_writer",
    "required_for_sectors",
    "search_text",
    "section",
    "sign_in",
    "suggest_columns",
    "topic_names",
    "use_locale",
]
