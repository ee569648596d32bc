"""What a searchable picker offers: a bounded page of the contacts, organizations or members a search
names, as the actor may see them (through the record services' choices, so a protected contact a
member may not see is never offered), in label order, but those a form already linked (a meeting's
attendees, a network's members: ``PickExclusion``s, by key)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from core.accounts.roles import Actor
from core.db.textsearch import term_clause
from core.errors import Message, ValidationFailed
from core.forms.vocabulary import GOVERNMENT, NON_GOVERNMENTAL
from core.i18n.markers import N_
from core.plugins.contributions import PickExclusion
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
        like = term_clause(service.table, term)
        clause = like if clause is None else clause & like
    return _page(await service.choices(clause, limit=limit + 1), limit)


def _leaving_out(table: Any, where: Any | None, leave_out: Collection[int]) -> Any | None:
    if not leave_out:
        return where
    clause = table.id.not_in(sorted(leave_out))
    return clause if where is None else where & clause


async def pick_organizations(
    actor: Actor, locale: str, q: str | None, side: str | None = None, leave_out: Collection[int] = ()
) -> Picked:
    """Organizations, of one ``side`` when given, but those in ``leave_out``."""
    from core.organizations.service import OrganizationService
    from core.organizations.tables import Organization

    where = Organization.side == side if side else None
    where = _leaving_out(Organization, where, leave_out)
    return await pick_records(OrganizationService(actor, locale), q, where)


async def pick_contacts(actor: Actor, locale: str, q: str | None, leave_out: Collection[int] = ()) -> Picked:
    """Contacts the actor may see, but those in ``leave_out``."""
    from core.contacts.service import ContactService
    from core.contacts.tables import Contact

    return await pick_records(ContactService(actor, locale), q, _leaving_out(Contact, None, leave_out))


async def meeting_attendees(actor: Actor, locale: str, meeting_id: int) -> list[int]:
    """The contacts on a meeting's list (NotFound when the actor may not see the meeting)."""
    from core.meetings.service import MeetingService
    from core.meetings.tables import Attendance

    await MeetingService(actor, locale).get(meeting_id)
    rows = await Attendance.select(Attendance.contact).where(Attendance.meeting == meeting_id).run()
    return [row["contact"] for row in rows]


WITHOUT_UNKNOWN = N_("This list cannot leave out those records.")
WITHOUT_INCOMPLETE = N_("Say which record's links to leave out.")


async def left_out(
    exclusions: Iterable[PickExclusion],
    picks: str,
    without: str | None,
    of: int | None,
    actor: Actor,
    locale: str,
) -> Collection[int]:
    """The ids the exclusion named ``without`` finds linked to record ``of`` (nothing without one);
    ValidationFailed for a key no enabled plugin declares for ``picks``, or half a request."""
    if without is None and of is None:
        return ()
    if without is None or of is None:
        raise ValidationFailed({"without": [Message(WITHOUT_INCOMPLETE)]})
    found = next((e for e in exclusions if e.key == without and e.picks == picks), None)
    if found is None:
        raise ValidationFailed({"without": [Message(WITHOUT_UNKNOWN)]})
    return set(await found.linked(actor, locale, of))


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
