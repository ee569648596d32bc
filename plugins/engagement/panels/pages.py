"""The export of an activity's applications, next to the activity's pages:
``/engagement/activities/{id}/applications/export.csv`` (and ``.xlsx``)."""

from __future__ import annotations

from core.plugin_api import Controller, CurrentActor, Download, PathId, Request, download, get, page_parts
from plugins.engagement.panels.export import ApplicationsExport


class ApplicationExportPages(Controller):
    path = "/activities"

    @staticmethod
    async def _file(request: Request, actor: CurrentActor, record_id: int, fmt: str) -> Download:
        _, t, _ = page_parts(request)
        return download(await ApplicationsExport.start(actor, t, fmt, record_id))

    @get("/{record_id:int}/applications/export.csv")
    async def applications_csv(self, request: Request, actor: CurrentActor, record_id: PathId) -> Download:
        """The activity's applications as a CSV file, for coordinators and reviewers."""
        return await self._file(request, actor, record_id, "csv")

    @get("/{record_id:int}/applications/export.xlsx")
    async def applications_xlsx(self, request: Request, actor: CurrentActor, record_id: PathId) -> Download:
        """The same as an XLSX workbook."""
        return await self._file(request, actor, record_id, "xlsx")
