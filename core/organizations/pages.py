"""Organization pages: list, detail (with its people, joint actions and meetings), forms."""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.accounts.roles import Actor
from core.actions.service import ActionService
from core.contacts.service import ContactService
from core.forms.vocabulary import SECTORS, SIDES
from core.i18n.markers import N_, NP_
from core.meetings.service import MeetingService
from core.organizations.service import OrganizationService
from core.web.pages.display import topic_names
from core.web.pages.listing import ListColumn
from core.web.pages.records import ListFilter, PageSpec, record_pages
from core.web.pages.render import page_parts


async def organization_actions(actor: Actor, locale: str, organization_id: int) -> list[dict[str, Any]]:
    """The joint actions an organization leads or is a partner in (its page and its people's)."""
    service = ActionService(actor, locale)
    org = str(organization_id)
    led = await service.list_page(filters={"government_lead": org}, limit=200)
    partnered = await service.list_page(filters={"partner": org}, limit=200)
    return led.items + partnered.items


async def organization_links(request: Request, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
    _, t, _ = page_parts(request)
    org = str(record["id"])
    people = await ContactService(actor, t.locale).people_of_organization(record["id"])
    meetings = await MeetingService(actor, t.locale).list_page(filters={"organization": org}, limit=200)
    return {
        "contacts": people,
        "actions": await organization_actions(actor, t.locale, record["id"]),
        "meetings": meetings.items,
        "topic_names": await topic_names(actor, t),
    }


SPEC = PageSpec(
    path="/organizations",
    service=OrganizationService,
    plural=N_("Organizations"),
    singular=N_("Organization"),
    new_label=N_("New organization"),
    list_template="organizations/list.html",
    detail_template="organizations/detail.html",
    filters=(
        ListFilter("side", N_("Side"), SIDES),
        ListFilter("sector", N_("Sector"), SECTORS),
        ListFilter("topic", N_("Topic"), source="topics"),
    ),
    columns=(
        ListColumn("name", NP_("organization", "Name"), sort="name"),
        ListColumn("sector", N_("Sector")),
        ListColumn("city", N_("City"), sort="city"),
        ListColumn("topics", N_("Topics")),
    ),
    detail_context=organization_links,
)

OrganizationPages = record_pages(SPEC)
