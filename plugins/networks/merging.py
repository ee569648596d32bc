"""Merged contacts and organizations (``pilot_crm_record_merged``): memberships move to the
survivor inside the merge's transaction, audited. An organization that both merged records made a
member of one network keeps the survivor's membership; the other one is archived, so the network
does not count the organization twice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.plugin_api import COORDINATOR, Actor, record_audit
from plugins.networks.service import MembershipService
from plugins.networks.tables import Membership

# Who the audit trail names for the repointing: the merge itself is audited by core with the
# coordinator who asked for it; these entries are its consequence.
MERGE = Actor(user_id=None, email="system", role=COORDINATOR)
COLUMNS = {"contact": Membership.focal_point, "organization": Membership.organization}


async def _change(row: dict[str, Any], values: dict[Any, Any], action: str, moment: datetime) -> None:
    await (
        Membership.update({**values, Membership.version: row["version"] + 1, Membership.updated_at: moment})
        .where(Membership.id == row["id"])
        .run()
    )
    before = {column._meta.name: row[column._meta.name] for column in values}
    after = {column._meta.name: value for column, value in values.items()}
    await record_audit(
        MERGE,
        MembershipService.entity,
        row["id"],
        action,
        {**before, "version": row["version"]},
        {**after, "version": row["version"] + 1},
    )


async def repoint(entity: str, survivor_id: int, merged_id: int) -> None:
    column: Any = COLUMNS[entity]
    moment = datetime.now(UTC)
    held = {
        row["network"]
        for row in await Membership.select(Membership.network)
        .where((Membership.organization == survivor_id) & Membership.archived_at.is_null())
        .run()
    }
    rows = (
        await Membership.select(
            Membership.id,
            Membership.version,
            Membership.network,
            Membership.organization,
            Membership.focal_point,
            Membership.archived_at,
        )
        .where(column == merged_id)
        .order_by(Membership.id)
        .run()
    )
    for row in rows:
        if entity == "organization" and row["archived_at"] is None and row["network"] in held:
            await _change(row, {Membership.archived_at: moment}, "archive", moment)
            continue
        await _change(row, {column: survivor_id}, "merge", moment)
        if entity == "organization" and row["archived_at"] is None:
            held.add(row["network"])
