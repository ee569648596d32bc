"""Contacts: phones in E.164, emails normalized, the organization they work for."""

from __future__ import annotations

from typing import Any, ClassVar

from piccolo.columns import Text
from piccolo.query.functions import Cast

from core.contacts.tables import Contact
from core.forms.fields import as_id
from core.organizations.tables import Organization
from core.records.service import RecordService, load_json


def _bool(value: str) -> bool:
    return value.lower() in ("1", "true", "yes", "on")


def _choice_label(row: dict[str, Any]) -> str:
    name = ", ".join(part for part in (row["last_name"], row["first_name"]) if part)
    return f"{name} ({row['organization_name']})" if row["organization_name"] else name


class ContactService(RecordService):
    entity = "contact"
    form_name = "contact"
    table = Contact
    label_column = "last_name"
    sort_column = "last_name"
    json_columns: ClassVar[dict[str, Any]] = {"extra": {}, "emails": [], "phones": [], "roles": []}
    filters: ClassVar = {
        "organization": lambda v: Contact.organization == as_id(v),
        "language": lambda v: Contact.preferred_language == v,
        "protected": lambda v: Contact.protected == _bool(v),
        # JSON has no LIKE on PostgreSQL: compare its text (a list of codes, each in quotes).
        "role": lambda v: Cast(Contact.roles, Text()).like(f'%"{v}"%'),
    }

    def select_columns(self) -> list[Any]:
        return [
            *Contact.all_columns(),
            Contact.organization.name.as_alias("organization_name"),
            Contact.organization.side.as_alias("organization_side"),
        ]

    async def choices(self, where: Any | None = None) -> list[tuple[int, str]]:
        """``(id, "Last, First (Organization)")``: selects of people (meeting attendees) need more
        than a last name to tell two people apart."""
        query = await self._base_query(
            False,
            [
                Contact.id,
                Contact.first_name,
                Contact.last_name,
                Contact.organization.name.as_alias("organization_name"),
            ],
        )
        if where is not None:
            query = query.where(where)
        rows = await query.order_by(Contact.last_name).order_by(Contact.first_name).run()
        return [(row["id"], _choice_label(row)) for row in rows]

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [
            values.get("first_name"),
            values.get("last_name"),
            values.get("position"),
            load_json(values.get("emails"), []),
            values.get("organization_name"),
        ]

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        if "organization" in values:
            await self.check_reference(Organization, "organization", values["organization"])
            if values["organization"] is not None:
                org = (
                    await Organization.select(Organization.name, Organization.side)
                    .where(Organization.id == values["organization"])
                    .first()
                    .run()
                )
                values["organization_name"] = org["name"] if org else None
                values["organization_side"] = org["side"] if org else ""

    def _default_owner_side(self, core: dict[str, Any]) -> str:
        # A coordinator's contact belongs to the side of the organization the person works for.
        return core.get("organization_side", "")
