"""The completion rule of an activity, applied to its participants.

A participant completes an activity when both hold:

- attendance: the sessions *held* are the activity's sessions that are not ``self_paced``, not
  archived and have started; a session counts as attended only with the status ``present``
  (``excused`` and ``absent`` do not). The rate is attended / held, and must reach the activity's
  ``completion_attendance`` percent. With no session held yet, there is nothing to attend and this
  part holds;
- the self-assessment: when ``completion_requires_post`` is set and the activity has questions, the
  participant has submitted the ``post`` answers.

A participant imported from an e-learning platform with a completion date (``completed_on``) has
completed it by the platform's word. Reasons are :class:`Message`s, translated where shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from core.plugin_api import N_, Message
from plugins.engagement.moments import instant
from plugins.engagement.service import DEFAULT_COMPLETION_ATTENDANCE
from plugins.engagement.tables import Attendance, Participant, Question, Response, Session

ATTENDANCE_SHORT = N_("Attended {attended} of {held} sessions ({rate} %), {needed} % needed.")
POST_MISSING = N_("Final self-assessment not submitted.")


@dataclass
class Standing:
    """One participant of an activity and whether the completion rule holds for them."""

    participant: int
    contact: int
    first_name: str
    last_name: str
    languages: tuple[str, ...]  # the application's language, then the contact's preferred one
    attended: int
    held: int
    post_submitted: bool
    completed_on: date | None  # set by an import of completions
    reasons: list[Message] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.reasons

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def as_date(value: Any) -> date | None:
    """A stored date (SQLite hands them back as text)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def reasons(attended: int, held: int, needed: int, post_needed: bool, post_submitted: bool) -> list[Message]:
    """Why the rule does not hold (empty: it does). ``attended * 100 >= needed * held`` exactly,
    so 4 of 5 sessions meet 80 % and no rounding lets a participant in."""
    found = []
    if held and attended * 100 < needed * held:
        rate = round(attended * 100 / held)
        found.append(
            Message(ATTENDANCE_SHORT, {"attended": attended, "held": held, "rate": rate, "needed": needed})
        )
    if post_needed and not post_submitted:
        found.append(Message(POST_MISSING))
    return found


async def standings(activity: dict[str, Any], now: datetime | None = None) -> list[Standing]:
    """Every participant of ``activity`` (a row of its table) with their completion, by name."""
    now = now or datetime.now(UTC)
    activity_id = activity["id"]
    sessions = await Session.select(Session.id, Session.kind, Session.starts_at).where(
        (Session.activity == activity_id) & Session.archived_at.is_null()
    )
    held = [
        s["id"]
        for s in sessions
        if s["kind"] != "self_paced" and (start := instant(s["starts_at"])) is not None and start <= now
    ]
    rows = await Participant.select(
        Participant.id,
        Participant.contact,
        Participant.completed_on,
        Participant.contact.first_name.as_alias("first_name"),
        Participant.contact.last_name.as_alias("last_name"),
        Participant.contact.preferred_language.as_alias("contact_language"),
        Participant.application.language.as_alias("application_language"),
    ).where(Participant.activity == activity_id)
    ids = [r["id"] for r in rows]
    attended: dict[int, int] = {}
    posted: set[int] = set()
    if ids and held:
        for a in await Attendance.select(Attendance.participant).where(
            Attendance.participant.is_in(ids)
            & Attendance.session.is_in(held)
            & (Attendance.status == "present")
        ):
            attended[a["participant"]] = attended.get(a["participant"], 0) + 1
    if ids:
        posted = {
            r["participant"]
            for r in await Response.select(Response.participant).where(
                Response.participant.is_in(ids) & (Response.phase == "post")
            )
        }
    has_questions = bool(await Question.count().where(Question.activity == activity_id))
    needed = activity.get("completion_attendance")
    needed = DEFAULT_COMPLETION_ATTENDANCE if needed is None else needed
    post_needed = bool(activity.get("completion_requires_post", True)) and has_questions
    found = []
    for r in rows:
        standing = Standing(
            participant=r["id"],
            contact=r["contact"],
            first_name=r["first_name"] or "",
            last_name=r["last_name"] or "",
            languages=(r["application_language"] or "", r["contact_language"] or ""),
            attended=attended.get(r["id"], 0),
            held=len(held),
            post_submitted=r["id"] in posted,
            completed_on=as_date(r["completed_on"]),
        )
        if standing.completed_on is None:
            standing.reasons = reasons(
                standing.attended, standing.held, needed, post_needed, standing.post_submitted
            )
        found.append(standing)
    return sorted(found, key=lambda s: (s.last_name.casefold(), s.first_name.casefold(), s.participant))
