"""A 100,000-line file of contacts imported through the pages, on every backend: the dry run and the
commit finish in a bounded time (the figures are printed: ``pytest -s``), and while the dry run
runs, the app keeps answering other members' pages promptly (the dry run judges its lines in a
worker thread, a few hundred at a time, reading the file as a stream)."""

from __future__ import annotations

import re
import secrets
import time

import pytest

from core.accounts.roles import COORDINATOR, OBSERVER
from core.contacts.tables import Contact
from core.tenancy.context import tenant_context
from core.testing.web import sign_in
from tests.integration.test_imports import counts, csv_bytes, start
from tests.support import translation

pytestmark = pytest.mark.slow  # started first when the suite runs in parallel

TOTAL = 100_000
# Bounds far above what either backend takes (see the printed figures), low enough to catch a
# dry run or a commit that went quadratic.
DRY_RUN_SECONDS, COMMIT_SECONDS = 300, 300
# How long another member's page may take while the dry run runs.
PROMPT_SECONDS = 2.0


def literal(msgid: str) -> str:
    """The longest fixed part of a message's Spanish translation (its placeholders left out)."""
    return max(re.split(r"\{\w+\}", translation("es", msgid)), key=len).strip()


def run_phase(browser, batch: int, other=None, limit: float = 600) -> tuple[float, list[float], list[str]]:
    """Poll the batch until its phase is over; meanwhile ``other`` opens the contacts list page.
    The phase's duration, how long each of those pages took, and the progress fragments seen."""
    began, answers, fragments = time.monotonic(), [], []
    while time.monotonic() - began < limit:
        fragment = browser.get(f"/imports/{batch}/progress", headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        if fragment.headers.get("HX-Refresh") == "true":
            return time.monotonic() - began, answers, fragments
        fragments.append(fragment.text)
        if other is not None:
            asked = time.monotonic()
            assert other.get("/contacts").status_code == 200
            answers.append(time.monotonic() - asked)
        time.sleep(0.25)
    raise AssertionError(f"batch {batch} still under way after {limit} s")


def test_100000_lines_are_planned_and_committed_while_other_pages_answer(client, env, backend):
    tag = secrets.token_hex(3)
    rows = [["Nombre", "Apellido", "Correo electrónico", "Cargo"]]
    rows += [[f"Nombre{n}", f"Apellido{n}v{tag}", f"p{n}.{tag}@example.org", "Enlace"] for n in range(TOTAL)]
    browser = sign_in(client, env, "alpha", COORDINATOR, "es")
    other = sign_in(client, env, "alpha", OBSERVER, "es")
    batch = start(browser, csv_bytes(rows), "cien-mil.csv")
    fields = {"column_0": "first_name", "column_1": "last_name", "column_2": "emails", "column_3": "position"}
    response = browser.post(
        f"/imports/{batch}/plan", {**fields, "on_duplicate": "skip"}, follow_redirects=False
    )
    assert response.status_code == 303
    dry_run, answers, fragments = run_phase(browser, batch, other)
    page = browser.get(f"/imports/{batch}").text
    assert counts(page) == {"create": TOTAL, "update": 0, "skip": 0, "error": 0}
    assert len(answers) >= 3, answers  # the dry run was still running while these were asked
    assert max(answers) < PROMPT_SECONDS, answers
    # The bar moved, with a rate and the time left, while the dry run ran.
    bars = [re.search(r'<progress max="(\d+)" value="(\d+)"', text) for text in fragments]
    assert any(bar and 0 < int(bar.group(2)) < int(bar.group(1)) for bar in bars), fragments[-1]
    words = [literal(m) for m in ("{rate} lines a second", "about {seconds} s left")]
    assert any(all(w in text for w in words) for text in fragments), fragments[-1]
    response = browser.post(f"/imports/{batch}/commit", {}, follow_redirects=False)
    assert response.status_code == 303
    committed, _, _ = run_phase(browser, batch)
    assert "import-undo" in browser.get(f"/imports/{batch}").text

    async def stored() -> int:
        with tenant_context(env.registry.get("alpha")):
            return await Contact.count().where(Contact.last_name.like(f"%v{tag}")).run()

    assert client.blocking_portal.call(stored) == TOTAL
    print(
        f"\n{backend}: {TOTAL} lines, dry run {dry_run:.1f} s ({TOTAL / dry_run:,.0f} lines/s), "
        f"commit {committed:.1f} s ({TOTAL / committed:,.0f} lines/s); contacts page during the dry run: "
        f"{len(answers)} requests, slowest {max(answers):.2f} s"
    )
    assert dry_run < DRY_RUN_SECONDS and committed < COMMIT_SECONDS
