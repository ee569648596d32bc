"""Concurrent writers through HTTP, on both backends: eight members update the same joint action at
once, each sending the version it read. Every answer is 200 or 409 (never a 500 or "database is
locked"), no update is lost (the final version counts every 200), each 200 left exactly one audit
entry, and the audit chain still verifies."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from click.testing import CliRunner

from core.audit.tables import AuditEntry
from core.cli.main import cli
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry

API = "/t/alpha/api/v1"
WRITERS = 8
ROUNDS = 4


def audit_updates(env, action_id: int) -> int:
    """The action's "update" audit entries, read through a registry of the test's own."""

    async def main() -> int:
        registry = TenantRegistry.load(env.registry.settings)
        try:
            with tenant_context(registry.get("alpha")):
                return await AuditEntry.count().where(
                    (AuditEntry.entity == "action")
                    & (AuditEntry.entity_id == action_id)
                    & (AuditEntry.action == "update")
                )
        finally:
            await registry.close()

    return asyncio.run(main())


def test_concurrent_writers_get_200_or_409_and_lose_no_update(client, env):
    h = env.headers("alpha", "coordinator")
    gov = client.post(
        f"{API}/organizations",
        json={"name": "Fiscalía concurrente", "sector": "government_ministry"},
        headers=h,
    )
    assert gov.status_code == 201, gov.text
    created = client.post(
        f"{API}/actions", json={"title": "Acción concurrente", "government_lead": gov.json()["id"]}, headers=h
    )
    assert created.status_code == 201, created.text
    aid = created.json()["id"]
    start_version = created.json()["version"]

    def writer(n: int) -> list[tuple[int, str]]:
        answers = []
        for r in range(ROUNDS):
            read = client.get(f"{API}/actions/{aid}", headers=h)
            assert read.status_code == 200, read.text
            answer = client.patch(
                f"{API}/actions/{aid}",
                json={"version": read.json()["version"], "title": f"Acción concurrente {n}.{r}"},
                headers=h,
            )
            answers.append((answer.status_code, answer.text))
        return answers

    with ThreadPoolExecutor(WRITERS) as pool:
        answers = [a for batch in pool.map(writer, range(WRITERS)) for a in batch]

    assert all(status in (200, 409) for status, _ in answers), answers
    assert not any("locked" in text for _, text in answers)
    ok = sum(status == 200 for status, _ in answers)
    assert ok >= 1
    assert ok < len(answers), "the writers never collided: the test proved nothing"
    final = client.get(f"{API}/actions/{aid}", headers=h).json()
    assert final["version"] == start_version + ok
    assert audit_updates(env, aid) == ok
    base = ["--tenants-dir", str(env.root / "tenants"), "--data-dir", str(env.root / "var")]
    verified = CliRunner().invoke(cli, [*base, "audit", "verify", "--tenant", "alpha"])
    assert verified.exit_code == 0, verified.output
