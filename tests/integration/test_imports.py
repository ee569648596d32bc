"""Imports through the pages and the CLI, on every backend: a file (CSV in any encoding and
delimiter people produce, or XLSX) read in any of the tenant's languages, mapped, judged line by
line in a dry run, committed all or nothing, and undone; matches within the file and against the
database; the rejected lines as a file; formula-looking text kept as text; a round trip through the
product's own export into an empty tenant; refusals for other roles and other tenants."""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from markupsafe import escape

from core.accounts.roles import COORDINATOR, ROLES, Actor
from core.cli.main import cli
from core.imports.service import ImportService
from core.imports.tables import ImportBatch
from core.tenancy.context import tenant_context
from core.testing.environment import TenantSpec
from core.testing.pytest_plugin import DEFAULT_SPECS
from core.testing.web import sign_in
from tests.support import translation

API = "/t/alpha/api/v1"
# An empty tenant with alpha's plugins and languages: the round trip imports alpha's export there.
GAMMA = TenantSpec(
    "gamma",
    country="MEX",
    default_locale="es",
    locales=("es", "en"),
    timezone="America/Mexico_City",
    plugins=("mexico", "networks", "engagement"),
)
CONTACT_HEADER = ["Nombre", "Apellido", "Correo electrónico", "Teléfono", "Organización", "Cargo"]
CONTACT_MAPPING = {
    0: "first_name",
    1: "last_name",
    2: "emails",
    3: "phones",
    4: "organization",
    5: "position",
}
# Text a spreadsheet would run as a formula: stored as given, exported behind an apostrophe.
FORMULAS = ("=1+2", "+SUM(A1)", "-2+3", "@SUM(A1)")
# What people's spreadsheets save CSV as ("utf-16" writes a byte-order mark), and how they split it.
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def pilot_crm_tenants() -> list[TenantSpec]:
    return [*DEFAULT_SPECS, GAMMA]


# --- helpers --------------------------------------------------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(3)}"


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def wait(browser, batch_id: int, until: tuple[str, ...] = (), timeout: float = 60) -> str:
    """Poll the batch's progress fragment until it says the phase is over; the batch page then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragment = browser.get(f"/imports/{batch_id}/progress", headers={"HX-Request": "true"})
        assert fragment.status_code == 200, fragment.text
        if fragment.headers.get("HX-Refresh") == "true":
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"batch {batch_id} still under way after {timeout} s")
    page = browser.get(f"/imports/{batch_id}")
    assert page.status_code == 200
    return page.text


def start(browser, content: bytes, filename: str, entity: str = "contact", saved: str = "") -> int:
    browser.get("/imports")
    fields = {"entity": entity, **({"saved_mapping": saved} if saved else {})}
    response = browser.upload(
        "/imports", fields, {"file": (filename, content, "text/csv")}, follow_redirects=False
    )
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].rsplit("/", 1)[1])


def selected(page: str) -> dict[int, str]:
    """The field each column's select has chosen (columns left unmapped are absent)."""
    chosen = {}
    for index, options in re.findall(r'name="column_(\d+)"[^>]*>(.*?)</select>', page, re.S):
        found = re.search(r'<option value="([^"]*)" selected', options)
        if found and found.group(1):
            chosen[int(index)] = found.group(1)
    return chosen


def plan(browser, batch: int, mapping: dict[int, str], on_duplicate: str = "skip", save_as: str = "") -> str:
    """Send the mapping and the choice for matches; the batch page once the dry run is over."""
    fields = {f"column_{i}": name for i, name in mapping.items()}
    response = browser.post(
        f"/imports/{batch}/plan",
        {**fields, "on_duplicate": on_duplicate, "save_as": save_as},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:3000]
    page = wait(browser, batch)
    assert 'id="import-commit"' in page, page[:5000]
    return page


def commit(browser, batch: int) -> str:
    response = browser.post(f"/imports/{batch}/commit", {}, follow_redirects=False)
    assert response.status_code == 303, response.text[:3000]
    return wait(browser, batch)


def imported(browser, content: bytes, filename: str, mapping: dict[int, str], **options) -> int:
    """A file planned and committed; the batch id."""
    batch = start(browser, content, filename, options.pop("entity", "contact"))
    plan(browser, batch, mapping, **options)
    assert "import-undo" in commit(browser, batch)
    return batch


def counts(page: str) -> dict[str, int]:
    """The dry run's counts the page shows, by action."""
    found = re.findall(r'data-action="(\w+)">[^<]*<strong>([^<]*)</strong>', page)
    return {action: int(re.sub(r"\D", "", number)) for action, number in found}


def actions(page: str) -> dict[int, str]:
    """Line number → the action the dry run chose for it, as the page lists them."""
    return {int(line): action for action, line in re.findall(r'class="import-(\w+)" data-line="(\d+)"', page)}


