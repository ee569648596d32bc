"""The topics a tenant's plugins declare, seeded by ``migrate`` without overwriting people's edits.

A declared topic that is missing is created. For one that exists, each field a coordinator may edit
(label, category, priority) is compared with what code declared the previous time, kept in
``Topic.declared``:

- the declaration of the field did not change: the field is left alone, whatever it holds;
- it changed, and the field still holds the previous declaration: it takes the new one;
- it changed, but a person has changed the field: the person's value stays.

Which plugin declares a topic (``source``) and the shared topic a priority refines (``refines``)
are code's to say: they always follow the declaration.

Every resulting change is written like any other: audited by the system actor, version bumped (a
create when the topic is added). When no declaration changed, nothing is written, so running
``migrate`` again is a no-op. Two cases to know:

- a topic seeded before declarations were remembered (``declared`` NULL) takes today's declaration
  as its baseline and keeps every value: with no record of what code said before, a value that
  differs from today's declaration may be a person's, so it is treated as one;
- a person who sets a field back to exactly what code declared hands it back to code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.accounts.roles import SYSTEM
from core.audit import service as audit
from core.records.search import search_text
from core.records.service import load_json, now
from core.tenancy.registry import TenantRuntime
from core.topics.service import TopicService
from core.topics.specs import TopicSpec
from core.topics.tables import Topic

SEEDED_FIELDS = ("label", "category", "priority")


@dataclass(frozen=True, slots=True)
class TopicSync:
    added: int = 0
    updated: int = 0  # existing topics changed because their declaration changed in code


def declared_topics(tenant: TenantRuntime) -> dict[str, tuple[str, TopicSpec]]:
    """``code → (declaring plugin, spec)``; when two plugins declare a code, the later one wins."""
    declared: dict[str, tuple[str, TopicSpec]] = {}
    for impl in tenant.plugins.hook.pilot_crm_topics.get_hookimpls():
        specs: list[TopicSpec] = impl.function() or []  # type: ignore[assignment]
        for spec in specs:
            declared[spec.code] = (impl.plugin_name, spec)
    return declared


def followed(row: dict[str, Any], previous: dict[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``row`` that follow a changed declaration: changed in code, untouched by people."""
    return {
        name: declared[name]
        for name in SEEDED_FIELDS
        if declared[name] != previous.get(name) and row[name] == previous.get(name)
    }


def _search_text(tenant: TenantRuntime, code: str, label: str) -> str:
    labels = [tenant.translator(loc).gettext(label) for loc in tenant.declaration.locales]
    return search_text(code, label, *labels)


async def _create(
    tenant: TenantRuntime,
    service: TopicService,
    code: str,
    origin: tuple[str, str | None],
    declared: dict[str, Any],
) -> None:
    plugin, refines = origin
    inserted = await (
        Topic.insert(
            Topic(
                code=code,
                label=declared["label"],
                category=declared["category"],
                priority=declared["priority"],
                source=plugin,
                refines=refines,
                declared=declared,
                search_text=_search_text(tenant, code, declared["label"]),
            )
        )
        .returning(Topic.id)
        .run()
    )
    topic_id = inserted[0]["id"]
    await audit.record(SYSTEM, "topic", topic_id, "create", None, await service.get(topic_id))


async def _follow(
    tenant: TenantRuntime,
    service: TopicService,
    row: dict[str, Any],
    origin: tuple[str, str | None],
    declared: dict[str, Any],
) -> bool:
    """Carry a changed declaration into ``row``'s untouched fields; True if a visible value changed."""
    plugin, refines = origin
    previous = load_json(row["declared"], None)
    if previous == declared and row["source"] == plugin and row["refines"] == refines:
        return False
    changes: dict[Any, Any] = followed(row, previous if previous is not None else declared, declared)
    # Which plugin declares a topic, and which shared topic it refines, are code's to say.
    if row["source"] != plugin:
        changes["source"] = plugin
    if row["refines"] != refines:
        changes["refines"] = refines
    if not changes:  # only the record of what code declares moves; no value a person sees
        await Topic.update({Topic.declared: declared}).where(Topic.id == row["id"]).run()
        return False
    before = await service.get(row["id"])
    written = await (
        Topic.update(
            {
                **changes,
                "declared": declared,
                "search_text": _search_text(tenant, row["code"], changes.get("label", row["label"])),
                "version": row["version"] + 1,
                "updated_at": now(),
            }
        )
        .where((Topic.id == row["id"]) & (Topic.version == row["version"]))
        .returning(Topic.id)
        .run()
    )
    if not written:  # a person saved it meanwhile: theirs wins; the next migrate looks again
        return False
    await audit.record(SYSTEM, "topic", row["id"], "update", before, await service.get(row["id"]))
    return True


async def sync_declared_topics(tenant: TenantRuntime) -> TopicSync:
    """Create missing declared topics and carry changed declarations into untouched fields (see the
    module docstring), all in one transaction. Never deletes or unarchives a topic."""
    service = TopicService(SYSTEM)
    added = updated = 0
    async with Topic._meta.db.transaction():
        rows = {row["code"]: row for row in await Topic.select().run()}
        for code, (plugin, spec) in declared_topics(tenant).items():
            declared = {"label": spec.label, "category": spec.category, "priority": spec.priority}
            origin = (plugin, spec.refines)
            if (row := rows.get(code)) is None:
                await _create(tenant, service, code, origin, declared)
                added += 1
            elif await _follow(tenant, service, row, origin, declared):
                updated += 1
    return TopicSync(added, updated)
