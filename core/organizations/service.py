"""Organizations: the sector decides the stakeholder side, which in turn decides who owns the record."""

from __future__ import annotations

from typing import Any, ClassVar

from core.forms.vocabulary import SECTOR_SIDE
from core.organizations.tables import Organization, OrganizationTopic
from core.records.service import RecordService, TopicLink
from core.topics.filters import topic_filter


class OrganizationService(RecordService):
    entity = "organization"
    form_name = "organization"
    table = Organization
    sort_column = "name"
    sort_keys: ClassVar = {"name": "name", "city": "city", "updated": "updated_at"}
    topic_link = TopicLink(OrganizationTopic, "organization")
    filters: ClassVar = {
        "sector": lambda v: Organization.sector == v,
        "side": lambda v: Organization.side == v,
        "country": lambda v: Organization.country == v.upper(),
        "topic": topic_filter(Organization, OrganizationTopic, "organization"),
    }

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [values.get("name"), values.get("acronym"), values.get("city")]

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        if "sector" in values:
            values["side"] = SECTOR_SIDE[values["sector"]]
        if existing is None and not values.get("country"):
            values["country"] = self.tenant.declaration.country
        if existing is not None and values.get("name", existing["name"]) != existing["name"]:
            # Its contacts' search text holds its name: rewritten in the renaming's transaction.
            from core.contacts.searching import refresh_organization_contacts

            await refresh_organization_contacts(existing["id"], values["name"])

    def _default_owner_side(self, core: dict[str, Any]) -> str:
        # Coordinators create on behalf of the organization's own side.
        return SECTOR_SIDE.get(core.get("sector", ""), "")
