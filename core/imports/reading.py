"""Reading an uploaded spreadsheet (CSV or XLSX) into a header and a stream of rows.

People produce CSV in whatever their software writes: UTF-8 with or without a byte order mark, UTF-16
(Excel's "Unicode text"), Windows-1252 from older Excel; commas, semicolons (European Excel), tabs or
pipes. The reader decides the kind by content, the encoding by the whole file (a late accented byte
must not be misread because the first kilobytes were ASCII), and the delimiter by which one makes the
header and the first rows agree. Nothing is interpreted: no formula is evaluated, no CSV text is
turned into numbers or dates; XLSX cells keep the types the workbook stores.

Rows are streamed from disk, so memory stays flat however long the file; sizes are bounded so a
hostile file is refused with a plain message instead of exhausting the server.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from core.errors import Message
from core.i18n.markers import N_

Cell = str | int | float | bool | date | datetime

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 200
MAX_FIELD_CHARS = 1024 * 1024
# How much of the start of a CSV decides the delimiter and finds the header.
SAMPLE_BYTES = 64 * 1024
# Up to this size a CSV's rows are counted exactly (one fast pass); above, estimated from the sample.
COUNT_EXACTLY_BYTES = 8 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")

_CHUNK_BYTES = 64 * 1024
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc, .msg)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MARKUP = re.compile(r"\s*<(\?xml|!doctype html|html|table)\b", re.IGNORECASE)
_C0_CONTROLS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\f", "\v"}

# Windows-1252 leaves five bytes undefined; Windows itself maps them to the C1 controls of the same
# value, as Latin-1 does. Decoding them that way keeps the rest of the file in Windows-1252 (€, “ ”).
_CP1252_ERRORS = "pilot-crm-cp1252-undefined"


def _undefined_as_latin1(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return chr(error.object[error.start]), error.start + 1


codecs.register_error(_CP1252_ERRORS, _undefined_as_latin1)

# The csv module refuses fields above 128 KiB by default; long notes are legitimate up to our bound,
# and a field beyond it becomes a csv.Error we report with its line.
if csv.field_size_limit() < MAX_FIELD_CHARS:
    csv.field_size_limit(MAX_FIELD_CHARS)


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet; `message` tells the person why, in their language."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.msgid)


def _unreadable(msgid: str, **params: Any) -> UnreadableFile:
    return UnreadableFile(Message(msgid, params))


def _not_a_spreadsheet() -> UnreadableFile:
    return _unreadable(
        N_("This file is not a CSV or XLSX spreadsheet. Save it as CSV or XLSX and try again.")
    )


def _too_many_columns(line: int) -> UnreadableFile:
    return _unreadable(
        N_("Row {line} has more than {limit} columns. Remove the extra columns and try again."),
        line=line,
        limit=MAX_COLUMNS,
    )


@dataclass(frozen=True)
class Table:
    """A spreadsheet ready to stream: its header, how it was decoded, and where its data starts."""

    path: Path
    kind: str  # "csv" | "xlsx"
    header: tuple[str, ...]
    encoding: str | None
    delimiter: str | None
    estimated_rows: int | None
    header_line: int = 1

    def rows(self) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        """(line number as a spreadsheet shows it: header is 1, first data row 2, ...; cells) for each
        non-blank data row, streamed from disk; trailing empty cells trimmed; CSV cells are str, XLSX
        cells typed (an empty cell is "")."""
        records = self._csv_records() if self.kind == "csv" else self._xlsx_records()
        for line, cells in records:
            if line > self.header_line and cells:
                yield line, cells

    def _csv_records(self) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        assert self.encoding is not None and self.delimiter is not None
        with _open_text(self.path, self.encoding) as text:
            yield from _csv_records(text, self.delimiter)

    def _xlsx_records(self) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        with _workbook(self.path) as sheet:
            yield from _xlsx_records(sheet)


def read_table(path: Path, filename: str = "") -> Table:
    """Open a CSV or XLSX file, deciding the kind by content (zip magic for xlsx), not only by
    extension; raise UnreadableFile (empty file, no header row, too big, too many columns, a legacy
    .xls or other binary, a corrupt xlsx, an undecodable text...).

    `filename` is the name the file was uploaded with; `path` may be a temporary file without one."""
    size = path.stat().st_size
    if size == 0:
        raise _unreadable(N_("The file is empty."))
    if size > MAX_FILE_BYTES:
        raise _unreadable(
            N_("The file is larger than {limit} MB. Split it into smaller files and try again."),
            limit=MAX_FILE_BYTES // (1024 * 1024),
        )
    with path.open("rb") as raw:
        head = raw.read(SAMPLE_BYTES)
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(path)
    if head.startswith(_OLE_MAGIC):
        # The same container holds Word and Outlook files; only a name says it is the old Excel.
        if not filename.lower().endswith((".xls", ".xlt")) and filename:
            raise _not_a_spreadsheet()
        raise _unreadable(
            N_(
                "This is an old Excel file (.xls). Open it in your spreadsheet program, save it as XLSX "
                "or CSV, and try again."
            )
        )
    return _read_csv(path, head, size)


# --- CSV -------------------------------------------------------------------------------------------


def _read_csv(path: Path, head: bytes, size: int) -> Table:
    encoding = _encoding(path, head)
    sample = _decode_head(head, encoding)
    if not sample.strip("\ufeff \t\r\n"):
        raise _unreadable(N_("The file is empty."))
    if _MARKUP.match(sample) or _looks_binary(sample):
        raise _not_a_spreadsheet()
    truncated = size > len(head)
    delimiter = _delimiter(sample, truncated)
    header_line, header = _header(_csv_records(io.StringIO(sample, newline=""), delimiter))
    return Table(
        path=path,
        kind="csv",
        header=header,
        encoding=encoding,
        delimiter=delimiter,
        estimated_rows=_csv_row_count(path, encoding, delimiter, sample, size, header_line, truncated),
        header_line=header_line,
    )


def _encoding(path: Path, head: bytes) -> str:
    """The codec of the whole file: a byte order mark, UTF-16 by its NUL bytes, UTF-8 if every byte
    of the file is valid UTF-8, else Windows-1252."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    if b"\x00" in head:
        return _utf16_by_nul_bytes(head)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as raw:
            while chunk := raw.read(_CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _utf16_by_nul_bytes(head: bytes) -> str:
    """UTF-16 without a byte order mark: the ASCII characters (delimiters, line ends, Latin letters)
    have a NUL high byte, nearly all on the same side (a few other characters, U+0100 or U+0600, have
    a NUL low byte). NUL bytes on both sides alike mean a binary file."""
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    pairs = len(head) // 2
    if odd > even * 10 and odd * 20 >= pairs:
        return "utf-16-le"
    if even > odd * 10 and even * 20 >= pairs:
        return "utf-16-be"
    raise _not_a_spreadsheet()


def _errors(encoding: str) -> str:
    return _CP1252_ERRORS if encoding == "cp1252" else "strict"


def _decode_head(head: bytes, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(_errors(encoding))
    try:
        return str(decoder.decode(head, final=False))
    except UnicodeDecodeError as error:
        raise _undecodable() from error


def _undecodable() -> UnreadableFile:
    return _unreadable(
        N_("The text of this file could not be decoded. Save it as CSV UTF-8 or XLSX and try again.")
    )


def _looks_binary(sample: str) -> bool:
    controls = sum(1 for char in sample if char in _C0_CONTROLS)
    return controls * 100 > len(sample)


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    return path.open(encoding=encoding, errors=_errors(encoding), newline="")


def _csv_fields(text: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Every record as parsed, with its number (1 for the first), blank ones included so the numbers
    match what a spreadsheet program shows."""
    reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    line = 0
    while True:
        line += 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise _unreadable(
                    N_("Row {line} has a cell longer than {limit} characters."),
                    line=line,
                    limit=MAX_FIELD_CHARS,
                ) from error
            raise _unreadable(
                N_("Row {line} could not be read as CSV. Check its quotes and try again."), line=line
            ) from error
        except UnicodeDecodeError as error:
            raise _undecodable() from error
        yield line, fields


def _csv_records(text: Iterable[str], delimiter: str) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    for line, fields in _csv_fields(text, delimiter):
        cells = _trimmed(fields)
        if len(cells) > MAX_COLUMNS:
            raise _too_many_columns(line)
        yield line, cells


def _trimmed(cells: Iterable[Cell]) -> tuple[Cell, ...]:
    row = list(cells)
    while row and row[-1] == "":
        row.pop()
    return tuple(row)


def _delimiter(sample: str, truncated: bool) -> str:
    """The candidate under which the header splits into columns and the most sample rows have as many
    fields as the header. (csv.Sniffer is misled by delimiters inside quoted cells and fails on
    one-column files; parsing with each candidate and comparing widths is not.) Widths count trailing
    empty fields: a one-column file whose cells end with a comma is still one column."""

    def score(delimiter: str) -> tuple[bool, int, int, int]:
        widths = [len(fields) for fields in _sample_fields(sample, delimiter, truncated) if fields]
        if not widths:
            return (False, 0, 0, 0)
        header, rows = widths[0], widths[1:]
        agreeing = sum(1 for width in rows if width == header)
        return (header > 1, agreeing, header, -DELIMITERS.index(delimiter))

    return max(DELIMITERS, key=score)


def _sample_fields(sample: str, delimiter: str, truncated: bool) -> list[list[str]]:
    records: list[list[str]] = []
    # Judged on what parses; the full read reports an error with its line.
    with contextlib.suppress(UnreadableFile):
        records.extend(fields for _, fields in _csv_fields(io.StringIO(sample, newline=""), delimiter))
    if truncated and records:
        records.pop()  # the sample may end inside this record
    return records


def _header(records: Iterator[tuple[int, tuple[Cell, ...]]]) -> tuple[int, tuple[str, ...]]:
    for line, cells in records:
        header = tuple(_text(cell).strip() for cell in cells)
        if any(header):
            return line, _trimmed(header)  # type: ignore[return-value]
    raise _unreadable(N_("The file has no header row. Its first row must name the columns."))


def _csv_row_count(
    path: Path, encoding: str, delimiter: str, sample: str, size: int, header_line: int, truncated: bool
) -> int | None:
    if size <= COUNT_EXACTLY_BYTES:
        try:
            with _open_text(path, encoding) as text:
                return sum(1 for line, cells in _csv_records(text, delimiter) if line > header_line and cells)
        except UnreadableFile:
            return None  # reported with its line when the rows are read
    records = _sample_fields(sample, delimiter, truncated)
    data = sum(1 for line, fields in enumerate(records, start=1) if line > header_line and any(fields))
    if not data:
        return None
    return round(data * size / len(sample.encode(encoding, _errors(encoding))))


# --- XLSX ------------------------------------------------------------------------------------------


def _read_xlsx(path: Path) -> Table:
    with _workbook(path) as sheet:
        max_row = sheet.max_row  # as stated in the file: an estimate
        header_line, header = _header(_xlsx_records(sheet))
    return Table(
        path=path,
        kind="xlsx",
        header=header,
        encoding=None,
        delimiter=None,
        estimated_rows=max(max_row - header_line, 0) if isinstance(max_row, int) and max_row > 1 else None,
        header_line=header_line,
    )


@contextlib.contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """The first worksheet of the workbook, read-only with cached formula values, closed on exit."""
    from openpyxl import load_workbook  # a heavy import, needed only for XLSX

    raw: BinaryIO = path.open("rb")
    workbook = None
    try:
        try:
            # A file object, not the path: openpyxl would refuse a temporary name without ".xlsx".
            workbook = load_workbook(raw, read_only=True, data_only=True)
            sheet = workbook.active or workbook.worksheets[0]
        except Exception as error:  # a damaged zip or workbook fails in many library-specific ways
            raise _unreadable(
                N_(
                    "This XLSX file is damaged or is not an Excel workbook. Open it in your spreadsheet "
                    "program, save it again as XLSX, and try again."
                )
            ) from error
        yield sheet
    finally:
        if workbook is not None:
            workbook.close()
        raw.close()


def _xlsx_records(sheet: Any) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    """Every row with its number in the sheet, to the last row present whatever the stated dimension
    (some programs write "A1" for any sheet, and openpyxl would stop there). When the workbook states
    a width of several columns, columns past MAX_COLUMNS + 1 are not read (a row using column
    MAX_COLUMNS + 1 is refused, and formatting reaching far to the right costs nothing); otherwise
    each row is as wide as its last cell."""
    stated = sheet.max_column if isinstance(sheet.max_column, int) and sheet.max_column > 1 else None
    width = min(stated, MAX_COLUMNS + 1) if stated else None
    sheet.reset_dimensions()
    try:
        rows = sheet.iter_rows(min_row=1, max_col=width)
        for line, row in enumerate(rows, start=1):
            cells = _trimmed(_xlsx_value(cell) for cell in row)
            if len(cells) > MAX_COLUMNS:
                raise _too_many_columns(line)
            yield line, cells
    except UnreadableFile:
        raise
    except Exception as error:  # damaged sheet XML surfaces only while streaming
        raise _unreadable(
            N_(
                "This XLSX file is damaged or is not an Excel workbook. Open it in your spreadsheet "
                "program, save it again as XLSX, and try again."
            )
        ) from error


def _xlsx_value(cell: Any) -> Cell:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0) and _is_date_only(getattr(cell, "number_format", None)):
            return value.date()
        return value
    if isinstance(value, time | timedelta):
        return str(value)  # clock times and durations have no Cell type; their text is what shows
    if isinstance(value, str | int | float | bool | date):
        return value
    return str(value)


def _is_date_only(number_format: str | None) -> bool:
    from openpyxl.styles.numbers import is_datetime

    return bool(number_format) and is_datetime(number_format) == "date"


def _text(cell: Cell) -> str:
    """A header cell as text: numbers as a spreadsheet shows them (2024, not 2024.0), dates in ISO."""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date | datetime):
        return cell.isoformat()
    return str(cell)
