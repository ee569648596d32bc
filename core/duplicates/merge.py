"""Merging two records of one person or organization: the survivor takes the values a coordinator
picks field by field, everything that referred to the other record moves to the survivor, and the
other record is archived. One transaction: both records, the moved rows, the plugins' rows (through
``pilot_crm_record_merged``) and two audit entries ("merge" on each record) commit together or not at
all. Both versions are checked, so a pair that changed since the page was shown answers 409.

Conflicts are resolved so that nothing is counted twice: an attendance of both at one meeting keeps
one row with the more telling status, a partnership of both in one action keeps one row, topics are
united, and plugins resolve theirs (the networks plugin archives a second membership of one network).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from core.accounts.roles import Actor
from core.accounts.tables import User
from core.actions.tables import ActionPartner, JointAction
from core.audit import service as audit
from core.contacts.service import ContactService
from core.contacts.tables import Contact
from core.contacts.visibility import is_erased
from core.errors import Conflict, Message, NotFound, PermissionDenied, ValidationFailed
from core.forms.validation import validate_record
from core.forms.vocabulary import SECTOR_SIDE
from core.i18n.markers import N_
from core.meetings.tables import Attendance
from core.organizations.service import OrganizationService
from core.organizations.tables import Organization, OrganizationTopic
from core.records.search import search_text
from core.records.service import RecordService, load_json, now

SERVICES: dict[str, type[RecordService]] = {"contact": ContactService, "organization": OrganizationService}
SURVIVOR, MERGED = "survivor", "merged"
# Which of two attendance statuses of one person at one meeting tells more (kept on merging).
STATUS_RANK = {"invited": 0, "confirmed": 1, "absent": 2, "attended": 3}


@dataclass(frozen=True, slots=True)
class MergeRequest:
    """A merge as the page submits it: the two records with the versions shown, and for each field
    the side whose value is kept (missing fields keep the survivor's)."""

    survivor_id: int
    merged_id: int
    survivor_version: int
    merged_version: int
    picks: dict[str, str]


def mergeable_fields(service: RecordService) -> list[Any]:
    """The form's fields a coordinator picks between (topics are united instead)."""
    return [f for f in service.tenant.form(service.form_name).fields if f.kind != "topics"]


class MergeService:
    def __init__(self, actor: Actor, entity: str, locale: str | None = None) -> None:
        if entity not in SERVICES:
            raise NotFound()
        if not actor.is_coordinator:
            raise PermissionDenied()
        self.actor, self.entity = actor, entity
        self.records = SERVICES[entity](actor, locale)
        self.table = self.records.table

    async def pair(self, first_id: int, second_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """Both records in full (coordinators see protected contacts), for the side-by-side page."""
        if first_id == second_id:
            raise NotFound()
        rows = [await self.records._fetch(i) for i in (first_id, second_id)]
        for row in rows:
            if row["archived_at"] is not None or is_erased(row):
                raise NotFound()
        await self.records.related(rows)
        return self.records._serialize(rows[0]), self.records._serialize(rows[1])

    def _check(self, request: MergeRequest) -> None:
        errors: dict[str, list[Message]] = {}
        if request.survivor_id == request.merged_id:
            errors["merged"] = [Message(N_("Choose two different records."))]
        fields = {f.name for f in mergeable_fields(self.records)}
        for name, side in request.picks.items():
            if name not in fields or side not in (SURVIVOR, MERGED):
                errors[name] = [Message(N_("Choose one of the two values."))]
        if errors:
            raise ValidationFailed(errors)

    async def merge(self, request: MergeRequest) -> dict[str, Any]:
        """Fold ``merged`` into ``survivor``; returns the survivor as saved."""
        self._check(request)
        async with self.table._meta.db.transaction():
            rows = {}
            for key, record_id, version in (
                (SURVIVOR, request.survivor_id, request.survivor_version),
                (MERGED, request.merged_id, request.merged_version),
            ):
                row = await self.records._fetch(record_id)
                if row["archived_at"] is not None or is_erased(row):
                    raise Conflict(N_("This record is archived and can no longer be changed."))
                if row["version"] != version:
                    raise Conflict(N_("This record was changed by someone else. Reload it and try again."))
                rows[key] = row
            await self.records.related(list(rows.values()))
            before = {key: self.records._serialize(row) for key, row in rows.items()}
            await self._update_survivor(request, rows, before)
            await self._move(request.survivor_id, request.merged_id)
            await self._plugins(request.survivor_id, request.merged_id)
            moment = now()
            await (
                self.table.update(
                    {
                        self.table.archived_at: moment,
                        self.table.version: rows[MERGED]["version"] + 1,
                        self.table.updated_at: moment,
                    }
                )
                .where(self.table.id == request.merged_id)
                .run()
            )
            survivor = self.records._serialize(await self.records._fetch(request.survivor_id))
            if self.records.topic_link is not None:
                await self.records.related([survivor])
            merged_after = {
                "archived_at": moment,
                "version": rows[MERGED]["version"] + 1,
                "merged_into": request.survivor_id,
            }
            await audit.record(
                self.actor,
                self.entity,
                request.survivor_id,
                "merge",
                before[SURVIVOR],
                {**survivor, "merged_from": request.merged_id},
            )
            await audit.record(
                self.actor, self.entity, request.merged_id, "merge", before[MERGED], merged_after
            )
        self.records._notify("update", request.survivor_id, before[SURVIVOR], survivor)
        self.records._notify("archive", request.merged_id, before[MERGED], merged_after)
        return survivor

    async def _update_survivor(
        self, request: MergeRequest, rows: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]]
    ) -> None:
        columns = {c._meta.name for c in self.table._meta.columns}
        extra = {**load_json(rows[MERGED].get("extra"), {}), **load_json(rows[SURVIVOR].get("extra"), {})}
        values: dict[str, Any] = {}
        whole = dict(before[SURVIVOR])
        for spec in mergeable_fields(self.records):
            side = request.picks.get(spec.name, SURVIVOR)
            value = before[side].get(spec.name)
            whole[spec.name] = value
            if spec.name in columns:
                values[spec.name] = value
            elif value is not None:
                extra[spec.name] = value
            else:
                extra.pop(spec.name, None)
        if self.entity == "contact" and request.picks.get("organization") == MERGED:
            whole["organization_name"] = before[MERGED].get("organization_name")
        if self.entity == "organization" and values.get("sector") in SECTOR_SIDE:
            values["side"] = SECTOR_SIDE[values["sector"]]
        validate_record(self.records.tenant.form(self.records.form_name), whole, self.records.tenant.plugins)
        values["extra"] = extra
        values["search_text"] = search_text(*self.records.search_parts(whole), *extra.values())
        values.update(version=rows[SURVIVOR]["version"] + 1, updated_at=now())
        updated = (
            await self.table.update(values)
            .where((self.table.id == request.survivor_id) & (self.table.version == request.survivor_version))
            .returning(self.table.id)
            .run()
        )
        if not updated:
            raise Conflict(N_("This record was changed by someone else. Reload it and try again."))

    async def _move(self, survivor: int, merged: int) -> None:
        if self.entity == "contact":
            await _move_attendance(survivor, merged)
        else:
            await _move_organization_links(survivor, merged, ContactService(self.actor, self.records.locale))

    async def _plugins(self, survivor: int, merged: int) -> None:
        """Each plugin repoints its rows; an awaitable it returns runs inside this transaction."""
        hook = self.records.tenant.plugins.hook.pilot_crm_record_merged
        for result in hook(entity=self.entity, survivor_id=survivor, merged_id=merged):
            if inspect.isawaitable(result):
                await result


