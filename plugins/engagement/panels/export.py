"""An activity's applications as a CSV or XLSX file, through core's export writers (headers in the
reader's language, choices by their label, times in the tenant's zone, spreadsheet formulas
neutralized), for the people who review them: coordinators and the call's reviewers. References
are by name: the organization record an application was matched to, and the contact as the reader
may see it (a protected contact's label, never its name, for a reviewer who may not see it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from core.plugin_api import (
    N_,
    SECTORS,
    Actor,
    ContactVisibility,
    ExportFile,
    FieldSpec,
    FileColumn,
    PermissionDenied,
    Translator,
)
from plugins.engagement.moments import instant
from plugins.engagement.panels import reading
from plugins.engagement.panels.cards import APPLICATION_STATUSES
from plugins.engagement.reviewing import is_reviewer
from plugins.engagement.service import ActivityService
from plugins.engagement.vocabulary import LANGUAGES


def _column(key: str, label: str, kind: str = "text", **options: Any) -> FileColumn:
    return FileColumn(key, label, spec=FieldSpec(key, kind, label, **options))


COLUMNS = [
    FileColumn("id", N_("ID")),
    _column("first_name", N_("First name")),
    _column("last_name", N_("Last name")),
    _column("email", N_("Email")),
    _column("phone", N_("Phone")),
    _column("country", N_("Country")),
    _column("language", N_("Language"), "choice", choices=LANGUAGES),
    _column("job_title", N_("Job title")),
    _column("organization_name", N_("Organization as submitted")),
    _column("organization_sector", N_("Sector"), "choice", choices=SECTORS),
    _column("organization_country", N_("Organization's country")),
    _column("organization_record", N_("Organization")),
    _column("contact_name", N_("Contact")),
    _column("eligible", N_("Eligible"), "boolean"),
    _column("score", N_("Priority score"), "integer"),
    _column("status", N_("Status"), "choice", choices=APPLICATION_STATUSES),
    _column("submitted_at", N_("Submitted")),
    _column("decided_at", N_("Decided")),
    _column("motivation", N_("Motivation")),
]


class ApplicationsExport(ExportFile):
    """An activity's applications, best score first; read whole before the response starts (an
    activity the reader may not reach is a 403 or 404, not a broken download)."""

    def __init__(self, t: Translator, fmt: str, timezone: str, activity_id: int, slug: str) -> None:
        super().__init__(t, fmt, COLUMNS, timezone)
        self.activity_id = activity_id
        self.slug = slug
        self.rows: list[dict[str, Any]] = []

    @classmethod
    async def start(cls, actor: Actor, t: Translator, fmt: str, activity_id: int) -> ApplicationsExport:
        if not await is_reviewer(actor):
            raise PermissionDenied()
        service = ActivityService(actor, t.locale)
        await service.get(activity_id)
        export = cls(t, fmt, service.tenant.declaration.timezone, activity_id, service.tenant.slug)
        visibility = ContactVisibility(actor)
        for row in await reading.activity_applications(activity_id):
            if row["contact"] is not None:
                shown = visibility.reference(
                    {**row, "first_name": row["contact_first_name"], "last_name": row["contact_last_name"]},
                    t.gettext,
                )
                row["contact_name"] = shown.get("label") or " ".join(
                    p for p in (shown.get("first_name"), shown.get("last_name")) if p
                )
                if shown.get("hidden"):
                    # The reader may not see the person: nothing of the application names them either.
                    for key in ("first_name", "last_name", "email", "phone", "job_title", "motivation"):
                        row[key] = ""
            row["eligible"] = bool(row["eligible"])
            for key in ("submitted_at", "decided_at"):
                row[key] = instant(row[key])
            export.rows.append(row)
        return export

    def filename(self) -> str:
        return f"applications-activity-{self.activity_id}-{self.slug}.{self.fmt}"

    async def batches(self) -> AsyncIterator[list[list[Any]]]:
        yield [
            [
                self.value(column.spec, row.get(column.key)) if column.spec else row["id"]
                for column in self.columns
            ]
            for row in self.rows
        ]
