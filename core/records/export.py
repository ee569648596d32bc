"""A record list as a CSV or XLSX file, as the reader filtered it: by default one column per form
field (core's and the tenant's plugins'), then the columns plugins add
(``pilot_crm_export_columns``), or the columns the reader chose; headed in the reader's language,
values as people read them (choices by their label, references by the referenced record's name
as its service shows it to the reader, times in the tenant's time zone), cells a
spreadsheet would run neutralized (``core.records.writers``). Rows are read a page at a time, so
memory stays flat whatever the list's size; callers decide who may export (the service's own
visibility rules decide what each member gets: protected contacts are left out of a contacts
export exactly as they are left out of the list). ``ExportFile`` is what every export shares (the
meeting attendees' and the audit log's too): a subclass only names the file and yields its rows."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import Message, ValidationFailed
from core.forms.fields import FieldSpec
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.plugins.contributions import ExportColumn
from core.plugins.manager import in_plugin_order
from core.records.references import referenced_ids, service_for
from core.records.service import Page, RecordService
from core.records.writers import FORMATS, MEDIA_TYPES, Cell, chunks

ID_KEY = "id"
# Rows read per query. A list page is found again from its cursor on every query, and for a search
# that means matching the search again (20,000 matches exported 200 at a time spent half the
# export in those lookups); a thousand rows at a time keep the memory small all the same.
EXPORT_PAGE = 1000
REFERENCE_KINDS = ("reference", "references")


def attachment(filename: str) -> dict[str, str]:
    """The header that makes a browser save the response as ``filename``."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def export_columns(service: RecordService) -> list[ExportColumn]:
    hook = service.tenant.plugins.hook.pilot_crm_export_columns
    return in_plugin_order(hook(entity=service.entity))


def requested_columns(values: Iterable[str]) -> list[str]:
    """``columns`` as given, repeated or as comma lists, blanks dropped."""
    return [key.strip() for value in values for key in value.split(",") if key.strip()]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the file: its key (what ``columns=`` names), its label msgid, and where its
    values come from (a form field, or a plugin's ``ExportColumn``; neither for the id)."""

    key: str
    label: str
    spec: FieldSpec | None = None
    added: ExportColumn | None = None


def available_columns(service: RecordService) -> list[Column]:
    """Every column a list's export can have, in the file's order."""
    fields = service.tenant.form(service.form_name).fields
    return [
        Column(ID_KEY, N_("ID")),
        *(Column(f.name, f.label, spec=f) for f in fields),
        *(Column(c.key, c.label, added=c) for c in export_columns(service)),
    ]


def choose_columns(service: RecordService, keys: Sequence[str]) -> list[Column]:
    """The columns named by ``keys`` in the order given (all of them when none is); an unknown key
    is a 400 naming it."""
    available = available_columns(service)
    if not keys:
        return available
    by_key = {column.key: column for column in available}
    unknown = [key for key in keys if key not in by_key]
    if unknown:
        message = Message(N_("Unknown column: {column}."), {"column": unknown[0]})
        raise ValidationFailed({"columns": [message]})
    return [by_key[key] for key in dict.fromkeys(keys)]


def check_format(fmt: str) -> str:
    """``fmt`` if it is a format exports write; else a 400 naming it."""
    if fmt not in FORMATS:
        raise ValidationFailed({"format": [Message(N_("Unknown file format: {format}."), {"format": fmt})]})
    return fmt


class ExportFile(ABC):
    """What every export shares, whatever its rows' source (a record list, a meeting's attendees,
    the audit log): the format, headers in the reader's language, values as people read them, the
    streamed body. A subclass names the file and yields its rows a batch at a time."""

    def __init__(self, t: Translator, fmt: str, columns: list[Column], timezone: str) -> None:
        self.t = t
        self.fmt = check_format(fmt)
        self.columns = columns
        self.zone = ZoneInfo(timezone)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.fmt]

    @abstractmethod
    def filename(self) -> str:
        """The file's name, as the browser saves it."""

    @abstractmethod
    def batches(self) -> AsyncIterator[list[list[Cell]]]:
        """The rows, a batch at a time."""

    def header(self) -> list[str]:
        return [self.t.gettext(column.label) for column in self.columns]

    def value(self, spec: FieldSpec | None, value: Any) -> Cell:
        """``value`` as people read it: choices by their label, yes/no, times in the tenant's zone."""
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, list):
            return "; ".join(_text(self.value(spec, item)) for item in value)
        if spec is not None and spec.choices:
            label = next((c.label for c in spec.choices if c.value == value), None)
            return self.t.gettext(label) if label else str(value)
        if isinstance(value, bool):
            return self.t.gettext(N_("Yes") if value else N_("No"))
        if isinstance(value, datetime):
            return value.astimezone(self.zone).replace(second=0, microsecond=0)
        if isinstance(value, date | int | float):
            return value
        return str(value)

    def body(self) -> AsyncIterator[bytes]:
        """The file, as the rows arrive."""
        return chunks(self.fmt, self.header(), self.batches())


