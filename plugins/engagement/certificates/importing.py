"""Course completions and certificates imported from an e-learning platform: a CSV or XLSX file
(read by core's reader: any encoding and delimiter, or XLSX) with one line per completion: email,
name, course, completion date, the platform's certificate id, the platform. Columns are matched to
these fields by their headers in any of the tenant's languages (core's suggestion).

A dry run (:func:`plan`) checks every line as a form is checked and says, per line, which contact it
is (by core's duplicate rules, else a new one) and whether it is new or already imported; nothing is
written. :func:`commit` then writes the valid new lines in one transaction: the contact (created
through core's contact service when new), a participant of the chosen course cohort (``source``
``import``, ``completed_on``) and a certificate (``source`` ``import``, the platform and its id),
each audited. A certificate is the same one when its platform and certificate id are (without an id:
the same person in the same activity), so importing a file again creates nothing twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from core.plugin_api import (
    N_,
    Actor,
    ContactService,
    FieldSpec,
    Message,
    Translator,
    UnreadableFile,
    ValidationFailed,
    cell_text,
    clean_fields,
    matching_contact,
    read_spreadsheet,
    record_audit,
    suggest_columns,
)
from plugins.engagement.certificates import codes
from plugins.engagement.certificates.service import ENTITY
from plugins.engagement.tables import Activity, Certificate, Participant

MAX_LINES = 2000  # a bound on one import's work (and on the dry run's page): split bigger files
FIELDS = (
    FieldSpec("email", "email", N_("Email address"), required=True),
    FieldSpec("name", "text", N_("Name"), required=True, max_length=240),
    FieldSpec("course", "text", N_("Course"), max_length=300),
    FieldSpec("completed_on", "date", N_("Completed on"), required=True),
    FieldSpec("certificate_id", "text", N_("Certificate ID"), max_length=120),
    FieldSpec("platform", "text", N_("Platform"), max_length=120),
)
NAMES = tuple(f.name for f in FIELDS)


@dataclass
class Line:
    """One line of the file: its values as text, and what the dry run found."""

    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    contact: int | None = None  # the matched contact (None: a new one)
    duplicate: bool = False  # already imported (or earlier in this file)
    cleaned: dict[str, Any] = field(default_factory=dict)

    @property
    def importable(self) -> bool:
        return not self.errors and not self.duplicate


def split_name(name: str) -> tuple[str, str]:
    """ "Ana María Ruiz" → ("Ana María", "Ruiz"); a single word is the last name."""
    first, _, last = name.strip().rpartition(" ")
    return first.strip(), last.strip()


def read_lines(path: Path, filename: str, translators: list[Translator]) -> list[Line]:
    """The file's lines as text values by field; ValidationFailed on ``file`` when it cannot be
    read, has no column for a required field, or is too long."""
    try:
        table = read_spreadsheet(path, filename)
        mapping = suggest_columns(table.header, FIELDS, translators)
        lines: list[Line] = []
        for number, cells in table.rows():
            if len(lines) == MAX_LINES:
                raise ValidationFailed(
                    {"file": [Message(N_("Import at most {max} lines at once."), {"max": MAX_LINES})]}
                )
            values = {name: "" for name in NAMES}
            for index, name in mapping.items():
                if name in values and index < len(cells):
                    values[name] = cell_text(cells[index]).strip()
            lines.append(Line(number, values))
    except UnreadableFile as exc:
        raise ValidationFailed({"file": [exc.message]}) from None
    missing = [f for f in FIELDS if f.required and f.name not in mapping.values()]
    if missing:
        raise ValidationFailed(
            {"file": [Message(N_("No column of the file is headed {label}."), {"label": missing[0].label})]}
        )
    return lines


async def cohort(activity_id: Any) -> dict[str, Any]:
    """The course cohort the completions are imported into (ValidationFailed when there is none)."""
    text = str(activity_id or "")
    row = None
    if text.isdigit() and len(text) < 10:
        row = await Activity.select().where(Activity.id == int(text)).first()
    if row is None or row["archived_at"] is not None:
        raise ValidationFailed({"activity": [Message(N_("Choose the activity to import into."))]})
    return row


async def plan(lines: list[Line], activity: dict[str, Any], platform: str, t: Translator) -> None:
    """Check each line and find its contact and whether it is already imported; writes nothing."""
    seen: set[tuple[Any, ...]] = set()
    for line in lines:
        line.errors, line.duplicate, line.contact = [], False, None
        values = {k: v for k, v in line.values.items() if v}
        values.setdefault("platform", platform)
        try:
            line.cleaned = clean_fields(FIELDS, values)
        except ValidationFailed as exc:
            labels = {f.name: t.gettext(f.label) for f in FIELDS}
            line.errors = [
                t.gettext(N_("{label}: {value}"), label=labels.get(name, name), value=t.message(m))
                for name, messages in exc.errors.items()
                for m in messages
            ]
            continue
        if not line.cleaned["platform"]:
            line.errors = [t.gettext(N_("Give the platform, on the page or in a column."))]
            continue
        first, last = split_name(line.cleaned["name"])
        line.contact = await matching_contact(
            {"first_name": first, "last_name": last, "emails": [line.cleaned["email"]], "phones": []}
        )
        key = identity(line, activity)
        line.duplicate = key in seen or await imported(line, activity)
        seen.add(key)


def identity(line: Line, activity: dict[str, Any]) -> tuple[Any, ...]:
    if line.cleaned["certificate_id"]:
        return ("id", line.cleaned["platform"], line.cleaned["certificate_id"])
    return ("person", activity["id"], line.contact or line.cleaned["email"])


async def imported(line: Line, activity: dict[str, Any]) -> bool:
    """Whether the line's certificate is already in the tenant."""
    if line.cleaned["certificate_id"]:
        query = (Certificate.platform == line.cleaned["platform"]) & (
            Certificate.external_id == line.cleaned["certificate_id"]
        )
    elif line.contact is not None:
        query = (Certificate.activity == activity["id"]) & (Certificate.contact == line.contact)
        query &= Certificate.source == "import"
    else:
        return False
    return bool(await Certificate.count().where(query))


