"""Turn a tenant's demo data into service input (form dicts), deterministically and without touching
the database. References between records are by key (organizations, meetings) or index (contacts);
``seed`` resolves them to ids as it creates the records."""

from __future__ import annotations

import importlib
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

from core.demo.specs import ActionSpec, MeetingSpec, Name, Org, TenantData
from core.forms.vocabulary import GOVERNMENT, INTERNATIONAL, NON_GOVERNMENTAL, SECTOR_SIDE

# Progress notes and attendance are written as of this day (the demo's "today").
AS_OF = date(2026, 11, 20)
EMAIL_TLD = "example"  # RFC 2606: nothing under .example is a real mailbox or site

POSITION_GROUP = {
    "government_ministry": "ministry",
    "law_enforcement": "police",
    "prosecution_judiciary": "justice",
    "parliament": "parliament",
    "ngo": "civil",
    "community_group": "civil",
    "faith_based": "civil",
    "trade_union": "civil",
    "professional_association": "civil",
    "foundation": "civil",
    "academia": "academia",
    "private_company": "business",
    "business_association": "business",
    "media": "media",
    "international_organization": "international",
    "unodc_office": "international",
}
# How many people each kind of meeting brings together (before adding the leads of its actions).
MEETING_SIZE = {
    "preparatory_consultation": 10,
    "launch": 24,
    "national_dialogue": 20,
    "thematic_session": 14,
    "training_workshop": 16,
    "constructive_dialogue": 12,
    "side_event": 8,
    "roadmap_review": 16,
}
# Which generic progress notes an action gets, by status, in order.
NOTE_PHASES = {
    "proposed": (),
    "agreed": ("start",),
    "in_progress": ("start", "progress", "progress"),
    "blocked": ("start", "progress", "blocked"),
    "completed": ("start", "progress", "progress", "done"),
    "discontinued": ("start", "stopped"),
}
PROTECTED_SECTORS = {"ngo", "community_group", "faith_based", "media"}


@dataclass
class ContactPlan:
    org: str
    side: str
    data: dict[str, Any]


@dataclass
class MeetingPlan:
    key: str
    data: dict[str, Any]
    held: bool
    attendees: dict[int, str] = field(default_factory=dict)  # contact index → attendance status


@dataclass
class ActionPlan:
    data: dict[str, Any]
    lead: str
    partners: tuple[str, ...]
    origin: str
    complete: bool
    updates: list[tuple[date, str]]


@dataclass
class DemoSet:
    data: TenantData
    organizations: list[tuple[str, dict[str, Any]]]
    contacts: list[ContactPlan]
    meetings: list[MeetingPlan]
    actions: list[ActionPlan]


def load_data(slug: str) -> TenantData:
    """The demo data module of ``slug`` (``demo-ar`` → ``core.demo.data_demo_ar``)."""
    try:
        module = importlib.import_module(f"core.demo.data_{slug.replace('-', '_')}")
    except ModuleNotFoundError:
        raise KeyError(slug) from None
    return module.DATA


def latin(name: Name) -> str:
    """ASCII form of a name for e-mail addresses: the given transliteration, or the name unaccented."""
    text = name[1] if isinstance(name, tuple) else name
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum() or c == "-")


def shown(name: Name) -> str:
    return name[0] if isinstance(name, tuple) else name


def domain(org: Org) -> str:
    return f"{org.domain}.{EMAIL_TLD}"


def organization_form(data: TenantData, org: Org) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": org.name,
        "sector": org.sector,
        "city": org.city,
        "website": f"https://www.{domain(org)}",
        "topics": list(org.topics),
    }
    if org.acronym:
        form["acronym"] = org.acronym
    if org.region and "region" in data.org_fields:
        form[data.org_fields["region"]] = org.region
    if org.registry and "registry" in data.org_fields:
        form[data.org_fields["registry"]] = org.registry
    return form


def phone(rng: random.Random, template: str) -> str:
    while True:
        number = "".join(rng.choice("0123456789") if c == "#" else c for c in template)
        parsed = phonenumbers.parse(number, None)
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _people_per_org(data: TenantData, rng: random.Random) -> list[Org]:
    """Two people per organization, the rest spread at random; in organization order."""
    orgs = list(data.organizations)
    extra = [rng.choice(orgs) for _ in range(max(0, data.contact_count - 2 * len(orgs)))]
    counts = {o.key: 2 + sum(1 for e in extra if e.key == o.key) for o in orgs}
    picked = [o for o in orgs for _ in range(counts[o.key])]
    return picked[: data.contact_count]


