"""One search across organizations, contacts, meetings and joint actions: each kind's own search
(``RecordService.list_page``), so each keeps its rules (a protected contact stays out of the results
of those who may not see it), grouped by kind with how many records each holds, the best matches
first (``RELEVANCE``: a match at the start of a name, then at the start of a word, then inside one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.accounts.roles import Actor
from core.actions.service import ActionService
from core.contacts.service import ContactService
from core.meetings.service import MeetingService
from core.organizations.service import OrganizationService
from core.records.search import search_terms
from core.records.service import RELEVANCE, RecordService

# Kind → its service, in the order the results are shown.
KINDS: dict[str, type[RecordService]] = {
    "organizations": OrganizationService,
    "contacts": ContactService,
    "meetings": MeetingService,
    "actions": ActionService,
}
PER_KIND = 5
MAX_PER_KIND = 50


@dataclass(frozen=True, slots=True)
class Group:
    kind: str
    items: list[dict[str, Any]]
    total: int


async def search_everything(
    actor: Actor, locale: str | None, q: str | None, per_kind: int = PER_KIND
) -> list[Group]:
    """The ``per_kind`` best matches of ``q`` of every kind and each kind's count; no groups for
    an empty search. A search longer than a list takes is refused as the lists refuse it."""
    if not search_terms(q):
        return []
    per_kind = max(1, min(int(per_kind), MAX_PER_KIND))
    groups = []
    for kind, service_cls in KINDS.items():
        page = await service_cls(actor, locale).list_page(q=q, limit=per_kind, count=True, sort=RELEVANCE)
        groups.append(Group(kind, page.items, page.total or 0))
    return groups
