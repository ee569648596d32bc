"""A data subject's rights over a contact, exercised by coordinators: export everything held about
the person, and erase it.

Erasure anonymizes in place: the row keeps its id, organization, owner side, timestamps and its
attendance rows (so meeting counts and attendance by side still add up), every personal field is
cleared, and the audit entries that held the person's data are scrubbed (``core.audit.redact``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from core.accounts.roles import Actor
from core.audit import service as audit
from core.audit.chain import decoded
from core.audit.redact import redact_mentions, redact_record
from core.audit.tables import AuditEntry
from core.contacts.service import ContactService
from core.contacts.tables import Contact
from core.contacts.visibility import is_erased
from core.db.purge import purge_overwritten
from core.errors import Conflict, NotFound, PermissionDenied
from core.i18n.markers import N_
from core.meetings.tables import Attendance
from core.organizations.service import OrganizationService
from core.plugins.contributions import PersonalDataSource
from core.plugins.manager import in_plugin_order, notify_record_changed
from core.records.service import load_json

EXPORT_ACTION = "export_personal_data"
ERASE_ACTION = "erase"
# What an erased contact keeps, and what its scrubbed audit entries keep: nothing about the person.
NON_PERSONAL = frozenset(
    {
        "id",
        "version",
        "organization",
        "owner_side",
        "created_at",
        "updated_at",
        "archived_at",
        "created_by",
        "erased_at",
    }
)
PERSONAL_TEXT = ("first_name", "last_name", "position")
PERSONAL_LISTS = ("emails", "phones")


def _values_of(record: dict[str, Any] | None) -> set[str]:
    """The strings in ``record`` that identify the person, to find copies elsewhere. Plugin fields
    are left out: they are mostly codes (a state, a province) that other records share."""
    if not isinstance(record, dict):
        return set()
    found = {str(record[k]) for k in PERSONAL_TEXT if record.get(k)}
    for key in PERSONAL_LISTS:
        found.update(str(v) for v in load_json(record.get(key), []) or [])
    if record.get("first_name") and record.get("last_name"):
        found.add(f"{record['first_name']} {record['last_name']}")
    return found


def may_manage_personal_data(actor: Actor) -> bool:
    """Exports and erasures are the coordinators' (pages ask it to offer the buttons)."""
    return actor.is_coordinator


def as_json(exported: dict[str, Any]) -> bytes:
    """An export as a JSON document (dates in ISO 8601), for downloads and the command line."""
    return msgspec.json.format(msgspec.json.encode(exported), indent=2)


