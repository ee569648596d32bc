"""List exports through HTTP, on every backend: CSV and XLSX, chosen columns, headers in the
reader's language, times in the tenant's time zone (typed cells in XLSX), formula cells
neutralized, UTF-8 that spreadsheets read, protected contacts left out for all but coordinators and
their creator, and the page that chooses the columns."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import datetime

import openpyxl
import pytest

from core.organizations.tables import Organization
from core.tenancy.context import tenant_context
from core.testing.web import sign_in
from tests.support import translation

API = "/t/alpha/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Every start a spreadsheet reads as a formula (or that turns into one when retyped).
FORMULAS = ("=1+2", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1")


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def rows_of(response) -> list[list]:
    """The file's rows (header first), read back with the csv module or openpyxl."""
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/csv"):
        assert response.content.startswith(b"\xef\xbb\xbf")  # a byte-order mark: spreadsheets read UTF-8
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert response.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [["" if v is None else v for v in row] for row in book.active.iter_rows(values_only=True)]


def export(client, env, kind: str, role: str = "coordinator", locale: str = "es", **params):
    headers = env.headers("alpha", role, locale)
    return client.get(f"{API}/{kind}/export", params=params, headers=headers)


@pytest.fixture(scope="module")
def marked(client, env) -> str:
    """Organizations whose names start like formulas, plus one in Arabic with accents: one tag finds
    them. Forms trim what people type, so the names starting with a tab or a carriage return (as an
    import or an older version might have stored them) are written straight to the database."""
    tag = unique("Exp")
    h = env.headers("alpha", "coordinator")
    created = {}
    for name in (*FORMULAS, "مؤسسة العدالة Fundação Ñandú"):
        body = {"name": f"{name.strip()} {tag}", "sector": "ngo", "city": "São Tomé"}
        response = client.post(f"{API}/organizations", json=body, headers=h)
        assert response.status_code == 201, response.text
        created[name] = response.json()["id"]

    async def untrimmed() -> None:
        with tenant_context(env.registry.get("alpha")):
            for name in FORMULAS:
                if name != name.strip():
                    await Organization.update({Organization.name: f"{name} {tag}"}).where(
                        Organization.id == created[name]
                    )

    client.blocking_portal.call(untrimmed)
    return tag


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_cells_are_neutralized_and_text_survives(client, env, marked, fmt):
    rows = rows_of(export(client, env, "organizations", q=marked, format=fmt, columns="name,city"))
    header, body = rows[0], rows[1:]
    assert header == [translation("es", "Name"), translation("es", "City")]
    # A carriage return is stored escaped in XLSX (``_x000D_``, which spreadsheets read back as one);
    # openpyxl leaves inline strings escaped.
    names = sorted(row[0].replace("_x000D_", "\r") for row in body)
    assert names == sorted(
        [f"'{start} {marked}" for start in FORMULAS] + [f"مؤسسة العدالة Fundação Ñandú {marked}"]
    )
    assert {row[1] for row in body} == {"São Tomé"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_headers_follow_the_reader_language_and_columns_their_order(client, env, marked, fmt):
    rows = rows_of(
        export(client, env, "organizations", locale="en", q=marked, format=fmt, columns=["sector", "id"])
    )
    assert rows[0] == ["Sector", "ID"]
    assert len(rows) == len(FORMULAS) + 2
    assert {row[0] for row in rows[1:]} == {"Non-governmental organization"}  # a choice by its label
    every = rows_of(export(client, env, "organizations", q=marked, format=fmt))
    assert every[0][0] == translation("es", "ID") and translation("es", "Website") in every[0]


def test_unknown_column_or_format_is_a_field_error(client, env):
    response = export(client, env, "organizations", locale="en", columns="name,salary")
    assert response.status_code == 400
    assert response.json()["errors"]["columns"] == ["Unknown column: salary."]
    response = export(client, env, "contacts", locale="es", format="pdf")
    assert response.status_code == 400 and "pdf" in response.json()["errors"]["format"][0]


def test_times_are_in_the_tenant_zone_iso_in_csv_typed_in_xlsx(client, env):
    title = unique("Reunión ")
    meeting = client.post(
        f"{API}/meetings",
        json={
            "title": title,
            "meeting_type": "launch",
            "mode": "online",
            "starts_at": "2025-05-06T16:30:00+00:00",
            "ends_at": "2025-05-06T18:00:00+00:00",
        },
        headers=env.headers("alpha", "coordinator"),
    )
    assert meeting.status_code == 201, meeting.text
    csv_rows = rows_of(export(client, env, "meetings", q=title, columns="title,starts_at,ends_at"))
    assert csv_rows[1] == [title, "2025-05-06T10:30-06:00", "2025-05-06T12:00-06:00"]  # Mexico City
    xlsx_rows = rows_of(
        export(client, env, "meetings", q=title, format="xlsx", columns="title,starts_at,ends_at")
    )
    assert xlsx_rows[1] == [title, datetime(2025, 5, 6, 10, 30), datetime(2025, 5, 6, 12, 0)]


@pytest.fixture(scope="module")
def protected(client, env) -> tuple[str, dict]:
    """A protected contact created by the government participant, next to an unprotected one."""
    last = unique("Quintanar")
    h = env.headers("alpha", "government")
    contact = client.post(
        f"{API}/contacts", json={"first_name": "Esmeralda", "last_name": last, "protected": True}, headers=h
    )
    assert contact.status_code == 201, contact.text
    visible = {"first_name": "Abril", "last_name": last + "x"}
    assert client.post(f"{API}/contacts", json=visible, headers=h).status_code == 201
    return last, contact.json()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("role", "sees"), [("coordinator", True), ("government", True), ("ngo", False)])
