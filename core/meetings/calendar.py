"""Meetings as iCalendar (RFC 5545) events, built with the ``icalendar`` library: times are written
in the meeting's own time zone (TZID with its VTIMEZONE), so a 10:00 meeting in Mexico City stays
10:00 there whatever the reader's calendar is set to. The UID is stable per tenant and meeting and
SEQUENCE follows the record's version, so calendar apps update the event they imported instead of
adding a copy; an archived meeting is sent as CANCELLED. No organizer or attendees are written:
the file carries no one's contact data."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from core.forms.vocabulary import MEETING_MODES

MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Pilot CRM//Meetings//EN"


def event_uid(tenant_slug: str, meeting_id: int) -> str:
    return f"meeting-{meeting_id}@{tenant_slug}.pilot-crm"


def _location(record: dict[str, Any], gettext: Callable[[str], str]) -> str:
    """The place, with the mode when the meeting is (also) online."""
    mode = next((c.label for c in MEETING_MODES if c.value == record.get("mode")), None)
    place = (record.get("place") or "").strip()
    if record.get("mode") == "in_person" or mode is None:
        return place
    return f"{place} ({gettext(mode)})" if place else gettext(mode)


def meeting_event(tenant_slug: str, record: dict[str, Any], gettext: Callable[[str], str]) -> Event:
    zone = ZoneInfo(record["timezone"])
    event = Event()
    event.add("uid", event_uid(tenant_slug, record["id"]))
    event.add("dtstamp", (record.get("updated_at") or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", record["starts_at"].astimezone(zone))
    event.add("dtend", (record.get("ends_at") or record["starts_at"]).astimezone(zone))
    event.add("summary", record.get("title") or "")
    location = _location(record, gettext)
    if location:
        event.add("location", location)
    if record.get("agenda"):
        event.add("description", record["agenda"])
    event.add("sequence", int(record.get("version") or 1))
    event.add("status", "CANCELLED" if record.get("archived_at") else "CONFIRMED")
    return event


def calendar_file(
    tenant_slug: str, records: Iterable[dict[str, Any]], gettext: Callable[[str], str], name: str = ""
) -> bytes:
    """One VCALENDAR with an event per record and the VTIMEZONE of every zone they use."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if name:
        calendar.add("x-wr-calname", name)
    for record in records:
        calendar.add_component(meeting_event(tenant_slug, record, gettext))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def filename(record: dict[str, Any]) -> str:
    return f"meeting-{record['id']}.ics"
