"""Duplicate contacts or organizations merged by a coordinator (``pilot_crm_record_merged``): the
plugin's rows follow the survivor, inside the merge's transaction.

Applications, certificates and dialogue inputs simply point at the survivor. Participants are one
per contact and activity: where both records took part in the same activity, the survivor's
participation stays and takes from the other what it lacks (attendance at other sessions, an answer
sheet of the other phase, certificates); the rest of the merged record's participation goes."""

from __future__ import annotations

from typing import Any

from plugins.engagement.tables import (
    Application,
    Attendance,
    Certificate,
    DialogueInput,
    Participant,
    Response,
)

COLUMNS: dict[str, tuple[Any, ...]] = {
    "contact": (Application.contact, Certificate.contact, DialogueInput.contact),
    "organization": (Application.organization, DialogueInput.organization),
}


async def repoint(entity: str, survivor_id: int, merged_id: int) -> None:
    if entity == "contact":
        await _participants(survivor_id, merged_id)
    for column in COLUMNS[entity]:
        table: Any = column._meta.table
        await table.update({column: survivor_id}).where(column == merged_id).run()


async def _participants(survivor_id: int, merged_id: int) -> None:
    kept = {
        r["activity"]: r["id"]
        for r in await Participant.select(Participant.id, Participant.activity)
        .where(Participant.contact == survivor_id)
        .run()
    }
    for row in (
        await Participant.select(Participant.id, Participant.activity)
        .where(Participant.contact == merged_id)
        .run()
    ):
        into = kept.get(row["activity"])
        if into is None:
            await (
                Participant.update({Participant.contact: survivor_id})
                .where(Participant.id == row["id"])
                .run()
            )
            continue
        await _fill(Attendance, Attendance.session, into, row["id"])
        await _fill(Response, Response.phase, into, row["id"])
        await (
            Certificate.update({Certificate.participant: into})
            .where(Certificate.participant == row["id"])
            .run()
        )
        await Participant.delete().where(Participant.id == row["id"]).run()


async def _fill(table: Any, key: Any, into: int, merged: int) -> None:
    """Move ``merged``'s rows of ``table`` whose ``key`` ``into`` has none; drop the others."""
    name = key._meta.name
    held = {r[name] for r in await table.select(key).where(table.participant == into).run()}
    for row in await table.select(table.id, key).where(table.participant == merged).run():
        if row[name] in held:
            await table.delete().where(table.id == row["id"]).run()
        else:
            await table.update({table.participant: into}).where(table.id == row["id"]).run()
