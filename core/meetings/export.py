"""A meeting's attendance list as a CSV or XLSX file, through the same writers as every export: one
row per attendee as the meeting page lists them (a contact the reader may not see is its
placeholder's label with its side and status, nothing that names the person), headed in the
reader's language, the side and the attendance by their labels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from core.forms.fields import FieldSpec
from core.forms.vocabulary import SIDES
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.meetings.service import ATTENDANCE_FIELD, MeetingService
from core.records.export import Column, ExportFile
from core.records.writers import Cell

COLUMNS = [
    Column("contact", N_("Contact"), spec=FieldSpec("contact", "text", N_("Contact"))),
    Column(
        "organization_name",
        N_("Organization at the time"),
        spec=FieldSpec("organization_name", "text", N_("Organization at the time")),
    ),
    Column("side", N_("Side"), spec=FieldSpec("side", "choice", N_("Side"), choices=SIDES)),
    Column("emails", N_("Email addresses"), spec=FieldSpec("emails", "emails", N_("Email addresses"))),
    Column("status", ATTENDANCE_FIELD.label, spec=ATTENDANCE_FIELD),
]


def shown_name(attendee: dict[str, Any]) -> str:
    """What the meeting page names an attendee by: the placeholder's label, or the person's name."""
    if attendee.get("label"):
        return str(attendee["label"])
    return " ".join(part for part in (attendee.get("first_name"), attendee.get("last_name")) if part)


class AttendeesExport(ExportFile):
    """The attendees are read before the response starts (a meeting the reader may not see is a
    404, not a broken download); a meeting's list is small enough to hold whole."""

    def __init__(self, service: MeetingService, t: Translator, fmt: str, meeting_id: int) -> None:
        super().__init__(t, fmt, COLUMNS, service.tenant.declaration.timezone)
        self.slug = service.tenant.slug
        self.meeting_id = meeting_id
        self.attendees: list[dict[str, Any]] = []

    @classmethod
    async def start(
        cls, service: MeetingService, t: Translator, fmt: str, meeting_id: int
    ) -> AttendeesExport:
        export = cls(service, t, fmt, meeting_id)
        export.attendees = await service.attendees(meeting_id)
        return export

    def filename(self) -> str:
        return f"attendees-meeting-{self.meeting_id}-{self.slug}.{self.fmt}"

    async def batches(self) -> AsyncIterator[list[list[Cell]]]:
        yield [
            [
                self.value(
                    column.spec, shown_name(attendee) if column.key == "contact" else attendee.get(column.key)
                )
                for column in self.columns
            ]
            for attendee in self.attendees
        ]
