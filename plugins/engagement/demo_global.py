"""The global team's demo records (see ``demo``): who applies is drawn from the contacts core's demo
seed has just written, so applications, participants and inputs point at real demo records."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.plugin_api import Actor, Contact, Organization, load_json
from plugins.engagement.service import ActivityService
from plugins.engagement.tables import (
    Application,
    Attendance,
    BreakoutGroup,
    Certificate,
    DialogueInput,
    Participant,
    Question,
    Response,
    Session,
)

# The applicant's country, by their phone number's calling code (longest first), and the language
# they apply in (the training's: English, French, Spanish).
CALLING_CODES = (
    ("+1514", "CAN", "fr"),
    ("+1876", "JAM", "en"),
    ("+1868", "TTO", "en"),
    ("+502", "GTM", "es"),
    ("+506", "CRI", "es"),
    ("+507", "PAN", "es"),
    ("+509", "HTI", "fr"),
    ("+593", "ECU", "es"),
    ("+51", "PER", "es"),
    ("+52", "MEX", "es"),
    ("+54", "ARG", "es"),
    ("+55", "BRA", "en"),
    ("+56", "CHL", "es"),
    ("+57", "COL", "es"),
)
AMERICAS = sorted({code for _, code, _ in CALLING_CODES})
SECTORS = ["ngo", "community_group", "faith_based", "foundation", "academia", "private_company"]
# Who applies to the programme's calls: non-governmental stakeholders (core's sectors of that side).
STAKEHOLDER_SECTORS = (
    "ngo",
    "community_group",
    "faith_based",
    "trade_union",
    "professional_association",
    "foundation",
    "academia",
    "private_company",
    "business_association",
    "media",
)
TOPICS = ("TIP", "SOM", "FIREARMS")
MOTIVATIONS = {
    "en": "I want to bring our network's work on {topic} to the review mechanism.",
    "fr": "Je souhaite faire connaître le travail de notre réseau sur {topic} au mécanisme d’examen.",
    "es": "Quiero llevar el trabajo de nuestra red sobre {topic} al mecanismo de examen.",
}
# Inputs to the dialogue's working groups, by topic: (language, text).
INPUTS = {
    "TIP": (
        ("en", "Survivors should be consulted when national referral mechanisms are reviewed."),
        (
            "fr",
            "Les victimes de traite doivent avoir accès à une aide juridique gratuite "
            "dès leur identification.",
        ),
        ("es", "Proponemos protocolos de identificación de víctimas en los pasos fronterizos del sur."),
        ("en", "Labour inspectors need training on forced labour in supply chains."),
        ("es", "Las empresas deberían publicar sus análisis de riesgo de trata en la cadena de suministro."),
    ),
    "SOM": (
        (
            "fr",
            "Les migrants victimes d’infractions doivent pouvoir porter plainte sans crainte d’expulsion.",
        ),
        ("en", "Humanitarian assistance to migrants must never be criminalized as smuggling."),
        ("es", "Necesitamos datos desagregados por género sobre el tráfico ilícito de migrantes."),
        ("en", "Shipping companies can report suspicious crew documents through a shared channel."),
        ("es", "Los albergues de la sociedad civil piden canales seguros de comunicación con la fiscalía."),
    ),
    "FIREARMS": (
        ("en", "Community programmes for young people reduce the demand for illicit firearms."),
        ("es", "La marcación y el registro de armas deben incluir las armas incautadas."),
        ("fr", "Les journalistes qui enquêtent sur le trafic d’armes ont besoin de protection."),
        ("en", "Universities can help trace diverted firearms with open data."),
        ("es", "Proponemos campañas de entrega voluntaria de armas con participación comunitaria."),
    ),
}
QUESTIONS = (
    (
        "Which instrument does the review mechanism examine?",
        ["UNTOC and its Protocols", "Only national law"],
        0,
    ),
    ("Who may take part in the constructive dialogues?", ["Governments only", "Relevant stakeholders"], 1),
    ("How many Protocols supplement the Convention?", ["Two", "Three"], 1),
    ("What is a country review's first step?", ["A self-assessment", "A site visit"], 0),
)
FICTITIOUS = " (fictitious, demo)"


async def _insert(table: Any, rows: list[Any], mine: Any) -> list[int]:
    """Insert ``rows`` in one statement; their ids in order (the rows of ``mine`` are only these)."""
    await table.insert(*rows).run()
    return [r["id"] for r in await table.select(table.id).where(mine).order_by(table.id).run()]


async def applicants(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """``count`` of the tenant's demo contacts from non-governmental organizations, unprotected,
    taken from each country in turn (so that a call hears from the whole region)."""
    orgs = {
        r["id"]: r
        for r in await Organization.select(Organization.id, Organization.name, Organization.sector).run()
    }
    rows = (
        await Contact.select(
            Contact.id,
            Contact.first_name,
            Contact.last_name,
            Contact.emails,
            Contact.phones,
            Contact.position,
            Contact.organization,
        )
        .where(Contact.protected == False)  # noqa: E712 - a SQL comparison
        .order_by(Contact.id)
        .run()
    )
    people = []
    for row in rows:
        org = orgs.get(row["organization"])
        if org is None or org["sector"] not in STAKEHOLDER_SECTORS:
            continue
        emails, phones = load_json(row["emails"], []), load_json(row["phones"], [])
        if emails:
            people.append({**row, "email": emails[0], "phone": (phones or [""])[0], "org": org})
    by_country: dict[str, list[dict[str, Any]]] = {}
    for person in people:
        by_country.setdefault(country_and_language(person["phone"], ("", ""))[0], []).append(person)
    queues = [rng.sample(group, len(group)) for _, group in sorted(by_country.items())]
    rng.shuffle(queues)
    picked: list[dict[str, Any]] = []
    while len(picked) < count and any(queues):
        for queue in queues:
            if queue and len(picked) < count:
                picked.append(queue.pop())
    return picked


def country_and_language(phone: str, default: tuple[str, str]) -> tuple[str, str]:
    return next(((c, lang) for prefix, c, lang in CALLING_CODES if phone.startswith(prefix)), default)


async def apply(
    rng: random.Random,
    activity: dict[str, Any],
    people: list[dict[str, Any]],
    statuses: tuple[str, ...],
    submitted: datetime | None = None,
) -> list[int]:
    """One application per person, ``statuses`` in turn; returns their ids in ``people``'s order."""
    start = submitted or datetime.now(UTC) - timedelta(days=3)
    default = (
        activity["eligible_countries"].split(",")[0].strip() or "MEX",
        (activity["languages"] or ["es"])[0],
    )
    rows = []
    for n, person in enumerate(people):
        status = statuses[n % len(statuses)]
        country, language = country_and_language(person["phone"], default)
        topic = rng.choice(TOPICS)
        eligible = status != "rejected" or rng.random() < 0.4
        rows.append(
            Application(
                activity=activity["id"],
                contact=person["id"],
                organization=person["organization"],
                email=person["email"].lower(),
                first_name=person["first_name"],
                last_name=person["last_name"],
                gender=rng.choice(("woman", "man", "")),
                birth_year=rng.randrange(1965, 2003),
                country=country,
                language=language,
                job_title=person["position"],
                phone=person["phone"],
                organization_name=person["org"]["name"],
                organization_sector=person["org"]["sector"],
                organization_country=country,
                answers={"issue_areas": [topic], "based_in_region": "yes"},
                motivation=MOTIVATIONS.get(language, MOTIVATIONS["en"]).format(topic=topic),
                consent_at=start - timedelta(hours=n),
                submitted_at=start - timedelta(hours=n),
                eligible=eligible,
                eligibility=[{"criterion": "country", "passed": True, "reason": "", "params": {}}],
                score=rng.randrange(40, 96) if eligible else rng.randrange(5, 40),
                status=status,
                decided_at=None if status == "submitted" else start + timedelta(days=10),
                source="public",
                search_text=f"{person['first_name']} {person['last_name']} {person['email']}".lower(),
            )
        )
    return await _insert(Application, rows, Application.activity == activity["id"])


