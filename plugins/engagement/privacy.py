"""The personal data this plugin holds about a contact, for data-subject requests
(``pilot_crm_personal_data``).

A person appears in the plugin as an applicant (matched to the contact, or only by an email address
the contact holds), as a participant (with their attendance and self-assessment answers), as the
holder of certificates and as the author of inputs to constructive dialogues. The export lists every
such row; the erasure, run in core's erasure transaction, deletes the applications, participations
(attendance and answers with them) and certificates (their public verification then finds no such
code), and takes the author out of the dialogue inputs: the link, the name and every identifying
string in the text go, the organization's input stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from core.plugin_api import (
    COORDINATOR,
    Actor,
    Contact,
    load_json,
    record_audit,
    search_text,
)
from plugins.engagement.tables import (
    Application,
    Attendance,
    Certificate,
    DialogueInput,
    Participant,
    Response,
)

# Who the audit trail names for what the erasure does to the plugin's rows: core audits the erasure
# itself with the coordinator who asked for it; these entries are its consequence.
ERASURE = Actor(user_id=None, email="system", role=COORDINATOR)
# The tables ``erase`` writes (core purges their overwritten row versions afterwards).
TABLES = (Application, Participant, Attendance, Response, Certificate, DialogueInput)
# What replaces an identifying string in a dialogue input's text.
SCRUBBED = "[…]"
# Strings shorter than this are not scrubbed from free text: an initial would blank every word.
MIN_NEEDLE = 3
# Columns never exported: secrets (hashes of personal links) and search indexes.
HIDDEN = ("link_hash", "search_text")
APPLICATION_JSON: dict[str, Any] = {"answers": {}, "eligibility": [], "extra": {}}


def _emails(values: Iterable[Any]) -> list[str]:
    return sorted({str(v).strip().lower() for v in values if v and "@" in str(v)})


async def contact_emails(contact_id: int) -> list[str]:
    rows = await Contact.select(Contact.emails).where(Contact.id == contact_id).run()
    return _emails(load_json(rows[0]["emails"], []) or []) if rows else []


def _application_clause(contact_id: int, emails: list[str]) -> Any:
    clause: Any = Application.contact == contact_id
    return clause | Application.email.is_in(emails) if emails else clause


def _clean(row: dict[str, Any], json_columns: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in HIDDEN}
    for key, default in (json_columns or {}).items():
        if key in out:
            out[key] = load_json(out[key], default)
    return out


async def _rows_about(contact_id: int, emails: list[str]) -> tuple[list[int], list[int]]:
    """The ids of the person's applications and participations."""
    applications = [
        r["id"]
        for r in await Application.select(Application.id).where(_application_clause(contact_id, emails)).run()
    ]
    clause: Any = Participant.contact == contact_id
    if applications:
        clause = clause | Participant.application.is_in(applications)
    participants = [r["id"] for r in await Participant.select(Participant.id).where(clause).run()]
    return applications, participants


async def export(contact_id: int) -> dict[str, Any]:
    """Every row the plugin holds about the contact, archived ones too, by kind."""
    emails = await contact_emails(contact_id)
    applications = (
        await Application.select(
            *Application.all_columns(), Application.activity.title.as_alias("activity_title")
        )
        .where(_application_clause(contact_id, emails))
        .order_by(Application.id)
        .run()
    )
    _, participant_ids = await _rows_about(contact_id, emails)
    participants: list[dict[str, Any]] = []
    if participant_ids:
        participants = (
            await Participant.select(
                *Participant.all_columns(), Participant.activity.title.as_alias("activity_title")
            )
            .where(Participant.id.is_in(participant_ids))
            .order_by(Participant.id)
            .run()
        )
    attendance = (
        await Attendance.select(
            *Attendance.all_columns(),
            Attendance.session.title.as_alias("session_title"),
            Attendance.session.starts_at.as_alias("session_starts_at"),
        )
        .where(Attendance.participant.is_in(participant_ids))
        .order_by(Attendance.id)
        .run()
        if participant_ids
        else []
    )
    responses = (
        await Response.select().where(Response.participant.is_in(participant_ids)).order_by(Response.id).run()
        if participant_ids
        else []
    )
    certificate_clause: Any = Certificate.contact == contact_id
    if participant_ids:
        certificate_clause = certificate_clause | Certificate.participant.is_in(participant_ids)
    certificates = await Certificate.select().where(certificate_clause).order_by(Certificate.id).run()
    inputs = (
        await DialogueInput.select(
            *DialogueInput.all_columns(), DialogueInput.activity.title.as_alias("activity_title")
        )
        .where(DialogueInput.contact == contact_id)
        .order_by(DialogueInput.id)
        .run()
    )
    return {
        "applications": [_clean(r, APPLICATION_JSON) for r in applications],
        "participations": [_clean(r) for r in participants],
        "attendance": [_clean(r) for r in attendance],
        "self_assessment": [_clean(r, {"answers": {}}) for r in responses],
        "certificates": [_clean(r) for r in certificates],
        "dialogue_inputs": [_clean(r, {"tags": [], "extra": {}}) for r in inputs],
    }


