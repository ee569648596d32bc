"""``migrate`` seeds the topics plugins declare without overwriting what coordinators changed: an
edit survives any number of migrations, and a declaration changed in code reaches only the fields
nobody touched, as an audited update by the system with the version bumped."""

from __future__ import annotations

import asyncio
from typing import Any

from click.testing import CliRunner

from core.cli.main import cli
from core.db.migrate import MigrationReport, migrate_tenant
from core.hookspecs import hookimpl
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from core.topics.specs import TopicSpec
from core.topics.tables import Topic

API = "/t/alpha/api/v1"


class Declares:
    """A throwaway plugin that declares ``topics``; registered in place of the tenant's country plugin."""

    def __init__(self, *topics: TopicSpec) -> None:
        self.topics = list(topics)

    @hookimpl
    def pilot_crm_topics(self) -> list[TopicSpec]:
        return self.topics


def invoke(env, *args: str):
    settings = env.registry.settings
    base = ["--tenants-dir", str(settings.tenants_dir), "--data-dir", str(settings.data_dir)]
    return CliRunner().invoke(cli, [*base, *args])


def in_alpha(env, fn, plugin: Declares | None = None) -> Any:
    """Run ``fn(tenant)`` on a registry of its own (as ``pilot-crm migrate`` in another process
    would), with ``plugin`` standing in for alpha's country plugin."""

    async def main() -> Any:
        registry = TenantRegistry.load(env.registry.settings)
        tenant = registry.get("alpha")
        assert tenant is not None
        if plugin is not None:
            tenant.plugin_overrides["mexico"] = plugin
        try:
            return await fn(tenant)
        finally:
            await registry.close()

    return asyncio.run(main())


def migrate_with(env, plugin: Declares) -> MigrationReport:
    return in_alpha(env, migrate_tenant, plugin)


def topic(client, env, code: str) -> dict[str, Any]:
    items = client.get(
        f"{API}/topics",
        params={"q": code, "include_archived": "true"},
        headers=env.headers("alpha", "observer"),
    ).json()["items"]
    return next(item for item in items if item["code"] == code)


def audit_of(client, env, record_id: int) -> list[dict[str, Any]]:
    """The topic's audit entries, oldest first."""
    r = client.get(
        f"{API}/audit",
        params={"entity": "topic", "entity_id": record_id},
        headers=env.headers("alpha", "coordinator"),
    )
    assert r.status_code == 200, r.text
    return list(reversed(r.json()))


