"""The plugin's pages, under ``/t/{tenant}/networks``: core's record pages for networks (list,
detail, new, edit, archive) and for memberships (``/networks/memberships``), plus the form on a
network's page that adds a member organization and comes back to the network."""

from __future__ import annotations

from typing import Any

from core.plugin_api import (
    N_,
    NP_,
    Actor,
    Contact,
    ContactVisibility,
    CurrentActor,
    ListColumn,
    ListFilter,
    Message,
    Organization,
    PageSpec,
    PathId,
    Redirect,
    Request,
    Template,
    Translator,
    ValidationFailed,
    field_views,
    page_parts,
    post,
    record_pages,
    redirect,
    render,
    require_tenant,
)
from plugins.networks import reading
from plugins.networks.service import MEMBERS_OF_NETWORK, MembershipService, NetworkService
from plugins.networks.vocabulary import MEMBER_ROLES, SCOPES, label_of

# The fields the add-member form on a network's page sends (the network is the page's).
MEMBER_FORM_FIELDS = ("organization", "role", "since", "focal_point")


async def _organization_choices(exclude: set[int]) -> list[tuple[str, str]]:
    rows = (
        await Organization.select(Organization.id, Organization.name, Organization.acronym)
        .where(Organization.archived_at.is_null())
        .order_by(Organization.name)
        .run()
    )
    return [
        (str(r["id"]), f"{r['name']} ({r['acronym']})" if r["acronym"] else r["name"])
        for r in rows
        if r["id"] not in exclude
    ]


async def _contact_choices(actor: Actor) -> list[tuple[str, str]]:
    """The people the member may see, as "Last, First (Organization)" like core's selects."""
    rows = (
        await Contact.select(
            Contact.id,
            Contact.first_name,
            Contact.last_name,
            Contact.organization.name.as_alias("organization_name"),
        )
        .where(Contact.archived_at.is_null() & ContactVisibility(actor).where())
        .order_by(Contact.last_name)
        .order_by(Contact.first_name)
        .run()
    )
    choices = []
    for r in rows:
        name = ", ".join(p for p in (r["last_name"], r["first_name"]) if p)
        organization = r["organization_name"]
        choices.append((str(r["id"]), f"{name} ({organization})" if organization else name))
    return choices


async def member_form(
    actor: Actor,
    t: Translator,
    network: dict[str, Any],
    members: list[dict[str, Any]],
    values: dict[str, Any] | None = None,
    errors: dict[str, list[Message]] | None = None,
) -> dict[str, Any] | None:
    """The add-member form's fields (the membership form's, the organization and the focal point as
    pickers, the organization's leaving out the network's members), values and errors; None for
    members who may not add one, or on an archived network."""
    if network.get("archived_at") is not None or not MembershipService(actor, t.locale).may_write():
        return None
    errors = errors or {}
    organizations = await _organization_choices({m["organization"] for m in members})
    tenant = require_tenant()
    views = field_views(
        tenant.form("membership"),
        t,
        {"role": "member", **(values or {})},
        errors,
        {"organization": organizations, "focal_point": await _contact_choices(actor)},
        tenant.declaration.timezone,
        picker_params={"organization": {"without": MEMBERS_OF_NETWORK, "of": network["id"]}},
    )
    return {
        "fields": [view for view in views if view.name in MEMBER_FORM_FIELDS],
        "organizations_left": bool(organizations),
        "general_errors": [
            t.message(m) for name, ms in errors.items() if name not in MEMBER_FORM_FIELDS for m in ms
        ],
    }


async def network_context(
    request: Request,
    actor: Actor,
    record: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, list[Message]] | None = None,
) -> dict[str, Any]:
    _, t, _ = page_parts(request)
    members = await reading.members_of(actor, t, record["id"])
    return {
        "members": members,
        "scope_label": t.gettext(label_of(SCOPES, record.get("scope"))),
        "member_form": await member_form(actor, t, record, members, values, errors),
    }


async def membership_context(request: Request, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
    _, t, _ = page_parts(request)
    person = None
    if record.get("focal_point") is not None:
        row = (
            await Contact.select(
                Contact.first_name,
                Contact.last_name,
                Contact.protected,
                Contact.created_by,
                Contact.erased_at,
            )
            .where(Contact.id == record["focal_point"])
            .first()
            .run()
        )
        person = reading.focal_point(actor, t, {"focal_point": record["focal_point"], **(row or {})})
    return {"role_label": t.gettext(label_of(MEMBER_ROLES, record.get("role"))), "focal_point": person}


NETWORK_PAGES = PageSpec(
    path="/networks",
    route="/",
    service=NetworkService,
    plural=N_("Networks"),
    singular=N_("Network"),
    new_label=N_("New network"),
    list_template="networks/list.html",
    detail_template="networks/detail.html",
    filters=(ListFilter("scope", N_("Scope"), SCOPES),),
    columns=(
        ListColumn("name", NP_("network", "Name"), sort="name"),
        ListColumn("scope", N_("Scope")),
        ListColumn("website", N_("Website")),
    ),
    detail_context=network_context,
)

MEMBERSHIP_PAGES = PageSpec(
    path="/networks/memberships",
    route="/memberships",
    service=MembershipService,
    plural=N_("Network memberships"),
    singular=N_("Network membership"),
    new_label=N_("New membership"),
    list_template="networks/membership_list.html",
    detail_template="networks/membership_detail.html",
    filters=(
        ListFilter("organization", N_("Organization"), source="organizations"),
        ListFilter("role", N_("Role in the network"), MEMBER_ROLES),
    ),
    columns=(
        ListColumn("organization", N_("Organization")),
        ListColumn("network", N_("Network")),
        ListColumn("role", N_("Role in the network")),
        ListColumn("since", N_("Member since"), sort="since"),
    ),
    detail_context=membership_context,
)


class NetworkPages(record_pages(NETWORK_PAGES)):  # type: ignore[misc]
    # Its body is the membership form's fields (opt "form": how the isolation suite fills it).
    @post("/{record_id:int}/members", opt={"form": "membership"})
    async def add_member(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        """Add a member organization from the network's page; errors come back on that page."""
        _, t, _ = page_parts(request)
        form = await request.form()
        values = {name: form.get(name, "") for name in MEMBER_FORM_FIELDS}
        try:
            await MembershipService(actor, t.locale).create({"network": record_id, **values})
        except ValidationFailed as exc:
            service = NetworkService(actor, t.locale)
            record = await service.get(record_id)
            return render(
                request,
                NETWORK_PAGES.detail_template,
                status=400,
                spec=NETWORK_PAGES,
                record=record,
                can_edit=service.may_edit(record) and record.get("archived_at") is None,
                plugin_fields=[],
                panels=[],
                **await network_context(request, actor, record, values, exc.errors),
            )
        return redirect(request, f"{NETWORK_PAGES.path}/{record_id}", flash=("success", N_("Member added.")))


MembershipPages = record_pages(MEMBERSHIP_PAGES)
