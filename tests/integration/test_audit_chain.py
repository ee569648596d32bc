"""The tamper-evident audit log, on both backends: mutations chain their audit entries, ``pilot-crm
audit verify`` names the first edited or deleted entry, a redacted (scrubbed) entry still verifies,
concurrent writers never fork the chain, legacy entries are chained by ``migrate``, and coordinators
(only) export the log."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from click.testing import CliRunner

from core.accounts.roles import Actor
from core.audit.chain import decoded
from core.audit.export import COLUMNS, LABELS
from core.audit.tables import AuditEntry
from core.cli.main import cli
from core.organizations.service import OrganizationService
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from core.testing.web import sign_in
from tests.support import translation

API = "/t/{slug}/api/v1"


def invoke(env, *args: str):
    base = ["--tenants-dir", str(env.root / "tenants"), "--data-dir", str(env.root / "var")]
    return CliRunner().invoke(cli, [*base, *args])


def verify(env, slug: str):
    return invoke(env, "audit", "verify", "--tenant", slug)


def in_tenant(env, slug: str, fn: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``fn`` against the tenant's database through a registry of its own (as another process
    reaching the database directly would), never through the app's."""

    async def main() -> Any:
        registry = TenantRegistry.load(env.registry.settings)
        try:
            with tenant_context(registry.get(slug)):
                return await fn()
        finally:
            await registry.close()

    return asyncio.run(main())


def raw(env, slug: str, sql: str, *args: Any) -> Any:
    return in_tenant(env, slug, lambda: AuditEntry.raw(sql, *args).run())


def entries(env, slug: str) -> list[dict[str, Any]]:
    return in_tenant(env, slug, lambda: AuditEntry.select().order_by(AuditEntry.id).run())


def mutate(client, env, slug: str, name: str) -> None:
    """A few audited changes through the API: create, update and archive an organization."""
    h = env.headers(slug, "coordinator")
    base = API.format(slug=slug)
    created = client.post(
        f"{base}/organizations", json={"name": name, "sector": "government_ministry"}, headers=h
    )
    assert created.status_code == 201, created.text
    org = created.json()
    changed = client.patch(
        f"{base}/organizations/{org['id']}", json={"version": org["version"], "city": "Ciudad"}, headers=h
    )
    assert changed.status_code == 200, changed.text
    assert client.post(f"{base}/organizations/{org['id']}/archive", headers=h).status_code < 300


def test_api_mutations_form_a_verifying_chain(client, env):
    mutate(client, env, "alpha", "Cadena A")
    mutate(client, env, "beta", "Cadeia B")
    for slug in ("alpha", "beta"):
        rows = entries(env, slug)
        result = verify(env, slug)
        assert result.exit_code == 0, result.output
        assert result.output == f"{slug}: {len(rows)} entries, chain intact\n"
        assert [row["seq"] for row in rows] == list(range(1, len(rows) + 1))
        assert rows[0]["prev_hash"] == "0" * 64
        assert all(row["prev_hash"] == prior["entry_hash"] for prior, row in itertools.pairwise(rows))
        assert {row["tenant"] for row in rows} == {slug}


def test_an_edited_entry_is_named_and_the_original_verifies_again(client, env):
    mutate(client, env, "alpha", "Editada")
    target = entries(env, "alpha")[-2]
    original = target["after"]
    forged = json.dumps({**json.loads(original), "name": "Forged"})
    raw(env, "alpha", "UPDATE crm_audit_entry SET after = {} WHERE id = {}", forged, target["id"])
    broken = verify(env, "alpha")
    assert broken.exit_code == 1
    assert broken.output.strip() == (
        f"error: alpha: audit entry {target['id']} breaks the chain: its before/after data were changed"
    )
    raw(env, "alpha", "UPDATE crm_audit_entry SET after = {} WHERE id = {}", original, target["id"])
    assert verify(env, "alpha").exit_code == 0

    email = target["actor_email"]
    raw(env, "alpha", "UPDATE crm_audit_entry SET actor_email = {} WHERE id = {}", "x@y.test", target["id"])
    broken = verify(env, "alpha")
    assert broken.exit_code == 1
    assert f"audit entry {target['id']} breaks the chain: its fields were changed" in broken.output
    raw(env, "alpha", "UPDATE crm_audit_entry SET actor_email = {} WHERE id = {}", email, target["id"])
    assert verify(env, "alpha").exit_code == 0


