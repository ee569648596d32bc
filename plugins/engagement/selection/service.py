"""Selection as a service: the assessment of an application (eligibility and score, stored on it),
the review queue, decisions in bulk, the applicant's own answer to a place, and the reviewer role.

Who reviews: coordinators always, and the members a coordinator gave the reviewer role (the
``Reviewer`` table); anyone else gets ``PermissionDenied``. Every decision runs in one transaction
with optimistic versions (one stale version and nothing is written, 409) and an audit entry per
application changed. Mails are not sent here: a decision returns the ``Notice`` list of who is to
be told, which the caller mails once the transaction has committed (``mails.py``).

Personal links: the call's form stores ``link_hash`` (SHA-256 of the applicant's token) when the
application is submitted, and the token itself is only ever in a mail. As it cannot be read back, a
decision that needs the link (selected, offered) issues a fresh token and replaces ``link_hash``:
the newest mail's link is the one that works.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.plugin_api import (
    COORDINATOR,
    N_,
    Actor,
    Conflict,
    Message,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    list_members,
    load_json,
    record_audit,
)
from plugins.engagement.links import link_hash, new_token
from plugins.engagement.moments import now
from plugins.engagement.reviewing import is_reviewer
from plugins.engagement.selection import eligibility, scoring
from plugins.engagement.selection.display import APPLICATION_STATUSES, DECISIONS
from plugins.engagement.service import ActivityService
from plugins.engagement.tables import Application, Attendance, Certificate, Participant, Response, Reviewer
from plugins.engagement.vocabulary import GENDERS

# Assessments and the applicant's own answers are written by the programme, not by a member.
PROGRAMME = Actor(user_id=None, email="", role=COORDINATOR)
ENTITY = "application"
# Statuses that hold a place of the activity's capacity.
HOLDING = ("selected", "offered")
# Statuses still waiting for a decision, rescored when the selection's youth share moves.
OPEN = ("submitted", "waitlisted")
SORTS = {
    "score": ((Application.score, False), (Application.submitted_at, True), (Application.id, True)),
    "submitted_at": ((Application.submitted_at, True), (Application.id, True)),
    "name": ((Application.last_name, True), (Application.first_name, True), (Application.id, True)),
    "country": (
        (Application.organization_country, True),
        (Application.country, True),
        (Application.id, True),
    ),
}
PAGE_SIZE = 50
MAX_REASON = 2000
# PostgreSQL advisory lock namespace ("SELE") for an activity's decisions: two reviewers selecting
# at once must not both see a free place.
SELECTION_LOCK = 0x53454C45


@dataclass(frozen=True, slots=True)
class Notice:
    """An applicant to mail about their application's new status; ``token`` is their fresh personal
    link's secret for a place (selected, offered), else None."""

    application_id: int
    token: str | None


def _invalid(field: str, msgid: str, **params: Any) -> ValidationFailed:
    return ValidationFailed({field: [Message(msgid, params)]})


def _row(row: dict[str, Any]) -> dict[str, Any]:
    """An application as read, its JSON columns decoded (SQLite gives them as text)."""
    row["answers"] = load_json(row.get("answers"), {})
    row["eligibility"] = load_json(row.get("eligibility"), [])
    row["extra"] = load_json(row.get("extra"), {})
    return row


async def application_row(application_id: int, activity_id: int | None = None) -> dict[str, Any]:
    query = Application.select().where(Application.id == application_id)
    if activity_id is not None:
        query = query.where(Application.activity == activity_id)
    row = await query.first().run()
    if row is None:
        raise NotFound()
    return _row(row)


async def _youth_counts(activity: dict[str, Any]) -> tuple[int, int]:
    """(selected, young among them) of the activity."""
    rows = (
        await Application.select(Application.birth_year)
        .where((Application.activity == activity["id"]) & (Application.status == "selected"))
        .run()
    )
    young = sum(1 for r in rows if scoring.is_young(activity, r))
    return len(rows), young


