"""The shapes a tenant's demo data module fills in. Data modules hold data only; ``builders`` turns
it into service input (form dicts) and ``seed`` writes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

# A name is either written in Latin script, or a pair (name, Latin transliteration for e-mails).
Name = str | tuple[str, str]
# A position title: one string, or (masculine, feminine) where the language inflects it.
Position = str | tuple[str, str]


class Org(NamedTuple):
    """A fictitious (or public, for government bodies) organization. ``key`` links contacts,
    meetings and actions to it; ``domain`` gets ``.example`` appended for e-mails and websites."""

    key: str
    name: str
    sector: str
    city: str
    region: str
    domain: str
    acronym: str = ""
    registry: str = ""
    topics: tuple[str, ...] = ()


class MeetingSpec(NamedTuple):
    """A meeting; ``start`` is local time in the tenant's time zone. A meeting with minutes has been
    held (attendees attended or were absent); one without is still ahead (invited or confirmed)."""

    key: str
    meeting_type: str
    mode: str
    title: str
    place: str
    start: str
    hours: float
    agenda: str
    minutes: str = ""
    outcomes: str = ""
    topics: tuple[str, ...] = ()
    timezone: str = ""  # empty: the tenant's time zone


class ActionSpec(NamedTuple):
    """A joint action of the roadmap. ``status`` may be ``completed``: the seed then confirms it from
    both sides. ``updates`` are (ISO date, note) pairs added to the generic progress notes."""

    title: str
    description: str
    status: str
    lead: str
    partners: tuple[str, ...]
    origin: str
    due: str
    topics: tuple[str, ...] = ()
    updates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TenantData:
    slug: str
    locale: str
    timezone: str
    # Phone templates by region ("" for any other): ``#`` is a random digit; a number is kept only
    # if ``phonenumbers`` says it is valid.
    phone_templates: Mapping[str, tuple[str, ...]]
    # Plugin field names: {"region": ..., "registry": ...} for organizations, {"region": ...} for contacts.
    org_fields: dict[str, str]
    contact_fields: dict[str, str]
    # Plugin fields of actions: field name → {topic code → value}; the action's first topic found
    # there decides, "" is the fallback.
    action_fields: dict[str, dict[str, str]]
    first_names: Mapping[str, tuple[Name, ...]]  # "f" / "m" → given names
    last_names: tuple[Name, ...]
    surnames: tuple[int, ...]  # how many last names a person may carry (one picked at random)
    positions: Mapping[str, tuple[Position, ...]]  # position group (see builders.POSITION_GROUP) → titles
    organizations: tuple[Org, ...]
    meetings: tuple[MeetingSpec, ...]
    actions: tuple[ActionSpec, ...]
    # Generic progress notes by phase: start, progress, blocked, done, stopped.
    progress_notes: dict[str, tuple[str, ...]]
    account_names: dict[str, str]  # role → display name of the demo account
    contact_count: int = 100
