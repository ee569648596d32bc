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
- exports of a plugin's own rows: :class:`ExportFile` (what core's exports share: headers in the
  reader's language, values as people read them, CSV or XLSX streamed), :class:`FileColumn` (one
  column of such a file), :func:`download` and :class:`Download` (the response that streams it);
- :func:`search_text`, the folded text a record's ``search_text`` column holds, for a plugin that
  rewrites such a column outside the record service (an erasure scrubbing a name);
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

from core.accounts.roles import COORDINATOR, GOVERNMENT_PARTICIPANT, NGO_PARTICIPANT, OBSERVER, ROLES, Actor
from core.actions.tables import JointAction
from core.audit.service import record as record_audit
from core.contacts.tables import Contact
from core.contacts.visibility import ContactVisibility
from core.dashboard.charts import Chart, Datum, column_bars, horizontal_bars
from core.db.tables import PluginTable, RecordColumns
from core.errors import Conflict, Message, NotFound, PermissionDenied, TooManyRequests, ValidationFailed
from core.forms.fields import KINDS, Choice, FieldInvalid, FieldSpec
from core.forms.rules import required_for_sectors
from core.forms.vocabulary import SECTORS
from core.hookspecs import hookimpl
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.meetings.tables import Meeting
from core.organizations.tables import Organization
from core.plugins.contributions import ExportColumn, NavEntry, Panel, PersonalDataSource, PluginForm
from core.plugins.routes import PUBLIC
from core.records.api import record_controller
from core.records.export import Column as FileColumn
from core.records.export import ExportFile
from core.records.search import search_text
from core.records.service import Page, RecordService, TopicLink, VisibilityRule, load_json
from core.tenancy.context import require_tenant
from core.topics.specs import CATEGORIES as TOPIC_CATEGORIES
from core.topics.specs import TopicSpec
from core.web.download import Download, download
from core.web.pages.guards import require_coordinator, require_role, require_signed_in, require_writer
from core.web.pages.records import ListFilter, PageSpec, record_pages
from core.web.pages.render import page_parts, redirect, render
from core.web.params import CurrentActor, CurrentTenant, CurrentTranslator, FromQuery, JSONObject, PathId

if TYPE_CHECKING:
    from core.testing.environment import TenantSpec, TestEnvironment, build_environment
    from core.testing.web import Browser, section, sign_in

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
    "sign_in": "core.testing.web",
    "section": "core.testing.web",
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
    "Download",
    "ExportColumn",
    "ExportFile",
    "FieldInvalid",
    "FieldSpec",
    "FileColumn",
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
    "Template",
    "TenantSpec",
    "TestEnvironment",
    "Text",
    "Timestamptz",
    "TooManyRequests",
    "TopicLink",
    "TopicSpec",
    "Translator",
    "ValidationFailed",
    "Varchar",
    "VisibilityRule",
    "build_environment",
    "column_bars",
    "delete",
    "download",
    "get",
    "hookimpl",
    "horizontal_bars",
    "load_json",
    "page_parts",
    "patch",
    "post",
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
]
