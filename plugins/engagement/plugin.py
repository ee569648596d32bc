"""Hooks of the ``engagement`` plugin: the programme's trainings, workshops and constructive
dialogues, from the call for applications to certificates. This first part holds the activities
themselves; the public call, selection, delivery, certificates and dialogues' inputs build on them.

Everything comes from ``core.plugin_api``: the table is a plugin table, activities go through core's
record service (versions, archiving, audit), the pages and the API are core's record pages and
controller, mounted by core under ``/t/{tenant}/engagement`` and ``/t/{tenant}/api/v1/engagement``
for the tenants that enable the plugin only.
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from core.plugin_api import (
    N_,
    AppConfig,
    ExportColumn,
    NavEntry,
    Panel,
    PersonalDataSource,
    PickExclusion,
    PluginForm,
    hookimpl,
    record_controller,
)
from plugins.engagement import demo, merging, privacy
from plugins.engagement.forms import FORMS
from plugins.engagement.panels import columns
from plugins.engagement.panels.cards import DASHBOARD_PANEL, RECORD_PANELS
from plugins.engagement.service import ActivityService

API_VERSIONS = (1,)
HERE = Path(__file__).parent


@hookimpl
def pilot_crm_piccolo_apps() -> list[AppConfig]:
    from plugins.engagement.piccolo_app import APP_CONFIG

    return [APP_CONFIG]


@hookimpl
def pilot_crm_forms() -> list[PluginForm]:
    return FORMS


@hookimpl
def pilot_crm_routes() -> list[Any]:
    from plugins.engagement.calls.pages import CALL_PAGES
    from plugins.engagement.certificates.pages import ROUTES as CERTIFICATE_ROUTES
    from plugins.engagement.delivery.pages import PAGES as DELIVERY_PAGES
    from plugins.engagement.dialogues.pages import InputPages, ParticipantPage
    from plugins.engagement.pages import ActivityPages
    from plugins.engagement.panels.pages import ApplicationExportPages
    from plugins.engagement.selection.pages import RespondPage, SelectionPages

    return [
        ActivityPages,
        *CALL_PAGES,
        SelectionPages,
        RespondPage,
        *DELIVERY_PAGES,
        *CERTIFICATE_ROUTES,
        InputPages,
        ParticipantPage,
        ApplicationExportPages,
    ]


@hookimpl
def pilot_crm_api_routes() -> list[Any]:
    from plugins.engagement.certificates.api import CertificatesController
    from plugins.engagement.delivery.api import DeliveryApi
    from plugins.engagement.dialogues.api import InputsApi
    from plugins.engagement.selection.api import SelectionApi

    return [
        record_controller("/activities", ActivityService, "Engagement activities"),
        SelectionApi,
        DeliveryApi,
        CertificatesController,
        InputsApi,
    ]


@hookimpl
def pilot_crm_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def pilot_crm_locale_dirs() -> list[Path]:
    return [HERE / "locales"]


@hookimpl
def pilot_crm_navigation() -> list[NavEntry]:
    return [NavEntry(N_("Activities"), "/engagement/activities")]


@hookimpl
def pilot_crm_dashboard_panels() -> list[Panel]:
    return [DASHBOARD_PANEL]


@hookimpl
def pilot_crm_record_panels(entity: str) -> list[Panel]:
    from plugins.engagement.certificates.panels import CONTACT_PANEL

    certificates = [CONTACT_PANEL] if entity == "contact" else []
    return ([RECORD_PANELS[entity]] if entity in RECORD_PANELS else []) + certificates


@hookimpl
def pilot_crm_export_columns(entity: str) -> list[ExportColumn]:
    return columns.CONTACT_COLUMNS if entity == "contact" else []


@hookimpl
def pilot_crm_pick_exclusions() -> list[PickExclusion]:
    from plugins.engagement.delivery.cohort import PARTICIPANTS_OF_ACTIVITY, participant_contacts

    # An activity's "add a participant" picker leaves out those already taking part.
    return [PickExclusion(PARTICIPANTS_OF_ACTIVITY, "contact", participant_contacts)]


@hookimpl
def pilot_crm_personal_data() -> list[PersonalDataSource]:
    return [
        PersonalDataSource("engagement", export=privacy.export, erase=privacy.erase, tables=privacy.TABLES)
    ]


@hookimpl
def pilot_crm_record_merged(entity: str, survivor_id: int, merged_id: int) -> Awaitable[None] | None:
    return merging.repoint(entity, survivor_id, merged_id) if entity in merging.COLUMNS else None


@hookimpl
def pilot_crm_demo_records(tenant: str) -> Awaitable[None] | None:
    return demo.write(tenant) if tenant in demo.TENANTS else None
