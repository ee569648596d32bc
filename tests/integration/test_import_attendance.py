"""A meeting's attendance list imported from a file, on every backend: known people are found by
the duplicate rules, new ones become contacts, each gets the status the file gives, and undoing the
batch takes them off the list again before removing the contacts it created."""

from __future__ import annotations

import secrets

from core.testing.web import sign_in
from tests.integration.test_imports import csv_bytes, selected, wait
from tests.support import translation

API = "/t/alpha/api/v1"


def test_attendance_list_is_imported_and_undone(client, env):
    h = env.headers("alpha", "coordinator")
    tag = f"Att{secrets.token_hex(3)}"
    meeting = client.post(
        f"{API}/meetings",
        json={
            "title": f"Diálogo {tag}",
            "meeting_type": "national_dialogue",
            "starts_at": "2026-03-02T10:00:00-06:00",
            "ends_at": "2026-03-02T12:00:00-06:00",
            "mode": "in_person",
        },
        headers=h,
    )
    assert meeting.status_code == 201, meeting.text
    meeting_id = meeting.json()["id"]
    known = client.post(
        f"{API}/contacts",
        json={"first_name": "Rosa", "last_name": f"Known{tag}", "emails": [f"rosa.{tag}@example.org"]},
        headers=h,
    )
    assert known.status_code == 201
    browser = sign_in(client, env, "alpha", "coordinator", "es")
    page = browser.get(f"/meetings/{meeting_id}")
    assert f"/imports?meeting={meeting_id}" in page.text
    browser.get(f"/imports?meeting={meeting_id}")
    rows = [
        ["Nombre", "Apellido", "Correo electrónico", "Asistencia"],
        ["Rosa", f"Known{tag}", f"rosa.{tag}@example.org", "Asistió"],
        # the status as the Spanish attendance list words it
        [
            "Pablo",
            f"New{tag}",
            f"pablo.{tag}@example.org",
            translation("es", "Confirmed", context="attendance"),
        ],
    ]
    response = browser.upload(
        "/imports",
        {"entity": "attendance", "meeting": str(meeting_id)},
        {"file": ("lista.csv", csv_bytes(rows), "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:2000]
    batch = int(response.headers["location"].rsplit("/", 1)[1])
    page = browser.get(f"/imports/{batch}").text
    mapping = selected(page)
    assert mapping == {0: "first_name", 1: "last_name", 2: "emails", 3: "attendance_status"}
    fields = {f"column_{i}": name for i, name in mapping.items()}
    response = browser.post(
        f"/imports/{batch}/plan", {**fields, "on_duplicate": "skip"}, follow_redirects=False
    )
    assert response.status_code == 303
    wait(browser, batch, ("planned",))
    assert browser.post(f"/imports/{batch}/commit", {}, follow_redirects=False).status_code == 303
    assert "import-undo" in wait(browser, batch, ("committed",))
    listed = client.get(f"{API}/meetings/{meeting_id}/attendees", headers=h)
    assert listed.status_code == 200
    people = listed.json()
    statuses = {p["contact"]: p["status"] for p in people}
    pablo = client.get(f"{API}/contacts", params={"q": f"New{tag}"}, headers=h).json()["items"]
    assert len(pablo) == 1
    assert statuses == {known.json()["id"]: "attended", pablo[0]["id"]: "confirmed"}
    response = browser.post(f"/imports/{batch}/undo", {}, follow_redirects=False)
    assert response.status_code == 303, response.text[:2000]
    assert client.get(f"{API}/meetings/{meeting_id}/attendees", headers=h).json() == []
    assert client.get(f"{API}/contacts", params={"q": f"New{tag}"}, headers=h).json()["items"] == []
    assert client.get(f"{API}/contacts/{known.json()['id']}", headers=h).status_code == 200