async def _store_assessment(
    actor: Actor, activity: dict[str, Any], application: dict[str, Any], youth_wanted: bool
) -> None:
    found = eligibility.checks(activity, application)
    parts = scoring.parts(activity, application, youth_wanted=youth_wanted)
    after = {"eligible": eligibility.eligible(found), "score": scoring.total(parts), "score_parts": parts}
    before = {
        "eligible": bool(application["eligible"]),
        "score": application["score"],
        "score_parts": application["extra"].get("score_parts"),
    }
    if before == after and application["eligibility"] == found:
        return
    await (
        Application.update(
            {
                Application.eligibility: found,
                Application.eligible: after["eligible"],
                Application.score: after["score"],
                Application.extra: {**application["extra"], "score_parts": parts},
            }
        )
        .where(Application.id == application["id"])
        .run()
    )
    await record_audit(actor, ENTITY, application["id"], "assess", before, after)


async def assess(application_id: int) -> dict[str, Any]:
    """Check the application against its activity's criteria and score it; store both (audited
    when they change, so the page shows how the score moved). The call's form runs this after
    each submission. Returns the application as stored."""
    application = await application_row(application_id)
    activity = await ActivityService(PROGRAMME).get(application["activity"])
    selected, young = await _youth_counts(activity)
    async with Application._meta.db.transaction():
        await _store_assessment(
            PROGRAMME, activity, application, scoring.youth_share_below_target(activity, selected, young)
        )
    return await application_row(application_id)


