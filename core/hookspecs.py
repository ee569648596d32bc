"""The plugin contract. Every hook here is documented; a test fails when one is not.

A country plugin is a module (found through the ``pilot_crm.plugins`` entry-point group) whose
functions are marked with :data:`hookimpl`. Each tenant gets its own plugin manager holding core's
default plugin plus the plugins its declaration enables, so a plugin changes nothing in tenants that
do not enable it. Hooks are synchronous and must not touch the database: they describe data
(topics, fields, catalogs, tables) that core then stores, validates, renders and exports. The one
exceptions, ``record_merged`` and ``demo_records``, return an awaitable that core runs inside the
merge's (or the demo seed's) transaction.

Why this set: topics, form fields, validation and catalogs are what every country pilot brings
(its priorities, its forms, its wording). Tables, forms, routes, templates, menu entries and panels
are what a capability plugin brings (networks, engagement): its records, with core's record
service, pages and API around them. ``record_changed`` lets a plugin react to mutations (notify,
sync) without core knowing about it. Routes are mounted once per app under a prefix of the plugin's
name and answered only for tenants that enable it (``core.plugins.routes``).

Plugins import only ``core.plugin_api``; they declare the versions of it they support in a
module-level ``API_VERSIONS`` (``core.plugins.checks`` refuses a plugin without a supported one).
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from piccolo.conf.apps import AppConfig

    from core.errors import Message
    from core.forms.fields import FieldSpec
    from core.plugins.contributions import (
        ExportColumn,
        NavEntry,
        Panel,
        PersonalDataSource,
        PickExclusion,
        PluginForm,
    )
    from core.topics.specs import TopicSpec

PROJECT = "pilot_crm"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def pilot_crm_topics() -> list[TopicSpec]:
    """Return the topics this plugin contributes to the tenant's taxonomy.

    Core's default plugin returns the shared taxonomy (instruments, thematic clusters, crime types,
    cross-cutting themes); a country plugin returns its national priorities with ``priority=True``.
    Labels are English msgids translated through the tenant's catalogs. ``pilot-crm migrate`` creates
    the missing ones; when a declaration changes, only the fields no coordinator has changed follow
    it (audited as the system). Topics are never deleted (``core.topics.seeding``).
    """


@hookspec
def pilot_crm_form_fields(form: str) -> list[FieldSpec]:
    """Return extra fields for ``form`` (``organization``, ``contact``, ``meeting``, ``action``, or a
    form a plugin declares through ``pilot_crm_forms``).

    Fields are appended after core's fields. Their values are stored in the record's ``extra`` JSON
    column, validated against the declared type, offered in the form definition API with translated
    labels, and exported as columns. Field names must be unique within a tenant's form; use a
    prefix (``mx_state``) to avoid clashes.
    """


@hookspec
def pilot_crm_validate(form: str, data: dict[str, Any]) -> dict[str, list[Message]] | None:
    """Check a record as a whole; return ``{field: [messages]}`` for what is wrong.

    Called after every submitted field has passed its own validation. ``data`` holds every field of
    the form, core and plugin, as the record would be saved (on updates, the stored values merged
    with the change; blank fields hold their empty value), so a plugin can express rules across
    fields, e.g. a registry number required for NGOs.
    """


@hookspec
def pilot_crm_locale_dirs() -> list[Path]:
    """Return directories laid out as ``<lang>/LC_MESSAGES/messages.po``.

    Catalogs are merged in plugin order after core's, so a plugin's wording overrides core's
    for its tenants only.
    """


@hookspec
def pilot_crm_piccolo_apps() -> list[AppConfig]:
    """Return Piccolo apps whose tables this plugin needs; ``pilot-crm migrate`` runs their
    migrations in the databases of the tenants that enable the plugin, after core's."""


@hookspec
def pilot_crm_record_changed(
    entity: str, action: str, record_id: int, before: dict | None, after: dict | None
) -> None:
    """Called after a mutation has been committed and audited (``action`` is ``create``,
    ``update``, ``archive`` or a domain verb such as ``confirm``). Must not raise: errors are
    logged and ignored so a plugin cannot undo a committed change."""


@hookspec
def pilot_crm_forms() -> list[PluginForm]:
    """Return the forms of this plugin's own records (``PluginForm``: name, fields, service).

    Core builds them like its own forms: one definition validates JSON and HTML input, renders the
    page form with translated labels, and lets other plugins append fields. Name them after the
    plugin's records (``network``, ``membership``); a name already used by core or another plugin
    is refused by ``pilot-crm plugins check``.
    """