def test_protected_contacts_are_left_out_for_everyone_but_coordinators_and_creator(
    client, env, protected, fmt, role, sees
):
    last, contact = protected
    response = export(client, env, "contacts", role=role, q=last, format=fmt)
    rows = rows_of(response)
    ids = [row[0] if fmt == "xlsx" else int(row[0]) for row in rows[1:]]
    assert (contact["id"] in ids) is sees
    assert len(ids) == (2 if sees else 1)  # no placeholder row either
    assert ("Esmeralda" in [cell for row in rows for cell in row]) is sees


def test_the_page_chooses_columns_then_downloads_csv_or_xlsx(client, env, marked):
    browser = sign_in(client, env, "alpha", "observer", "es")
    listed = browser.get("/t/alpha/organizations", params={"q": marked})
    assert f"/t/alpha/organizations/export?q={marked}" in listed.text
    choice = browser.get("/t/alpha/organizations/export", params={"q": marked})
    assert choice.status_code == 200
    assert 'name="columns" value="city" checked' in choice.text
    assert f'name="q" value="{marked}"' in choice.text and "/organizations/export.xlsx" in choice.text
    for fmt in ("csv", "xlsx"):
        response = browser.get(
            f"/t/alpha/organizations/export.{fmt}",
            params=[("q", marked), ("columns", "city"), ("columns", "id")],
        )
        assert response.headers["content-disposition"].endswith(f'.{fmt}"')
        rows = rows_of(response)
        assert (
            rows[0] == [translation("es", "City"), translation("es", "ID")] and len(rows) == len(FORMULAS) + 2
        )
    for page in ("export", "export.csv"):
        bad = browser.get(f"/t/alpha/organizations/{page}", params={"columns": "nope"})
        assert bad.status_code == 400 and "Columna desconocida: nope." in bad.text


def test_references_export_the_referenced_names_archived_ones_too(client, env):
    tag = unique("Ref")
    h = env.headers("alpha", "coordinator")

    def made(path: str, body: dict) -> dict:
        response = client.post(f"{API}/{path}", json=body, headers=h)
        assert response.status_code == 201, response.text
        return response.json()

    lead = made("organizations", {"name": f"=Ministerio {tag}", "sector": "government_ministry"})
    partners = [made("organizations", {"name": f"Red {n} {tag}", "sector": "ngo"}) for n in ("A", "B")]
    meeting = made(
        "meetings",
        {
            "title": f"Mesa {tag}",
            "meeting_type": "launch",
            "mode": "online",
            "starts_at": "2025-05-06T16:30:00Z",
            "ends_at": "2025-05-06T18:00:00Z",
        },
    )
    made(
        "actions",
        {
            "title": f"Plan {tag}",
            "government_lead": lead["id"],
            "partners": [p["id"] for p in partners],
            "origin_meeting": meeting["id"],
        },
    )
    archived = client.post(f"{API}/organizations/{lead['id']}/archive", headers=h)
    assert archived.status_code == 200, archived.text
    columns = "title,government_lead,partners,origin_meeting"
    for fmt in ("csv", "xlsx"):
        rows = rows_of(export(client, env, "actions", q=f"Plan {tag}", format=fmt, columns=columns))
        assert rows[1] == [
            f"Plan {tag}",
            f"'=Ministerio {tag}",  # still named once archived, and neutralized like any text
            f"Red A {tag}; Red B {tag}",
            f"Mesa {tag}",
        ]
    made("contacts", {"first_name": "Ana", "last_name": f"Ruiz {tag}", "organization": partners[0]["id"]})
    rows = rows_of(export(client, env, "contacts", q=f"Ruiz {tag}", columns="last_name,organization"))
    assert rows[1] == [f"Ruiz {tag}", f"Red A {tag}"]


