"""The public plugin surface: everything a plugin may import from Pilot CRM, and nothing else.

Plugins write ``from core.plugin_api import …`` and only that; every other module of ``core`` is
private and may change in any release. This module changes by the rules of :data:`API_VERSION`: a
name is only removed, or its meaning changed, in a new major version, and a plugin says which
versions it supports in a module-level ``API_VERSIONS = (1,)``; ``pilot-crm plugins check``,
``serve`` and ``migrate`` refuse a plugin that supports none of :data:`SUPPORTED_API_VERSIONS`.

What is here, by use (the plugin guide, ``plugins/README.md``, walks through each):

- the contract: :data:`hookimpl` (the hooks are documented in ``core.hookspecs``);
- describing data: :class:`FieldSpec`, :class:`Choice`, :class:`FieldInvalid`, :class:`TopicSpec`,
  :data:`SECTORS` (organization sectors), :class:`PluginForm`, :func:`N_`, :class:`Message`,
  ready-made rules (:func:`required_for_sectors`);
- tables: :class:`PluginTable` (bound to the tenant routing engine), :class:`RecordColumns` (the
  columns the record service needs), Piccolo's columns and ``AppConfig`` re-exported, and core's
  tables that plugin tables may reference (:class:`Organization`, :class:`Contact`,
  :class:`Meeting`, :class:`JointAction`), and :class:`ContactVisibility`, core's one rule for
  who sees a protected contact, for plugin rows that reference contacts;
- services: :class:`RecordService` (list, search, create, update with versions, archive, audit),
  :func:`record_audit`, :func:`require_tenant`, :class:`Actor`, the errors services raise;
- the web: Litestar's route decorators, ``Controller``, ``Request`` and responses (so a plugin's
  handlers need no other import), :data:`PUBLIC`, guards, :func:`render`, :func:`redirect`,
  :func:`page_parts`, :func:`record_pages` / :class:`PageSpec` (list, detail, forms),
  :func:`record_controller` (JSON API), the handler parameter markers, the contributions
  (:class:`NavEntry`, :class:`Panel`, :class:`ExportColumn`, :class:`PersonalDataSource`) and
  chart geometry for panels;
- documents: :class:`ShapedPDF` and :data:`PDF_FONT` (core's fonts and Arabic shaping, for a
  plugin's PDF such as a certificate), :func:`link_base_url` (the trusted address for links that
  leave the app, such as a certificate's QR code);
- people and spreadsheets: :func:`create_contact` (core's contact service, audited),
  :func:`matching_contact` (the tenant's duplicate rules), :func:`read_spreadsheet` /
  :class:`UnreadableFile` (CSV in any encoding and delimiter, or XLSX), :func:`cell_text`,
  :func:`suggest_columns` (headers to fields in the tenant's languages) and :func:`clean_fields`
  (a line checked as a form is), for a plugin's own import such as course completions;
- tests: the pytest plugin's kit, loaded on first use (``core.plugin_api.TenantSpec``…), so the
  running app never imports pytest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.response import Redirect, Template
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
from core.actions.tables import JointAction
from core.audit.service import record as record_audit
from core.contacts.service import ContactService
from core.contacts.tables import Contact
from core.contacts.visibility import ContactVisibility
from core.dashboard.charts import Chart, Datum, column_bars, horizontal_bars
from core.db.tables import PluginTable, RecordColumns
from core.duplicates.finder import matching_contact
from core.errors import Conflict, Message, NotFound, PermissionDenied, TooManyRequests, ValidationFailed
from core.forms.fields import KINDS, Choice, FieldInvalid, FieldSpec
from core.forms.rules import required_for_sectors
from core.forms.validation import clean_fields
from core.forms.vocabulary import SECTORS
from core.hookspecs import hookimpl
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.imports.mapping import suggest_columns
from core.imports.reading import UnreadableFile
from core.imports.reading import read_table as read_spreadsheet
from core.imports.values import cell_text
from core.meetings.tables import Meeting
from core.organizations.tables import Organization
from core.plugins.contributions import ExportColumn, NavEntry, Panel, PersonalDataSource, PluginForm
from core.plugins.routes import PUBLIC
from core.records.api import record_controller
from core.records.service import Page, RecordService, TopicLink, VisibilityRule, load_json
from core.reports.pdf import FONT as PDF_FONT
from core.reports.pdf import ShapedPDF
from core.tenancy.context import require_tenant
from core.topics.specs import CATEGORIES as TOPIC_CATEGORIES
from core.topics.specs import TopicSpec
from core.web.pages.guards import require_coordinator, require_role, require_signed_in, require_writer
from core.web.pages.records import ListFilter, PageSpec, record_pages
from core.web.pages.render import page_parts, redirect, render
from core.web.params import CurrentActor, CurrentTenant, CurrentTranslator, FromQuery, JSONObject, PathId

if TYPE_CHECKING:
    from core.testing.environment import TenantSpec, TestEnvironment, build_environment
    from core.testing.web import Browser, sign_in

API_VERSION = 1


async def create_contact(actor: Actor, values: dict[str, Any], locale: str | None = None) -> dict[str, Any]:
    """A new contact from the contact form's ``values``, validated, audited and announced as core's
    pages and API create one (a person a plugin takes in: an imported course completion)."""
    return await ContactService(actor, locale).create(values)


# The versions of this surface this release of core serves (a plugin must support one of them).
SUPPORTED_API_VERSIONS = (1,)

# The test kit, imported on first use only (it pulls in pytest-era helpers the app never needs).
_KIT = {
    "TenantSpec": "core.testing.environment",
    "TestEnvironment": "core.testing.environment",
    "build_environment": "core.testing.environment",
    "TEST_PASSWORD": "core.testing.environment",
    "Browser": "core.testing.web",
    "sign_in": "core.testing.web",
    "MailSink": "core.testing.mail",
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
    "ContactVisibility",
    "Controller",
    "CurrentActor",
    "CurrentTenant",
    "CurrentTranslator",
    "Date",
    "Datum",
    "ExportColumn",
    "FieldInvalid",
    "FieldSpec",
    "ForeignKey",
    "FromQuery",
    "Integer",
    "JSONObject",
    "JointAction",
    "ListFilter",
    "Meeting",
    "Message",
    "NavEntry",
    "NotFound",
    "Organization",
    "Page",
    "PageSpec",
    "Panel",
    "PathId",
    "PermissionDenied",
    "PersonalDataSource",
    "PluginForm",
    "PluginTable",
    "RecordColumns",
    "RecordService",
    "Redirect",
    "Request",
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
    "build_environment",
    "cell_text",
    "clean_fields",
    "column_bars",
    "create_contact",
    "delete",
    "get",
    "hookimpl",
    "horizontal_bars",
    "link_base_url",
    "load_json",
    "matching_contact",
    "page_parts",
    "patch",
    "post",
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
    "sign_in",
    "suggest_columns",
]
