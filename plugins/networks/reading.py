"""What the pages, panels and exports read: a network's members, an organization's networks, the
dashboard's figures. Only live rows count: an archived network, membership or organization is gone
from every list, as core's archived records are. A focal point is shown as
``ContactVisibility`` decides, so a protected person stays a placeholder for those who may not see
them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from core.plugin_api import Actor, ContactVisibility, Translator
from plugins.networks.tables import Membership, Network
from plugins.networks.vocabulary import MEMBER_ROLES, SCOPES, label_of


def _live() -> Any:
    return (
        Membership.archived_at.is_null()
        & Membership.network.archived_at.is_null()
        & Membership.organization.archived_at.is_null()
    )


def _focal_point_columns() -> list[Any]:
    """What ``focal_point`` needs to decide how to show the person."""
    fp = Membership.focal_point
    return [
        fp.first_name.as_alias("first_name"),
        fp.last_name.as_alias("last_name"),
        fp.protected.as_alias("protected"),
        fp.created_by.as_alias("created_by"),
        fp.erased_at.as_alias("erased_at"),
    ]


def focal_point(actor: Actor, t: Translator, row: dict[str, Any]) -> dict[str, Any] | None:
    """The membership's focal point as ``actor`` may see it: ``{id, name, hidden, erased}``."""
    if row.get("focal_point") is None:
        return None
    person = {k: row.get(k) for k in ("first_name", "last_name", "protected", "created_by", "erased_at")}
    shown = ContactVisibility(actor).reference({"id": row["focal_point"], **person}, t.gettext)
    name = shown.get("label") or " ".join(p for p in (shown.get("first_name"), shown.get("last_name")) if p)
    return {
        "id": row["focal_point"],
        "name": name,
        "hidden": bool(shown.get("hidden")),
        "erased": bool(shown.get("erased")),
    }


async def members_of(actor: Actor, t: Translator, network_id: int) -> list[dict[str, Any]]:
    """The live member organizations of a network, by name, with their role, since and focal point."""
    rows = (
        await Membership.select(
            Membership.id,
            Membership.organization,
            Membership.organization.name.as_alias("organization_name"),
            Membership.organization.acronym.as_alias("organization_acronym"),
            Membership.role,
            Membership.since,
            Membership.focal_point,
            *_focal_point_columns(),
        )
        .where((Membership.network == network_id) & _live())
        .order_by(Membership.organization.name)
        .run()
    )
    return [
        {
            "id": row["id"],
            "organization": row["organization"],
            "organization_name": row["organization_name"],
            "organization_acronym": row["organization_acronym"],
            "role": row["role"],
            "role_label": t.gettext(label_of(MEMBER_ROLES, row["role"])),
            "since": row["since"],
            "focal_point": focal_point(actor, t, row),
        }
        for row in rows
    ]


async def networks_of(t: Translator, organization_id: int) -> list[dict[str, Any]]:
    """The live networks an organization belongs to, by name, with its role there."""
    rows = (
        await Membership.select(
            Membership.id,
            Membership.network,
            Membership.network.name.as_alias("network_name"),
            Membership.network.acronym.as_alias("network_acronym"),
            Membership.network.scope.as_alias("scope"),
            Membership.role,
            Membership.since,
        )
        .where((Membership.organization == organization_id) & _live())
        .order_by(Membership.network.name)
        .run()
    )
    return [
        {
            **row,
            "scope_label": t.gettext(label_of(SCOPES, row["scope"])),
            "role_label": t.gettext(label_of(MEMBER_ROLES, row["role"])),
        }
        for row in rows
    ]


async def network_names_by_organization(organization_ids: list[int]) -> dict[int, str]:
    """``{organization id: "Network A; Network B"}`` for the export of an organization list."""
    if not organization_ids:
        return {}
    rows = (
        await Membership.select(Membership.organization, Membership.network.name.as_alias("name"))
        .where(Membership.organization.is_in(organization_ids) & _live())
        .order_by(Membership.network.name)
        .run()
    )
    names: dict[int, list[str]] = {}
    for row in rows:
        names.setdefault(row["organization"], []).append(row["name"])
    return {org: "; ".join(found) for org, found in names.items()}


async def dashboard_figures(top: int = 8) -> dict[str, Any]:
    """Live networks, the distinct organizations that belong to one, and the ``top`` networks by
    number of member organizations (then by name)."""
    networks = await Network.select(Network.id, Network.name).where(Network.archived_at.is_null()).run()
    rows = await Membership.select(Membership.network, Membership.organization).where(_live()).run()
    per_network = Counter(row["network"] for row in rows)
    names = {n["id"]: n["name"] for n in networks}
    ranked = sorted(names, key=lambda n: (-per_network[n], names[n].casefold()))[:top]
    return {
        "networks": len(networks),
        "member_organizations": len({row["organization"] for row in rows}),
        "memberships": len(rows),
        "top": [(n, names[n], per_network[n]) for n in ranked],
    }
