"""A person's whole way through an activity, written straight into the plugin's tables (the parts
that write them through their own pages have their own tests): an application, a place, attendance
at sessions, self-assessment answers, a certificate and a dialogue input."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from plugins.engagement.tables import (
    Application,
    Attendance,
    Certificate,
    DialogueInput,
    Participant,
    Response,
    Reviewer,
    Session,
)

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


async def sessions(activity_id: int, count: int) -> list[int]:
    ids = []
    for n in range(count):
        row = Session(activity=activity_id, kind="plenary", title=f"Sesión {n + 1}", position=n)
        await row.save().run()
        ids.append(row.id)
    return ids


async def application(activity_id: int, person: dict[str, Any] | None = None, **fields: Any) -> int:
    """An application; ``person`` (a contact as the API gives it) fills the applicant's fields."""
    values: dict[str, Any] = {
        "activity": activity_id,
        "email": f"applicant-{secrets.token_hex(4)}@example.org",
        "first_name": "Ana",
        "last_name": "Applicant",
        "submitted_at": NOW,
        "status": "submitted",
    }
    if person is not None:
        values.update(
            contact=person["id"],
            organization=person.get("organization"),
            email=(person.get("emails") or [values["email"]])[0],
            first_name=person["first_name"],
            last_name=person["last_name"],
            phone=(person.get("phones") or [""])[0],
        )
    values.update(fields)
    row = Application(**{k: v for k, v in values.items()})
    await row.save().run()
    return int(row.id)


async def participant(activity_id: int, contact_id: int, application_id: int | None = None) -> int:
    row = Participant(activity=activity_id, contact=contact_id, application=application_id, created_at=NOW)
    await row.save().run()
    return int(row.id)


async def attend(participant_id: int, session_ids: list[int], status: str = "present") -> None:
    for session_id in session_ids:
        await (
            Attendance(session=session_id, participant=participant_id, status=status, recorded_at=NOW)
            .save()
            .run()
        )


async def answer(participant_id: int, phase: str, score: int) -> None:
    await (
        Response(participant=participant_id, phase=phase, answers={"1": 0}, score=score, submitted_at=NOW)
        .save()
        .run()
    )


async def certificate(
    activity_id: int, participant_id: int | None, contact_id: int, holder: str, revoked: bool = False
) -> str:
    code = secrets.token_hex(8).upper()
    await (
        Certificate(
            code=code,
            activity=activity_id,
            participant=participant_id,
            contact=contact_id,
            holder_name=holder,
            activity_title="Taller",
            completed_on=date(2026, 11, 1),
            issued_at=NOW,
            revoked_at=NOW if revoked else None,
        )
        .save()
        .run()
    )
    return code


async def dialogue_input(activity_id: int, text: str, contact_id: int | None = None, **fields: Any) -> int:
    topic = "trafficking_in_persons"  # a working group
    row = DialogueInput(
        activity=activity_id, topic=topic, contact=contact_id, text=text, submitted_at=NOW, **fields
    )
    await row.save().run()
    return int(row.id)


async def reviewer(member_id: int) -> None:
    await Reviewer(member=member_id, granted_at=NOW).save().run()
