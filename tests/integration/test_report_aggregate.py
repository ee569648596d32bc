"""``pilot-crm report aggregate``: counts per tenant as JSON and XLSX with no name, email address or
phone number of any tenant (every one is looked for in every cell), people counts under 5
suppressed, and one-line errors for bad input."""

from __future__ import annotations

import json
import secrets

from click.testing import CliRunner
from openpyxl import load_workbook

from core.accounts.tables import User
from core.cli.main import cli
from core.tenancy.context import tenant_context


def api(client, env, slug: str, method: str, path: str, body: dict | None = None) -> dict:
    answer = client.request(
        method, f"/t/{slug}/api/v1{path}", json=body, headers=env.headers(slug, "coordinator")
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def seed(client, env, slug: str, phone: str) -> None:
    """A government and an NGO organization; 2 government and 6 NGO people who attended a meeting."""
    marker = secrets.token_hex(3)
    government = api(
        client,
        env,
        slug,
        "POST",
        "/organizations",
        {"name": f"Fiscalía {marker}", "sector": "law_enforcement"},
    )
    ngo = api(
        client, env, slug, "POST", "/organizations", {"name": f"Colectivo {marker}", "sector": "academia"}
    )
    topic = api(client, env, slug, "GET", "/topics?limit=1")["items"][0]["code"]
    meeting = api(
        client,
        env,
        slug,
        "POST",
        "/meetings",
        {
            "title": f"Reunión secreta {marker}",
            "meeting_type": "launch",
            "mode": "online",
            "starts_at": "2026-02-10T16:00:00Z",
            "ends_at": "2026-02-10T17:00:00Z",
        },
    )
    api(client, env, slug, "POST", "/actions", {"title": f"Acción {marker}", "topics": [topic]})
    for index, organization in enumerate([government] * 2 + [ngo] * 6):
        contact = api(
            client,
            env,
            slug,
            "POST",
            "/contacts",
            {
                "first_name": f"Nombre{marker}{index}",
                "last_name": f"Apellido{marker}{index}",
                "emails": [f"persona{index}.{marker}@example.org"],
                "phones": [phone] if index == 0 else [],
                "organization": organization["id"],
            },
        )
        api(
            client,
            env,
            slug,
            "PUT",
            f"/meetings/{meeting['id']}/attendees/{contact['id']}",
            {"status": "attended"},
        )


def personal_values(client, env) -> set[str]:
    """Every name, address and phone number (and free-text title) held by every tenant."""
    found: set[str] = set()
    for slug in ("alpha", "beta"):
        for contact in api(client, env, slug, "GET", "/contacts?limit=200&include_archived=true")["items"]:
            full = api(client, env, slug, "GET", f"/contacts/{contact['id']}")
            found |= {full["first_name"], full["last_name"], *full.get("emails", []), *full.get("phones", [])}
        for resource in ("organizations", "meetings", "actions"):
            for record in api(client, env, slug, "GET", f"/{resource}?limit=200")["items"]:
                found.add(record.get("name") or record.get("title"))

        async def members(slug: str = slug) -> list[dict]:
            with tenant_context(env.registry.get(slug)):
                return await User.select(User.email, User.display_name).run()

        for member in client.blocking_portal.call(members):
            found |= {member["email"], member["display_name"]}
    return {value for value in found if value and len(value) >= 4}


def invoke(env, *args: str):
    root = env.root
    return CliRunner().invoke(
        cli,
        [
            "--tenants-dir",
            str(root / "tenants"),
            "--data-dir",
            str(root / "var"),
            "report",
            "aggregate",
            *args,
        ],
    )


def test_aggregate_holds_no_personal_data_and_suppresses_small_cells(client, env, tmp_path):
    seed(client, env, "alpha", "+52 55 1234 5678")
    seed(client, env, "beta", "+244 923 456 789")
    result = invoke(env, "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "aggregate.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert [t["tenant"] for t in document["tenants"]] == ["alpha", "beta"]
    workbook = load_workbook(tmp_path / "out" / "aggregate.xlsx")
    cells = [
        str(c)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert any(sheet.title == "participation_by_side" for sheet in workbook)
    secrets_held = personal_values(client, env)
    assert len(secrets_held) > 40
    digits = {"".join(ch for ch in v if ch.isdigit()) for v in secrets_held if v.startswith("+")}
    for value in secrets_held:
        assert value not in text, value
        assert not any(value in cell for cell in cells), value
    for number in digits:
        assert number not in text.replace(" ", "") and not any(number in c for c in cells)

    alpha = document["tenants"][0]
    participation = {(row["side"], row["status"]): row for row in alpha["participation_by_side"]}
    assert participation[("government", "attended")] == {
        "side": "government",
        "status": "attended",
        "people": None,
        "suppressed": True,
    }
    assert participation[("non_governmental", "attended")]["people"] == 6
    assert participation[("non_governmental", "attended")]["suppressed"] is False
    sides = {row["side"]: row["count"] for row in alpha["organizations_by_side"]}
    assert sides["government"] >= 1 and sides["non_governmental"] >= 1
    months = {(r["meeting_type"], r["month"]): r["count"] for r in alpha["meetings_by_type_and_month"]}
    # 16:00 UTC on 10 February is the same day in Mexico City.
    assert months[("launch", "2026-02")] >= 1
    assert any(r["topic_code"] and r["status"] == "proposed" for r in alpha["actions_by_topic_and_status"])
    # The workbook shows the suppressed cell empty and flagged.
    sheet = workbook["participation_by_side"]
    rows = [
        r for r in sheet.iter_rows(values_only=True) if r[:4] == ("alpha", "MEX", "government", "attended")
    ]
    assert rows == [("alpha", "MEX", "government", "attended", None, True)]


def test_a_chosen_tenant_only(client, env, tmp_path):
    result = invoke(env, "--tenant", "beta", "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "aggregate.json").read_text(encoding="utf-8"))
    assert [t["tenant"] for t in document["tenants"]] == ["beta"]


def test_bad_input_is_one_line(env, tmp_path):
    unknown = invoke(env, "--tenant", "nowhere", "--output", str(tmp_path))
    assert unknown.exit_code == 1
    assert unknown.output.strip().splitlines() == ["error: unknown tenant 'nowhere' (known: alpha, beta)"]
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    not_a_dir = invoke(env, "--output", str(a_file))
    assert not_a_dir.exit_code == 1
    assert not_a_dir.output.strip().splitlines() == [f"error: --output {a_file} is not a directory"]
    assert not (tmp_path / "aggregate.json").exists()
