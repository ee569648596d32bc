"""Contacts: phones in E.164, emails normalized, the organization they work for. Who sees a
protected contact is decided here, through ``core.contacts.visibility``: lists and choices leave it
out, direct access answers a placeholder, writes are refused."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from piccolo.columns import Text
from piccolo.query.functions import Cast

from core.contacts.tables import Contact
from core.contacts.visibility import (
    DECIDING_KEYS,
    ERASED_LABEL,
    PROTECTED_LABEL,
    ContactVisibility,
    is_erased,
    placeholder,
)
from core.errors import Conflict, NotFound, PermissionDenied
from core.forms.fields import as_id
from core.i18n.markers import N_
from core.organizations.tables import Organization
from core.records.service import RecordService, VisibilityRule, load_json


def _bool(value: str) -> bool:
    return value.lower() in ("1", "true", "yes", "on")


def _choice_label(row: dict[str, Any]) -> str:
    name = ", ".join(part for part in (row["last_name"], row["first_name"]) if part)
    return f"{name} ({row['organization_name']})" if row["organization_name"] else name


def search_parts(values: dict[str, Any]) -> list[Any]:
    """What a contact's search text holds: its names, position, emails and organization's name."""
    return [
        values.get("first_name"),
        values.get("last_name"),
        values.get("position"),
        load_json(values.get("emails"), []),
        values.get("organization_name"),
    ]


class ContactService(RecordService):
    entity = "contact"
    form_name = "contact"
    table = Contact
    label_column = "last_name"
    sort_column = "last_name"
    sort_keys: ClassVar = {"name": "last_name", "position": "position", "updated": "updated_at"}
    # The organization's name and side (``select_columns``); a hidden or erased contact's label and flags.
    added_keys = ("organization_name", "organization_side", "label", "hidden", "erased")
    json_columns: ClassVar[dict[str, Any]] = {"extra": {}, "emails": [], "phones": [], "roles": []}
    filters: ClassVar = {
        "organization": lambda v: Contact.organization == as_id(v),
        "language": lambda v: Contact.preferred_language == v,
        "protected": lambda v: Contact.protected == _bool(v),
        # JSON has no LIKE on PostgreSQL: compare its text (a list of codes, each in quotes).
        "role": lambda v: Cast(Contact.roles, Text()).like(f'%"{v}"%'),
    }

    @property
    def visibility(self) -> ContactVisibility:
        return ContactVisibility(self.actor)

    def label(self, msgid: str) -> str:
        return self.tenant.translator(self.locale).gettext(msgid)

    def visibility_rule(self) -> VisibilityRule | None:
        return self.visibility.rule()

    def shown(self, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` as the actor may see it: in full, or a placeholder; an erased one is labelled."""
        if not self.visibility.may_see(row):
            return placeholder(row, self.label(PROTECTED_LABEL))
        record = self._serialize(row)
        if is_erased(row):
            record.update(label=self.label(ERASED_LABEL), erased=True)
        return record

    async def _fetch(self, record_id: int, include_archived: bool = True) -> dict[str, Any]:
        """One contact whatever the actor may see of it: direct access decides per row (``shown``,
        ``may_edit``) instead of answering 404, so a placeholder can stand in for a hidden one."""
        query = Contact.select(*self.select_columns()).where(Contact.id == record_id)
        if not include_archived:
            query = query.where(Contact.archived_at.is_null())
        rows = await query.run()
        if not rows:
            raise NotFound()
        return rows[0]

    async def get(self, record_id: int) -> dict[str, Any]:
        return self.shown(await self._fetch(record_id))

    def may_edit(self, record: dict[str, Any]) -> bool:
        if record.get("hidden") or is_erased(record) or not self.visibility.may_see(record):
            return False
        return super().may_edit(record)

    def _check_edit(self, existing: dict[str, Any]) -> None:
        if is_erased(existing):
            raise Conflict(N_("This contact's personal data were erased; it can no longer be changed."))
        if not self.visibility.may_see(existing):
            raise PermissionDenied()
        super()._check_edit(existing)

    async def people_of_organization(self, organization_id: int) -> list[dict[str, Any]]:
        """The live people of an organization: those the actor may see in full, by name, then one
        placeholder per hidden one (listed last, so their position says nothing of their name)."""
        rows = (
            await Contact.select(*self.select_columns())
            .where(
                (Contact.organization == organization_id)
                & Contact.archived_at.is_null()
                & Contact.erased_at.is_null()
            )
            .order_by(Contact.last_name)
            .order_by(Contact.first_name)
            .run()
        )
        people = [self.shown(row) for row in rows]
        return [p for p in people if not p.get("hidden")] + [p for p in people if p.get("hidden")]

    def select_columns(self) -> list[Any]:
        return [
            *Contact.all_columns(),
            Contact.organization.name.as_alias("organization_name"),
            Contact.organization.side.as_alias("organization_side"),
        ]

    async def choices(self, where: Any | None = None, limit: int | None = None) -> list[tuple[int, str]]:
        """``(id, "Last, First (Organization)")``: selects of people (meeting attendees) need more
        than a last name to tell two people apart."""
        query = self._base_query(
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
        query = query.order_by(Contact.last_name).order_by(Contact.first_name).order_by(Contact.id)
        rows = await (query.limit(limit) if limit else query).run()
        return [(row["id"], _choice_label(row)) for row in rows]

    async def labels(self, ids: Collection[int]) -> dict[int, str]:
        """Like ``choices``' labels, archived contacts too; a contact the actor may not see is named
        by the placeholder's label, an erased one as erased: a reference never leaks a hidden name."""
        if not ids:
            return {}
        rows = (
            await Contact.select(
                Contact.id,
                Contact.first_name,
                Contact.last_name,
                Contact.organization.name.as_alias("organization_name"),
                *(getattr(Contact, key) for key in DECIDING_KEYS),
            )
            .where(Contact.id.is_in(list(ids)))
            .run()
        )
        return {row["id"]: self._reference_label(row) for row in rows}

    def _reference_label(self, row: dict[str, Any]) -> str:
        if is_erased(row):
            return self.label(ERASED_LABEL)
        if not self.visibility.may_see(row):
            return self.label(PROTECTED_LABEL)
        return _choice_label(row)

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return search_parts(values)

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

    async def before_write_many(self, values: list[dict[str, Any]]) -> None:
        """New contacts' organizations (name and side), looked up in one query; an unknown or
        archived one is refused as ``before_write`` refuses it."""
        wanted = {v["organization"] for v in values if v.get("organization") is not None}
        rows = (
            await Organization.select(Organization.id, Organization.name, Organization.side)
            .where(Organization.id.is_in(sorted(wanted)) & Organization.archived_at.is_null())
            .run()
            if wanted
            else []
        )
        found = {row["id"]: row for row in rows}
        for one in values:
            if one.get("organization") is None:
                continue
            org = found.get(one["organization"])
            if org is None:
                await self.check_reference(Organization, "organization", one["organization"])
            else:
                one["organization_name"], one["organization_side"] = org["name"], org["side"]

    def _default_owner_side(self, core: dict[str, Any]) -> str:
        # A coordinator's contact belongs to the side of the organization the person works for.
        return core.get("organization_side", "")