def _activity(
    kind: str, title: str, starts: datetime, days: int, status: str, **fields: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title + FICTITIOUS,
        "format": "dual",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(days=days - 1, hours=8)).isoformat(),
        "timezone": "America/Panama",
        "registration_deadline": (starts - timedelta(days=28)).isoformat(),
        "languages": ["en", "fr", "es"],
        "region": "Americas",
        "eligible_countries": ", ".join(AMERICAS),
        "eligible_sectors": SECTORS,
        "issue_areas": list(TOPICS),
        "status": status,
        **fields,
    }


async def training(actor: Actor, rng: random.Random, today: datetime) -> None:
    """The past regional training: 40 applications, 25 selected, five sessions, three breakout
    groups by language, attendance, answers before and after, certificates for who completed it."""
    starts = (today - timedelta(days=75)).replace(hour=9, minute=0, second=0, microsecond=0)
    activity = await ActivityService(actor).create(
        _activity(
            "training",
            "Regional training for the Americas on the UNTOC review mechanism",
            starts,
            3,
            "completed",
            objectives="Prepare civil society, academia and the private sector of the Americas to "
            "take part in the review mechanism. Fictitious activity, for demonstration only.",
            capacity=25,
            priority_review_group=1,
            youth_share_target=30,
            reading_materials="Review mechanism toolkit (example) | https://example.org/toolkit",
        )
    )
    people = await applicants(rng, 40)
    statuses = ("selected",) * 25 + ("waitlisted",) * 6 + ("rejected",) * 7 + ("withdrawn",) * 2
    application_ids = await apply(rng, activity, people, statuses, starts - timedelta(days=40))
    groups = []
    for n, name in enumerate(("English", "Français", "Español")):
        group = BreakoutGroup(activity=activity["id"], name=name, position=n)
        await group.save().run()
        groups.append(int(group.id))
    plan = (
        ("plenary", "Opening: the Convention and its review mechanism", 0, 9),
        ("breakout", "Breakout: stakeholders' roles in country reviews", 0, 14),
        ("plenary", "Trafficking in persons and smuggling of migrants", 1, 9),
        ("breakout", "Breakout: preparing inputs for a constructive dialogue", 1, 14),
        ("plenary", "Closing: action plans and next steps", 2, 9),
    )
    sessions = []
    for n, (kind, title, day, hour) in enumerate(plan):
        begins = starts + timedelta(days=day, hours=hour - 9)
        session = Session(
            activity=activity["id"],
            kind=kind,
            title=title,
            starts_at=begins,
            ends_at=begins + timedelta(hours=3),
            position=n,
        )
        await session.save().run()
        sessions.append(int(session.id))
    questions = []
    for n, (text, options, correct) in enumerate(QUESTIONS):
        question = Question(activity=activity["id"], position=n, text=text, options=options, correct=correct)
        await question.save().run()
        questions.append(int(question.id))
    language_group = {"en": groups[0], "fr": groups[1], "es": groups[2]}
    chosen = [
        (person, application_id)
        for person, application_id, status in zip(people, application_ids, statuses, strict=True)
        if status == "selected"
    ]
    participants = [
        Participant(
            activity=activity["id"],
            contact=person["id"],
            application=application_id,
            group=language_group[country_and_language(person["phone"], ("", "es"))[1]],
            source="selection",
            created_at=starts - timedelta(days=20),
        )
        for person, application_id in chosen
    ]
    participant_ids = await _insert(Participant, participants, Participant.activity == activity["id"])
    attendance, responses, completed = [], [], []
    for (person, _), participant_id in zip(chosen, participant_ids, strict=True):
        attended = 0
        for session_id in sessions:
            roll = rng.random()
            status_at = "present" if roll < 0.86 else "excused" if roll < 0.93 else "absent"
            attended += status_at == "present"
            attendance.append(
                Attendance(
                    session=session_id,
                    participant=participant_id,
                    status=status_at,
                    recorded_at=starts + timedelta(days=3),
                )
            )
        before = rng.randrange(25, 65)
        after = min(100, before + rng.randrange(10, 45))
        for phase, score, moment in (
            ("pre", before, starts - timedelta(days=2)),
            ("post", after, starts + timedelta(days=3)),
        ):
            answers = {str(q): rng.randrange(2) for q in questions}
            responses.append(
                Response(
                    participant=participant_id, phase=phase, answers=answers, score=score, submitted_at=moment
                )
            )
        if attended >= 4:
            completed.append((person, participant_id))
    await Attendance.insert(*attendance).run()
    await Response.insert(*responses).run()
    completed_on = (starts + timedelta(days=2)).date()
    certificates = []
    for n, (person, participant_id) in enumerate(completed):
        revoked = n == len(completed) - 1
        certificates.append(
            Certificate(
                code=secrets.token_hex(8).upper(),
                activity=activity["id"],
                participant=participant_id,
                contact=person["id"],
                holder_name=f"{person['first_name']} {person['last_name']}",
                activity_title=activity["title"],
                completed_on=completed_on,
                language=country_and_language(person["phone"], ("", "en"))[1],
                issued_at=datetime.combine(completed_on + timedelta(days=5), datetime.min.time(), UTC),
                revoked_at=datetime.combine(completed_on + timedelta(days=30), datetime.min.time(), UTC)
                if revoked
                else None,
                revocation_reason="Issued by mistake: the participant missed the closing session (demo)."
                if revoked
                else "",
            )
        )
    await Certificate.insert(*certificates).run()


