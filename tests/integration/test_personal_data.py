"""A data subject's rights through HTTP and the command line: coordinators export everything held
about a contact (audited) and erase it; afterwards no original value is left anywhere in the tenant
database (its files on SQLite, every row on both backends), meetings and the dashboard still add up,
and the audit chain still verifies."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import sqlite3

import asyncpg
import pytest
from click.testing import CliRunner

from core.cli.main import cli
from core.testing.web import sign_in

API = "/t/alpha/api/v1"
PARTICIPANTS = ("government", "ngo", "observer")


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def create(client, env, kind: str, body: dict, role: str = "coordinator") -> dict:
    response = client.post(f"{API}/{kind}", json=body, headers=env.headers("alpha", role))
    assert response.status_code == 201, response.text
    return response.json()


def meeting_body(title: str) -> dict:
    return {
        "title": title,
        "meeting_type": "thematic_session",
        "mode": "in_person",
        "starts_at": "2025-03-04T10:00:00-06:00",
        "ends_at": "2025-03-04T12:00:00-06:00",
    }


def cli_args(env) -> list[str]:
    settings = env.registry.settings
    return ["--tenants-dir", str(settings.tenants_dir), "--data-dir", str(settings.data_dir)]


# -- export ---------------------------------------------------------------------------------------


def test_coordinators_export_everything_held_about_a_contact_and_the_export_is_audited(client, env):
    h = env.headers("alpha", "coordinator")
    org = create(client, env, "organizations", {"name": unique("Observatorio "), "sector": "academia"})
    contact = create(
        client,
        env,
        "contacts",
        {"first_name": "Irene", "last_name": unique("Salgado"), "organization": org["id"], "mx_state": "OAX"},
    )
    meeting = create(client, env, "meetings", meeting_body(unique("Foro ")))
    client.put(
        f"{API}/meetings/{meeting['id']}/attendees/{contact['id']}", json={"status": "attended"}, headers=h
    )

    response = client.get(f"{API}/contacts/{contact['id']}/personal-data", headers=h)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["contact"]["last_name"] == contact["last_name"] and data["contact"]["mx_state"] == "OAX"
    assert data["organization"]["name"] == org["name"]
    assert [(m["title"], m["status"]) for m in data["meetings"]] == [(meeting["title"], "attended")]
    assert data["meetings"][0]["starts_at"].startswith("2025-03-04")
    assert [e["action"] for e in data["audit"]] == ["create"]
    assert [(e["entity"], e["entity_id"]) for e in data["audit_mentions"]] == [("meeting", meeting["id"])]

    entries = client.get(f"{API}/audit", params={"entity": "contact", "entity_id": contact["id"]}, headers=h)
    assert "export_personal_data" in [e["action"] for e in entries.json()]

    browser = sign_in(client, env, "alpha", "coordinator", locale="en")
    page = browser.get(f"/contacts/{contact['id']}")
    assert f'href="/t/alpha/contacts/{contact["id"]}/personal-data"' in page.text
    assert "Download personal data (JSON)" in page.text
    download = browser.get(f"/contacts/{contact['id']}/personal-data")
    assert download.status_code == 200 and download.headers["content-type"].startswith("application/json")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert json.loads(download.text)["contact"]["id"] == contact["id"]


@pytest.mark.parametrize("role", PARTICIPANTS)
def test_nobody_else_may_export_or_erase(client, env, role):
    contact = create(client, env, "contacts", {"first_name": "Olga", "last_name": unique("Ferrer")})
    h = env.headers("alpha", role)
    for response in (
        client.get(f"{API}/contacts/{contact['id']}/personal-data", headers=h),
        client.post(f"{API}/contacts/{contact['id']}/erase", headers=h),
    ):
        assert response.status_code == 403
        assert contact["last_name"] not in response.text
    browser = sign_in(client, env, "alpha", role, locale="en")
    page = browser.get(f"/contacts/{contact['id']}")
    assert "/personal-data" not in page.text and "/erase" not in page.text
    assert browser.get(f"/contacts/{contact['id']}/personal-data").status_code == 403
    assert browser.get(f"/contacts/{contact['id']}/erase").status_code == 403
    assert browser.post(f"/contacts/{contact['id']}/erase").status_code == 403
    assert (
        client.get(f"{API}/contacts/{contact['id']}", headers=h).json()["last_name"] == contact["last_name"]
    )


# -- erasure --------------------------------------------------------------------------------------


def sqlite_hits(env, values: list[str]) -> list[str]:
    """Values found in the tenant's database file, its write-ahead log, or any text of any row."""
    path = env.registry.settings.data_dir / "alpha.sqlite3"
    raw = path.read_bytes() + (
        path.with_name(path.name + "-wal").read_bytes()
        if path.with_name(path.name + "-wal").exists()
        else b""
    )
    found = [v for v in values if v.encode("utf-8") in raw or v.lower().encode("utf-8") in raw]
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from the catalog
                text = " ".join(str(cell) for cell in row).casefold()
                found += [f"{table}: {v}" for v in values if v.casefold() in text]
    finally:
        conn.close()
    return found