def search(client, env, kind: str, q: str, slug: str = "alpha") -> list[dict]:
    response = client.get(
        f"/t/{slug}/api/v1/{kind}", params={"q": q, "limit": 200}, headers=env.headers(slug, COORDINATOR)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def create(client, env, kind: str, body: dict) -> dict:
    response = client.post(f"{API}/{kind}", json=body, headers=env.headers("alpha", COORDINATOR))
    assert response.status_code == 201, response.text
    return response.json()


def rows_of(content: bytes, fmt: str) -> list[list]:
    """A downloaded CSV or XLSX file's rows, header first."""
    if fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [["" if v is None else v for v in row] for row in book.active.iter_rows(values_only=True)]


def audit(client, env, entity: str, entity_id: int) -> list[dict]:
    """The audit log's entries about one record (or batch), newest first."""
    response = client.get(
        f"{API}/audit",
        params={"entity": entity, "entity_id": entity_id},
        headers=env.headers("alpha", COORDINATOR),
    )
    assert response.status_code == 200, response.text
    return response.json()


def es(msgid: str, **params: object) -> str:
    text = translation("es", msgid)
    for key, value in params.items():
        text = text.replace("{" + key + "}", str(value))
    return text


# --- the first end to end run ---------------------------------------------------------------------


def test_spanish_csv_is_mapped_planned_committed_and_undone(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Imp")
    create(client, env, "organizations", {"name": f"Fiscalía {tag}", "sector": "prosecution_judiciary"})
    create(
        client,
        env,
        "contacts",
        {"first_name": "Ana", "last_name": f"Ruiz{tag}", "emails": [f"ana.{tag.lower()}@example.org"]},
    )
    rows = [
        CONTACT_HEADER,
        [
            "Luis",
            f"Pérez{tag}",
            f"luis.{tag.lower()}@example.org",
            "+52 55 1234 5678",
            f"Fiscalía {tag}",
            "=1+2",
        ],
        ["Ana", f"Ruiz{tag}", f"ana.{tag.lower()}@example.org", "", "", "Directora"],
        ["Eva", f"Mal{tag}", "", "12", "", ""],
    ]
    batch = start(browser, csv_bytes(rows), "personas.csv")
    assert selected(browser.get(f"/imports/{batch}").text) == CONTACT_MAPPING
    page = plan(browser, batch, CONTACT_MAPPING, "update")
    assert counts(page) == {"create": 1, "update": 1, "skip": 0, "error": 1}
    assert actions(page) == {2: "create", 3: "update", 4: "error"}
    assert "import-undo" in commit(browser, batch)
    found = search(client, env, "contacts", tag)
    assert sorted(c["last_name"] for c in found) == [f"Pérez{tag}", f"Ruiz{tag}"]
    luis = next(c for c in found if c["last_name"] == f"Pérez{tag}")
    assert luis["position"] == "=1+2" and luis["phones"] == ["+525512345678"]
    ana = next(c for c in found if c["last_name"] == f"Ruiz{tag}")
    assert ana["position"] == "Directora"
    # Audited as one batch: an entry per record, and the batch's own.
    assert [e["action"] for e in audit(client, env, "contact", luis["id"])] == ["create"]
    assert [e["action"] for e in audit(client, env, "contact", ana["id"])] == ["update", "create"]
    assert [e["action"] for e in audit(client, env, "import", batch)] == ["commit"]
    response = browser.post(f"/imports/{batch}/undo", {}, follow_redirects=False)
    assert response.status_code == 303, response.text[:3000]
    assert [e["action"] for e in audit(client, env, "import", batch)] == ["undo", "commit"]
    assert [e["action"] for e in audit(client, env, "contact", luis["id"])] == ["delete", "create"]
    found = search(client, env, "contacts", tag)
    assert [c["last_name"] for c in found] == [f"Ruiz{tag}"]
    assert found[0]["position"] == ""


# --- files, values and matches --------------------------------------------------------------------


def test_xlsx_file_is_imported_with_typed_cells(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Xls")
    rows = [
        ["Nombre", "Apellido", "Correo electrónico", "Cargo"],
        ["Luis", f"Pérez{tag}", f"luis.{tag.lower()}@example.org", "Fiscal"],
        ["Rosa", f"Díaz{tag}", None, 2024],  # a number typed in a spreadsheet is text here
        [None, None, None, None],  # an empty row is no line
        ["Eva", f"Ñandú{tag}", f"eva.{tag.lower()}@example.org; eva2.{tag.lower()}@example.org", None],
    ]
    batch = start(browser, xlsx_bytes(rows), "personas.xlsx")
    mapping = {0: "first_name", 1: "last_name", 2: "emails", 3: "position"}
    assert selected(browser.get(f"/imports/{batch}").text) == mapping
    page = plan(browser, batch, mapping)
    assert counts(page) == {"create": 3, "update": 0, "skip": 0, "error": 0}
    commit(browser, batch)
    found = {c["last_name"]: c for c in search(client, env, "contacts", tag)}
    assert sorted(found) == sorted([f"Pérez{tag}", f"Díaz{tag}", f"Ñandú{tag}"])
    assert found[f"Díaz{tag}"]["position"] == "2024" and found[f"Díaz{tag}"]["emails"] == []
    assert found[f"Ñandú{tag}"]["emails"] == [
        f"eva.{tag.lower()}@example.org",
        f"eva2.{tag.lower()}@example.org",
    ]


def test_organizations_take_sector_by_spanish_label_and_country_by_name(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Org")
    ngo, ministry = es("Non-governmental organization"), es("Government ministry")
    rows = [
        ["Nombre", "Sector", "País", "Ciudad"],
        [f"Red {tag}", ngo, "México", "Oaxaca"],
        [f"Ministerio {tag}", ministry.upper(), "angola", "Luanda"],
        [f"Marte {tag}", "Marciano", "Atlántida", ""],
    ]
    batch = start(browser, csv_bytes(rows), "organizaciones.csv", "organization")
    mapping = {0: "name", 1: "sector", 2: "country", 3: "city"}
    assert selected(browser.get(f"/imports/{batch}").text) == mapping
    page = plan(browser, batch, mapping)
    assert counts(page)["create"] == 2 and actions(page)[4] == "error"
    assert es("“{value}” is not one of this field's choices.", value="Marciano") in page
    assert es("“{value}” is not a country this product knows.", value="Atlántida") in page
    commit(browser, batch)
    found = {o["name"]: o for o in search(client, env, "organizations", tag)}
    assert sorted(found) == sorted([f"Red {tag}", f"Ministerio {tag}"])
    assert (found[f"Red {tag}"]["sector"], found[f"Red {tag}"]["country"]) == ("ngo", "MEX")
    assert (found[f"Ministerio {tag}"]["sector"], found[f"Ministerio {tag}"]["country"]) == (
        "government_ministry",
        "AGO",
    )


@pytest.mark.parametrize(
    ("on_duplicate", "expected", "positions"),
    [
        ("skip", {"create": 1, "skip": 1}, ["Directora"]),
        ("update", {"create": 1, "update": 1}, ["Fiscal"]),
        ("create", {"create": 2}, ["Directora", "Fiscal"]),
    ],
)
def test_the_choice_for_matches_skips_updates_or_creates(client, env, on_duplicate, expected, positions):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Dup")
    email = f"ana.{tag.lower()}@example.org"
    existing = create(
        client,
        env,
        "contacts",
        {"first_name": "Ana", "last_name": f"Ruiz{tag}", "emails": [email], "position": "Directora"},
    )
    rows = [
        ["Nombre", "Apellido", "Correo electrónico", "Cargo"],
        ["Ana", f"Ruiz{tag}", email.upper(), "Fiscal"],
        ["Eva", f"Nueva{tag}", f"eva.{tag.lower()}@example.org", ""],
    ]
    batch = start(browser, csv_bytes(rows), "personas.csv")
    page = plan(browser, batch, {0: "first_name", 1: "last_name", 2: "emails", 3: "position"}, on_duplicate)
    assert counts(page) == {"create": 0, "update": 0, "skip": 0, "error": 0, **expected}
    if on_duplicate != "create":
        assert f"/contacts/{existing['id']}" in page  # the line names the record it matches
    commit(browser, batch)
    found = search(client, env, "contacts", f"Ruiz{tag}")
    assert sorted(c["position"] for c in found) == positions
    assert len(search(client, env, "contacts", f"Nueva{tag}")) == 1


def test_duplicates_within_the_file_match_the_earlier_line(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    for on_duplicate, position in (("skip", ""), ("update", "Fiscal")):
        tag = unique("Twin")
        email = f"luis.{tag.lower()}@example.org"
        rows = [
            ["Nombre", "Apellido", "Correo electrónico", "Cargo"],
            ["Luis", f"Pérez{tag}", email, ""],
            ["Luis", f"Pérez{tag}", email, "Fiscal"],
            ["Otro", f"Distinto{tag}", f"otro.{tag.lower()}@example.org", ""],
        ]
        batch = start(browser, csv_bytes(rows), "personas.csv")
        page = plan(
            browser, batch, {0: "first_name", 1: "last_name", 2: "emails", 3: "position"}, on_duplicate
        )
        assert actions(page) == {2: "create", 3: on_duplicate, 4: "create"}
        assert es("Matches line {line}", line=2) in page
        commit(browser, batch)
        found = search(client, env, "contacts", f"Pérez{tag}")
        assert [(c["position"], c["emails"]) for c in found] == [(position, [email])]


def test_an_id_column_as_the_export_writes_it_updates_those_records(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Ids")
    ids = [
        create(client, env, "contacts", {"first_name": name, "last_name": f"{name}{tag}"})["id"]
        for name in ("Uno", "Dos")
    ]
    exported = client.get(
        f"{API}/contacts/export",
        params={"q": tag, "format": "csv", "columns": "id,first_name,last_name,position"},
        headers=env.headers("alpha", COORDINATOR, "es"),
    )
    rows = rows_of(exported.content, "csv")
    assert rows[0][0] == es("ID") and sorted(int(r[0]) for r in rows[1:]) == sorted(ids)
    # Names changed too: the ID alone says which record a line is.
    edited = [rows[0]] + [[r[0], f"Nuevo {r[1]}", f"Otro{r[2]}", "Cargo nuevo"] for r in rows[1:]]
    batch = start(browser, csv_bytes(edited), "contactos.csv")
    mapping = {0: "id", 1: "first_name", 2: "last_name", 3: "position"}
    assert selected(browser.get(f"/imports/{batch}").text) == mapping
    page = plan(browser, batch, mapping, "update")
    assert counts(page) == {"create": 0, "update": 2, "skip": 0, "error": 0}
    commit(browser, batch)
    found = search(client, env, "contacts", tag)
    assert sorted(c["id"] for c in found) == sorted(ids)
    assert {c["position"] for c in found} == {"Cargo nuevo"}
    assert sorted(c["first_name"] for c in found) == ["Nuevo Dos", "Nuevo Uno"]


def test_blank_cells_keep_stored_values_and_lists_gain_the_file_items(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Keep")
    org = create(client, env, "organizations", {"name": f"Fiscalía {tag}", "sector": "prosecution_judiciary"})
    old_email, new_email = f"ana.{tag.lower()}@example.org", f"ana.otra.{tag.lower()}@example.org"
    existing = create(
        client,
        env,
        "contacts",
        {
            "first_name": "Ana",
            "last_name": f"Ruiz{tag}",
            "emails": [old_email],
            "phones": ["+525511112222"],
            "position": "Directora",
            "organization": org["id"],
        },
    )
    rows = [CONTACT_HEADER, ["Ana", f"Ruiz{tag}", f"{old_email}; {new_email}", "+52 55 3333 4444", "", ""]]
    batch = start(browser, csv_bytes(rows), "personas.csv")
    assert counts(plan(browser, batch, CONTACT_MAPPING, "update"))["update"] == 1
    commit(browser, batch)
    after = client.get(f"{API}/contacts/{existing['id']}", headers=env.headers("alpha", COORDINATOR)).json()
    assert after["position"] == "Directora" and after["organization"] == org["id"]
    assert after["emails"] == [old_email, new_email]
    assert after["phones"] == ["+525511112222", "+525533334444"]


def test_a_saved_mapping_fits_a_file_whose_columns_moved(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Map")
    name = f"Lista de {tag}"
    first = [["Persona", "Familia", "Buzón"], ["Luis", f"Pérez{tag}", f"luis.{tag.lower()}@example.org"]]
    batch = start(browser, csv_bytes(first), "primera.csv")
    assert selected(browser.get(f"/imports/{batch}").text) == {}  # nothing names a field
    plan(browser, batch, {0: "first_name", 1: "last_name", 2: "emails"}, save_as=name)
    commit(browser, batch)
    assert name in browser.get("/imports").text
    second = [["Buzón", "Persona", "Familia"], [f"rosa.{tag.lower()}@example.org", "Rosa", f"Díaz{tag}"]]
    batch = start(browser, csv_bytes(second), "segunda.csv", saved=name)
    moved = selected(browser.get(f"/imports/{batch}").text)
    assert moved == {0: "emails", 1: "first_name", 2: "last_name"}
    plan(browser, batch, moved)
    commit(browser, batch)
    rosa = search(client, env, "contacts", f"Díaz{tag}")
    assert [(c["first_name"], c["emails"]) for c in rosa] == [("Rosa", [f"rosa.{tag.lower()}@example.org"])]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_rejected_lines_file_has_the_cells_the_line_and_the_reasons(client, env, fmt):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Rej")
    missing_org = f"Inexistente {tag}"
    rows = [
        CONTACT_HEADER,
        ["Luis", f"Pérez{tag}", f"luis.{tag.lower()}@example.org", "", "", ""],
        ["Eva", f"Mal{tag}", "no es un correo", "", "", "=1+2"],
        ["Rosa", f"Díaz{tag}", "", "", missing_org, ""],
        ["Pablo", "", "", "", "", "Fiscal"],
    ]
    batch = start(browser, csv_bytes(rows), "personas.csv")
    page = plan(browser, batch, CONTACT_MAPPING)
    assert counts(page) == {"create": 1, "update": 0, "skip": 0, "error": 3}
    response = browser.get(f"/imports/{batch}/rejected.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    got = rows_of(response.content, fmt)
    assert got[0] == [*CONTACT_HEADER, es("Line"), es("Reason")]
    assert [row[:6] for row in got[1:]] == [
        ["Eva", f"Mal{tag}", "no es un correo", "", "", "'=1+2"],  # neutralized, as every export is
        ["Rosa", f"Díaz{tag}", "", "", missing_org, ""],
        ["Pablo", "", "", "", "", "Fiscal"],
    ]
    assert [int(row[6]) for row in got[1:]] == [3, 4, 5]
    email, organization, last_name = (row[7] for row in got[1:])
    assert email.startswith(f"Correo electrónico ({es('Email addresses')}): ")
    assert organization == (
        f"Organización ({es('Organization')}): "
        + es("No record named “{value}” was found.", value=missing_org)
    )
    assert last_name == f"Apellido ({es('Last name')}): {es('This field is required.')}"


def test_formula_looking_text_is_stored_as_given_and_exported_neutralized(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Fx")
    rows = [["Nombre", "Apellido", "Cargo"]]
    rows += [[f"P{n}", f"Fórmula{n}{tag}", text] for n, text in enumerate(FORMULAS)]
    rows.append(["Exportada", f"Vuelta{tag}", "'=1+2"])  # as the product's own export writes "=1+2"
    imported(browser, csv_bytes(rows), "formulas.csv", {0: "first_name", 1: "last_name", 2: "position"})
    stored = {c["last_name"]: c["position"] for c in search(client, env, "contacts", tag)}
    assert stored == {
        **{f"Fórmula{n}{tag}": text for n, text in enumerate(FORMULAS)},
        f"Vuelta{tag}": "=1+2",
    }
    exported = client.get(
        f"{API}/contacts/export",
        params={"q": tag, "format": "csv", "columns": "last_name,position"},
        headers=env.headers("alpha", COORDINATOR, "es"),
    )
    assert {row[0]: row[1] for row in rows_of(exported.content, "csv")[1:]} == {
        name: "'" + text for name, text in stored.items()
    }
    # A real formula in a workbook: its value as last computed, never the formula.
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Nombre", "Apellido", "Cargo"])
    sheet.write_formula(1, 0, '=CONCATENATE("Lu","is")', None, "Luis")
    sheet.write_string(1, 1, f"Calculado{tag}")
    sheet.write_formula(1, 2, "=1+2", None, 3)
    book.close()
    imported(browser, out.getvalue(), "formulas.xlsx", {0: "first_name", 1: "last_name", 2: "position"})
    [computed] = search(client, env, "contacts", f"Calculado{tag}")
    assert (computed["first_name"], computed["position"]) == ("Luis", "3")


@pytest.mark.parametrize("delimiter", DELIMITERS)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_encoding_and_delimiter_reads_the_same_names(client, env, encoding, delimiter):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Enc")
    rows = [
        ["Nombre", "Apellido", "Cargo"],
        ["Tomé", f"Pérez{tag}", "Fiscal de São Tomé; «enlace»"],
        ["Ñandú", f"Muñoz{tag}", "Œuvre, 5 €"],
    ]
    content = csv_bytes(rows, DELIMITERS[delimiter], encoding)
    batch = start(browser, content, f"personas-{encoding}.csv")
    mapping = {0: "first_name", 1: "last_name", 2: "position"}
    assert selected(browser.get(f"/imports/{batch}").text) == mapping
    assert counts(plan(browser, batch, mapping))["create"] == 2
    commit(browser, batch)
    found = {(c["first_name"], c["last_name"], c["position"]) for c in search(client, env, "contacts", tag)}
    assert found == {(r[0], r[1], r[2]) for r in rows[1:]}


# --- commit, undo, discard, remap -----------------------------------------------------------------


def test_undo_is_refused_once_a_record_of_the_batch_was_edited(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Edit")
    rows = [["Nombre", "Apellido"], ["Luis", f"Pérez{tag}"], ["Rosa", f"Díaz{tag}"]]
    batch = imported(browser, csv_bytes(rows), "personas.csv", {0: "first_name", 1: "last_name"})
    [rosa] = search(client, env, "contacts", f"Díaz{tag}")
    edited = client.patch(
        f"{API}/contacts/{rosa['id']}",
        json={"position": "Editada", "version": rosa["version"]},
        headers=env.headers("alpha", COORDINATOR),
    )
    assert edited.status_code == 200, edited.text
    response = browser.post(f"/imports/{batch}/undo", {}, follow_redirects=False)
    assert response.status_code == 409
    assert (
        es(
            "This import can no longer be undone: {count} of its records were changed "
            "since (line {line} first).",
            count=1,
            line=3,
        )
        in response.text
    )
    assert "import-undo" in browser.get(f"/imports/{batch}").text  # still committed
    assert len(search(client, env, "contacts", tag)) == 2


def test_undo_is_refused_while_an_imported_contact_attends_a_meeting(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    h = env.headers("alpha", COORDINATOR)
    tag = unique("Att")
    rows = [["Nombre", "Apellido"], ["Luis", f"Pérez{tag}"]]
    batch = imported(browser, csv_bytes(rows), "personas.csv", {0: "first_name", 1: "last_name"})
    [luis] = search(client, env, "contacts", tag)
    meeting = create(
        client,
        env,
        "meetings",
        {
            "title": f"Reunión {tag}",
            "meeting_type": "launch",
            "mode": "online",
            "starts_at": "2026-01-01T10:00:00-06:00",
            "ends_at": "2026-01-01T11:00:00-06:00",
        },
    )
    attendee = f"{API}/meetings/{meeting['id']}/attendees/{luis['id']}"
    assert client.put(attendee, json={"status": "attended"}, headers=h).status_code in (200, 201)
    response = browser.post(f"/imports/{batch}/undo", {}, follow_redirects=False)
    assert response.status_code == 409
    assert "import-undo" in browser.get(f"/imports/{batch}").text
    assert len(search(client, env, "contacts", tag)) == 1
    # Off the list again, the contact is as the batch left it: the undo goes through.
    assert client.delete(attendee, headers=h).status_code in (200, 204)
    assert browser.post(f"/imports/{batch}/undo", {}, follow_redirects=False).status_code == 303
    assert search(client, env, "contacts", tag) == []


def test_commit_is_all_or_nothing_when_a_matched_record_was_archived_meanwhile(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Arch")
    email = f"ana.{tag.lower()}@example.org"
    existing = create(
        client, env, "contacts", {"first_name": "Ana", "last_name": f"Ruiz{tag}", "emails": [email]}
    )
    rows = [
        ["Nombre", "Apellido", "Correo electrónico", "Cargo"],
        ["Luis", f"Nuevo{tag}", f"luis.{tag.lower()}@example.org", ""],
        ["Ana", f"Ruiz{tag}", email, "Fiscal"],
        ["Rosa", f"Nueva{tag}", f"rosa.{tag.lower()}@example.org", ""],
    ]
    batch = start(browser, csv_bytes(rows), "personas.csv")
    page = plan(browser, batch, {0: "first_name", 1: "last_name", 2: "emails", 3: "position"}, "update")
    assert counts(page) == {"create": 2, "update": 1, "skip": 0, "error": 0}
    archived = client.post(
        f"{API}/contacts/{existing['id']}/archive", headers=env.headers("alpha", COORDINATOR)
    )
    assert archived.status_code == 200, archived.text
    page = commit(browser, batch)
    assert 'id="import-commit"' in page and "import-undo" not in page  # back to its dry run
    assert es("Line {line} can no longer be imported as planned: run the dry run again.", line=3) in page
    assert search(client, env, "contacts", tag) == []  # neither new contact was created


def test_a_discarded_batch_can_no_longer_be_planned_or_committed(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Disc")
    batch = start(browser, csv_bytes([["Nombre", "Apellido"], ["Luis", f"Pérez{tag}"]]), "personas.csv")
    plan(browser, batch, {0: "first_name", 1: "last_name"})
    response = browser.post(f"/imports/{batch}/discard", {}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/imports")
    assert es("Discarded") in browser.get(f"/imports/{batch}").text
    assert browser.post(f"/imports/{batch}/commit", {}, follow_redirects=False).status_code == 409
    refused = browser.post(
        f"/imports/{batch}/plan", {"column_0": "first_name", "column_1": "last_name", "on_duplicate": "skip"}
    )
    assert refused.status_code == 409
    assert search(client, env, "contacts", tag) == []


def test_remap_goes_back_from_the_dry_run_to_the_columns(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Remap")
    rows = [["Nombre", "Apellido", "Puesto actual"], ["Luis", f"Pérez{tag}", "Fiscal"]]
    batch = start(browser, csv_bytes(rows), "personas.csv")
    plan(browser, batch, {0: "first_name", 1: "last_name"})
    response = browser.post(f"/imports/{batch}/remap", {}, follow_redirects=False)
    assert response.status_code == 303
    page = browser.get(f"/imports/{batch}").text
    assert 'id="import-mapping"' in page and selected(page) == {0: "first_name", 1: "last_name"}
    plan(browser, batch, {0: "first_name", 1: "last_name", 2: "position"})
    commit(browser, batch)
    assert [c["position"] for c in search(client, env, "contacts", tag)] == ["Fiscal"]
    # A committed batch cannot go back to its columns.
    assert browser.post(f"/imports/{batch}/remap", {}, follow_redirects=False).status_code == 409


# --- who may import -------------------------------------------------------------------------------


def import_routes(app) -> list[tuple[str, str]]:
    """Every import route of the app (method, path in tenant alpha with ``{batch_id}`` left in)."""
    found = set()
    for route in app.routes:
        if "/imports" not in route.path:
            continue
        path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path).replace("{tenant_slug}", "alpha")
        for method in getattr(route, "route_handler_map", {}):
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, path.removeprefix("/t/alpha")))
    return sorted(found)


def hit(browser, method: str, path: str, batch: int):
    path = path.replace("{batch_id}", str(batch))
    if method == "GET":
        return browser.get(path, follow_redirects=False)
    if path == "/imports":
        content = csv_bytes([["Nombre", "Apellido"], ["Luis", "Pérez"]])
        return browser.upload(
            path, {"entity": "contact"}, {"file": ("p.csv", content, "text/csv")}, follow_redirects=False
        )
    return browser.post(path, {"column_0": "first_name", "on_duplicate": "skip"}, follow_redirects=False)


def test_members_who_are_not_coordinators_are_refused_every_import_route(client, env):
    coordinator = sign_in(client, env, "alpha", COORDINATOR, "es")
    batch = start(coordinator, csv_bytes([["Nombre", "Apellido"], ["Luis", "Pérez"]]), "p.csv")
    routes = import_routes(client.app)
    assert len(routes) >= 11 and ("POST", "/imports/{batch_id}/undo") in routes
    for role in ROLES:
        if role == COORDINATOR:
            continue
        browser = sign_in(client, env, "alpha", role, "es")
        browser.get("/")  # a page's CSRF token for the posts
        for method, path in routes:
            assert hit(browser, method, path, batch).status_code == 403, (role, method, path)
    assert selected(coordinator.get(f"/imports/{batch}").text) == {0: "first_name", 1: "last_name"}


def test_a_batch_of_another_tenant_is_not_found(client, env):
    """Beta's batch, whose id alpha has no batch of, is unknown on every import route of alpha."""

    async def beta_batch() -> int:
        with tenant_context(env.registry.get("alpha")):
            rows = await ImportBatch.select(ImportBatch.id).run()
        highest = max((row["id"] for row in rows), default=0)
        user = env.users[("beta", COORDINATOR)]
        with tenant_context(env.registry.get("beta")):
            service = ImportService(Actor(user_id=user["id"], email=user["email"], role=COORDINATOR))
            content = csv_bytes([["Nome", "Apelido"], ["Ana", "Segredo"]])
            while (batch := await service.start("contact", "segredo.csv", content)) <= highest:
                pass
        return batch

    batch = client.blocking_portal.call(beta_batch)
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    browser.get("/imports")
    for method, path in import_routes(client.app):
        if "{batch_id}" in path:
            response = hit(browser, method, path, batch)
            assert response.status_code == 404, (method, path)
            assert "segredo" not in response.text.lower()
    beta = sign_in(client, env, "beta", COORDINATOR, "pt")
    assert "segredo.csv" in beta.get(f"/imports/{batch}").text


# --- round trip -----------------------------------------------------------------------------------


def export_rows(client, env, slug: str, kind: str, q: str = "") -> list[list[str]]:
    response = client.get(
        f"/t/{slug}/api/v1/{kind}/export",
        params={"format": "csv", **({"q": q} if q else {})},
        headers=env.headers(slug, COORDINATOR, "es"),
    )
    assert response.status_code == 200, response.text
    return rows_of(response.content, "csv")


def test_an_export_imports_into_an_empty_tenant_as_the_same_records(client, env):
    tag = unique("Trip")
    orgs = [
        create(
            client,
            env,
            "organizations",
            {
                "name": f"Fiscalía {tag}",
                "acronym": f"F{tag}",
                "sector": "prosecution_judiciary",
                "country": "MEX",
                "city": "Oaxaca",
                "website": "https://fiscalia.example.org",
            },
        ),
        create(client, env, "organizations", {"name": f"Red {tag}", "sector": "ngo", "city": "São Tomé"}),
    ]
    for n, org in enumerate([*orgs, None]):
        create(
            client,
            env,
            "contacts",
            {
                "first_name": f"Persona {n}",
                "last_name": f"Apellido {tag}",
                "organization": org["id"] if org else None,
                "emails": [f"p{n}.{tag.lower()}@example.org", f"otra{n}.{tag.lower()}@example.org"],
                "phones": [f"+52551234567{n}"],
                "position": "=cargo" if n == 0 else "Enlace",
                "preferred_language": "es",
            },
        )
    gamma = sign_in(client, env, "gamma", COORDINATOR, "es")
    assert export_rows(client, env, "gamma", "organizations") == [
        export_rows(client, env, "alpha", "organizations", tag)[0]
    ]
    for kind, entity in (("organizations", "organization"), ("contacts", "contact")):
        rows = export_rows(client, env, "alpha", kind, tag)
        batch = start(gamma, csv_bytes(rows), f"{kind}.csv", entity)
        mapping = selected(gamma.get(f"/imports/{batch}").text)
        page = plan(gamma, batch, mapping)
        assert counts(page) == {"create": len(rows) - 1, "update": 0, "skip": 0, "error": 0}, page[
            page.find("import-lines") :
        ][:3000]
        commit(gamma, batch)
        again = export_rows(client, env, "gamma", kind)
        assert again[0] == rows[0]
        assert sorted(r[1:] for r in again[1:]) == sorted(r[1:] for r in rows[1:])


# --- the command line -----------------------------------------------------------------------------


def pilot_crm(env, *args: str):
    settings = env.registry.settings
    where = ["--tenants-dir", str(settings.tenants_dir), "--data-dir", str(settings.data_dir)]
    return CliRunner().invoke(cli, [*where, "import", *args])


def test_the_cli_dry_run_reports_and_writes_the_rejected_lines_then_commits_and_undoes(client, env, tmp_path):
    tag = unique("Cli")
    path = tmp_path / "personas.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Nombre", "Apellido", "Correo electrónico"],
                ["Luis", f"Pérez{tag}", f"luis.{tag.lower()}@example.org"],
                ["Rosa", f"Díaz{tag}", ""],
                ["Eva", "", "no es un correo"],
            ]
        )
    )
    dry = pilot_crm(env, str(path), "--tenant", "alpha")
    assert dry.exit_code == 0, dry.output
    assert re.search(r"batch \d+: 2 to create, 0 to update, 0 to skip, 1 rejected", dry.output)
    rejected = rows_of(Path(f"{path}.rejected.csv").read_bytes(), "csv")
    assert rejected[0] == ["Nombre", "Apellido", "Correo electrónico", es("Line"), es("Reason")]
    assert rejected[1][:4] == ["Eva", "", "no es un correo", "4"] and len(rejected) == 2
    assert search(client, env, "contacts", tag) == []
    elsewhere = tmp_path / "rechazadas.csv"
    done = pilot_crm(
        env,
        str(path),
        "--tenant",
        "alpha",
        "--commit",
        "--as",
        env.email("alpha", COORDINATOR),
        "--rejected",
        str(elsewhere),
    )
    assert done.exit_code == 0, done.output
    batch = re.search(r"batch (\d+) imported: 2 created, 0 updated", done.output)
    assert batch and elsewhere.exists()
    assert len(search(client, env, "contacts", tag)) == 2
    undone = pilot_crm(env, "--tenant", "alpha", "--undo", batch.group(1))
    assert undone.exit_code == 0, undone.output
    assert f"batch {batch.group(1)} undone: 2 records deleted" in undone.output
    assert search(client, env, "contacts", tag) == []


@pytest.mark.parametrize("case", ["missing file", "unknown tenant", "unreadable file", "unknown mapping"])
def test_the_cli_refuses_bad_input_with_one_line(client, env, tmp_path, case):
    good = tmp_path / "personas.csv"
    good.write_bytes(csv_bytes([["Nombre", "Apellido"], ["Luis", "Pérez"]]))
    broken = tmp_path / "roto.xlsx"
    broken.write_bytes(b"PK\x03\x04" + secrets.token_bytes(200))
    args = {
        "missing file": [str(tmp_path / "no-such.csv"), "--tenant", "alpha"],
        "unknown tenant": [str(good), "--tenant", "nowhere"],
        "unreadable file": [str(broken), "--tenant", "alpha"],
        "unknown mapping": [str(good), "--tenant", "alpha", "--mapping", f"nada {secrets.token_hex(3)}"],
    }[case]
    result = pilot_crm(env, *args)
    assert result.exit_code == 1, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.output


def test_a_mapping_name_over_its_limit_is_refused_by_its_field(client, env):
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    rows = [["Nombre", "Apellido"], ["Ana", unique("Larga")]]
    batch = start(browser, csv_bytes(rows), "nombres.csv")
    response = browser.post(
        f"/imports/{batch}/plan",
        {"column_0": "first_name", "column_1": "last_name", "on_duplicate": "skip", "save_as": "m" * 121},
    )
    assert response.status_code == 400
    assert str(escape(es("Enter a name of 1 to 120 characters."))) in response.text
    control = re.search(r'<input id="import-save-as"[^>]*>', response.text)
    assert control and 'aria-invalid="true"' in control.group(0) and "maxlength" not in control.group(0)


def test_topics_are_read_by_the_names_exports_write_commas_and_all(client, env):
    """An export names topics ("A; B"); one topic's name may hold commas. Both read back as topics."""
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    tag = unique("Temas")
    prevention = es("Prevention, technical assistance, protection and other measures")
    smuggling = es("Smuggling of migrants")
    rows = [
        ["Nombre", "Sector", "Temas"],
        [f"Uno {tag}", es("Academia"), prevention],
        [f"Dos {tag}", es("Academia"), f"{prevention}; {smuggling}"],
        [f"Tres {tag}", es("Academia"), "SOM, TIP"],
    ]
    imported(
        browser, csv_bytes(rows), "temas.csv", {0: "name", 1: "sector", 2: "topics"}, entity="organization"
    )
    found = {o["name"]: o["topics"] for o in search(client, env, "organizations", tag)}
    assert found == {
        f"Uno {tag}": ["CL-PREVENTION"],
        f"Dos {tag}": ["CL-PREVENTION", "SOM"],
        f"Tres {tag}": ["SOM", "TIP"],
    }
