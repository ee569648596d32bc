"""A meeting as an .ics file (RFC 5545), through the API and the meeting page, parsed back with the
icalendar library: the meeting's own time zone (TZID and VTIMEZONE) and local time are kept, the UID
is stable, SEQUENCE follows the version and an archived meeting is cancelled."""

from __future__ import annotations

import secrets
from datetime import datetime

from icalendar import Calendar

from core.testing.web import sign_in

API = "/t/alpha/api/v1"


def make_meeting(client, env, **fields) -> dict:
    body = {
        "title": f"Diálogo {secrets.token_hex(3)}",
        "meeting_type": "national_dialogue",
        "mode": "hybrid",
        "place": "Sala Juárez",
        "agenda": "1. Apertura\n2. Hoja de ruta",
        # 16:00 UTC is 10:00 in Mexico City (UTC-6, no daylight saving time since 2022)
        "starts_at": "2026-03-10T16:00:00Z",
        "ends_at": "2026-03-10T18:00:00Z",
        "timezone": "America/Mexico_City",
        **fields,
    }
    made = client.post(f"{API}/meetings", json=body, headers=env.headers("alpha", "coordinator"))
    assert made.status_code == 201, made.text
    return made.json()


def fetch_ics(client, env, meeting_id: int, role: str = "observer") -> Calendar:
    response = client.get(f"{API}/meetings/{meeting_id}/calendar.ics", headers=env.headers("alpha", role))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert f'filename="meeting-{meeting_id}.ics"' in response.headers["content-disposition"]
    return Calendar.from_ical(response.content)


def test_ics_keeps_the_meetings_time_zone_and_local_time(client, env):
    meeting = make_meeting(client, env)
    calendar = fetch_ics(client, env, meeting["id"])
    [event] = calendar.events
    assert str(event["DTSTART"].params["TZID"]) == "America/Mexico_City"
    assert event.start.replace(tzinfo=None) == datetime(2026, 3, 10, 10, 0)
    assert event.end.replace(tzinfo=None) == datetime(2026, 3, 10, 12, 0)
    assert event.start.utcoffset().total_seconds() == -6 * 3600
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Mexico_City"]
    assert str(event["SUMMARY"]) == meeting["title"]
    assert str(event["DESCRIPTION"]) == "1. Apertura\n2. Hoja de ruta"
    assert "Sala Juárez" in str(event["LOCATION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "ORGANIZER" not in event and "ATTENDEE" not in event


def test_a_meeting_in_another_zone_keeps_its_own(client, env):
    meeting = make_meeting(
        client, env, starts_at="2026-07-01T01:00:00Z", ends_at="2026-07-01T03:00:00Z", timezone="Asia/Tokyo"
    )
    [event] = fetch_ics(client, env, meeting["id"]).events
    assert str(event["DTSTART"].params["TZID"]) == "Asia/Tokyo"
    assert event.start.replace(tzinfo=None) == datetime(2026, 7, 1, 10, 0)


def test_uid_is_stable_sequence_follows_the_version_and_archiving_cancels(client, env):
    meeting = make_meeting(client, env)
    first = fetch_ics(client, env, meeting["id"]).events[0]
    assert int(first["SEQUENCE"]) == meeting["version"]
    changed = client.patch(
        f"{API}/meetings/{meeting['id']}",
        json={"version": meeting["version"], "place": "Sala 2"},
        headers=env.headers("alpha", "coordinator"),
    )
    assert changed.status_code == 200, changed.text
    second = fetch_ics(client, env, meeting["id"]).events[0]
    assert str(second["UID"]) == str(first["UID"]) == f"meeting-{meeting['id']}@alpha.pilot-crm"
    assert int(second["SEQUENCE"]) == changed.json()["version"] > int(first["SEQUENCE"])
    archived = client.post(
        f"{API}/meetings/{meeting['id']}/archive", headers=env.headers("alpha", "coordinator")
    )
    assert archived.status_code == 200, archived.text
    third = fetch_ics(client, env, meeting["id"]).events[0]
    assert str(third["STATUS"]) == "CANCELLED"
    assert str(third["UID"]) == str(first["UID"])


def test_the_meeting_page_links_its_ics_for_signed_in_members_only(client, env):
    meeting = make_meeting(client, env)
    browser = sign_in(client, env, "alpha", "ngo", locale="es")
    page = browser.get(f"/meetings/{meeting['id']}")
    assert page.status_code == 200
    assert f'href="/t/alpha/meetings/{meeting["id"]}/calendar.ics"' in page.text
    assert "Añadir al calendario" in page.text
    download = browser.get(f"/meetings/{meeting['id']}/calendar.ics")
    assert download.status_code == 200, download.text
    [event] = Calendar.from_ical(download.content).events
    assert event.start.replace(tzinfo=None) == datetime(2026, 3, 10, 10, 0)
    client.cookies.clear()
    anonymous = client.get(f"/t/alpha/meetings/{meeting['id']}/calendar.ics", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401)
    assert b"BEGIN:VCALENDAR" not in anonymous.content


def test_an_unknown_or_other_tenants_meeting_has_no_ics(client, env):
    meeting = make_meeting(client, env)
    beta = client.get(
        f"/t/beta/api/v1/meetings/{meeting['id']}/calendar.ics", headers=env.headers("beta", "coordinator")
    )
    other = client.get(
        f"{API}/meetings/{meeting['id'] + 10_000}/calendar.ics", headers=env.headers("alpha", "coordinator")
    )
    # Beta may hold a meeting with that id of its own; then it is beta's, never alpha's.
    assert beta.status_code == 404 or meeting["title"].encode() not in beta.content
    assert other.status_code == 404