@pytest.mark.parametrize(("role", "sees"), [("coordinator", True), ("government", True), ("ngo", False)])
def test_a_protected_contact_never_leaks_through_a_reference(client, env, protected, role, sees):
    last, contact = protected
    h = env.headers("alpha", "coordinator")
    network = client.post(f"{API}/networks", json={"name": unique("Red "), "scope": "national"}, headers=h)
    assert network.status_code == 201, network.text
    organization = client.post(
        f"{API}/organizations", json={"name": unique("Colectivo "), "sector": "ngo"}, headers=h
    )
    membership = client.post(
        f"{API}/networks/memberships",
        json={
            "network": network.json()["id"],
            "organization": organization.json()["id"],
            "role": "member",
            "focal_point": contact["id"],
        },
        headers=h,
    )
    assert membership.status_code == 201, membership.text
    rows = rows_of(
        export(
            client,
            env,
            "networks/memberships",
            role=role,
            locale="en",
            network=str(network.json()["id"]),
            columns="network,focal_point",
        )
    )
    expected = f"{last}, Esmeralda" if sees else "Protected contact"
    assert rows[1:] == [[network.json()["name"], expected]]
    assert all(last not in cell for row in rows for cell in row) is not sees


@pytest.fixture(scope="module")
def attended(client, env, protected) -> dict:
    """A meeting attended by the protected contact and by a visible one whose name is a formula."""
    h = env.headers("alpha", "coordinator")
    tag = unique("Asist")
    org = client.post(f"{API}/organizations", json={"name": f"Fiscalía {tag}", "sector": "ngo"}, headers=h)
    visible = client.post(
        f"{API}/contacts",
        json={
            "first_name": "=HYPERLINK(1)",
            "last_name": f"Núñez {tag}",
            "organization": org.json()["id"],
            "emails": [f"nunez.{tag.lower()}@example.org"],
        },
        headers=h,
    )
    assert visible.status_code == 201, visible.text
    meeting = client.post(
        f"{API}/meetings",
        json={
            "title": f"Taller {tag}",
            "meeting_type": "launch",
            "mode": "online",
            "starts_at": "2025-05-06T16:30Z",
            "ends_at": "2025-05-06T18:00Z",
        },
        headers=h,
    )
    assert meeting.status_code == 201, meeting.text
    meeting_id = meeting.json()["id"]
    for contact, status in ((visible.json()["id"], "attended"), (protected[1]["id"], "confirmed")):
        put = client.put(
            f"{API}/meetings/{meeting_id}/attendees/{contact}", json={"status": status}, headers=h
        )
        assert put.status_code == 200, put.text
    return {"id": meeting_id, "tag": tag}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("role", "sees"), [("coordinator", True), ("government", True), ("ngo", False)])
def test_attendees_export_as_the_meeting_page_lists_them(client, env, attended, protected, fmt, role, sees):
    last, _ = protected
    tag = attended["tag"]
    headers = env.headers("alpha", role, "es")
    response = client.get(
        f"{API}/meetings/{attended['id']}/attendees/export", params={"format": fmt}, headers=headers
    )
    rows = rows_of(response)
    assert response.headers["content-disposition"].endswith(f'.{fmt}"')
    assert rows[0] == [
        translation("es", label)
        for label in ("Contact", "Organization at the time", "Side", "Email addresses", "Attendance")
    ]
    assert rows[1] == [
        f"'=HYPERLINK(1) Núñez {tag}",
        f"Fiscalía {tag}",
        translation("es", "Non-governmental"),
        f"nunez.{tag.lower()}@example.org",
        translation("es", "Attended"),
    ]
    confirmed = translation("es", "Confirmed", context="attendance")
    hidden = [translation("es", "Protected contact"), "", "", "", confirmed]
    assert rows[2] == ([f"Esmeralda {last}", "", "", "", confirmed] if sees else hidden)
    assert len(rows) == 3


def test_attendees_export_from_the_meeting_page_and_refusals(client, env, attended):
    browser = sign_in(client, env, "alpha", "observer", "en")
    page = browser.get(f"/t/alpha/meetings/{attended['id']}")
    assert f"/t/alpha/meetings/{attended['id']}/attendees/export.xlsx" in page.text
    for fmt in ("csv", "xlsx"):
        rows = rows_of(browser.get(f"/t/alpha/meetings/{attended['id']}/attendees/export.{fmt}"))
        assert rows[0][0] == "Contact" and len(rows) == 3 and rows[2][0] == "Protected contact"
    assert browser.get("/t/alpha/meetings/999999999/attendees/export.csv").status_code == 404
    bad = client.get(
        f"{API}/meetings/{attended['id']}/attendees/export",
        params={"format": "pdf"},
        headers=env.headers("alpha", "coordinator", "en"),
    )
    assert bad.status_code == 400 and bad.json()["errors"]["format"] == ["Unknown file format: pdf."]
