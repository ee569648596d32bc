"""The people of an activity and what they did: participants (added by hand here, or created by the
selection of applications), their breakout groups, their attendance per session and their personal
links. Every write is the coordinators' (they run the programme), runs in one transaction and is
audited; every other member reads, and sees a protected contact only as core's rule allows."""

from __future__ import annotations

from collections import Counter
from typing import Any

from core.plugin_api import (
    COORDINATOR,
    N_,
    Actor,
    Conflict,
    Contact,
    ContactVisibility,
    Message,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    record_audit,
    require_tenant,
)
from plugins.engagement.delivery.balance import balanced_groups
from plugins.engagement.delivery.vocabulary import ATTENDANCE, PRESENT, SELF_PACED
from plugins.engagement.links import link_hash, new_token
from plugins.engagement.moments import now
from plugins.engagement.service import ActivityService
from plugins.engagement.tables import Attendance, BreakoutGroup, Participant, Response, Session

MAX_GROUP_NAME = 120
# PostgreSQL advisory lock namespaces ("ENGP", "ENGA", "ENGR"): two requests adding the same person,
# recording one session's attendance or submitting one participant's answers at once must not both
# find nothing there and both insert (the unique indexes would turn the second into an error).
PARTICIPANT_LOCK, ATTENDANCE_LOCK, RESPONSE_LOCK = 0x454E4750, 0x454E4741, 0x454E4752


def _db() -> Any:
    return Participant._meta.db


async def serialize(namespace: int, key: int) -> None:
    """Hold a transaction-scoped lock on (namespace, key) on PostgreSQL; SQLite writes one at a time."""
    if Participant._meta.db.engine_type == "postgres":
        await Participant.raw("SELECT pg_advisory_xact_lock({}, {})", namespace, int(key)).run()


async def attendance_rates(activity_id: int) -> dict[int, float | None]:
    """Each participant's attendance rate, from 0 to 1: the sessions they were marked present at,
    over the sessions held. A session counts as held once its attendance has been recorded, and
    self-paced modules and archived sessions never count (nobody attends them at a time). An
    excused absence counts as not attended. ``None`` while no session has been held."""
    held = [
        row["id"]
        for row in await Session.select(Session.id)
        .where(
            (Session.activity == activity_id)
            & (Session.kind != SELF_PACED)
            & Session.archived_at.is_null()
            & Session.id.is_in(Attendance.select(Attendance.session))
        )
        .run()
    ]
    ids = [
        row["id"]
        for row in await Participant.select(Participant.id).where(Participant.activity == activity_id).run()
    ]
    if not held:
        return dict.fromkeys(ids)
    present = Counter(
        row["participant"]
        for row in await Attendance.select(Attendance.participant)
        .where(Attendance.session.is_in(held) & (Attendance.status == PRESENT))
        .run()
    )
    return {pid: present.get(pid, 0) / len(held) for pid in ids}


def _by_name(row: dict[str, Any]) -> tuple[bool, str, str]:
    """Hidden contacts last, the others by last then first name."""
    return (row["hidden"], (row["last_name"] or "").lower(), (row["first_name"] or "").lower())