def _choice(field: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        raise _invalid(field, N_("Select a valid choice."))
    return value


class SelectionService:
    def __init__(self, actor: Actor, locale: str | None = None) -> None:
        self.actor = actor
        self.locale = locale

    # -- who ------------------------------------------------------------------------------------

    async def may_review(self) -> bool:
        return await is_reviewer(self.actor)

    async def require_reviewer(self) -> None:
        if not await self.may_review():
            raise PermissionDenied()

    def may_write(self) -> bool:
        """A read-only API token reviews but does not decide."""
        return self.actor.token_scope in (None, "write")

    async def activity(self, activity_id: int) -> dict[str, Any]:
        await self.require_reviewer()
        return await ActivityService(self.actor, self.locale).get(activity_id)

    # -- reading --------------------------------------------------------------------------------

    async def queue(
        self,
        activity_id: int,
        *,
        status: str | None = None,
        eligible: str | None = None,
        country: str | None = None,
        sector: str | None = None,
        gender: str | None = None,
        sort: str | None = None,
        page: str | int | None = None,
    ) -> dict[str, Any]:
        """One page of the activity's applications, filtered and sorted; ``total`` and ``pages``
        say how many there are. Values a filter cannot take are field errors."""
        await self.activity(activity_id)
        where: Any = Application.activity == activity_id
        if chosen := _choice("status", status, tuple(c.value for c in APPLICATION_STATUSES)):
            where &= Application.status == chosen
        if chosen := _choice("eligible", eligible, ("true", "false")):
            where &= Application.eligible == (chosen == "true")
        if country:
            code = country.strip().upper()
            if not (len(code) == 3 and code.isascii() and code.isalpha()):
                raise _invalid("country", N_("Enter a three-letter ISO country code."))
            where &= (Application.organization_country == code) | (
                (Application.organization_country == "") & (Application.country == code)
            )
        if sector:
            where &= Application.organization_sector == sector[:32]
        if chosen := _choice("gender", gender, tuple(c.value for c in GENDERS)):
            where &= Application.gender == chosen
        order = SORTS[_choice("sort", sort, tuple(SORTS)) or "score"]
        number = 1
        if page not in (None, ""):
            text = str(page)
            if not (text.isascii() and text.isdigit() and 0 < int(text) < 100_000):
                raise _invalid("page", N_("Enter a whole number of at least 1."))
            number = int(text)
        total = await Application.count().where(where).run()
        query = Application.select().where(where).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
        for column, ascending in order:
            query = query.order_by(column, ascending=ascending)
        items = [_row(r) for r in await query.run()]
        return {"items": items, "total": total, "page": number, "pages": max(1, -(-total // PAGE_SIZE))}

    async def get(self, activity_id: int, application_id: int) -> dict[str, Any]:
        await self.activity(activity_id)
        return await application_row(application_id, activity_id)

    async def figures(self, activity: dict[str, Any]) -> dict[str, Any]:
        """Counts by status, and who was selected by country, sector and gender, with the youth
        share against the activity's target."""
        rows = (
            await Application.select(
                Application.status,
                Application.country,
                Application.organization_country,
                Application.organization_sector,
                Application.gender,
                Application.birth_year,
            )
            .where(Application.activity == activity["id"])
            .run()
        )
        by_status: dict[str, int] = {}
        countries: dict[str, int] = {}
        sectors: dict[str, int] = {}
        genders: dict[str, int] = {}
        young = 0
        for row in rows:
            by_status[row["status"]] = by_status.get(row["status"], 0) + 1
            if row["status"] != "selected":
                continue
            country = eligibility.applicant_country(row) or "—"
            countries[country] = countries.get(country, 0) + 1
            sector = row["organization_sector"] or ""
            sectors[sector] = sectors.get(sector, 0) + 1
            if row["gender"]:
                genders[row["gender"]] = genders.get(row["gender"], 0) + 1
            young += scoring.is_young(activity, row)
        selected = by_status.get("selected", 0)
        return {
            "total": len(rows),
            "by_status": by_status,
            "countries": countries,
            "sectors": sectors,
            "genders": genders,
            "selected": selected,
            "young": young,
            "youth_share": round(young * 100 / selected) if selected else None,
            "youth_target": activity.get("youth_share_target"),
            "capacity": activity.get("capacity"),
        }

    # -- deciding -------------------------------------------------------------------------------

    async def decide(
        self,
        activity_id: int,
        ids: list[int],
        decision: str,
        reason: str,
        versions: dict[int, int],
    ) -> list[Notice]:
        """Set ``decision`` on the applications ``ids`` of the activity, each at the version the
        reviewer saw. All or nothing. Returns whom to mail once committed."""
        await self.require_reviewer()
        if not self.may_write():
            raise PermissionDenied()
        reason = (reason or "").strip()
        errors: dict[str, list[Message]] = {}
        if decision not in {c.value for c in DECISIONS}:
            errors["decision"] = [Message(N_("Select a valid choice."))]
        if not ids:
            errors["ids"] = [Message(N_("Choose at least one application."))]
        if decision == "rejected" and not reason:
            errors["reason"] = [Message(N_("Give the reason for rejecting."))]
        if len(reason) > MAX_REASON:
            errors["reason"] = [Message(N_("Enter at most {max} characters."), {"max": MAX_REASON})]
        if errors:
            raise ValidationFailed(errors)
        activity = await ActivityService(self.actor, self.locale).get(activity_id)
        async with Application._meta.db.transaction():
            await _lock(activity_id)
            rows = (
                await Application.select()
                .where((Application.activity == activity_id) & Application.id.is_in(list(ids)))
                .run()
            )
            if len(rows) != len(set(ids)):
                raise NotFound()
            applications = sorted((_row(r) for r in rows), key=lambda a: a["id"])
            for application in applications:
                if versions.get(application["id"]) != application["version"]:
                    raise Conflict(
                        Message(N_("Someone changed these applications meanwhile: reload and decide again."))
                    )
            changing = [a for a in applications if a["status"] != decision]
            await self._check_transitions(activity, changing, decision)
            notices = []
            for application in changing:
                notices += await self._set_status(activity, application, decision, reason)
            if decision == "declined":
                notices += await _offer_places(self.actor, activity, len(changing))
            await _rescore_open(self.actor, activity)
        return notices

    async def _check_transitions(
        self, activity: dict[str, Any], changing: list[dict[str, Any]], decision: str
    ) -> None:
        if any(a["status"] == "withdrawn" for a in changing):
            raise _invalid("ids", N_("A withdrawn application cannot be decided on."))
        if decision == "declined" and any(a["status"] not in HOLDING for a in changing):
            raise _invalid("decision", N_("Only a person selected or offered a place can decline it."))
        if decision == "selected":
            if any(a["contact"] is None for a in changing):
                raise _invalid("ids", N_("An application without a contact cannot be selected."))
            capacity = activity.get("capacity")
            if capacity:
                taken = (
                    await Application.count()
                    .where((Application.activity == activity["id"]) & Application.status.is_in(list(HOLDING)))
                    .run()
                )
                more = sum(1 for a in changing if a["status"] not in HOLDING)
                if taken + more > capacity:
                    raise _invalid(
                        "decision",
                        N_("Selecting {count} more exceeds the capacity of {capacity}: {free} places left."),
                        count=more,
                        capacity=capacity,
                        free=max(capacity - taken, 0),
                    )

    async def _set_status(
        self, activity: dict[str, Any], application: dict[str, Any], status: str, reason: str
    ) -> list[Notice]:
        return await _change(self.actor, activity, application, status, reason, self.actor.user_id)

    async def resend(self, activity_id: int, application_id: int) -> Notice:
        """A new mail of the current decision (after a failed send), with a fresh link for a place."""
        await self.require_reviewer()
        if not self.may_write():
            raise PermissionDenied()
        application = await application_row(application_id, activity_id)
        if application["status"] not in ("selected", "waitlisted", "rejected", "offered"):
            raise _invalid("ids", N_("No decision to mail yet."))
        async with Application._meta.db.transaction():
            token = await _fresh_link(application) if application["status"] in HOLDING else None
            await record_audit(
                self.actor, ENTITY, application_id, "resend", None, {"status": application["status"]}
            )
        return Notice(application_id, token)

    # -- the reviewer role ----------------------------------------------------------------------

    async def members(self) -> list[dict[str, Any]]:
        """The tenant's members (coordinators only), each with whether they review."""
        members = await list_members(self.actor)
        reviewers = {r["member"] for r in await Reviewer.select(Reviewer.member).run()}
        return [{**m, "reviewer": m["id"] in reviewers} for m in members if m["active"]]

    async def set_reviewer(self, member_id: int, granted: bool) -> None:
        members = {m["id"]: m for m in await self.members()}
        if member_id not in members:
            raise NotFound()
        member = members[member_id]
        if member["role"] == COORDINATOR and granted:
            raise _invalid("member", N_("Coordinators review already."))
        async with Reviewer._meta.db.transaction():
            if granted and not member["reviewer"]:
                await Reviewer.insert(
                    Reviewer(member=member_id, granted_at=now(), granted_by=self.actor.user_id)
                ).run()
                await record_audit(
                    self.actor, "reviewer", member_id, "grant", None, {"email": member["email"]}
                )
            elif not granted and member["reviewer"]:
                await Reviewer.delete().where(Reviewer.member == member_id).run()
                await record_audit(
                    self.actor, "reviewer", member_id, "revoke", {"email": member["email"]}, None
                )


# -- the applicant's answer, through their personal link --------------------------------------------


async def by_link(token: str) -> dict[str, Any]:
    """The application of a personal link; NotFound for any other token."""
    if not token or len(token) > 200:
        raise NotFound()
    row = await Application.select().where(Application.link_hash == link_hash(token)).first().run()
    if row is None:
        raise NotFound()
    return _row(row)


async def respond(token: str, answer: str) -> list[Notice]:
    """The applicant accepts an offered place or declines theirs. A freed place is offered to the
    next on the waitlist. Returns whom to mail once committed."""
    if answer not in ("accept", "decline"):
        raise _invalid("answer", N_("Select a valid choice."))
    application = await by_link(token)
    allowed = {"offered": ("accept", "decline"), "selected": ("decline",)}
    if answer not in allowed.get(application["status"], ()):
        raise _invalid("answer", N_("This place can no longer be changed."))
    activity = await ActivityService(PROGRAMME).get(application["activity"])
    async with Application._meta.db.transaction():
        await _lock(activity["id"])
        current = await application_row(application["id"])
        if current["version"] != application["version"]:
            raise Conflict(Message(N_("Your application changed meanwhile: open your link again.")))
        status = "selected" if answer == "accept" else "declined"
        notices = await _change(PROGRAMME, activity, current, status, "", None, mail=False)
        if status == "declined":
            notices += await _offer_places(PROGRAMME, activity, 1)
        await _rescore_open(PROGRAMME, activity)
    return notices


# -- shared steps, inside the caller's transaction ----------------------------------------------------


async def _lock(activity_id: int) -> None:
    if Application._meta.db.engine_type == "postgres":
        await Application.raw("SELECT pg_advisory_xact_lock({}, {})", SELECTION_LOCK, int(activity_id)).run()


async def _fresh_link(application: dict[str, Any]) -> str:
    token = new_token()
    await (
        Application.update({Application.link_hash: link_hash(token), Application.notified_at: None})
        .where(Application.id == application["id"])
        .run()
    )
    return token


async def _change(
    actor: Actor,
    activity: dict[str, Any],
    application: dict[str, Any],
    status: str,
    reason: str,
    decided_by: int | None,
    *,
    mail: bool = True,
) -> list[Notice]:
    """Move one application to ``status``: its participant row follows (created when selected,
    removed when no longer), the change is audited, and a mail is due for a decision."""
    was = application["status"]
    if was == "selected" and status != "selected":
        await _remove_participant(application)
    if status == "selected" and was != "selected":
        await _add_participant(activity, application)
    values: dict[Any, Any] = {
        Application.status: status,
        Application.decision_reason: reason if status in ("rejected", "waitlisted", "selected") else "",
        Application.decided_at: now(),
        Application.decided_by: decided_by,
        Application.notified_at: None,
        Application.version: application["version"] + 1,
        Application.updated_at: now(),
    }
    await Application.update(values).where(Application.id == application["id"]).run()
    await record_audit(
        actor,
        ENTITY,
        application["id"],
        "decide",
        {"status": was, "decision_reason": application["decision_reason"]},
        {"status": status, "decision_reason": values[Application.decision_reason]},
    )
    if not mail or status == "declined":
        return []
    token = await _fresh_link(application) if status in HOLDING else None
    return [Notice(application["id"], token)]


async def _add_participant(activity: dict[str, Any], application: dict[str, Any]) -> None:
    existing = (
        await Participant.select(Participant.id)
        .where((Participant.activity == activity["id"]) & (Participant.contact == application["contact"]))
        .first()
        .run()
    )
    if existing:
        await (
            Participant.update({Participant.application: application["id"]})
            .where(Participant.id == existing["id"])
            .run()
        )
        return
    await Participant.insert(
        Participant(
            activity=activity["id"],
            contact=application["contact"],
            application=application["id"],
            source="selection",
            created_at=now(),
        )
    ).run()


async def _remove_participant(application: dict[str, Any]) -> None:
    """The participant row of a person no longer selected goes, unless delivery already hangs
    something from it (attendance, self-assessment, a certificate): then the change is refused."""
    rows = await Participant.select(Participant.id).where(Participant.application == application["id"]).run()
    for row in rows:
        pid = row["id"]
        used = (
            await Attendance.exists().where(Attendance.participant == pid)
            or await Response.exists().where(Response.participant == pid)
            or await Certificate.exists().where(Certificate.participant == pid)
        )
        if used:
            raise _invalid(
                "ids",
                N_("{name} already has attendance, answers or a certificate: keep them selected."),
                name=f"{application['first_name']} {application['last_name']}".strip(),
            )
        await Participant.delete().where(Participant.id == pid).run()


async def _offer_places(actor: Actor, activity: dict[str, Any], places: int) -> list[Notice]:
    """Offer up to ``places`` freed places to the waitlist: highest score first, then earliest."""
    if places <= 0:
        return []
    rows = (
        await Application.select()
        .where((Application.activity == activity["id"]) & (Application.status == "waitlisted"))
        .order_by(Application.score, ascending=False)
        .order_by(Application.submitted_at)
        .order_by(Application.id)
        .limit(places)
        .run()
    )
    notices = []
    for row in rows:
        notices += await _change(actor, activity, _row(row), "offered", "", None)
    return notices


async def _rescore_open(actor: Actor, activity: dict[str, Any]) -> None:
    """Rescore the applications still waiting: the youth points depend on who is selected."""
    selected, young = await _youth_counts(activity)
    wanted = scoring.youth_share_below_target(activity, selected, young)
    rows = (
        await Application.select()
        .where((Application.activity == activity["id"]) & Application.status.is_in(list(OPEN)))
        .run()
    )
    for row in rows:
        await _store_assessment(actor, activity, _row(row), wanted)
