"""100,000 contacts exported through the app, as CSV and as XLSX, on every backend: every row
arrives, and the app's memory does not grow with the number of rows (the peak of Python's
allocations while exporting ten times the rows stays under twice the peak for 2,000).

Tracing allocations slows an export about threefold, so memory is compared between 2,000 and
20,000 rows and the 100,000-row export runs untraced, checking that every row arrives."""

from __future__ import annotations

import csv
import secrets
import tempfile
import tracemalloc
from pathlib import Path

import pytest

from core.tenancy.context import tenant_context
from core.testing.volume import get_into, insert_contacts, xlsx_row_count

TOTAL, MEDIUM, SMALL, WARM = 100_000, 20_000, 2_000, 400
PATH = "/t/alpha/api/v1/contacts/export"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tags(client, env) -> dict[str, str]:
    """The 100,000 contacts (the module's only ones); searches: ``medium`` finds the first 20,000,
    ``small`` the first 2,000, ``warm`` the first 400."""
    tag = secrets.token_hex(3)
    words = {"medium": f"medium{tag}", "small": f"small{tag}", "warm": f"warm{tag}"}

    async def insert() -> None:
        with tenant_context(env.registry.get("alpha")):
            await insert_contacts(
                TOTAL, {words["medium"]: MEDIUM, words["small"]: SMALL, words["warm"]: WARM}
            )

    client.blocking_portal.call(insert)
    return words


def export(client, env, q: str | None, fmt: str, out: Path) -> int:
    """Export the contacts a search finds into ``out``; the peak of memory allocated meanwhile."""

    async def run() -> int:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        with out.open("wb") as file:
            status = await get_into(
                client.app,
                PATH,
                {"format": fmt, **({"q": q} if q else {})},
                env.headers("alpha", "coordinator", "es"),
                file,
            )
        assert status == 200
        return tracemalloc.get_traced_memory()[1] - base

    return client.blocking_portal.call(run)


def rows_in(path: Path, fmt: str) -> int:
    if fmt == "xlsx":
        return xlsx_row_count(path)
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = 0
        for row in csv.reader(file):
            rows += 1
            assert rows == 1 or row[4] == "'=Coordinación de enlace", row  # neutralized on every row
        return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exporting_100000_rows_in_flat_memory(client, env, tags, fmt):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"export.{fmt}"
        tracemalloc.start()
        try:
            export(client, env, tags["warm"], fmt, out)  # compiles the list queries, fills caches
            small = export(client, env, tags["small"], fmt, out)
            assert rows_in(out, fmt) == SMALL + 1
            large = export(client, env, tags["medium"], fmt, out)
            assert rows_in(out, fmt) == MEDIUM + 1
        finally:
            tracemalloc.stop()
        export(client, env, None, fmt, out)
        assert rows_in(out, fmt) == TOTAL + 1
    print(
        f"{env.backend} {fmt}: peak {small / 1e6:.1f} MB for {SMALL} rows, {large / 1e6:.1f} MB for {MEDIUM}"
    )
    assert large < 2 * small, (small, large)  # many times the rows, not twice the memory