def _roles(org: Org, first_in_org: bool, lead_org: str, rng: random.Random) -> list[str]:
    side = SECTOR_SIDE[org.sector]
    if org.sector == "unodc_office":
        return ["unodc_staff"]
    if org.sector == "international_organization":
        return ["donor"] if rng.random() < 0.5 else []
    if side == GOVERNMENT:
        if org.key == lead_org and first_in_org:
            return ["vpi_government_coordinator", "review_focal_point"]
        return ["governmental_expert"] if rng.random() < 0.6 else []
    return ["ngo_focal_point"] if first_in_org else []


def _consent(side: str, rng: random.Random) -> dict[str, Any]:
    if side == GOVERNMENT:
        return {"consent_basis": "public_task"}
    if side == INTERNATIONAL:
        return {"consent_basis": "legitimate_interest"}
    day = date(2023, 11, 1) + timedelta(days=rng.randrange(0, 700))
    return {"consent_basis": "consent", "consent_date": day.isoformat()}


def contacts(data: TenantData, rng: random.Random, locales: tuple[str, ...]) -> list[ContactPlan]:
    lead_org = data.organizations[0].key  # the first organization leads the pilot for the government
    seen_names: set[tuple[str, str]] = set()
    seen_emails: set[str] = set()
    plans: list[ContactPlan] = []
    previous_org = None
    for org in _people_per_org(data, rng):
        gender = rng.choice(("f", "m"))
        while True:
            first = rng.choice(data.first_names[gender])
            lasts = rng.sample(data.last_names, rng.choice(data.surnames))
            key = (shown(first), " ".join(shown(n) for n in lasts))
            if key not in seen_names:
                seen_names.add(key)
                break
        local = f"{latin(first)}.{latin(lasts[0])}"
        email, n = f"{local}@{domain(org)}", 1
        while email in seen_emails:
            n += 1
            email = f"{local}{n}@{domain(org)}"
        seen_emails.add(email)
        side = SECTOR_SIDE[org.sector]
        position = rng.choice(data.positions[POSITION_GROUP[org.sector]])
        templates = data.phone_templates.get(org.region) or data.phone_templates[""]
        phones = [phone(rng, rng.choice(templates)) for _ in range(1 if rng.random() < 0.7 else 2)]
        language = "en" if side == INTERNATIONAL and "en" in locales and rng.random() < 0.5 else data.locale
        form: dict[str, Any] = {
            "first_name": key[0],
            "last_name": key[1],
            "position": position if isinstance(position, str) else position[gender == "f"],
            "emails": [email],
            "phones": phones,
            "preferred_language": language if language in locales else locales[0],
            "roles": _roles(org, org.key != previous_org, lead_org, rng),
            "protected": org.sector in PROTECTED_SECTORS and rng.random() < 0.15,
            **_consent(side, rng),
        }
        if org.region and "region" in data.contact_fields:
            form[data.contact_fields["region"]] = org.region
        plans.append(ContactPlan(org.key, side, form))
        previous_org = org.key
    return plans


def _moment(spec: MeetingSpec, tz: str, hours: float = 0) -> str:
    start = datetime.fromisoformat(spec.start).replace(tzinfo=ZoneInfo(spec.timezone or tz))
    return (start + timedelta(hours=hours)).isoformat()


def meeting_form(spec: MeetingSpec, tz: str) -> dict[str, Any]:
    form = {
        "title": spec.title,
        "meeting_type": spec.meeting_type,
        "mode": spec.mode,
        "place": spec.place,
        "starts_at": _moment(spec, tz),
        "ends_at": _moment(spec, tz, spec.hours),
        "timezone": spec.timezone or tz,
        "agenda": spec.agenda,
        "topics": list(spec.topics),
    }
    if spec.minutes:
        form["minutes"] = spec.minutes
    if spec.outcomes:
        form["outcomes"] = spec.outcomes
    return form


def _attendance(held: bool, rng: random.Random) -> str:
    if held:
        return "attended" if rng.random() < 0.85 else "absent"
    return "confirmed" if rng.random() < 0.6 else "invited"