async def commit(
    actor: Actor, lines: list[Line], activity: dict[str, Any], platform: str, t: Translator
) -> int:
    """Plan again, then write every importable line in one transaction; the number written."""
    written = 0
    async with Certificate._meta.db.transaction():
        await plan(lines, activity, platform, t)
        for line in lines:
            if not line.importable:
                continue
            values = line.cleaned
            if line.contact is None:
                first, last = split_name(values["name"])
                person = {"first_name": first, "last_name": last, "emails": [values["email"]]}
                made = await ContactService(actor, t.locale).create(person)
                line.contact = made["id"]
                if await imported(line, activity):  # the same person twice in the file, no id
                    continue
            participant = await participant_of(line.contact, activity["id"], values["completed_on"])
            row = {
                "code": codes.new_code(),
                "activity": activity["id"],
                "participant": participant,
                "contact": line.contact,
                "holder_name": values["name"],
                "activity_title": values["course"] or activity["title"],
                "completed_on": values["completed_on"],
                "language": t.locale,
                "source": "import",
                "platform": values["platform"],
                "external_id": values["certificate_id"],
                "issued_at": datetime.now(UTC),
                "issued_by": actor.user_id,
            }
            inserted = await Certificate.insert(Certificate(**row)).returning(Certificate.id)
            after = {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in row.items()}
            await record_audit(actor, ENTITY, inserted[0]["id"], "create", None, after)
            written += 1
    return written


async def participant_of(contact: int, activity: int, completed_on: date) -> int:
    """The contact's participation in the activity, made (``source`` ``import``) when missing."""
    row = (
        await Participant.select(Participant.id)
        .where((Participant.activity == activity) & (Participant.contact == contact))
        .first()
    )
    if row is not None:
        await Participant.update({Participant.completed_on: completed_on}).where(Participant.id == row["id"])
        return row["id"]
    made = await Participant.insert(
        Participant(
            activity=activity,
            contact=contact,
            source="import",
            completed_on=completed_on,
            created_at=datetime.now(UTC),
        )
    ).returning(Participant.id)
    return made[0]["id"]