def test_a_redacted_entry_still_verifies_but_a_scrub_without_the_flag_does_not(client, env):
    mutate(client, env, "alpha", "Persona Protegida")
    target = entries(env, "alpha")[-3]
    raw(env, "alpha", "UPDATE crm_audit_entry SET before = NULL, after = NULL WHERE id = {}", target["id"])
    unflagged = verify(env, "alpha")
    assert unflagged.exit_code == 1 and f"audit entry {target['id']} " in unflagged.output
    raw(env, "alpha", "UPDATE crm_audit_entry SET redacted = {} WHERE id = {}", True, target["id"])
    result = verify(env, "alpha")
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output


def test_concurrent_writers_keep_one_chain(client, env):
    coordinator = env.users[("alpha", "coordinator")]
    actor = Actor(user_id=coordinator["id"], email=coordinator["email"], role="coordinator")

    async def create_eight() -> list[dict[str, Any]]:
        return await asyncio.gather(
            *(OrganizationService(actor).create({"name": f"Paralela {n}", "sector": "ngo"}) for n in range(8))
        )

    before = len(entries(env, "alpha"))
    created = in_tenant(env, "alpha", create_eight)
    assert len({org["id"] for org in created}) == 8
    rows = entries(env, "alpha")
    assert len(rows) == before + 8
    assert len({row["prev_hash"] for row in rows}) == len(rows)
    result = verify(env, "alpha")
    assert result.exit_code == 0, result.output


def test_coordinators_export_the_log_as_csv_or_xlsx_and_others_are_refused(client, env):
    rows = entries(env, "alpha")
    base = API.format(slug="alpha")
    headers = env.headers("alpha", "coordinator", "en")
    response = client.get(f"{base}/audit/export", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="audit-alpha.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert table[0] == [LABELS[key] for key in COLUMNS] and table[0][:3] == ["ID", "Sequence", "When"]
    assert [int(line[0]) for line in table[1:]] == [row["id"] for row in rows]
    # The recorded instant to the microsecond (what the chain hashes), in the tenant's time zone.
    at = datetime.fromisoformat(table[1][2])
    assert at == rows[0]["at"] and at.utcoffset() == ZoneInfo("America/Mexico_City").utcoffset(at)
    assert table[1][COLUMNS.index("entry_hash")] == rows[0]["entry_hash"]

    spanish = client.get(
        f"{base}/audit/export", params={"format": "xlsx"}, headers=env.headers("alpha", "coordinator", "es")
    )
    assert (
        spanish.status_code == 200 and 'filename="audit-alpha.xlsx"' in spanish.headers["content-disposition"]
    )
    sheet = list(
        openpyxl.load_workbook(io.BytesIO(spanish.content), read_only=True).active.iter_rows(values_only=True)
    )
    assert sheet[0][0] == translation("es", "ID") and sheet[0][2] == translation("es", "When")
    assert [line[0] for line in sheet[1:]] == [row["id"] for row in rows]

    only = client.get(f"{base}/audit/export", params={"entity": "member"}, headers=headers)
    assert {line[COLUMNS.index("entity")] for line in list(csv.reader(io.StringIO(only.text)))[1:]} <= {
        "member"
    }
    assert client.get(f"{base}/audit/export", params={"format": "pdf"}, headers=headers).status_code == 400

    for role in ("government", "ngo", "observer"):
        assert client.get(f"{base}/audit/export", headers=env.headers("alpha", role)).status_code == 403

    coordinator = sign_in(client, env, "alpha", "coordinator", "en")
    page = coordinator.get("/audit?entity=organization")
    assert 'href="/t/alpha/audit/export?entity=organization"' in page.text
    assert 'href="/t/alpha/audit/export.xlsx?entity=organization"' in page.text
    download = coordinator.get("/audit/export?entity=organization")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert lines and {line["Record type"] for line in lines} == {"organization"}
    assert len(lines) == sum(1 for row in rows if row["entity"] == "organization")
    xlsx = coordinator.get("/audit/export.xlsx?entity=organization")
    assert (
        xlsx.status_code == 200
        and len(list(openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).active.iter_rows()))
        == len(lines) + 1
    )
    for role in ("government", "observer"):
        browser = sign_in(client, env, "alpha", role)
        assert browser.get("/audit/export").status_code == 403
        assert browser.get("/audit/export.xlsx").status_code == 403


