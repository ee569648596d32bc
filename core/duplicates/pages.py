"""Duplicates pages (coordinators): the likely duplicate contacts and organizations of the tenant
under its rules, and for a pair both records side by side, a choice per field, and the merge."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from core.duplicates.finder import contact_pairs, organization_pairs
from core.duplicates.merge import MERGED, SURVIVOR, MergeRequest, MergeService, mergeable_fields
from core.duplicates.rules import RULE_LABELS, Match
from core.errors import Message, ValidationFailed
from core.i18n.markers import N_
from core.web.pages.guards import require_coordinator
from core.web.pages.render import page_parts, redirect, render
from core.web.params import CurrentActor, PathId

# Pairs listed per kind: the best first; merging them brings the next ones up.
MAX_PAIRS = 200
PATHS = {"contact": "/contacts", "organization": "/organizations"}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _contact_label(record: dict[str, Any]) -> str:
    name = ", ".join(p for p in (record.get("last_name"), record.get("first_name")) if p)
    return f"{name} ({record['organization_name']})" if record.get("organization_name") else name


async def _labelled(service: MergeService, matches: list[Match], label: Any) -> list[dict[str, Any]]:
    """Each pair with both records' labels, in one query per kind."""
    matches = matches[:MAX_PAIRS]
    ids = sorted({i for m in matches for i in (m.first, m.second)})
    table = service.table
    rows = await table.select(*service.records.select_columns()).where(table.id.is_in(ids or [-1])).run()
    labels = {row["id"]: label(row) for row in rows}
    return [
        {
            "first": m.first,
            "second": m.second,
            "first_label": labels.get(m.first, ""),
            "second_label": labels.get(m.second, ""),
            "score": m.score,
            "rules": m.rules,
        }
        for m in matches
    ]


@get("/duplicates", name="duplicates", guards=[require_coordinator], include_in_schema=False)
async def duplicates_page(request: Request, actor: CurrentActor) -> Template:
    tenant, t, _ = page_parts(request)
    rules = tenant.declaration.duplicates
    contacts = MergeService(actor, "contact", t.locale)
    organizations = MergeService(actor, "organization", t.locale)
    return render(
        request,
        "duplicates/list.html",
        contacts=await _labelled(contacts, await contact_pairs(rules), _contact_label),
        organizations=await _labelled(organizations, await organization_pairs(rules), lambda r: r["name"]),
        rule_labels={name: t.gettext(label) for name, label in RULE_LABELS.items()},
        threshold=rules.threshold,
    )


async def _merge_page(request: Request, actor: Any, entity: str, first: int, second: int) -> Template:
    _, t, _ = page_parts(request)
    service = MergeService(actor, entity, t.locale)
    survivor, merged = await service.pair(first, second)
    fields = [
        {
            "name": spec.name,
            "label": t.gettext(spec.label),
            "survivor": _shown(survivor.get(spec.name)),
            "merged": _shown(merged.get(spec.name)),
            "differ": survivor.get(spec.name) != merged.get(spec.name),
        }
        for spec in mergeable_fields(service.records)
    ]
    if entity == "contact":
        for row in fields:
            if row["name"] == "organization":
                row["survivor"] = survivor.get("organization_name") or ""
                row["merged"] = merged.get("organization_name") or ""
    return render(
        request,
        "duplicates/merge.html",
        entity=entity,
        path=PATHS[entity],
        survivor=survivor,
        merged=merged,
        fields=fields,
    )


async def _merge(request: Request, actor: Any, entity: str, first: int, second: int) -> Redirect:
    _, t, _ = page_parts(request)
    service = MergeService(actor, entity, t.locale)
    form = await request.form()
    versions = {}
    for key in ("survivor_version", "merged_version"):
        value = str(form.get(key, ""))
        if not value.isdigit() or len(value) > 9:
            raise ValidationFailed({key: [Message(N_("Enter a whole number."))]})
        versions[key] = int(value)
    picks = {
        name.removeprefix("pick_"): str(value)
        for name, value in form.items()
        if name.startswith("pick_") and str(value) in (SURVIVOR, MERGED)
    }
    await service.merge(MergeRequest(first, second, picks=picks, **versions))
    return redirect(request, f"{PATHS[entity]}/{first}", flash=("success", N_("Records merged.")))


@get("/contacts/{record_id:int}/merge/{other_id:int}", guards=[require_coordinator], include_in_schema=False)
async def contact_merge_page(
    request: Request, actor: CurrentActor, record_id: PathId, other_id: PathId
) -> Template:
    return await _merge_page(request, actor, "contact", record_id, other_id)


@post("/contacts/{record_id:int}/merge/{other_id:int}", guards=[require_coordinator], include_in_schema=False)
async def contact_merge(
    request: Request, actor: CurrentActor, record_id: PathId, other_id: PathId
) -> Redirect:
    return await _merge(request, actor, "contact", record_id, other_id)


@get(
    "/organizations/{record_id:int}/merge/{other_id:int}",
    guards=[require_coordinator],
    include_in_schema=False,
)
async def organization_merge_page(
    request: Request, actor: CurrentActor, record_id: PathId, other_id: PathId
) -> Template:
    return await _merge_page(request, actor, "organization", record_id, other_id)


@post(
    "/organizations/{record_id:int}/merge/{other_id:int}",
    guards=[require_coordinator],
    include_in_schema=False,
)
async def organization_merge(
    request: Request, actor: CurrentActor, record_id: PathId, other_id: PathId
) -> Redirect:
    return await _merge(request, actor, "organization", record_id, other_id)


HANDLERS = [duplicates_page, contact_merge_page, contact_merge, organization_merge_page, organization_merge]
