"""What a searchable picker offers: a bounded page of the contacts, organizations or members a search
names, as the actor may see them (through the record services' choices, so a protected contact a
member may not see is never offered), in label order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.accounts.roles import Actor
from core.forms.vocabulary import GOVERNMENT, NON_GOVERNMENTAL
from core.records.search import fold, search_terms

# Matches shown at once: typing narrows them, a picker is not a list to scroll through.
PICK_LIMIT = 20
# Some reference fields only accept one side; offering the others would only produce errors.
SIDE_OF_FIELD = {"government_lead": GOVERNMENT, "partners": NON_GOVERNMENTAL}


@dataclass(frozen=True, slots=True)
class Picked:
    items: list[tuple[int, str]]  # (id, label)
    more: bool  # more records match than are shown


def _page(rows: list[tuple[int, str]], limit: int) -> Picked:
    return Picked(rows[:limit], len(rows) > limit)


async def pick_records(
    service: Any, q: str | None, where: Any | None = None, limit: int = PICK_LIMIT
) -> Picked:
    """The live records of ``service`` whose search text holds every term of ``q`` (bounded as a
    list's search is: ValidationFailed on ``q`` beyond it), narrowed by ``where``."""
    clause = where
    for term in search_terms(q):
        like = service.table.search_text.like(f"%{term}%")
        clause = like if clause is None else clause & like
    return _page(await service.choices(clause, limit=limit + 1), limit)


async def pick_organizations(actor: Actor, locale: str, q: str | None, side: str | None = None) -> Picked:
    from core.organizations.service import OrganizationService
    from core.organizations.tables import Organization

    where = Organization.side == side if side else None
    return await pick_records(OrganizationService(actor, locale), q, where)


async def pick_contacts(
    actor: Actor, locale: str, q: str | None, not_in_meeting: int | None = None
) -> Picked:
    """Contacts; ``not_in_meeting`` leaves out those already on that meeting's list (NotFound when
    the actor may not see the meeting)."""
    from core.contacts.service import ContactService
    from core.contacts.tables import Contact
    from core.meetings.service import MeetingService
    from core.meetings.tables import Attendance

    where = None
    if not_in_meeting is not None:
        await MeetingService(actor, locale).get(not_in_meeting)
        rows = await Attendance.select(Attendance.contact).where(Attendance.meeting == not_in_meeting).run()
        where = Contact.id.not_in([row["contact"] for row in rows] or [-1])
    return await pick_records(ContactService(actor, locale), q, where)


def member_label(member: dict[str, Any]) -> str:
    name = (member.get("display_name") or "").strip()
    return f"{name} ({member['email']})" if name else member["email"]


async def pick_members(actor: Actor, q: str | None, limit: int = PICK_LIMIT) -> Picked:
    """The tenant's active members whose name or email holds every term of ``q`` (coordinators
    only, as the member list is: PermissionDenied for others)."""
    from core.accounts.service import list_members

    words = search_terms(q)
    found = []
    for member in await list_members(actor):
        label = member_label(member)
        if member["active"] and all(word in fold(label) for word in words):
            found.append((member["id"], label))
    return _page(sorted(found, key=lambda item: (fold(item[1]), item[0])), limit)