class Cohort:
    """One activity's participants, groups and attendance, as ``actor`` may see and change them."""

    def __init__(self, actor: Actor, locale: str | None, activity_id: int) -> None:
        self.actor, self.activity_id = actor, activity_id
        self.locale = locale or require_tenant().declaration.default_locale
        self.visibility = ContactVisibility(actor)

    def may_write(self) -> bool:
        return self.actor.role == COORDINATOR

    def _require_writer(self) -> None:
        if not self.may_write():
            raise PermissionDenied()

    async def activity(self) -> dict[str, Any]:
        return await ActivityService(self.actor, self.locale).get(self.activity_id)

    async def _live_activity(self) -> dict[str, Any]:
        activity = await self.activity()
        if activity.get("archived_at") is not None:
            raise Conflict(N_("This record is archived and can no longer be changed."))
        return activity

    # -- reading --------------------------------------------------------------------------------

    async def rows(self) -> list[dict[str, Any]]:
        """Every participant with the contact's name and organization, country and sector (the
        application's when they applied, else the contact's organization's) and group; a contact
        the member may not see keeps only its ids and ``hidden``."""
        contact = Participant.contact
        application = Participant.application
        organization: Any = contact.organization
        rows = (
            await Participant.select(
                *Participant.all_columns(),
                contact.first_name.as_alias("first_name"),
                contact.last_name.as_alias("last_name"),
                contact.emails.as_alias("emails"),
                contact.preferred_language.as_alias("preferred_language"),
                contact.protected.as_alias("protected"),
                contact.created_by.as_alias("created_by"),
                contact.erased_at.as_alias("erased_at"),
                organization.name.as_alias("organization_name"),
                organization.country.as_alias("organization_country"),
                organization.sector.as_alias("organization_sector"),
                application.organization_name.as_alias("application_organization"),
                application.organization_country.as_alias("application_country"),
                application.country.as_alias("applicant_country"),
                application.organization_sector.as_alias("application_sector"),
                application.language.as_alias("application_language"),
                application.email.as_alias("application_email"),
            )
            .where(Participant.activity == self.activity_id)
            .run()
        )
        result = []
        for row in rows:
            row["has_link"] = row.pop("link_hash") is not None
            row["country"] = (
                row["application_country"] or row["applicant_country"] or row["organization_country"] or ""
            )
            row["sector"] = row["application_sector"] or row["organization_sector"] or ""
            row["organization_name"] = row["organization_name"] or row["application_organization"] or ""
            row["hidden"] = row.get("erased_at") is not None or not self.visibility.may_see(row)
            result.append(row)
        result.sort(key=_by_name)
        return result

    async def groups(self) -> list[dict[str, Any]]:
        return (
            await BreakoutGroup.select()
            .where(BreakoutGroup.activity == self.activity_id)
            .order_by(BreakoutGroup.position)
            .order_by(BreakoutGroup.id)
            .run()
        )

    async def participant(self, participant_id: int) -> dict[str, Any]:
        row = (
            await Participant.select()
            .where((Participant.id == participant_id) & (Participant.activity == self.activity_id))
            .first()
            .run()
        )
        if row is None:
            raise NotFound()
        return row

    # -- participants ---------------------------------------------------------------------------

    async def add(self, contact_id: Any) -> dict[str, Any]:
        """Add a contact by hand (``source`` ``coordinator``): a live contact the member may see,
        once per activity."""
        self._require_writer()
        if not isinstance(contact_id, int) or isinstance(contact_id, bool) or not 1 <= contact_id < 2**31:
            raise ValidationFailed({"contact": [Message(N_("Choose a contact."))]})
        async with _db().transaction():
            await serialize(PARTICIPANT_LOCK, self.activity_id)
            await self._live_activity()
            visible = await Contact.exists().where(
                (Contact.id == contact_id) & Contact.archived_at.is_null() & self.visibility.where()
            )
            if not visible:
                raise ValidationFailed({"contact": [Message(N_("This record does not exist."))]})
            taken = await Participant.exists().where(
                (Participant.activity == self.activity_id) & (Participant.contact == contact_id)
            )
            if taken:
                raise ValidationFailed(
                    {"contact": [Message(N_("This person already takes part in this activity."))]}
                )
            values: dict[str, Any] = {
                "activity": self.activity_id,
                "contact": contact_id,
                "source": "coordinator",
                "created_at": now(),
            }
            inserted = await Participant.insert(Participant(**values)).returning(Participant.id).run()
            record = {"id": inserted[0]["id"], **values}
            await record_audit(self.actor, "engagement_participant", record["id"], "create", None, record)
        return record

    async def remove(self, participant_id: int) -> None:
        """Remove a participant added by mistake; one with attendance or answers stays (their record
        of the activity is kept), and the refusal says why."""
        self._require_writer()
        async with _db().transaction():
            await self._live_activity()
            row = await self.participant(participant_id)
            if await Attendance.exists().where(Attendance.participant == participant_id) or (
                await Response.exists().where(Response.participant == participant_id)
            ):
                raise Conflict(
                    N_("This participant has attendance or answers recorded and cannot be removed.")
                )
            await Participant.delete().where(Participant.id == participant_id).run()
            before = {k: v for k, v in row.items() if k != "link_hash"}
            await record_audit(self.actor, "engagement_participant", participant_id, "delete", before, None)

    async def issue_links(self, participant_ids: list[int]) -> dict[int, str]:
        """A new personal link for each participant (the old one stops working): ``{id: token}``.
        Only the token's hash is stored; the tokens go into the mails and nowhere else."""
        self._require_writer()
        tokens = {pid: new_token() for pid in participant_ids}
        async with _db().transaction():
            await self._live_activity()
            for pid, token in tokens.items():
                await self.participant(pid)
                await (
                    Participant.update({Participant.link_hash: link_hash(token)})
                    .where(Participant.id == pid)
                    .run()
                )
            for pid in tokens:
                await record_audit(
                    self.actor, "engagement_participant", pid, "link", None, {"link_issued_at": now()}
                )
        return tokens

    # -- groups ---------------------------------------------------------------------------------

    @staticmethod
    def _group_name(name: Any) -> str:
        text = str(name or "").strip()
        if not text:
            raise ValidationFailed({"name": [Message(N_("This field is required."))]})
        if len(text) > MAX_GROUP_NAME:
            raise ValidationFailed(
                {"name": [Message(N_("Enter at most {max} characters."), {"max": MAX_GROUP_NAME})]}
            )
        return text

    async def _group(self, group_id: int) -> dict[str, Any]:
        row = (
            await BreakoutGroup.select()
            .where((BreakoutGroup.id == group_id) & (BreakoutGroup.activity == self.activity_id))
            .first()
            .run()
        )
        if row is None:
            raise NotFound()
        return row

    async def add_group(self, name: Any) -> dict[str, Any]:
        self._require_writer()
        text = self._group_name(name)
        async with _db().transaction():
            await self._live_activity()
            count = await BreakoutGroup.count().where(BreakoutGroup.activity == self.activity_id)
            values = {"activity": self.activity_id, "name": text, "position": count + 1}
            inserted = await BreakoutGroup.insert(BreakoutGroup(**values)).returning(BreakoutGroup.id).run()
            record = {"id": inserted[0]["id"], **values}
            await record_audit(self.actor, "engagement_group", record["id"], "create", None, record)
        return record

    async def rename_group(self, group_id: int, name: Any) -> None:
        self._require_writer()
        text = self._group_name(name)
        async with _db().transaction():
            await self._live_activity()
            before = await self._group(group_id)
            await BreakoutGroup.update({BreakoutGroup.name: text}).where(BreakoutGroup.id == group_id).run()
            await record_audit(
                self.actor, "engagement_group", group_id, "update", before, {**before, "name": text}
            )

    async def remove_group(self, group_id: int) -> None:
        """Delete a group; its participants are left without one."""
        self._require_writer()
        async with _db().transaction():
            await self._live_activity()
            before = await self._group(group_id)
            await Participant.update({Participant.group: None}).where(Participant.group == group_id).run()
            await BreakoutGroup.delete().where(BreakoutGroup.id == group_id).run()
            await record_audit(self.actor, "engagement_group", group_id, "delete", before, None)

    async def assign(self, assignments: dict[int, int | None]) -> int:
        """Put participants in groups (``None``: in none), all at once; audited as one entry with
        the assignments. Returns how many participants changed group."""
        self._require_writer()
        async with _db().transaction():
            await self._live_activity()
            groups = {g["id"] for g in await self.groups()}
            current = {
                r["id"]: r["group"]
                for r in await Participant.select(Participant.id, Participant.group)
                .where(Participant.activity == self.activity_id)
                .run()
            }
            errors = {
                f"group_{pid}": [Message(N_("This record does not exist."))]
                for pid, gid in assignments.items()
                if pid not in current or (gid is not None and gid not in groups)
            }
            if errors:
                raise ValidationFailed(errors)
            changed = {pid: gid for pid, gid in assignments.items() if current[pid] != gid}
            for pid, gid in changed.items():
                await Participant.update({Participant.group: gid}).where(Participant.id == pid).run()
            if changed:
                await record_audit(
                    self.actor,
                    "activity",
                    self.activity_id,
                    "groups",
                    {"groups": {str(p): current[p] for p in changed}},
                    {"groups": {str(p): g for p, g in changed.items()}},
                )
        return len(changed)

    async def balance(self) -> int:
        """Spread every participant over the groups so that each group mixes countries and sectors
        (see ``balance.balanced_groups``)."""
        groups = [g["id"] for g in await self.groups()]
        if not groups:
            raise ValidationFailed({"": [Message(N_("Create the breakout groups first."))]})
        people = [(r["id"], r["country"], r["sector"]) for r in await self.rows()]
        placed = balanced_groups(people, len(groups))
        return await self.assign({pid: groups[index] for pid, index in placed.items()})

    # -- attendance -----------------------------------------------------------------------------

    async def session(self, session_id: int) -> dict[str, Any]:
        row = (
            await Session.select()
            .where(
                (Session.id == session_id)
                & (Session.activity == self.activity_id)
                & Session.archived_at.is_null()
            )
            .first()
            .run()
        )
        if row is None:
            raise NotFound()
        return row

    async def attendance(self, session_id: int) -> dict[int, str]:
        """``{participant id: status}`` of what is recorded for the session."""
        await self.session(session_id)
        rows = (
            await Attendance.select(Attendance.participant, Attendance.status)
            .where(Attendance.session == session_id)
            .run()
        )
        return {row["participant"]: row["status"] for row in rows}

    async def record_attendance(self, session_id: int, marks: dict[int, str]) -> dict[str, int]:
        """Record the marks of many participants at once (one transaction, one audit entry with the
        counts); participants left out keep what they had. Returns the counts by status."""
        self._require_writer()
        statuses = {c.value for c in ATTENDANCE}
        async with _db().transaction():
            await serialize(ATTENDANCE_LOCK, session_id)
            await self._live_activity()
            await self.session(session_id)
            members = {
                r["id"]
                for r in await Participant.select(Participant.id)
                .where(Participant.activity == self.activity_id)
                .run()
            }
            errors: dict[str, list[Message]] = {}
            for pid, status in marks.items():
                if pid not in members:
                    errors[f"participant_{pid}"] = [Message(N_("This record does not exist."))]
                elif status not in statuses:
                    errors[f"participant_{pid}"] = [Message(N_("Choose one of the options."))]
            if errors:
                raise ValidationFailed(errors)
            existing = {
                r["participant"]: r["id"]
                for r in await Attendance.select(Attendance.id, Attendance.participant)
                .where(Attendance.session == session_id)
                .run()
            }
            at = now()
            for pid, status in marks.items():
                values: dict[Any, Any] = {
                    "status": status,
                    "recorded_at": at,
                    "recorded_by": self.actor.user_id,
                }
                if pid in existing:
                    await Attendance.update(values).where(Attendance.id == existing[pid]).run()
                else:
                    await Attendance.insert(Attendance(session=session_id, participant=pid, **values)).run()
            counts = {status: sum(1 for s in marks.values() if s == status) for status in sorted(statuses)}
            await record_audit(self.actor, "engagement_session", session_id, "attendance", None, counts)
        return counts


# What an activity's "add a participant" picker leaves out (``pilot_crm_pick_exclusions``).
PARTICIPANTS_OF_ACTIVITY = "engagement.participants"


async def participant_contacts(actor: Actor, locale: str, activity_id: int) -> list[int]:
    """The contacts already participants of the activity (NotFound when the member may not see it)."""
    await Cohort(actor, locale, activity_id).activity()
    rows = await Participant.select(Participant.contact).where(Participant.activity == activity_id).run()
    return [row["contact"] for row in rows]