def postgres_hits(env, values: list[str]) -> list[str]:
    """Values found in any row of any table of the tenant's database, dumped as JSON text."""
    (url,) = [u for u in env.databases if "alpha" in u]

    async def scan() -> list[str]:
        conn = await asyncpg.connect(url)
        try:
            tables = await conn.fetch(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
            found = []
            for (table,) in tables:
                query = f'SELECT row_to_json(t)::text FROM "{table}" t'  # noqa: S608 - catalog names
                for (text,) in await conn.fetch(query):
                    found += [f"{table}: {v}" for v in values if v.casefold() in text.casefold()]
            return found
        finally:
            await conn.close()

    return asyncio.run(scan())


def attendance_row(html: str, meeting_id: int) -> str:
    match = re.search(rf'<tr data-meeting="{meeting_id}">.*?</tr>', html, re.DOTALL)
    assert match, "the meeting is not in the dashboard's attendance table"
    return match.group(0)


def test_erasure_leaves_no_original_value_anywhere_and_keeps_the_figures(client, env):
    h = env.headers("alpha", "coordinator", "en")
    org = create(client, env, "organizations", {"name": unique("Colectivo "), "sector": "ngo"})
    first, last = unique("Xochiquetzal"), unique("Ibarrondo")
    originals = {
        "first_name": first,
        "last_name": last,
        "position": unique("Defensora comunitaria "),
        "emails": [f"{last.lower()}@example.org"],
        "phones": ["+52 55 4821 7390"],
    }
    contact = create(client, env, "contacts", {**originals, "organization": org["id"], "mx_state": "CHP"})
    meeting = create(client, env, "meetings", meeting_body(unique("Audiencia ")))
    put = client.put(
        f"{API}/meetings/{meeting['id']}/attendees/{contact['id']}", json={"status": "attended"}, headers=h
    )
    assert put.status_code == 200
    second_email, second_position = f"{first.lower()}@example.net", unique("Coordinadora regional ")
    record = contact
    for change in ({"emails": [second_email]}, {"position": second_position, "phones": ["+52 33 1907 6624"]}):
        response = client.patch(
            f"{API}/contacts/{contact['id']}", json={**change, "version": record["version"]}, headers=h
        )
        assert response.status_code == 200, response.text
        record = response.json()
    values = [first, last, originals["position"], originals["emails"][0], second_email, second_position]
    values += ["+525548217390", "+523319076624"]  # the phones as stored (E.164)

    coordinator = sign_in(client, env, "alpha", "coordinator", locale="en")
    dashboard_before = coordinator.get("/")
    attendees_before = client.get(f"{API}/meetings/{meeting['id']}/attendees", headers=h).json()

    erased = client.post(f"{API}/contacts/{contact['id']}/erase", headers=h)
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["erased"] is True and body["label"] == "Erased contact" and body["erased_at"]
    assert body["first_name"] == body["last_name"] == body["position"] == ""
    assert body["emails"] == body["phones"] == body["roles"] == [] and "mx_state" not in body
    assert body["organization"] == org["id"] and body["version"] == record["version"] + 1
    assert body["archived_at"] is not None

    scan = sqlite_hits if env.backend == "sqlite" else postgres_hits
    assert scan(env, values) == []
    assert scan(env, [org["name"]]) != []  # the scan does find what is still there

    attendees_after = client.get(f"{API}/meetings/{meeting['id']}/attendees", headers=h).json()
    assert len(attendees_after) == len(attendees_before) == 1
    assert attendees_after[0]["side"] == attendees_before[0]["side"] == "non_governmental"
    assert attendees_after[0]["status"] == "attended" and attendees_after[0]["label"] == "Erased contact"
    dashboard_after = coordinator.get("/")
    assert attendance_row(dashboard_after.text, meeting["id"]) == attendance_row(
        dashboard_before.text, meeting["id"]
    )
    meeting_page = coordinator.get(f"/meetings/{meeting['id']}")
    assert "Erased contact" in meeting_page.text

    assert client.post(f"{API}/contacts/{contact['id']}/erase", headers=h).status_code == 409
    patch = client.patch(
        f"{API}/contacts/{contact['id']}", json={"version": body["version"], "first_name": "X"}, headers=h
    )
    assert patch.status_code == 409
    for params in ({"q": last}, {"include_archived": "true", "limit": 200}, {"organization": org["id"]}):
        items = client.get(f"{API}/contacts", params=params, headers=h).json()["items"]
        assert contact["id"] not in [c["id"] for c in items], params

    entries = client.get(f"{API}/audit", params={"entity": "contact", "entity_id": contact["id"]}, headers=h)
    by_action = {e["action"]: e for e in entries.json()}
    assert by_action["erase"]["redacted"] is False and by_action["update"]["redacted"] is True
    assert not [v for v in values if v in entries.text]

    verify = CliRunner().invoke(cli, [*cli_args(env), "audit", "verify", "--tenant", "alpha"])
    assert verify.exit_code == 0, verify.output
    assert "chain intact" in verify.output


def test_the_erase_page_asks_first_and_erases_on_a_posted_form(client, env):
    contact = create(client, env, "contacts", {"first_name": "Marta", "last_name": unique("Quiroga")})
    browser = sign_in(client, env, "alpha", "coordinator", locale="en")
    confirm = browser.get(f"/contacts/{contact['id']}/erase")
    assert confirm.status_code == 200 and 'name="_csrf_token"' in confirm.text
    assert contact["last_name"] in confirm.text
    refused = browser.post(f"/contacts/{contact['id']}/erase", csrf=False)
    assert refused.status_code == 403
    done = browser.post(f"/contacts/{contact['id']}/erase", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith(f"/contacts/{contact['id']}")
    page = browser.get(f"/contacts/{contact['id']}")
    assert "Erased contact" in page.text and "Personal data erased." in page.text
    assert contact["last_name"] not in page.text and "/erase" not in page.text


def test_the_command_line_exports_and_erases(client, env, tmp_path):
    contact = create(client, env, "contacts", {"first_name": "Berta", "last_name": unique("Olmedo")})
    output = tmp_path / "subject.json"
    export = CliRunner().invoke(
        cli,
        [
            *cli_args(env),
            "contacts",
            "export",
            "--tenant",
            "alpha",
            "--id",
            str(contact["id"]),
            "--output",
            str(output),
        ],
    )
    assert export.exit_code == 0, export.output
    assert json.loads(output.read_text(encoding="utf-8"))["contact"]["last_name"] == contact["last_name"]

    refused = CliRunner().invoke(
        cli,
        [*cli_args(env), "contacts", "erase", "--tenant", "alpha", "--id", str(contact["id"])],
        input="n\n",
    )
    assert refused.exit_code == 1 and "nothing changed" in refused.output
    erase = [*cli_args(env), "contacts", "erase", "--tenant", "alpha", "--id", str(contact["id"]), "--yes"]
    assert CliRunner().invoke(cli, erase).exit_code == 0
    again = CliRunner().invoke(cli, erase)
    assert again.exit_code == 1 and "already erased" in again.output
    shown = client.get(f"{API}/contacts/{contact['id']}", headers=env.headers("alpha", "coordinator"))
    assert shown.json()["last_name"] == "" and shown.json()["erased"] is True
