"""The self-assessment of an activity: scored questions that coordinators write, asked before
(``pre``) and after (``post``); each participant answers each phase once. A score is the share of
questions answered correctly, in percent; the gain is post − pre. Questions are fixed once anyone
has answered, so every score of a cohort counts the same questions."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import mean
from typing import Any

from core.plugin_api import (
    COORDINATOR,
    N_,
    OBSERVER,
    Actor,
    Conflict,
    Message,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    load_json,
    record_audit,
)
from plugins.engagement.delivery.cohort import RESPONSE_LOCK, serialize
from plugins.engagement.delivery.sessions import in_order
from plugins.engagement.delivery.vocabulary import MAX_OPTIONS, MIN_OPTIONS, POST, PRE
from plugins.engagement.tables import Participant, Question, Response, Session

# Who wrote answers submitted through a personal link: the participant, who has no account (as the
# demo seed writes as the programme, the audit entry names no member).
THROUGH_LINK = Actor(user_id=None, email="", role=OBSERVER)
MAX_QUESTION = 2000
MAX_OPTION = 300


def _db() -> Any:
    return Question._meta.db


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def score(questions: list[dict[str, Any]], answers: dict[str, int]) -> int:
    """Percent of ``questions`` whose correct option is the one ``answers`` chose (by question id)."""
    if not questions:
        return 0
    right = sum(1 for q in questions if answers.get(str(q["id"])) == q["correct"])
    return round(100 * right / len(questions))


def cohort_summary(scores: list[dict[str, int | None]]) -> dict[str, Any]:
    """Mean pre, mean post and mean gain (of those with both), and how many have both."""
    pre = [s["pre"] for s in scores if s["pre"] is not None]
    post = [s["post"] for s in scores if s["post"] is not None]
    gains = [s["post"] - s["pre"] for s in scores if s["pre"] is not None and s["post"] is not None]
    return {
        "mean_pre": round(mean(pre), 1) if pre else None,
        "mean_post": round(mean(post), 1) if post else None,
        "mean_gain": round(mean(gains), 1) if gains else None,
        "with_both": len(gains),
    }


class Assessment:
    def __init__(self, actor: Actor | None, activity_id: int) -> None:
        self.actor, self.activity_id = actor, activity_id

    def may_write(self) -> bool:
        return self.actor is not None and self.actor.role == COORDINATOR

    async def questions(self) -> list[dict[str, Any]]:
        rows = (
            await Question.select()
            .where(Question.activity == self.activity_id)
            .order_by(Question.position)
            .order_by(Question.id)
            .run()
        )
        for row in rows:
            row["options"] = load_json(row["options"], [])
        return rows

    async def answered(self) -> bool:
        return await Response.exists().where(
            Response.participant.is_in(
                Participant.select(Participant.id).where(Participant.activity == self.activity_id)
            )
        )

    # -- questions ------------------------------------------------------------------------------

    @staticmethod
    def clean_question(data: dict[str, Any]) -> dict[str, Any]:
        """The question form (``text``, ``options`` one per line, ``correct`` counted from 1,
        ``position``) as columns; each problem on its field."""
        errors: dict[str, list[Message]] = {}
        text = str(data.get("text") or "").strip()
        if not text:
            errors["text"] = [Message(N_("This field is required."))]
        elif len(text) > MAX_QUESTION:
            errors["text"] = [Message(N_("Enter at most {max} characters."), {"max": MAX_QUESTION})]
        raw = data.get("options") or ""
        lines = raw if isinstance(raw, list) else str(raw).splitlines()
        options = [str(o).strip() for o in lines if str(o).strip()]
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            errors["options"] = [
                Message(
                    N_("Write from {min} to {max} options, one per line."),
                    {"min": MIN_OPTIONS, "max": MAX_OPTIONS},
                )
            ]
        elif any(len(o) > MAX_OPTION for o in options):
            errors["options"] = [Message(N_("Enter at most {max} characters."), {"max": MAX_OPTION})]
        correct = _as_int(data.get("correct"))
        if correct is None or not 1 <= correct <= max(len(options), 1):
            errors["correct"] = [Message(N_("Enter the number of the correct option, counted from 1."))]
        position = _as_int(data.get("position")) if str(data.get("position") or "").strip() else 0
        if position is None:
            errors["position"] = [Message(N_("Enter a whole number."))]
        if errors:
            raise ValidationFailed(errors)
        assert correct is not None and position is not None
        return {"text": text, "options": options, "correct": correct - 1, "position": position}

    async def _editable(self) -> None:
        if not self.may_write():
            raise PermissionDenied()
        if await self.answered():
            raise Conflict(N_("Participants have already answered: the questions can no longer change."))

    async def _question(self, question_id: int) -> dict[str, Any]:
        row = (
            await Question.select()
            .where((Question.id == question_id) & (Question.activity == self.activity_id))
            .first()
            .run()
        )
        if row is None:
            raise NotFound()
        return row

    async def add_question(self, data: dict[str, Any]) -> int:
        assert self.actor is not None
        if not self.may_write():
            raise PermissionDenied()
        values = self.clean_question(data)
        async with _db().transaction():
            await self._editable()
            inserted = (
                await Question.insert(Question(activity=self.activity_id, **values))
                .returning(Question.id)
                .run()
            )
            question_id = inserted[0]["id"]
            await record_audit(self.actor, "engagement_question", question_id, "create", None, values)
        return question_id

    async def update_question(self, question_id: int, data: dict[str, Any]) -> None:
        assert self.actor is not None
        if not self.may_write():
            raise PermissionDenied()
        values = self.clean_question(data)
        async with _db().transaction():
            before = await self._question(question_id)
            await self._editable()
            changes: dict[Any, Any] = dict(values)
            await Question.update(changes).where(Question.id == question_id).run()
            before["options"] = load_json(before["options"], [])
            await record_audit(self.actor, "engagement_question", question_id, "update", before, values)

    async def remove_question(self, question_id: int) -> None:
        assert self.actor is not None
        if not self.may_write():
            raise PermissionDenied()
        async with _db().transaction():
            before = await self._question(question_id)
            await self._editable()
            await Question.delete().where(Question.id == question_id).run()
            before["options"] = load_json(before["options"], [])
            await record_audit(self.actor, "engagement_question", question_id, "delete", before, None)

    # -- answers --------------------------------------------------------------------------------

    async def started(self, activity: dict[str, Any]) -> bool:
        """Whether the activity has begun: its first timed session (else its own start) is past."""
        sessions = in_order(
            await Session.select(Session.id, Session.starts_at, Session.position)
            .where(
                (Session.activity == self.activity_id)
                & Session.archived_at.is_null()
                & Session.starts_at.is_not_null()
            )
            .run()
        )
        first = sessions[0]["starts_at"] if sessions else activity.get("starts_at")
        if isinstance(first, str):
            first = datetime.fromisoformat(first)
        if first is None:
            return False
        first = first if first.tzinfo else first.replace(tzinfo=UTC)
        return bool(datetime.now(UTC) >= first)

    async def phases_done(self, participant_id: int) -> dict[str, int]:
        """``{phase: score}`` of what the participant has submitted."""
        rows = (
            await Response.select(Response.phase, Response.score)
            .where(Response.participant == participant_id)
            .run()
        )
        return {row["phase"]: row["score"] for row in rows}

    async def submit(
        self, participant_id: int, phase: str, answers: dict[str, Any], on_behalf: Actor | None = None
    ) -> int:
        """Record a phase's answers (``{question id: option index}``, every question answered) once;
        a second submission of the same phase is a conflict. Returns the score. ``on_behalf`` is the
        coordinator recording a paper form; without it the participant answered through their link."""
        if phase not in (PRE, POST):
            raise ValidationFailed({"phase": [Message(N_("Choose one of the options."))]})
        questions = await self.questions()
        if not questions:
            raise ValidationFailed({"": [Message(N_("This activity has no questionnaire yet."))]})
        chosen: dict[str, int] = {}
        errors: dict[str, list[Message]] = {}
        for q in questions:
            value = _as_int(answers.get(str(q["id"])))
            if value is None or not 0 <= value < len(q["options"]):
                errors[f"q_{q['id']}"] = [Message(N_("Choose an answer."))]
            else:
                chosen[str(q["id"])] = value
        if errors:
            raise ValidationFailed(errors)
        result = score(questions, chosen)
        async with _db().transaction():
            await serialize(RESPONSE_LOCK, participant_id)
            taken = await Response.exists().where(
                (Response.participant == participant_id) & (Response.phase == phase)
            )
            if taken:
                raise Conflict(N_("These answers have already been submitted."))
            inserted = (
                await Response.insert(
                    Response(
                        participant=participant_id,
                        phase=phase,
                        answers=chosen,
                        score=result,
                        submitted_at=datetime.now(UTC),
                    )
                )
                .returning(Response.id)
                .run()
            )
            await record_audit(
                on_behalf or THROUGH_LINK,
                "engagement_participant",
                participant_id,
                f"answers_{phase}",
                None,
                {"response": inserted[0]["id"], "score": result, "on_paper": on_behalf is not None},
            )
        return result

    async def scores(self) -> dict[int, dict[str, int | None]]:
        """``{participant id: {"pre": score, "post": score, "gain": post − pre}}`` (None when missing)."""
        ids = [
            r["id"]
            for r in await Participant.select(Participant.id)
            .where(Participant.activity == self.activity_id)
            .run()
        ]
        found: dict[int, dict[str, int | None]] = {
            pid: {"pre": None, "post": None, "gain": None} for pid in ids
        }
        if ids:
            for row in (
                await Response.select(Response.participant, Response.phase, Response.score)
                .where(Response.participant.is_in(ids))
                .run()
            ):
                found[row["participant"]][row["phase"]] = row["score"]
        for one in found.values():
            if one["pre"] is not None and one["post"] is not None:
                one["gain"] = one["post"] - one["pre"]
        return found