async def open_call(actor: Actor, rng: random.Random, today: datetime) -> None:
    """A workshop whose call closes in three weeks, with the first applications."""
    starts = (today + timedelta(days=49)).replace(hour=9, minute=0, second=0, microsecond=0)
    activity = await ActivityService(actor).create(
        _activity(
            "workshop",
            "Workshop for the Caribbean and Central America on smuggling of migrants",
            starts,
            2,
            "call_open",
            registration_deadline=(today + timedelta(days=21))
            .replace(hour=23, minute=59, second=0, microsecond=0)
            .isoformat(),
            objectives="Share practices of civil society and the private sector against the smuggling "
            "of migrants. Fictitious activity, for demonstration only.",
            capacity=30,
            issue_areas=["SOM"],
        )
    )
    await apply(rng, activity, await applicants(rng, 8), ("submitted",), today - timedelta(days=2))


async def dialogue(actor: Actor, rng: random.Random, today: datetime) -> None:
    """A constructive dialogue and its preparation day, with fifteen inputs to its three working
    groups, some merged into others, some included in the summary."""
    prep_starts = (today - timedelta(days=13)).replace(hour=15, minute=0, second=0, microsecond=0)
    await ActivityService(actor).create(
        _activity(
            "preparation_day",
            "Preparation day for the constructive dialogue",
            prep_starts,
            1,
            "completed",
            format="online_synchronous",
            registration_deadline=None,
        )
    )
    starts = (today + timedelta(days=16)).replace(hour=9, minute=0, second=0, microsecond=0)
    activity = await ActivityService(actor).create(
        _activity(
            "constructive_dialogue",
            "Constructive dialogue on the review of the Protocols in the Americas",
            starts,
            1,
            "running",
            objectives="Gather stakeholders' inputs on trafficking in persons, smuggling of migrants and "
            "firearms for the country reviews. Fictitious activity, for demonstration only.",
            registration_deadline=None,
        )
    )
    people = await applicants(rng, 15)
    rows, topics = [], []
    for n, person in enumerate(people):
        topic = TOPICS[n % 3]
        language, text = INPUTS[topic][n // 3]
        topics.append(topic)
        rows.append(
            DialogueInput(
                activity=activity["id"],
                topic=topic,
                contact=person["id"],
                organization=person["organization"],
                author_name=f"{person['first_name']} {person['last_name']}",
                organization_name=person["org"]["name"],
                text=text,
                language=language,
                tags=[topic.lower()],
                status="received",
                submitted_at=prep_starts + timedelta(days=1, hours=n * 7),
                search_text=f"{topic} {person['org']['name']} {text}".lower(),
            )
        )
    ids: dict[str, list[int]] = {}
    for topic, input_id in zip(
        topics, await _insert(DialogueInput, rows, DialogueInput.activity == activity["id"]), strict=True
    ):
        ids.setdefault(topic, []).append(input_id)
    for inputs in ids.values():
        first, *rest = inputs
        await (
            DialogueInput.update({DialogueInput.status: "included"})
            .where(DialogueInput.id.is_in([first, rest[0]]))
            .run()
        )
        await (
            DialogueInput.update({DialogueInput.status: "merged", DialogueInput.merged_into: first})
            .where(DialogueInput.id == rest[1])
            .run()
        )


async def write(actor: Actor) -> None:
    rng = random.Random("global")
    today = datetime.now(ZoneInfo("America/Panama"))
    await training(actor, rng, today)
    await open_call(actor, rng, today)
    await dialogue(actor, rng, today)
