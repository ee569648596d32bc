"""Networks and memberships as records: core's record service does listing, search, versions,
archiving and the audit trail; this module adds who may write, the references a membership makes,
and the rule of one membership per network and organization.

Who may write: coordinators, and the non-governmental side's participants. Networks and alliances
are civil society's own structures, so their records belong to that side (``owner_side``) even when
a coordinator enters them, and an NGO participant may keep any of them up to date; government
participants and observers read them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from core.plugin_api import (
    COORDINATOR,
    N_,
    NGO_PARTICIPANT,
    Actor,
    Contact,
    ContactVisibility,
    Message,
    Organization,
    RecordService,
    ValidationFailed,
)
from plugins.networks.tables import Membership, Network
from plugins.networks.vocabulary import CIVIL_SOCIETY_SIDE

WRITERS = (COORDINATOR, NGO_PARTICIPANT)
# PostgreSQL advisory lock namespace ("NETW") for "is this organization already a member?": two
# requests adding the same member at once must not both find no membership and both insert.
MEMBERSHIP_LOCK = 0x4E455457


def _as_id(value: str) -> int:
    """A filter's record id, or -1 (no row) for anything but a plain number in range."""
    return int(value) if value.isascii() and value.isdigit() and int(value) < 2**31 else -1


class CivilSocietyRecords(RecordService):
    """Records kept by coordinators and NGO participants, owned by the non-governmental side."""

    def may_write(self) -> bool:
        return self.actor.role in WRITERS and super().may_write()

    def _default_owner_side(self, core: dict[str, Any]) -> str:
        return CIVIL_SOCIETY_SIDE


class NetworkService(CivilSocietyRecords):
    entity = "network"
    form_name = "network"
    table = Network
    sort_column = "name"
    sort_keys: ClassVar = {"name": "name"}
    filters: ClassVar = {"scope": lambda v: Network.scope == v}

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [values.get("name"), values.get("acronym"), values.get("website")]


class MembershipService(CivilSocietyRecords):
    entity = "network_membership"
    form_name = "membership"
    table = Membership
    label_column = "role"
    sort_keys: ClassVar = {"since": "since"}
    # A membership is one organization in one network: to move it, archive it and add another.
    immutable_fields = ("network", "organization")
    filters: ClassVar = {
        "network": lambda v: Membership.network == _as_id(v),
        "organization": lambda v: Membership.organization == _as_id(v),
        "role": lambda v: Membership.role == v,
    }

    def select_columns(self) -> list[Any]:
        # Names of the network and the organization, never of the focal point: records end up in the
        # audit trail, which should hold no more about a person than their contact id.
        return [
            *Membership.all_columns(),
            Membership.network.name.as_alias("network_name"),
            Membership.organization.name.as_alias("organization_name"),
        ]

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [values.get("organization_name"), values.get("network_name")]

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        if existing is None:
            await self.check_reference(Network, "network", values["network"])
            await self.check_reference(Organization, "organization", values["organization"])
            await self._refuse_duplicate(values["network"], values["organization"])
            values["network_name"] = await _name(Network, values["network"])
            values["organization_name"] = await _name(Organization, values["organization"])
        current = existing.get("focal_point") if existing else None
        if (
            current is not None
            and values.get("focal_point", current) != current
            and not await self._visible(current)
        ):
            # Whoever may not see the focal point (a protected person) does not get them offered in
            # the form either: they keep them, whatever the form sent.
            del values["focal_point"]
            return
        if values.get("focal_point") is not None:
            await self._check_focal_point(values["focal_point"])

    async def _refuse_duplicate(self, network_id: int, organization_id: int) -> None:
        """One live membership per (network, organization); an archived one may be added again."""
        if Membership._meta.db.engine_type == "postgres":
            await Membership.raw(
                "SELECT pg_advisory_xact_lock({}, {})", MEMBERSHIP_LOCK, int(network_id)
            ).run()
        taken = await Membership.exists().where(
            (Membership.network == network_id)
            & (Membership.organization == organization_id)
            & Membership.archived_at.is_null()
        )
        if taken:
            raise ValidationFailed(
                {"organization": [Message(N_("This organization is already a member of this network."))]}
            )

    async def _visible(self, contact_id: int, *, live: bool = False) -> bool:
        query = Contact.exists().where((Contact.id == contact_id) & ContactVisibility(self.actor).where())
        return await (query.where(Contact.archived_at.is_null()) if live else query)

    async def _check_focal_point(self, contact_id: int) -> None:
        """A focal point is a live contact the member may see: a protected person they may not see
        "does not exist" for them, as everywhere else."""
        if not await self._visible(contact_id, live=True):
            raise ValidationFailed({"focal_point": [Message(N_("This record does not exist."))]})


# What a network's "add a member organization" picker leaves out (``pilot_crm_pick_exclusions``).
MEMBERS_OF_NETWORK = "networks.members"


async def member_organizations(actor: Actor, locale: str, network_id: int) -> list[int]:
    """The organizations with a live membership of the network (NotFound when the member may not
    see the network)."""
    await NetworkService(actor, locale).get(network_id)
    rows = (
        await Membership.select(Membership.organization)
        .where((Membership.network == network_id) & Membership.archived_at.is_null())
        .run()
    )
    return [row["organization"] for row in rows]


async def _name(table: Any, record_id: int) -> str:
    row = await table.select(table.name).where(table.id == record_id).first().run()
    return row["name"] if row else ""
