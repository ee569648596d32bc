"""The audit log page (coordinators): who changed what and when, newest first, with the changed
fields of each entry. Everything shown comes from stored data and is escaped by the templates."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from litestar import Request, get
from litestar.response import Template

from core.audit.export import AuditExport
from core.audit.service import history
from core.forms.fields import Choice
from core.i18n.markers import N_, NP_
from core.i18n.translator import Translator
from core.tenancy.registry import TenantRuntime
from core.web.download import Download, download
from core.web.pages.display import format_moment
from core.web.pages.guards import require_coordinator
from core.web.pages.render import page_parts, render
from core.web.params import FromQuery, QueryId

PAGE_SIZE = 50

ENTITIES = (
    Choice("organization", N_("Organization")),
    Choice("contact", N_("Contact")),
    Choice("meeting", N_("Meeting")),
    Choice("action", N_("Joint action")),
    Choice("topic", N_("Topic")),
    Choice("member", N_("Member")),
    Choice("audit", N_("Audit log")),  # the log's own entries: legacy entries chained by migrate
    Choice("import", N_("Import")),  # an import batch committed or undone (core.imports)
)
ENTITY_CODES = {c.value for c in ENTITIES}

# Where each entity's record page lives (members have no page of their own: their row on /members).
ENTITY_PAGES = {
    "organization": "/organizations/{id}",
    "contact": "/contacts/{id}",
    "meeting": "/meetings/{id}",
    "action": "/actions/{id}",
    "topic": "/topics/{id}",
    "member": "/members#member-{id}",
    "import": "/imports/{id}",
}

ACTIONS = {
    "create": N_("Created"),
    "update": N_("Changed"),
    "archive": N_("Archived"),
    "restore": N_("Restored"),
    "delete": N_("Deleted"),
    "merge": N_("Merged"),
    "commit": NP_("audit event", "Imported"),
    "undo": N_("Import undone"),
    "progress": N_("Progress update"),
    "confirm": N_("Completion confirmed"),
    "attendance": N_("Attendance"),
    "role": N_("Role changed"),
    "deactivate": N_("Deactivated"),
    "reactivate": N_("Reactivated"),
    "password": N_("Password changed"),
    "locale": N_("Language changed"),
    "chain": N_("Legacy entries chained"),
    "calendar_feed": N_("Calendar feed address made"),
    "calendar_feed_revoke": N_("Calendar feed turned off"),
}


MEMBER_FIELDS = {
    "email": N_("Email address"),
    "display_name": N_("Name"),
    "role": N_("Role"),
    "active": N_("Active"),
    "locale": N_("Language"),
}


# What a "chain" entry records (core.audit.service.chain_legacy).
CHAIN_FIELDS = {
    "entries": N_("Entries"),
    "first_id": N_("First entry"),
    "last_id": N_("Last entry"),
}
FIXED_FIELDS = {"member": MEMBER_FIELDS, "audit": CHAIN_FIELDS}


def field_labels(tenant: TenantRuntime, t: Translator, entity: str) -> dict[str, str]:
    """Field name → its translated label, from the same form definition the record's pages use."""
    if entity in FIXED_FIELDS:
        return {name: t.gettext(label) for name, label in FIXED_FIELDS[entity].items()}
    if entity not in ENTITY_PAGES:
        return {}
    try:
        return {f.name: t.gettext(f.label) for f in tenant.form(entity).fields}
    except KeyError:  # an entity with no form of its own: raw field names
        return {}


def shown(value: Any) -> str:
    """A stored JSON value as plain text (the template escapes it)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return ", ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def changes(before: Any, after: Any, labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """(field, before, after) for the fields whose value differs, in the order they were stored."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    return [
        (labels.get(key, key), shown(old.get(key)), shown(new.get(key)))
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key)
    ]


@get("/audit", name="audit", guards=[require_coordinator], include_in_schema=False)
async def audit_page(
    request: Request,
    entity: FromQuery[str | None] = None,
    by: FromQuery[str | None] = None,
    before: QueryId = None,
) -> Template:
    tenant, t, _ = page_parts(request)
    entity = entity if entity in ENTITY_CODES else None
    actor_email = (by or "").strip().lower()
    rows = await history(entity, limit=PAGE_SIZE + 1, before_id=before, actor_email=actor_email or None)
    labels = cache(lambda name: field_labels(tenant, t, name))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    entries = [
        {
            "id": row["id"],
            "when": format_moment(t, row["at"]),
            "who": row["actor_email"],
            "entity": t.gettext(next((c.label for c in ENTITIES if c.value == row["entity"]), row["entity"])),
            "entity_id": row["entity_id"],
            "link": ENTITY_PAGES[row["entity"]].format(id=row["entity_id"])
            if row["entity"] in ENTITY_PAGES
            else None,
            "action": t.gettext(str(ACTIONS[row["action"]])) if row["action"] in ACTIONS else row["action"],
            "changes": changes(row["before"], row["after"], labels(row["entity"])),
        }
        for row in rows
    ]
    query = {key: value for key, value in (("entity", entity), ("by", actor_email)) if value}
    return render(
        request,
        "audit/list.html",
        entries=entries,
        entities=[(c.value, t.gettext(c.label)) for c in ENTITIES],
        entity=entity or "",
        actor_email=actor_email,
        query=query,
        next_before=rows[-1]["id"] if more else None,
        paged=before is not None,
    )


async def audit_file(request: Request, entity: str | None, by: str | None, fmt: str) -> Download:
    """The entries of the page's current filter as a file, oldest first, with their hashes."""
    _, t, _ = page_parts(request)
    entity = entity if entity in ENTITY_CODES else None
    return download(AuditExport(t, fmt, entity, (by or "").strip().lower() or None))


@get("/audit/export", name="audit_export", guards=[require_coordinator], include_in_schema=False)
async def audit_export_page(
    request: Request,
    entity: FromQuery[str | None] = None,
    by: FromQuery[str | None] = None,
) -> Download:
    return await audit_file(request, entity, by, "csv")


@get("/audit/export.xlsx", name="audit_export_xlsx", guards=[require_coordinator], include_in_schema=False)
async def audit_export_xlsx_page(
    request: Request,
    entity: FromQuery[str | None] = None,
    by: FromQuery[str | None] = None,
) -> Download:
    return await audit_file(request, entity, by, "xlsx")
