"""A coordinator imports a Spanish spreadsheet through the pages, in a real browser: the columns are
suggested from the Spanish headers, the dry run names the bad line and the two matches, the import
commits, and undoing it leaves the tenant's database exactly as it was.

"As it was" is a hash of the tenant's SQLite database (the browser suite serves ``pilot-crm demo``,
which is SQLite), see ``database_hash``. The import pages also fit a 360 px screen and are right to
left in Arabic.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import sqlite3
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from tests.browser.kit import ARABIC, SCREENSHOTS, goto_ok, sign_in
from tests.support import translation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["Nombre", "Apellido", "Correo electrónico", "Teléfono", "Organización", "Cargo"]
SUGGESTED = ["first_name", "last_name", "emails", "phones", "organization", "position"]
# Tables a commit and its undo may legitimately leave changed: the audit log (append-only: the
# import, each record's change and the undo stay on record), the import's own bookkeeping (the
# batch, its file, lines, changes and saved mappings are the history that makes the undo possible),
# sign-in sessions and throttle counters (the browser's own activity), Piccolo's migration list,
# and SQLite's AUTOINCREMENT counters (ids are never reused, so an undone insert still moves them).
BOOKKEEPING = {
    "crm_audit_entry",
    "crm_import_batch",
    "crm_import_file",
    "crm_import_row",
    "crm_import_change",
    "crm_import_mapping",
    "crm_session",
    "crm_throttle",
    "migration",
    "sqlite_sequence",
}
# Link tables are compared by content: were a link deleted and put back, it may get a new id.
LINK_TABLES = {
    "crm_action_partner",
    "crm_action_topic",
    "crm_meeting_topic",
    "crm_organization_topic",
    "crm_attendance",
    "networks_membership",
}
WIDTH = 360


def search_indexes(db: sqlite3.Connection) -> list[str]:
    """The FTS5 tables of the database (their shadow tables share the name as a prefix)."""
    return [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"
        )
    ]


def check_search_indexes(path: Path) -> None:
    """FTS5's own integrity check: each index holds exactly the rows of its content table."""
    with sqlite3.connect(path) as db:
        indexes = search_indexes(db)
        assert indexes, "the tenant's database has no full-text index"
        for index in indexes:
            # rank 1 also compares the index with the external content table.
            db.execute(f'INSERT INTO "{index}"("{index}", rank) VALUES (\'integrity-check\', 1)')  # noqa: S608


def database_hash(path: Path) -> str:
    """SHA-256 over every row of every table but ``BOOKKEEPING``, tables in name order, rows sorted
    (so the physical order a restore leaves does not count); link tables without their ``id``.

    Full-text indexes are checked rather than hashed: an insert then a delete leaves the same
    index with other segments, so each must only agree with the rows it indexes."""
    check_search_indexes(path)
    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        indexes = search_indexes(db)
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if name not in BOOKKEEPING and not any(name.startswith(index) for index in indexes)
        ]
        assert "crm_contact" in tables and "crm_organization" in tables, tables
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            if table in LINK_TABLES:
                columns = [c for c in columns if c != "id"]
            listed = ", ".join(f'"{c}"' for c in columns)
            query = f'SELECT {listed} FROM "{table}"'  # noqa: S608 - names read from the schema
            rows = sorted(repr(row) for row in db.execute(query))
            digest.update(f"{table}({listed}):{len(rows)}\n".encode())
            for row in rows:
                digest.update(row.encode() + b"\n")
    return digest.hexdigest()


