"""Files of exported rows, CSV or XLSX, written as the rows arrive so that memory stays flat
whatever their number. Cells are text, numbers, dates or times (already in the tenant's time
zone): CSV writes them as ISO text, XLSX as typed cells; text a spreadsheet would run as a formula
is neutralized in both."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

import anyio.to_thread
import xlsxwriter

from core.records.cells import spreadsheet_safe

Cell = str | int | float | date | datetime
Batches = AsyncIterator[Sequence[Sequence[Cell]]]

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 64 * 1024


def csv_text(cell: Cell) -> str:
    """A cell as CSV text: times to the minute and dates in ISO 8601, text neutralized."""
    if isinstance(cell, datetime):
        return cell.isoformat(timespec="minutes")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, str):
        return spreadsheet_safe(cell)
    return str(cell)


async def csv_chunks(header: Sequence[str], batches: Batches) -> AsyncIterator[bytes]:
    """UTF-8 with a byte-order mark (so spreadsheets read accents and Arabic), a batch at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(label) for label in header])
    yield ("\ufeff" + out.getvalue()).encode()
    async for batch in batches:
        out.seek(0)
        out.truncate()
        writer.writerows([csv_text(cell) for cell in row] for row in batch)
        yield out.getvalue().encode()


async def xlsx_chunks(header: Sequence[str], batches: Batches) -> AsyncIterator[bytes]:
    """One worksheet written in xlsxwriter's constant-memory mode (each row goes to a temporary file
    as soon as the next starts), zipped to a temporary file off the event loop, then streamed."""
    handle, path = tempfile.mkstemp(prefix="export-", suffix=".xlsx")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True})
        sheet = book.add_worksheet()
        formats: dict[type, Any] = {
            datetime: book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            date: book.add_format({"num_format": "yyyy-mm-dd"}),
        }
        sheet.write_row(0, 0, [spreadsheet_safe(label) for label in header], book.add_format({"bold": True}))
        number = 1
        async for batch in batches:
            for row in batch:
                for column, cell in enumerate(row):
                    _write(sheet, formats, number, column, cell)
                number += 1
        await anyio.to_thread.run_sync(book.close)
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def _write(sheet: Any, formats: dict[type, Any], row: int, column: int, cell: Cell) -> None:
    # Never ``sheet.write``: it would turn text starting with "=" into a formula.
    if isinstance(cell, datetime):
        sheet.write_datetime(row, column, cell.replace(tzinfo=None), formats[datetime])
    elif isinstance(cell, date):
        sheet.write_datetime(row, column, datetime(cell.year, cell.month, cell.day), formats[date])
    elif isinstance(cell, bool) or not isinstance(cell, int | float):
        if cell != "":
            sheet.write_string(row, column, spreadsheet_safe(str(cell)))
    else:
        sheet.write_number(row, column, cell)


def chunks(fmt: str, header: Sequence[str], batches: Batches) -> AsyncIterator[bytes]:
    return csv_chunks(header, batches) if fmt == "csv" else xlsx_chunks(header, batches)
