"""Large lists fast, and downloads that are never held in memory: for the tests and the benchmark
that export 100,000 rows. The rows are made by the tenant's database in one statement (no service,
no audit: a volume to read, not a history); the download is one GET into the app's ASGI callable
whose body goes to a file as it arrives, so only the app's own memory is measured."""

from __future__ import annotations

import asyncio
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlencode

from core.contacts.tables import Contact
from core.records.search import fold

ROW_TAG = re.compile(rb"<row ")


async def insert_contacts(count: int, words: dict[str, int]) -> None:
    """``count`` contacts in the current tenant, made by the database itself in one statement (the
    same SQL on SQLite and PostgreSQL): the ``i``-th is named ``Apellido <100000 + i>`` (so the list's
    order is the numbers'), and a search for a key of ``words`` finds the first ``words[key]``."""
    found = " || ".join(f"CASE WHEN i < {int(n)} THEN ' {fold(w)}' ELSE '' END" for w, n in words.items())
    moment = datetime.now(UTC)
    await Contact.raw(
        f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {int(count) - 1})
        INSERT INTO crm_contact (version, created_at, updated_at, owner_side, search_text, first_name,
            last_name, position, emails, phones, preferred_language, roles, consent_basis,
            consent_date, protected, extra)
        SELECT 1, {{}}, {{}}, 'government',
            'adela nunez apellido ' || (100000 + i) || {found or "''"},
            'Adela Ñúñez', 'Apellido ' || (100000 + i),
            '=Coordinación de enlace', '["persona@example.org"]', '[]', 'es', '["review_focal_point"]',
            'consent', {{}}, {{}}, {{}}
        FROM n""",  # noqa: S608 - only integers and folded words of the caller's own go in
        moment,
        moment,
        date(2024, 5, 17),
        False,
        "{}",
    )
    await Contact.raw("ANALYZE crm_contact")  # as autovacuum would soon: plans for the new size


async def get_into(app: Any, path: str, query: dict[str, str], headers: dict[str, str], out: BinaryIO) -> int:
    """GET ``path`` straight from ``app``, the body written to ``out`` as it comes; the status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": urlencode(query).encode(),
        "headers": [
            (b"host", b"testserver.local"),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("testserver.local", 80),
    }
    status = 0
    requested, done = False, asyncio.Event()

    async def receive() -> dict[str, Any]:
        """The (empty) request, then a disconnect once the body is complete (as a server says)."""
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            out.write(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    return status


def xlsx_row_count(path: Path) -> int:
    """The rows of an XLSX file's first sheet (header included), read without loading the sheet."""
    count, tail = 0, b""
    with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            count += len(ROW_TAG.findall(tail + chunk))
            tail = chunk[-4:]
    return count