class PersonalDataService:
    """Export and erasure of one contact's personal data; coordinators only."""

    def __init__(self, actor: Actor, locale: str | None = None) -> None:
        if not may_manage_personal_data(actor):
            raise PermissionDenied()
        self.actor = actor
        self.contacts = ContactService(actor, locale)

    # -- export ---------------------------------------------------------------------------------

    async def export(self, record_id: int) -> dict[str, Any]:
        """Everything held about the contact: the record, its organization, the meetings it is listed
        at, the audit history about it and the other entries that mention it. The export is audited."""
        record = await self.contacts.get(record_id)
        organization = None
        if record.get("organization"):
            organization = await OrganizationService(self.actor, self.contacts.locale).get(
                record["organization"]
            )
        exported = {
            "generated_at": datetime.now(UTC),
            "tenant": self.contacts.tenant.slug,
            "contact": record,
            "organization": organization,
            "meetings": await self._meetings(record_id),
            "audit": await self._history(record_id),
            "audit_mentions": await self._mentions(record_id),
            "plugins": {source.key: await source.export(record_id) for source in self._plugin_sources()},
        }
        await audit.record(self.actor, "contact", record_id, EXPORT_ACTION, None, {"format": "json"})
        return exported

    @staticmethod
    async def _meetings(record_id: int) -> list[dict[str, Any]]:
        """Every meeting the contact is listed at (archived meetings too), with the organization and
        side recorded at the time."""
        return (
            await Attendance.select(
                Attendance.meeting.as_alias("meeting"),
                Attendance.meeting.title.as_alias("title"),
                Attendance.meeting.starts_at.as_alias("starts_at"),
                Attendance.meeting.archived_at.as_alias("meeting_archived_at"),
                Attendance.status,
                Attendance.organization,
                Attendance.side,
            )
            .where(Attendance.contact == record_id)
            .order_by(Attendance.meeting.starts_at)
            .run()
        )

    @staticmethod
    async def _entries(where: Any, *columns: Any) -> list[dict[str, Any]]:
        """Audit entries matching ``where``, oldest first, with their payloads decoded."""
        rows = (
            await AuditEntry.select(
                AuditEntry.id,
                AuditEntry.at,
                AuditEntry.actor_email,
                *columns,
                AuditEntry.action,
                AuditEntry.before,
                AuditEntry.after,
            )
            .where(where)
            .order_by(AuditEntry.id)
            .run()
        )
        return [{**r, "before": decoded(r["before"]), "after": decoded(r["after"])} for r in rows]

    async def _history(self, record_id: int) -> list[dict[str, Any]]:
        about = (AuditEntry.entity == "contact") & (AuditEntry.entity_id == record_id)
        return await self._entries(about, AuditEntry.redacted)

    async def _mentions(self, record_id: int) -> list[dict[str, Any]]:
        """Entries about other records that name the contact (a meeting's attendance changes)."""
        attendance = (AuditEntry.entity == "meeting") & (AuditEntry.action == "attendance")
        rows = await self._entries(attendance, AuditEntry.entity, AuditEntry.entity_id)
        return [
            row
            for row in rows
            if any(
                isinstance(p, dict) and p.get("contact") == record_id for p in (row["before"], row["after"])
            )
        ]

    def _plugin_sources(self) -> list[PersonalDataSource]:
        """What the tenant's plugins hold about contacts (``pilot_crm_personal_data``), in plugin order."""
        hook = self.contacts.tenant.plugins.hook.pilot_crm_personal_data
        return in_plugin_order(hook())

    # -- erasure --------------------------------------------------------------------------------

    async def erase(self, record_id: int) -> dict[str, Any]:
        """Anonymize the contact in place and scrub its audit history; 409 if already erased."""
        async with Contact._meta.db.transaction():
            rows = await Contact.select().where(Contact.id == record_id).run()
            if not rows:
                raise NotFound()
            existing = rows[0]
            if is_erased(existing):
                raise Conflict(N_("This contact's personal data were already erased."))
            history = await self._history(record_id)
            identifying = _values_of(existing)
            for entry in history:
                identifying |= _values_of(entry["before"]) | _values_of(entry["after"])
            moment = datetime.now(UTC)
            await (
                Contact.update(
                    {
                        Contact.first_name: "",
                        Contact.last_name: "",
                        Contact.position: "",
                        Contact.emails: [],
                        Contact.phones: [],
                        Contact.roles: [],
                        Contact.preferred_language: "",
                        Contact.consent_basis: "",
                        Contact.consent_date: None,
                        Contact.protected: False,
                        Contact.extra: {},
                        Contact.search_text: "",
                        Contact.erased_at: moment,
                        Contact.archived_at: existing["archived_at"] or moment,
                        Contact.updated_at: moment,
                        Contact.version: existing["version"] + 1,
                    }
                )
                .where(Contact.id == record_id)
                .run()
            )
            sources = self._plugin_sources()
            for source in sources:
                await source.erase(record_id, frozenset(identifying))
            await redact_record("contact", record_id, NON_PERSONAL)
            await redact_mentions(identifying, skip_entity="contact")
            after = {"erased_at": moment, "version": existing["version"] + 1}
            await audit.record(self.actor, "contact", record_id, ERASE_ACTION, None, after)
        await purge_overwritten([Contact, AuditEntry, *(t for source in sources for t in source.tables)])
        notify_record_changed(
            self.contacts.tenant.plugins,
            entity="contact",
            action=ERASE_ACTION,
            record_id=record_id,
            before=None,
            after=after,
        )
        return await self.contacts.get(record_id)