@hookspec
def pilot_crm_routes() -> list[Any]:
    """Return Litestar route handlers or controllers for the plugin's pages (HTML).

    They are mounted at ``/t/{tenant}/<plugin name>/…`` and answered only for tenants that enable the
    plugin (404 elsewhere, as for an unknown path). Every request passes core's tenant middleware,
    CSRF and security headers; handlers need a signed-in member unless marked ``opt=PUBLIC``
    (then each client address gets a rate limit instead). Add role guards as core's pages do.
    """


@hookspec
def pilot_crm_api_routes() -> list[Any]:
    """Return Litestar route handlers or controllers for the plugin's JSON API.

    They are mounted at ``/t/{tenant}/api/v1/<plugin name>/…`` for tenants that enable the plugin,
    appear in the OpenAPI document (so the isolation suite and the fuzzers cover them), need an API
    token (a read-only token may only read) unless marked ``opt=PUBLIC``, and answer errors as
    core's problem documents.
    """


@hookspec
def pilot_crm_template_dirs() -> list[Path]:
    """Return directories of Jinja templates for the plugin's pages and panels.

    Keep templates under a folder named after the plugin (``networks/list.html``) so names never
    clash; they may extend core's ``base.html`` and use its macros and context (``_``, ``base``…).
    """


@hookspec
def pilot_crm_navigation() -> list[NavEntry]:
    """Return main-menu entries (``NavEntry``: label msgid, path under the tenant, roles).

    Entries follow core's in plugin order and are shown only to members whose role is listed
    (``roles=None``: every member) in tenants that enable the plugin.
    """


@hookspec
def pilot_crm_dashboard_panels() -> list[Panel]:
    """Return cards for the tenant's dashboard (``Panel``: key, title, template, async loader).

    The loader gets the member, the request's translator and ``None``; it returns the template's
    context, or ``None`` to leave the card out. Use ``core.plugin_api.horizontal_bars`` and friends
    for charts in core's style.
    """


@hookspec
def pilot_crm_record_panels(entity: str) -> list[Panel]:
    """Return cards for the page of one record of ``entity`` (``organization``, ``contact``,
    ``meeting``, ``action``, ``topic``, or a plugin's record type); the loader gets the record as the
    page shows it. Return ``[]`` for other entities."""


@hookspec
def pilot_crm_export_columns(entity: str) -> list[ExportColumn]:
    """Return columns to append to the CSV export of ``entity``'s list (``ExportColumn``: key,
    label msgid, async loader from record ids to cells). Return ``[]`` for other entities."""


@hookspec
def pilot_crm_personal_data() -> list[PersonalDataSource]:
    """Return sources of personal data the plugin's tables hold about contacts.

    A coordinator's export of a contact includes each source's ``export`` under its key; erasing the
    contact calls each ``erase`` in the same transaction, so no plugin row keeps what the contact
    record no longer holds.
    """


@hookspec
def pilot_crm_pick_exclusions() -> list[PickExclusion]:
    """Return what the searchable pickers may leave out (``PickExclusion``: key, ``contact`` or
    ``organization``, async loader of the ids already linked to one record).

    A form that adds a link (a member organization to a network, a participant to an activity)
    asks its picker to leave out what is already linked with ``without=<key>&of=<record id>``; the
    loader runs inside the tenant and raises ``NotFound`` when the member may not see that record.
    Core's own: ``meeting.attendees`` (contacts already on a meeting's list).
    """


@hookspec
def pilot_crm_record_merged(entity: str, survivor_id: int, merged_id: int) -> Awaitable[None] | None:
    """Repoint the plugin's rows from a merged record to its survivor.

    ``entity`` is ``contact`` or ``organization``; ``merged_id`` is being folded into
    ``survivor_id`` and archived. Return an awaitable (an ``async def`` hook does) that updates the
    plugin's rows referring to ``merged_id``: core awaits it inside the merge's transaction, so the
    rows move with the merge or not at all. Resolve conflicts (both records linked to one thing)
    there; raise to refuse the merge. Return ``None`` for entities the plugin does not reference.
    """


@hookspec
def pilot_crm_demo_records(tenant: str) -> Awaitable[None] | None:
    """Add the plugin's records to the demo data of tenant ``tenant`` (its slug).

    ``pilot-crm demo`` writes core's demo records first, then awaits what this returns (an
    ``async def`` hook does) in the same transaction, so a plugin's demo records come with the
    tenant's or not at all. Write them through the plugin's services, as a person would; return
    ``None`` for tenants the plugin has no demo records for. Demo records are fictitious and say so.
    """