class ListExport(ExportFile):
    """One export: ``first`` is the first page, read before the response starts, so a search the
    list refuses (or an unknown column or format) is a 400 rather than a broken download."""

    def __init__(
        self,
        service: RecordService,
        t: Translator,
        first: Page,
        fmt: str,
        columns: list[Column],
        **query: Any,
    ) -> None:
        super().__init__(t, fmt, columns, service.tenant.declaration.timezone)
        self.service = service
        self.first = first
        self.query = query
        self._topic_names: dict[str, str] | None = None

    @classmethod
    async def start(
        cls,
        service: RecordService,
        t: Translator,
        fmt: str = "csv",
        columns: Sequence[str] = (),
        **query: Any,
    ) -> ListExport:
        check_format(fmt)
        chosen = choose_columns(service, columns)
        first = await service.list_page(limit=EXPORT_PAGE, largest=EXPORT_PAGE, **query)
        return cls(service, t, first, fmt, chosen, **query)

    def filename(self) -> str:
        return f"{self.service.entity}s-{self.service.tenant.slug}.{self.fmt}"

    async def topic_names(self) -> dict[str, str]:
        """Topic code → name in the reader's language (read once per file): a topics column shows
        names, as people read them, never codes."""
        if self._topic_names is None:
            from core.topics.service import TopicService

            self._topic_names = await TopicService(self.service.actor, self.service.locale).names()
        return self._topic_names

    async def _names(self, rows: list[dict[str, Any]]) -> dict[str, dict[int, str]]:
        """Referenced entity → {id: name} for the page's reference columns: one query per entity,
        through its service, so what the reader may not see stays hidden."""
        wanted: dict[str, set[int]] = {}
        for column in self.columns:
            spec = column.spec
            if spec is not None and spec.kind in REFERENCE_KINDS and spec.references:
                ids = referenced_ids(row.get(column.key) for row in rows)
                wanted.setdefault(spec.references, set()).update(ids)
        tenant, actor, locale = self.service.tenant, self.service.actor, self.service.locale
        return {
            entity: await service_for(entity, tenant)(actor, locale).labels(ids)
            for entity, ids in wanted.items()
        }

    def _reference(self, names: dict[int, str], value: Any) -> Cell:
        items = value if isinstance(value, list) else [value]
        return "; ".join(names.get(item, "") for item in items if item is not None)

    async def _rows(self, page: Page) -> list[list[Cell]]:
        ids = [row["id"] for row in page.items]
        added = {
            c.key: await c.added.values(self.service.actor, ids) for c in self.columns if c.added is not None
        }
        names = await self._names(page.items)
        rows = []
        for row in page.items:
            cells: list[Cell] = []
            for column in self.columns:
                spec = column.spec
                if spec is not None and spec.kind in REFERENCE_KINDS and spec.references:
                    cells.append(self._reference(names[spec.references], row.get(column.key)))
                elif spec is not None and spec.kind == "topics":
                    topics = await self.topic_names()
                    cells.append("; ".join(topics.get(code, code) for code in row.get(column.key) or []))
                elif spec is not None:
                    cells.append(self.value(spec, row.get(column.key)))
                elif column.added is not None:
                    value = added[column.key].get(row["id"])
                    cells.append("" if value is None else str(value))
                else:
                    cells.append(row["id"])
            rows.append(cells)
        return rows

    async def batches(self) -> AsyncIterator[list[list[Cell]]]:
        """The rows, a page at a time."""
        page = self.first
        while True:
            yield await self._rows(page)
            if page.next is None:
                return
            page = await self.service.list_page(
                limit=EXPORT_PAGE, largest=EXPORT_PAGE, cursor=page.next, **self.query
            )


def _text(cell: Cell) -> str:
    return cell.isoformat() if isinstance(cell, date) else str(cell)