def edit(client, env, record: dict[str, Any], **fields: Any) -> dict[str, Any]:
    r = client.patch(
        f"{API}/topics/{record['id']}",
        json={"version": record["version"], **fields},
        headers=env.headers("alpha", "coordinator"),
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_seeded_topics_are_created_by_the_system_in_the_audit_log(client, env):
    tip = topic(client, env, "TIP")
    assert tip["source"] == "core" and "declared" not in tip
    created = audit_of(client, env, tip["id"])[0]
    assert created["action"] == "create" and created["actor_email"] == "system"
    assert created["after"]["label"] == "Trafficking in persons"


def test_migrate_twice_keeps_a_coordinators_edit_of_a_seeded_topic(client, env):
    tip = topic(client, env, "TIP")
    edited = edit(client, env, tip, label="Trata de personas (mesa nacional)", category="crosscutting")
    edited = edit(client, env, edited, priority=True)
    for _ in range(2):
        result = invoke(env, "migrate", "--tenant", "alpha")
        assert result.exit_code == 0, result.output
        assert "topics added: 0, updated from code: 0" in result.output
    after = topic(client, env, "TIP")
    assert after == {**edited, "display_label": after["display_label"]}
    assert after["label"] == "Trata de personas (mesa nacional)" and after["priority"] is True
    assert after["category"] == "crosscutting" and after["version"] == tip["version"] + 2
    assert [e["actor_email"] for e in audit_of(client, env, tip["id"])] == [
        "system",
        env.email("alpha", "coordinator"),
        env.email("alpha", "coordinator"),
    ]
    verified = invoke(env, "audit", "verify", "--tenant", "alpha")
    assert verified.exit_code == 0 and "chain intact" in verified.output


def test_a_changed_declaration_reaches_only_the_fields_nobody_changed(client, env):
    first = Declares(
        TopicSpec("ZZ-EDITED", "Declared for a coordinator to edit"),
        TopicSpec("ZZ-UNTOUCHED", "Declared and left alone"),
    )
    report = migrate_with(env, first)
    assert (report.topics_added, report.topics_updated) == (2, 0)
    mine = topic(client, env, "ZZ-EDITED")
    assert (mine["source"], mine["category"], mine["priority"], mine["version"]) == (
        "mexico",
        "national",
        False,
        1,
    )
    mine = edit(client, env, mine, label="Chosen by the coordinator", priority=True)

    second = Declares(
        TopicSpec("ZZ-EDITED", "Reworded in code", category="crosscutting", priority=False),
        TopicSpec("ZZ-UNTOUCHED", "Reworded in code too", category="crime", priority=True),
    )
    report = migrate_with(env, second)
    assert (report.topics_added, report.topics_updated) == (0, 2)

    mine = topic(client, env, "ZZ-EDITED")
    # Label and priority are the coordinator's; the category nobody touched follows the code.
    assert (mine["label"], mine["priority"], mine["category"]) == (
        "Chosen by the coordinator",
        True,
        "crosscutting",
    )
    assert mine["version"] == 3
    untouched = topic(client, env, "ZZ-UNTOUCHED")
    assert (untouched["label"], untouched["category"], untouched["priority"]) == (
        "Reworded in code too",
        "crime",
        True,
    )
    assert untouched["version"] == 2

    entries = audit_of(client, env, mine["id"])
    assert [(e["action"], e["actor_email"]) for e in entries] == [
        ("create", "system"),
        ("update", env.email("alpha", "coordinator")),
        ("update", "system"),
    ]
    assert (
        entries[-1]["before"]["category"] == "national" and entries[-1]["after"]["category"] == "crosscutting"
    )
    assert (
        entries[-1]["after"]["label"] == "Chosen by the coordinator" and entries[-1]["after"]["version"] == 3
    )

    # The same declaration again: nothing to do, nothing written, nothing audited.
    report = migrate_with(env, second)
    assert (report.topics_added, report.topics_updated) == (0, 0)
    assert topic(client, env, "ZZ-EDITED") == mine and topic(client, env, "ZZ-UNTOUCHED") == untouched
    assert len(audit_of(client, env, mine["id"])) == 3 and len(audit_of(client, env, untouched["id"])) == 2
    verified = invoke(env, "audit", "verify", "--tenant", "alpha")
    assert verified.exit_code == 0 and "chain intact" in verified.output


def test_a_topic_seeded_before_declarations_were_remembered_keeps_its_values(client, env):
    """As after an upgrade: no record of what code declared, so the current values all stay; the
    declaration of today becomes the baseline that later changes in code are compared with."""
    declared = Declares(TopicSpec("ZZ-LEGACY", "Seeded by an older release", category="crime"))
    migrate_with(env, declared)

    async def forget(tenant) -> None:
        with tenant_context(tenant):
            await (
                Topic.update({Topic.declared: None, Topic.label: "Edited back then"})
                .where(Topic.code == "ZZ-LEGACY")
                .run()
            )

    in_alpha(env, forget)
    before = topic(client, env, "ZZ-LEGACY")
    report = migrate_with(env, Declares(TopicSpec("ZZ-LEGACY", "Reworded since", category="crime")))
    assert report.topics_updated == 0 and topic(client, env, "ZZ-LEGACY") == before

    report = migrate_with(env, Declares(TopicSpec("ZZ-LEGACY", "Reworded since", category="cluster")))
    after = topic(client, env, "ZZ-LEGACY")
    assert report.topics_updated == 1
    assert (after["label"], after["category"], after["version"]) == ("Edited back then", "cluster", 2)


def test_the_shared_topic_a_priority_refines_follows_its_declaration(client, env):
    """What a priority refines is code's to say (like which plugin declares it): each change in
    code reaches the topic as an audited update by the system, and the same declaration again
    writes nothing."""

    def declared(refines: str | None) -> Declares:
        return Declares(TopicSpec("ZZ-NARROW", "A narrower priority", priority=True, refines=refines))

    migrate_with(env, declared("TIP"))
    first = topic(client, env, "ZZ-NARROW")
    tip = topic(client, env, "TIP")["display_label"]  # in Spanish, as a coordinator may have worded it
    assert (first["refines"], first["refines_label"], first["version"]) == ("TIP", tip, 1)
    previous: str | None = "TIP"
    for version, refines in ((2, "SOM"), (3, None)):
        report = migrate_with(env, declared(refines))
        assert (report.topics_added, report.topics_updated) == (0, 1)
        now = topic(client, env, "ZZ-NARROW")
        assert (now["refines"], now["version"]) == (refines, version)
        last = audit_of(client, env, now["id"])[-1]
        assert (last["action"], last["actor_email"]) == ("update", "system")
        assert (last["before"]["refines"], last["after"]["refines"]) == (previous, refines)
        previous = refines
        assert migrate_with(env, declared(refines)).topics_updated == 0
