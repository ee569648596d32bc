"""Hooks of the ``networks`` plugin: networks and alliances of organizations (national
civil-society alliances, regional networks, global ones) and the organizations that belong to them.

Everything comes from ``core.plugin_api``: the tables are plugin tables, the records go through
core's record service (versions, archiving, audit), the pages and the API are core's record pages
and controllers, mounted by core under ``/t/{tenant}/networks`` and ``/t/{tenant}/api/v1/networks``
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
from plugins.networks import merging, privacy, reading
from plugins.networks.forms import FORMS
from plugins.networks.panels import DASHBOARD_PANEL, ORGANIZATION_PANEL
from plugins.networks.service import (
    MEMBERS_OF_NETWORK,
    MembershipService,
    NetworkService,
    member_organizations,
)

API_VERSIONS = (1,)
HERE = Path(__file__).parent


@hookimpl
def pilot_crm_piccolo_apps() -> list[AppConfig]:
    from plugins.networks.piccolo_app import APP_CONFIG

    return [APP_CONFIG]


@hookimpl
def pilot_crm_forms() -> list[PluginForm]:
    return FORMS


@hookimpl
def pilot_crm_routes() -> list[Any]:
    from plugins.networks.pages import MembershipPages, NetworkPages

    return [NetworkPages, MembershipPages]


@hookimpl
def pilot_crm_api_routes() -> list[Any]:
    return [
        record_controller("/", NetworkService, "Networks"),
        record_controller("/memberships", MembershipService, "Network memberships"),
    ]


@hookimpl
def pilot_crm_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def pilot_crm_locale_dirs() -> list[Path]:
    return [HERE / "locales"]


@hookimpl
def pilot_crm_pick_exclusions() -> list[PickExclusion]:
    # The network page's "add a member organization" picker leaves out the members it already has.
    return [PickExclusion(MEMBERS_OF_NETWORK, "organization", member_organizations)]


@hookimpl
def pilot_crm_navigation() -> list[NavEntry]:
    return [NavEntry(N_("Networks"), "/networks")]


@hookimpl
def pilot_crm_dashboard_panels() -> list[Panel]:
    return [DASHBOARD_PANEL]


@hookimpl
def pilot_crm_record_panels(entity: str) -> list[Panel]:
    return [ORGANIZATION_PANEL] if entity == "organization" else []


async def _organization_networks(_actor: Any, ids: list[int]) -> dict[int, Any]:
    return dict(await reading.network_names_by_organization(ids))


@hookimpl
def pilot_crm_export_columns(entity: str) -> list[ExportColumn]:
    if entity != "organization":
        return []
    return [ExportColumn("networks", N_("Networks"), values=_organization_networks)]


@hookimpl
def pilot_crm_personal_data() -> list[PersonalDataSource]:
    return [PersonalDataSource("networks", export=privacy.export, erase=privacy.erase, tables=privacy.TABLES)]


@hookimpl
def pilot_crm_record_merged(entity: str, survivor_id: int, merged_id: int) -> Awaitable[None] | None:
    if entity not in merging.COLUMNS:
        return None
    return merging.repoint(entity, survivor_id, merged_id)