async def _move_attendance(survivor: int, merged: int) -> None:
    kept = {
        row["meeting"]: row
        for row in await Attendance.select(Attendance.id, Attendance.meeting, Attendance.status)
        .where(Attendance.contact == survivor)
        .run()
    }
    for row in (
        await Attendance.select(Attendance.id, Attendance.meeting, Attendance.status)
        .where(Attendance.contact == merged)
        .run()
    ):
        mine = kept.get(row["meeting"])
        if mine is None:
            await Attendance.update({Attendance.contact: survivor}).where(Attendance.id == row["id"]).run()
            continue
        if STATUS_RANK.get(row["status"], -1) > STATUS_RANK.get(mine["status"], -1):
            await (
                Attendance.update({Attendance.status: row["status"]}).where(Attendance.id == mine["id"]).run()
            )
        await Attendance.delete().where(Attendance.id == row["id"]).run()


async def _move_organization_links(survivor: int, merged: int, people: ContactService) -> None:
    moment = now()
    await _move_people(survivor, merged, people, moment)
    await (
        Attendance.update({Attendance.organization: survivor}).where(Attendance.organization == merged).run()
    )
    await User.update({User.organization: survivor}).where(User.organization == merged).run()
    await (
        JointAction.update(
            {
                JointAction.government_lead: survivor,
                JointAction.version: JointAction.version + 1,
                JointAction.updated_at: moment,
            }
        )
        .where(JointAction.government_lead == merged)
        .run()
    )
    await _repoint_links(ActionPartner, "action", survivor, merged)
    await _repoint_links(OrganizationTopic, "topic", survivor, merged)


async def _move_people(survivor: int, merged: int, people: ContactService, moment: Any) -> None:
    """The merged organization's people work for the survivor now; their search text names it."""
    found = await Organization.select(Organization.name).where(Organization.id == survivor).first().run()
    name = found["name"] if found else None
    for row in await Contact.select().where(Contact.organization == merged).run():
        extra = load_json(row["extra"], {})
        values = {**row, "emails": load_json(row["emails"], []), "organization_name": name}
        await (
            Contact.update(
                {
                    Contact.organization: survivor,
                    Contact.search_text: search_text(*people.search_parts(values), *extra.values()),
                    Contact.version: row["version"] + 1,
                    Contact.updated_at: moment,
                }
            )
            .where(Contact.id == row["id"])
            .run()
        )


async def _repoint_links(table: Any, other: str, survivor: int, merged: int) -> None:
    """Move ``merged``'s link rows (to actions, to topics) to ``survivor``; a link both have stays once."""
    column = getattr(table, other)
    held = {
        r["other"]
        for r in await table.select(column.as_alias("other")).where(table.organization == survivor).run()
    }
    for row in (
        await table.select(table.id, column.as_alias("other")).where(table.organization == merged).run()
    ):
        if row["other"] in held:
            await table.delete().where(table.id == row["id"]).run()
        else:
            await table.update({table.organization: survivor}).where(table.id == row["id"]).run()
            held.add(row["other"])
