"""A record list as CSV, as the reader filtered it: one column per form field (core's and the
tenant's plugins'), then the columns plugins add (``pilot_crm_export_columns``), headed in the
reader's language, values as people read them (choices by their label, times in the tenant's time
zone), cells a spreadsheet would run neutralized. Rows are read a page at a time, so memory stays
flat whatever the list's size; callers decide who may export (the service's own visibility rules
decide what each member gets)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.forms.fields import FieldSpec
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.plugins.contributions import ExportColumn
from core.records.cells import spreadsheet_safe
from core.records.service import MAX_LIMIT, Page, RecordService

MEDIA_TYPE = "text/csv; charset=utf-8"


def attachment(filename: str) -> dict[str, str]:
    """The header that makes a browser save the response as ``filename``."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def export_columns(service: RecordService) -> list[ExportColumn]:
    hook = service.tenant.plugins.hook.pilot_crm_export_columns
    return [column for columns in reversed(hook(entity=service.entity)) for column in columns or ()]


class ListExport:
    """One export: ``first`` is the first page, read before the response starts, so a search the
    list refuses is a 400 rather than a broken download."""

    def __init__(self, service: RecordService, t: Translator, first: Page, **query: Any) -> None:
        self.service = service
        self.t = t
        self.first = first
        self.query = query
        self.fields = service.tenant.form(service.form_name).fields
        self.columns = export_columns(service)
        self.zone = ZoneInfo(service.tenant.declaration.timezone)

    @classmethod
    async def start(cls, service: RecordService, t: Translator, **query: Any) -> ListExport:
        first = await service.list_page(limit=MAX_LIMIT, **query)
        return cls(service, t, first, **query)

    def filename(self) -> str:
        return f"{self.service.entity}s-{self.service.tenant.slug}.csv"

    def _header(self) -> list[str]:
        labels = [self.t.gettext(N_("ID"))]
        labels += [self.t.gettext(f.label) for f in self.fields]
        labels += [self.t.gettext(c.label) for c in self.columns]
        return labels

    def _value(self, spec: FieldSpec, value: Any) -> str:
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, list):
            return "; ".join(self._value(spec, item) for item in value)
        if spec.choices:
            label = next((c.label for c in spec.choices if c.value == value), None)
            return self.t.gettext(label) if label else str(value)
        if isinstance(value, bool):
            return self.t.gettext(N_("Yes") if value else N_("No"))
        if isinstance(value, datetime):
            return value.astimezone(self.zone).isoformat(timespec="minutes")
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    async def _rows(self, page: Page) -> list[list[str]]:
        ids = [row["id"] for row in page.items]
        added = [await column.values(self.service.actor, ids) for column in self.columns]
        rows = []
        for row in page.items:
            cells = [str(row["id"])]
            cells += [self._value(f, row.get(f.name)) for f in self.fields]
            cells += ["" if values.get(row["id"]) is None else str(values[row["id"]]) for values in added]
            rows.append([spreadsheet_safe(cell) for cell in cells])
        return rows

    async def lines(self) -> AsyncIterator[str]:
        """The file, a page of rows at a time (with a byte-order mark, so spreadsheets read UTF-8)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self._header())
        yield "\ufeff" + out.getvalue()
        page = self.first
        while True:
            out.seek(0)
            out.truncate()
            writer.writerows(await self._rows(page))
            yield out.getvalue()
            if page.next is None:
                return
            page = await self.service.list_page(limit=MAX_LIMIT, cursor=page.next, **self.query)
