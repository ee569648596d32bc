"""Imports through the pages, on every backend: a file read in any of the tenant's languages,
mapped, judged line by line in a dry run, committed all or nothing, and undone."""

from __future__ import annotations

import csv
import io
import re
import secrets
import time

from core.testing.web import sign_in

API = "/t/alpha/api/v1"


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(3)}"


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def wait(browser, batch_id: int, until: tuple[str, ...], timeout: float = 60) -> str:
    """Poll the batch's progress fragment until it says the phase is over; the batch page then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragment = browser.get(f"/imports/{batch_id}/progress", headers={"HX-Request": "true"})
        assert fragment.status_code == 200, fragment.text
        if fragment.headers.get("HX-Refresh") == "true":
            break
        time.sleep(0.05)
    page = browser.get(f"/imports/{batch_id}")
    assert page.status_code == 200
    return page.text


def start(browser, content: bytes, filename: str, entity: str = "contact") -> int:
    browser.get("/imports")
    response = browser.upload(
        "/imports", {"entity": entity}, {"file": (filename, content, "text/csv")}, follow_redirects=False
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


def test_spanish_csv_is_mapped_planned_committed_and_undone(client, env):
    browser = sign_in(client, env, "alpha", "coordinator", "es")
    tag = unique("Imp")
    org = client.post(
        f"{API}/organizations",
        json={"name": f"Fiscalía {tag}", "sector": "prosecution_judiciary"},
        headers=env.headers("alpha", "coordinator"),
    )
    assert org.status_code == 201, org.text
    existing = client.post(
        f"{API}/contacts",
        json={"first_name": "Ana", "last_name": f"Ruiz{tag}", "emails": [f"ana.{tag}@example.org"]},
        headers=env.headers("alpha", "coordinator"),
    )
    assert existing.status_code == 201
    rows = [
        ["Nombre", "Apellido", "Correo electrónico", "Teléfono", "Organización", "Cargo"],
        ["Luis", f"Pérez{tag}", f"luis.{tag}@example.org", "+52 55 1234 5678", f"Fiscalía {tag}", "=1+2"],
        ["Ana", f"Ruiz{tag}", f"ana.{tag}@example.org", "", "", "Directora"],
        ["Eva", f"Mal{tag}", "", "12", "", ""],
    ]
    batch = start(browser, csv_bytes(rows), "personas.csv")
    page = browser.get(f"/imports/{batch}").text
    mapping = {0: "first_name", 1: "last_name", 2: "emails", 3: "phones", 4: "organization", 5: "position"}
    assert selected(page) == mapping
    response = browser.post(
        f"/imports/{batch}/plan",
        {**{f"column_{i}": v for i, v in mapping.items()}, "on_duplicate": "update"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:3000]
    page = wait(browser, batch, ("planned",))
    print(page[page.find("import-counts") :][:3000])
    assert 'data-line="4"' in page
    response = browser.post(f"/imports/{batch}/commit", {}, follow_redirects=False)
    assert response.status_code == 303, response.text[:3000]
    page = wait(browser, batch, ("committed",))
    assert "import-undo" in page, page[:5000]
    found = client.get(
        f"{API}/contacts", params={"q": tag}, headers=env.headers("alpha", "coordinator")
    ).json()
    names = sorted(c["last_name"] for c in found["items"])
    assert names == [f"Pérez{tag}", f"Ruiz{tag}"]
    luis = next(c for c in found["items"] if c["last_name"] == f"Pérez{tag}")
    assert luis["position"] == "=1+2" and luis["phones"] == ["+525512345678"]
    ana = next(c for c in found["items"] if c["last_name"] == f"Ruiz{tag}")
    assert ana["position"] == "Directora"
    response = browser.post(f"/imports/{batch}/undo", {}, follow_redirects=False)
    assert response.status_code == 303, response.text[:3000]
    found = client.get(
        f"{API}/contacts", params={"q": tag}, headers=env.headers("alpha", "coordinator")
    ).json()
    assert [c["last_name"] for c in found["items"]] == [f"Ruiz{tag}"]
    assert found["items"][0]["position"] == ""
