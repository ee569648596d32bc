"""The personal data this plugin holds: a contact named as an organization's focal point in a
network. A data-subject export lists those memberships; an erasure unlinks the person from them (the
membership itself is about the organization and stays), in the erasure's transaction, audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.plugin_api import COORDINATOR, Actor, record_audit
from plugins.networks.service import MembershipService
from plugins.networks.tables import Membership

# Who the audit trail names for the unlinking: the erasure itself is audited by core with the
# coordinator who asked for it; these entries are its consequence.
ERASURE = Actor(user_id=None, email="system", role=COORDINATOR)
# The tables ``erase`` writes (core purges their overwritten row versions afterwards).
TABLES = (Membership,)


async def export(contact_id: int) -> list[dict[str, Any]]:
    """Every membership (archived ones too) where the contact is the focal point."""
    return (
        await Membership.select(
            Membership.id,
            Membership.network,
            Membership.network.name.as_alias("network_name"),
            Membership.organization,
            Membership.organization.name.as_alias("organization_name"),
            Membership.role,
            Membership.since,
            Membership.created_at,
            Membership.archived_at,
        )
        .where(Membership.focal_point == contact_id)
        .order_by(Membership.id)
        .run()
    )


async def erase(contact_id: int, identifying: frozenset[str]) -> int:
    """Clear the focal point of the contact's memberships; returns how many changed. The rows hold
    no free text about the person (``identifying`` has nothing to scrub here): only the link."""
    rows = (
        await Membership.select(Membership.id, Membership.version)
        .where(Membership.focal_point == contact_id)
        .run()
    )
    moment = datetime.now(UTC)
    for row in rows:
        await (
            Membership.update(
                {
                    Membership.focal_point: None,
                    Membership.version: row["version"] + 1,
                    Membership.updated_at: moment,
                }
            )
            .where(Membership.id == row["id"])
            .run()
        )
        await record_audit(
            ERASURE,
            MembershipService.entity,
            row["id"],
            "erase_focal_point",
            {"focal_point": contact_id, "version": row["version"]},
            {"focal_point": None, "version": row["version"] + 1},
        )
    return len(rows)