def meetings(data: TenantData, rng: random.Random, people: list[ContactPlan], tz: str) -> list[MeetingPlan]:
    """Attendees: mostly people whose organization works on the meeting's topics, about half from
    each side, plus the pilot's government coordinator and UNODC staff."""
    orgs = {o.key: o for o in data.organizations}
    plans = []
    for spec in data.meetings:
        plan = MeetingPlan(spec.key, meeting_form(spec, tz), held=bool(spec.minutes))
        size = MEETING_SIZE[spec.meeting_type]

        def score(i: int, topics: tuple[str, ...] = spec.topics) -> float:
            return rng.random() + (1.0 if set(orgs[people[i].org].topics) & set(topics) else 0.0)

        for side, share in ((GOVERNMENT, 0.45), (NON_GOVERNMENTAL, 0.45), (INTERNATIONAL, 0.1)):
            pool = [i for i, p in enumerate(people) if p.side == side]
            for i in sorted(pool, key=score, reverse=True)[: max(1, round(size * share))]:
                plan.attendees[i] = _attendance(plan.held, rng)
        for role in ("vpi_government_coordinator", "unodc_staff"):
            index = next((i for i, p in enumerate(people) if role in p.data["roles"]), None)
            if index is not None:
                plan.attendees.setdefault(index, "attended" if plan.held else "confirmed")
        plans.append(plan)
    return plans


def _note_dates(start: date, end: date, count: int, rng: random.Random) -> list[date]:
    """The first note a few weeks after the origin meeting, the others spread until ``end``."""
    if count == 0:
        return []
    first = start + timedelta(days=rng.randrange(20, 50))
    span = max((end - first).days, 2 * count)
    return [first] + [
        first + timedelta(days=span * i // count + rng.randrange(-3, 4)) for i in range(1, count)
    ]


def action_plan(data: TenantData, spec: ActionSpec, held_on: date, rng: random.Random) -> ActionPlan:
    """An action's form and its dated progress notes. Notes given in the data replace the generic
    note of the action's final phase (blocked, stopped) and come after the generic ones."""
    phases = NOTE_PHASES[spec.status]
    given = [(date.fromisoformat(d), note) for d, note in spec.updates]
    if given and phases and phases[-1] in ("blocked", "stopped"):
        phases = phases[:-1]
    end = min(date.fromisoformat(spec.due), AS_OF) if spec.status == "completed" else AS_OF
    if given:
        end = min(end, min(d for d, _ in given) - timedelta(days=7))
    # Each phase's notes are used in their written order, from a random starting point.
    offsets = {phase: rng.randrange(len(data.progress_notes[phase])) for phase in sorted(set(phases))}
    updates = []
    for d, phase in zip(_note_dates(held_on, end, len(phases), rng), phases, strict=True):
        pool = data.progress_notes[phase]
        updates.append((d, pool[offsets[phase] % len(pool)]))
        offsets[phase] += 1
    form = {
        "title": spec.title,
        "description": spec.description,
        "status": "in_progress" if spec.status == "completed" else spec.status,
        "due_date": spec.due,
        "topics": list(spec.topics),
    }
    for name, by_topic in data.action_fields.items():
        value = next((by_topic[t] for t in spec.topics if t in by_topic), by_topic.get(""))
        if value is not None:
            form[name] = value
    return ActionPlan(
        form,
        spec.lead,
        spec.partners,
        spec.origin,
        spec.status == "completed",
        sorted(u for u in updates + given if u[0] <= AS_OF),
    )


def _first_contact(people: list[ContactPlan], org: str) -> int | None:
    return next((i for i, p in enumerate(people) if p.org == org), None)


def build(
    data: TenantData, *, timezone: str | None = None, locales: tuple[str, ...] | None = None
) -> DemoSet:
    """The whole demo set of a tenant. ``timezone`` and ``locales`` default to the data's own."""
    rng = random.Random(data.slug)
    tz = timezone or data.timezone
    people = contacts(data, rng, locales or (data.locale,))
    meeting_plans = meetings(data, rng, people, tz)
    by_key = {m.key: m for m in meeting_plans}
    held_on = {m.key: datetime.fromisoformat(m.data["starts_at"]).date() for m in meeting_plans}
    action_plans = []
    for spec in data.actions:
        action_plans.append(action_plan(data, spec, held_on[spec.origin], rng))
        origin = by_key[spec.origin]  # those who agreed on an action were at the meeting it came from
        for org in (spec.lead, *spec.partners):
            index = _first_contact(people, org)
            if index is not None:
                origin.attendees.setdefault(index, "attended" if origin.held else "confirmed")
    organizations = [(o.key, organization_form(data, o)) for o in data.organizations]
    return DemoSet(data, organizations, people, meeting_plans, action_plans)