def test_audit_export_neutralizes_formulas(client, env):
    base = API.format(slug="alpha")
    h = env.headers("alpha", "coordinator", "en")
    created = client.post(
        f"{base}/organizations", json={"name": "=cmd|' /C calc'!A0", "sector": "ngo"}, headers=h
    )
    assert created.status_code == 201, created.text
    response = client.get(f"{base}/audit/export", params={"entity": "organization"}, headers=h)
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    after = next(line for line in table[1:] if line[COLUMNS.index("entity_id")] == str(created.json()["id"]))
    assert "=cmd" in after[COLUMNS.index("after")] and not after[COLUMNS.index("after")].startswith("=")
    actor = table[-1][COLUMNS.index("actor_email")]
    assert not actor.startswith(("=", "+", "-", "@"))


def test_migrate_chains_legacy_entries_but_never_papers_over_a_gap(client, env):
    mutate(client, env, "beta", "Legado")
    blank = "UPDATE crm_audit_entry SET seq = 0, payload_hash = '', prev_hash = '', entry_hash = ''"
    raw(env, "beta", blank)  # as written before the chain existed
    legacy = entries(env, "beta")
    migrated = invoke(env, "migrate", "--tenant", "beta")
    assert migrated.exit_code == 0, migrated.output
    assert f"legacy audit entries chained: {len(legacy)}" in migrated.output
    # Code filled in the hashes: the log says so itself, as the system, in its newest entry.
    *chained, note = entries(env, "beta")
    assert [row["id"] for row in chained] == [row["id"] for row in legacy]
    assert (note["entity"], note["action"], note["actor_email"]) == ("audit", "chain", "system")
    summary = {"entries": len(legacy), "first_id": legacy[0]["id"], "last_id": legacy[-1]["id"]}
    assert decoded(note["after"]) == summary
    assert verify(env, "beta").output == f"beta: {len(legacy) + 1} entries, chain intact\n"
    assert "legacy" not in invoke(env, "migrate", "--tenant", "beta").output  # once only
    page = sign_in(client, env, "beta", "coordinator", locale="pt").get("/audit?entity=audit")
    assert "Entradas antigas encadeadas" in page.text and "Primeira entrada" in page.text

    middle = entries(env, "beta")[2]["id"]
    raw(env, "beta", blank + " WHERE id = {}", middle)
    assert "legacy" not in invoke(env, "migrate", "--tenant", "beta").output
    broken = verify(env, "beta")
    assert broken.exit_code == 1 and f"audit entry {middle} breaks the chain" in broken.output


def test_a_deleted_entry_is_detected_at_the_entry_after_it(client, env):
    """Last in this module: it leaves the chains broken (alpha in the middle, beta at its start)."""
    mutate(client, env, "alpha", "Borrada")
    rows = entries(env, "alpha")
    assert verify(env, "alpha").exit_code == 0
    for slug, gone, following in (("alpha", rows[len(rows) // 2], rows[len(rows) // 2 + 1]),):
        raw(env, slug, "DELETE FROM crm_audit_entry WHERE id = {}", gone["id"])
        broken = verify(env, slug)
        assert broken.exit_code == 1
        assert f"audit entry {following['id']} breaks the chain" in broken.output
        assert "deleted" in broken.output
    first, second = entries(env, "beta")[:2]
    raw(env, "beta", "DELETE FROM crm_audit_entry WHERE id = {}", first["id"])
    broken = verify(env, "beta")
    assert broken.exit_code == 1
    assert f"audit entry {second['id']} breaks the chain" in broken.output and "deleted" in broken.output