def existing_contacts(path: Path, count: int) -> list[dict[str, Any]]:
    """``count`` live contacts of the demo with an email address, to put in the file as duplicates."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT id, first_name, last_name, emails, position FROM crm_contact"
            " WHERE archived_at IS NULL AND erased_at IS NULL AND protected = 0 AND emails != '[]'"
            " ORDER BY id LIMIT ?",
            (count,),
        ).fetchall()
        assert len(rows) == count, "the demo has too few contacts with an email address"
        return [
            {
                "id": r[0],
                "first_name": r[1],
                "last_name": r[2],
                "email": json.loads(r[3])[0],
                "position": r[4],
            }
            for r in rows
        ]


def organization_name(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        row = db.execute("SELECT name FROM crm_organization ORDER BY id LIMIT 1").fetchone()
    return str(row[0])


def workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(page: Any, slug: str, name: str, content: bytes) -> int:
    """Upload ``content`` as contacts from the imports page; the new batch's id."""
    goto_ok(page, f"/t/{slug}/imports")
    page.select_option("#import-entity", "contact")
    page.set_input_files("#import-file", files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    with page.expect_navigation():
        page.locator("form[action$='/imports'] [type=submit]").click()
    found = re.search(rf"/t/{slug}/imports/(\d+)$", page.url)
    assert found, f"the upload did not lead to a batch page: {page.url}\n{page.content()[:3000]}"
    return int(found.group(1))


def wait_for(page: Any, selector: str) -> None:
    """Wait until the progress bar's polling (HTMX, ``HX-Refresh`` when the phase is over) has
    reloaded the page into the next phase, where ``selector`` appears."""
    try:
        page.wait_for_selector(selector, timeout=60_000)
    except Exception as exc:
        raise AssertionError(
            f"{selector} never appeared on {page.url}:\n{page.locator('main').inner_text()}"
        ) from exc
    assert page.locator("#import-progress").count() == 0


def chosen_fields(page: Any, columns: int) -> list[str]:
    """The field each column's select has preselected on the mapping page."""
    return [page.locator(f"#map-{i}").input_value() for i in range(columns)]


def line(page: Any, number: int) -> Any:
    return page.locator(f"#import-lines tr[data-line='{number}']")


def test_spanish_xlsx_dry_run_update_commit_and_undo(new_context, live_server):
    """The acceptance criterion: an XLSX in Spanish with a Spanish header row, one bad phone and two
    duplicates of existing contacts; the dry run names them; the coordinator chooses update; the
    import commits; undoing the batch leaves the tenant as before (database hash)."""
    database = live_server.data_dir / "mex.sqlite3"
    page = sign_in(new_context(locale="es-MX"), "mex", "coordinator")
    first, second = existing_contacts(database, 2)
    tag = secrets.token_hex(3)
    rows = [
        HEADERS,
        [
            "Lucía",
            f"Ortega {tag}",
            f"lucia.{tag}@example.org",
            "+52 55 1234 5678",
            organization_name(database),
            "Analista",
        ],
        [first["first_name"], first["last_name"], first["email"], "", "", f"Enlace {tag}"],
        ["Tomás", f"Sin Teléfono {tag}", f"tomas.{tag}@example.org", "12", "", ""],
        [second["first_name"], second["last_name"], second["email"].upper(), "", "", f"Directora {tag}"],
    ]
    before = database_hash(database)

    batch = upload(page, "mex", "personas.xlsx", workbook(rows))
    # The mapping page: every column's field suggested from its Spanish header.
    assert chosen_fields(page, len(HEADERS)) == SUGGESTED
    page.check("input[name=on_duplicate][value=update]")
    with page.expect_navigation():
        page.locator("#import-mapping [type=submit]").click()

    wait_for(page, "#import-commit")
    assert database_hash(database) == before, "the dry run wrote to the tenant's records"
    counts = {
        key: page.locator(f".import-counts a[data-action={key}] strong").inner_text()
        for key in ("create", "update", "skip", "error")
    }
    assert counts == {"create": "1", "update": "2", "skip": "0", "error": "1"}, counts
    # The bad phone: its line (the header is line 1), column, field and the message, in Spanish.
    bad = line(page, 4)
    assert "import-error" in (bad.get_attribute("class") or "")
    details = bad.locator("td").nth(3).inner_text()
    phone_field = translation("es", "Phone numbers")
    assert f"Teléfono ({phone_field}):" in details, details
    assert (
        translation("es", "Enter a valid phone number in international format, e.g. +52 55 1234 5678.")
        in details
    )
    # The two matches: each line points at the existing contact, and says which rule matched.
    for number, contact in ((3, first), (5, second)):
        match = line(page, number)
        assert match.locator("td").nth(1).inner_text() == translation("es", "Update of a record")
        link = match.locator(f"a[href='/t/mex/contacts/{contact['id']}']")
        assert link.count() == 1, match.inner_html()
        # The rules, after the record's name and a space: "Coincide con Ruiz, Ana (Mismo correo…)".
        assert f" ({translation('es', 'Same email address')}" in match.inner_text(), match.inner_text()
    assert line(page, 2).locator("td").nth(1).inner_text() == translation("es", "New record")
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / "import-dry-run-es.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    page.locator("#import-commit").click()
    wait_for(page, "#import-undo")
    assert page.url.endswith(f"/imports/{batch}")
    committed = database_hash(database)
    assert committed != before, "the commit changed nothing in the tenant's database"
    goto_ok(page, f"/t/mex/contacts/{first['id']}")
    assert f"Enlace {tag}" in page.locator("main").inner_text()

    goto_ok(page, f"/t/mex/imports/{batch}")
    with page.expect_navigation():
        page.locator("#import-undo").click()
    assert page.locator(".flash-success").count() == 1, page.content()[:3000]
    assert database_hash(database) == before, "undoing the import did not restore the tenant's database"


def _page_width(page: Any) -> int:
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


def test_import_pages_fit_360px_and_arabic_is_right_to_left(new_context):
    """The list, the mapping and the dry run of one small file, at 360 px, in Spanish and in Arabic
    (its header row in the tenant's language, so the Arabic headers are suggested too)."""
    for slug, locale, language in (("mex", "es-MX", "es"), ("demo-ar", "ar", "ar")):
        headers = [translation(language, m) for m in ("First name", "Last name", "Email", "Phone")]
        rows = [headers, ["Ana", "Prueba", "ana.prueba@example.org", "12"]]
        page = sign_in(new_context(locale=locale, width=WIDTH, height=800), slug, "coordinator")
        goto_ok(page, f"/t/{slug}/imports")
        too_wide = [f"list: {_page_width(page)}px"] if _page_width(page) > WIDTH + 1 else []
        batch = upload(page, slug, "contactos.xlsx", workbook(rows))
        assert chosen_fields(page, 4) == ["first_name", "last_name", "emails", "phones"]
        if _page_width(page) > WIDTH + 1:
            too_wide.append(f"mapping: {_page_width(page)}px")
        if slug == "demo-ar":
            html = page.locator("html")
            assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            assert ARABIC.search(page.locator("#import-mapping").inner_text())
        with page.expect_navigation():
            page.locator("#import-mapping [type=submit]").click()
        wait_for(page, "#import-commit")
        if _page_width(page) > WIDTH + 1:
            too_wide.append(f"dry run: {_page_width(page)}px")
        assert not too_wide, f"import pages of {slug} scroll sideways at {WIDTH}px: {too_wide}"
        with page.expect_navigation():
            page.locator(f"form[action='/t/{slug}/imports/{batch}/discard'] button").click()
