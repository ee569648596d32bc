"""The plugin contract. Every hook here is documented; a test fails when one is not.

A country plugin is a module (found through the ``pilot_crm.plugins`` entry-point group) whose
functions are marked with :data:`hookimpl`. Each tenant gets its own plugin manager holding core's
default plugin plus the plugins its declaration enables, so a plugin changes nothing in tenants that
do not enable it. Hooks are synchronous and must not touch the database: they describe data
(topics, fields, catalogs, tables) that core then stores, validates, renders and exports.

Why this set: topics, form fields, validation and catalogs are what every country pilot brings
(its priorities, its forms, its wording). Tables are optional for the pilot that needs more than
JSON fields. ``record_changed`` lets a plugin react to mutations (notify, sync) without core
knowing about it. Web routes are deliberately absent until a plugin needs one: routes are global
in Litestar, so they would need per-tenant gating, and JSON/HTML forms already come from fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from piccolo.conf.apps import AppConfig

    from core.errors import Message
    from core.forms.fields import FieldSpec
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
    """Return extra fields for ``form`` (``organization``, ``contact``, ``meeting`` or ``action``).

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
