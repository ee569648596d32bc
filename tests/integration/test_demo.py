"""`pilot-crm demo`: migrates the shipped tenants, seeds realistic data in each tenant's language and
the four demo accounts; a second run changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from core.cli.main import cli
from core.settings import Settings
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry
from core.testing.web import Browser
from tests.support import SHIPPED_TENANTS, copy_shipped_tenants, drop_databases

SLUGS = SHIPPED_TENANTS


@pytest.fixture(scope="module")
def demo_dirs(backend, tmp_path_factory):
    """Copies of the shipped tenant files (on PostgreSQL: pointed at throwaway databases)."""
    root = tmp_path_factory.mktemp("demo")
    urls = copy_shipped_tenants(root / "tenants", backend)
    yield ["--tenants-dir", str(root / "tenants"), "--data-dir", str(root / "var")]
    drop_databases(urls)


@pytest.fixture(scope="module")
def first_run(demo_dirs):
    result = CliRunner().invoke(cli, [*demo_dirs, "demo"])
    assert result.exit_code == 0, result.output
    return result.output


def counts(output: str, slug: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith(f"{slug}: "))
    return {k: int(v) for k, v in re.findall(r"(\w+): (\d+)", line.split(": ", 1)[1])}


# What each tenant's demo holds at least: the pilots have a national roadmap; the programme's global
# team (``global``) works with non-governmental stakeholders only, so it has meetings but no actions.
MINIMUM = {"organizations": 30, "contacts": 100, "meetings": 10, "actions": 25}
MINIMUM_BY_SLUG = {"global": {**MINIMUM, "meetings": 6, "actions": 0}}


@pytest.mark.parametrize("slug", SLUGS)
def test_demo_seeds_enough_data_and_four_accounts(first_run, slug):
    c = counts(first_run, slug)
    assert all(c[k] >= n for k, n in MINIMUM_BY_SLUG.get(slug, MINIMUM).items()), c
    accounts = re.findall(rf"^\s+(\w+)\s+(\S+@{re.escape(slug)}\.demo)\s+(\S+)$", first_run, re.MULTILINE)
    assert {role for role, _, _ in accounts} == {"coordinator", "government", "ngo", "observer"}
    assert all(email == f"{role}@{slug}.demo" and len(pw) >= 12 for role, email, pw in accounts)


def test_demo_is_idempotent(demo_dirs, first_run):
    again = CliRunner().invoke(cli, [*demo_dirs, "demo"])
    assert again.exit_code == 0
    for slug in SLUGS:
        assert counts(again.output, slug) == counts(first_run, slug)
    assert "already existed" in again.output


def printed_accounts(output: str) -> dict[str, str]:
    """email → password, from the lines ``pilot-crm demo`` prints for new accounts."""
    found = re.findall(r"^\s+\w+\s+(\S+@[\w-]+\.demo)\s+(\S+)$", output, re.MULTILINE)
    return {email: password for email, password in found if not password.startswith("(")}


def reset_table(output: str) -> dict[str, tuple[str, str]]:
    """email → (role, password), from the tables ``pilot-crm demo --reset-passwords`` prints."""
    rows = re.findall(r"^│ (\w+)\s+│ (\S+@[\w-]+\.demo)\s+│ (\S+)\s+│$", output, re.MULTILINE)
    return {email: (role, password) for role, email, password in rows}


def signs_in(client: TestClient, slug: str, email: str, password: str) -> Browser | None:
    browser = Browser(client, slug)
    browser.get("/login")
    response = browser.post("/login", {"email": email, "password": password}, follow_redirects=False)
    assert response.status_code in (303, 400), response.text[:300]
    return browser if response.status_code == 303 else None


def test_reset_passwords_prints_new_ones_and_ends_the_old_ones_and_their_sessions(demo_dirs, first_run):
    old = printed_accounts(first_run)
    assert len(old) == 4 * len(SLUGS)
    again = CliRunner().invoke(cli, [*demo_dirs, "demo"])
    assert "pilot-crm demo --reset-passwords" in again.output  # says how to see passwords again
    settings = Settings.from_env(demo_dirs[3], demo_dirs[1])
    from core.web.app import create_app

    with TestClient(create_app(settings, TenantRegistry.load(settings))) as client:
        signed_in = signs_in(client, "mex", "ngo@mex.demo", old["ngo@mex.demo"])
        assert signed_in is not None and signed_in.get("/", follow_redirects=False).status_code == 200
        result = CliRunner().invoke(cli, [*demo_dirs, "demo", "--reset-passwords"])
        assert result.exit_code == 0, result.output
        new = reset_table(result.output)
        assert set(new) == set(old)  # every demo account of every tenant, nothing else
        for email, (role, password) in new.items():
            assert email.startswith(f"{role}@") and len(password) >= 12 and password != old[email]
        # The browser signed in before the reset is signed out; old passwords no longer work.
        assert signed_in.get("/", follow_redirects=False).headers["location"].startswith("/t/mex/login")
        for email in ("ngo@mex.demo", "coordinator@ago.demo"):
            slug = email.split("@")[1].removesuffix(".demo")
            assert signs_in(client, slug, email, old[email]) is None
            assert signs_in(client, slug, email, new[email][1]) is not None
    # Nothing was seeded by the reset: the counts are the first run's.
    for slug in SLUGS:
        assert counts(CliRunner().invoke(cli, [*demo_dirs, "demo"]).output, slug) == counts(first_run, slug)


def test_reset_passwords_without_demo_accounts_fails_in_one_line(tmp_path):
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    (tenants / "solo.toml").write_text(
        'slug = "solo"\nname = "Solo"\ncountry = "MEX"\ndefault_locale = "es"\nlocales = ["es"]\n'
        'timezone = "America/Mexico_City"\n',
        encoding="utf-8",
    )
    dirs = ["--tenants-dir", str(tenants), "--data-dir", str(tmp_path / "var")]
    not_migrated = CliRunner().invoke(cli, [*dirs, "demo", "--reset-passwords"])
    assert not_migrated.exit_code == 1
    assert not_migrated.output.strip().splitlines() == [
        "error: tenant 'solo' is not migrated (no such table: crm_user): run pilot-crm migrate --tenant solo"
    ]
    assert CliRunner().invoke(cli, [*dirs, "migrate"]).exit_code == 0
    empty = CliRunner().invoke(cli, [*dirs, "demo", "--reset-passwords"])
    assert empty.exit_code == 1
    assert empty.output.strip() == "error: no demo account in any tenant: run pilot-crm demo first"


def test_demo_data_is_in_the_tenant_language_and_searchable(demo_dirs, first_run):
    token = (
        CliRunner()
        .invoke(cli, [*demo_dirs, "tokens", "create", "--tenant", "mex", "--email", "coordinator@mex.demo"])
        .output.strip()
    )
    settings = Settings.from_env(demo_dirs[3], demo_dirs[1])
    from core.web.app import create_app

    registry = TenantRegistry.load(settings)
    with TestClient(create_app(settings, registry)) as client:
        h = {"Authorization": f"Bearer {token}"}
        everyone = client.get("/t/mex/api/v1/contacts", params={"limit": 200}, headers=h).json()["items"]
        from collections import Counter

        surname, n = Counter(w for c in everyone for w in c["last_name"].split()).most_common(1)[0]
        assert n >= 2
        first = client.get("/t/mex/api/v1/contacts", params={"q": surname, "limit": 1}, headers=h).json()
        assert surname in first["items"][0]["last_name"] and first["next"]
        second = client.get(
            "/t/mex/api/v1/contacts", params={"q": surname, "limit": 1, "cursor": first["next"]}, headers=h
        ).json()
        assert surname in second["items"][0]["last_name"]
        assert second["items"][0]["id"] != first["items"][0]["id"]
        meetings = client.get("/t/mex/api/v1/meetings", headers=h).json()["items"]
        assert any(
            word in m["title"].lower() for m in meetings for word in ("diálogo", "sesión", "taller", "mesa")
        )
        completed = client.get("/t/mex/api/v1/actions", params={"status": "completed"}, headers=h).json()[
            "items"
        ]
        assert completed and all(a["confirmed_by"] == ["government", "non_governmental"] for a in completed)
        # The engagement plugin's demo record: one national workshop, its call open, said fictitious.
        activities = client.get("/t/mex/api/v1/engagement/activities", headers=h).json()["items"]
        assert [(a["kind"], a["status"], a["eligible_countries"]) for a in activities] == [
            ("workshop", "call_open", "MEX")
        ]
        assert "ficticio" in activities[0]["title"]
        global_team(client, demo_dirs, registry)
        other = client.get("/t/ago/api/v1/contacts", headers=h)
        assert other.status_code == 401


def global_team(client: TestClient, demo_dirs: list[str], registry: TenantRegistry) -> None:
    """The programme's global team: a past regional training (selection, attendance, answers,
    certificates, one revoked), an open call, a constructive dialogue after its preparation day."""
    token = (
        CliRunner()
        .invoke(
            cli, [*demo_dirs, "tokens", "create", "--tenant", "global", "--email", "coordinator@global.demo"]
        )
        .output.strip()
    )
    h = {"Authorization": f"Bearer {token}"}
    activities = client.get("/t/global/api/v1/engagement/activities", headers=h).json()["items"]
    assert sorted((a["kind"], a["status"]) for a in activities) == [
        ("constructive_dialogue", "running"),
        ("preparation_day", "completed"),
        ("training", "completed"),
        ("workshop", "call_open"),
    ]
    assert all("fictitious" in a["title"] for a in activities)

    async def rows() -> dict[str, Any]:
        from plugins.engagement.tables import Application, Certificate, DialogueInput, Participant, Response

        tenant = registry.get("global")
        assert tenant is not None
        with tenant_context(tenant):
            return {
                "applications": await Application.count().run(),
                "languages": {r["language"] for r in await Application.select(Application.language).run()},
                "countries": len({r["country"] for r in await Application.select(Application.country).run()}),
                "participants": await Participant.count().run(),
                "gains": await Response.count().run(),
                "certificates": await Certificate.count().run(),
                "revoked": await Certificate.count().where(Certificate.revoked_at.is_not_null()).run(),
                "inputs": await DialogueInput.count().run(),
                "included": await DialogueInput.count().where(DialogueInput.status == "included").run(),
            }

    found = client.blocking_portal.call(rows)
    assert found["applications"] == 48 and found["languages"] == {"en", "fr", "es"}
    assert found["countries"] >= 10 and found["participants"] == 25 and found["gains"] == 50
    assert found["certificates"] >= 15 and found["revoked"] == 1
    assert found["inputs"] == 15 and found["included"] == 6