def needles(identifying: Iterable[str]) -> list[str]:
    """The identifying strings worth finding in free text, longest first (a full name before the
    first name it contains)."""
    found = {v.strip() for v in identifying if v and len(v.strip()) >= MIN_NEEDLE}
    return sorted(found, key=lambda v: (-len(v), v))


def given_names(found: list[str]) -> set[str]:
    """The needles that only begin a longer one (a first name, as in "Ana" of "Ana Ruiz"): alone they
    name many people, so they are scrubbed from the person's own inputs only, not from others'."""
    return {n for n in found if any(other.casefold().startswith(n.casefold() + " ") for other in found)}


def scrub(text: str, found: list[str]) -> str:
    """``text`` with each of ``found`` (whole words, any case) replaced."""
    for needle in found:
        text = re.sub(rf"(?<!\w){re.escape(needle)}(?!\w)", SCRUBBED, text, flags=re.IGNORECASE)
    return text


async def erase(contact_id: int, identifying: frozenset[str]) -> int:
    """Delete the person's applications, participations (with attendance and answers) and
    certificates, and take them out of dialogue inputs; returns how many rows changed."""
    emails = _emails(identifying)
    applications, participants = await _rows_about(contact_id, emails)
    changed = 0
    certificate_clause: Any = Certificate.contact == contact_id
    if participants:
        certificate_clause = certificate_clause | Certificate.participant.is_in(participants)
        for table in (Attendance, Response):
            mine = table.participant.is_in(participants)  # type: ignore[attr-defined]
            changed += await table.count().where(mine).run()
            await table.delete().where(mine).run()
    for certificate in (
        await Certificate.select(Certificate.id, Certificate.code).where(certificate_clause).run()
    ):
        await Certificate.delete().where(Certificate.id == certificate["id"]).run()
        await record_audit(ERASURE, "certificate", certificate["id"], "erase", None, None)
        changed += 1
    if participants:
        await Participant.delete().where(Participant.id.is_in(participants)).run()
        changed += len(participants)
    for application_id in applications:
        await Application.delete().where(Application.id == application_id).run()
        await record_audit(ERASURE, "application", application_id, "erase", None, None)
    changed += len(applications)
    found = needles(identifying)
    return changed + await _scrub_inputs(contact_id, found, [n for n in found if n not in given_names(found)])


async def _scrub_inputs(contact_id: int, found: list[str], distinctive: list[str]) -> int:
    """Unlink the contact's inputs, blank the author's name and scrub every identifying string
    (``found``) from their text; scrub the ``distinctive`` ones (full names, last names, emails,
    phones) from the text of any other input that quotes them too."""
    clause: Any = DialogueInput.contact == contact_id
    # SQLite's LIKE already ignores case (of ASCII letters); PostgreSQL needs ILIKE for that.
    sqlite = DialogueInput._meta.db.engine_type == "sqlite"
    for needle in distinctive:
        for column in (DialogueInput.text, DialogueInput.author_name):
            pattern = f"%{needle}%"
            clause = clause | (column.like(pattern) if sqlite else column.ilike(pattern))
    rows = await DialogueInput.select().where(clause).run()
    moment = datetime.now(UTC)
    changed = 0
    for row in rows:
        own = row["contact"] == contact_id
        strings = found if own else distinctive
        folded = [search_text(n) for n in strings]
        unchanged = all(scrub(row[k], strings) == row[k] for k in ("text", "author_name"))
        if not own and unchanged:
            continue  # a LIKE wildcard in a needle matched, not the needle itself
        changed += 1
        values: dict[Any, Any] = {
            DialogueInput.contact: None if own else row["contact"],
            DialogueInput.author_name: "" if own else scrub(row["author_name"], strings),
            DialogueInput.text: scrub(row["text"], strings),
            DialogueInput.search_text: scrub(row["search_text"] or "", folded),
            DialogueInput.version: row["version"] + 1,
            DialogueInput.updated_at: moment,
        }
        await DialogueInput.update(values).where(DialogueInput.id == row["id"]).run()
        after = {"contact": values[DialogueInput.contact], "version": row["version"] + 1}
        await record_audit(ERASURE, "dialogue_input", row["id"], "erase_author", None, after)
    return changed
